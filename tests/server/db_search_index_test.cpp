// The in-memory `search=` index of the SQLite MetadataDb and its change counter. The oracle is a
// brute-force case-insensitive substring filter over the unsearched listing (same order), so
// every page of a search must be the matching slice of the full listing, whichever plan the DB
// picks (few matches: by id; many: scan in sort order). Writes through a second handle on the
// same file stand in for another process (e.g. `mhub admin` next to a running server).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "mhub/server/metadata_db.h"
#include "support/test_support.h"

namespace mhub::server {
namespace {

using mhub::testing::TempDir;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class SearchIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Open();
    other_ = Open();
  }

  std::unique_ptr<MetadataDb> Open() {
    auto db = OpenSqliteMetadataDb(dir_ / "db.sqlite");
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  static RepoRecord Repo(const std::string& ns, const std::string& name, int64_t downloads,
                         RepoType type = RepoType::kModel) {
    RepoRecord r;
    r.key = RepoKey{type, RepoId{ns, name}};
    r.downloads = downloads;
    return r;
  }

  static std::vector<std::string> Ids(const RepoPage& page) {
    std::vector<std::string> out;
    for (const auto& r : page.repos) out.push_back(r.key.id.ToString());
    return out;
  }

  // Every page of `q` (with search terms) against the brute-force slice of the unsearched list.
  void ExpectMatchesBruteForce(MetadataDb& db, RepoQuery q) {
    RepoQuery everything = q;
    everything.search.clear();
    everything.offset = 0;
    everything.limit = 100000;
    auto all = db.SearchRepos(everything);
    ASSERT_TRUE(all.ok()) << all.status();
    std::vector<std::string> expected;
    for (const auto& id : Ids(*all)) {
      bool ok = true;
      for (const auto& term : q.search) ok = ok && Lower(id).find(Lower(term)) != std::string::npos;
      if (ok) expected.push_back(id);
    }
    for (uint64_t offset : {uint64_t{0}, uint64_t{3}, uint64_t{40}}) {
      for (uint64_t limit : {uint64_t{1}, uint64_t{20}, uint64_t{1000}}) {
        q.offset = offset;
        q.limit = limit;
        auto page = db.SearchRepos(q);
        ASSERT_TRUE(page.ok()) << page.status();
        std::vector<std::string> slice;
        for (uint64_t i = offset; i < expected.size() && i < offset + limit; ++i) slice.push_back(expected[i]);
        std::string what = "terms:";
        for (const auto& t : q.search) what += " '" + t + "'";
        EXPECT_EQ(Ids(*page), slice) << what << " offset " << offset << " limit " << limit;
        EXPECT_EQ(page->has_more, offset + limit < expected.size()) << what;
      }
    }
  }

  TempDir dir_;
  std::unique_ptr<MetadataDb> db_;
  std::unique_ptr<MetadataDb> other_;
};

TEST_F(SearchIndexTest, SearchEqualsBruteForceOverManyRepos) {
  ASSERT_TRUE(db_->CreateUser("alice", "", "").ok());
  ASSERT_TRUE(db_->CreateOrg("Acme-Labs", "").ok());
  std::mt19937 rng(7);
  const std::vector<std::string> stems = {"bert", "BERT-base", "gpt2", "Llama", "t5", "whisper", "repo"};
  for (int i = 0; i < 1500; ++i) {
    const std::string ns = i % 3 == 0 ? "Acme-Labs" : "alice";
    const std::string name = stems[rng() % stems.size()] + "-" + std::to_string(i);
    RepoType type = i % 10 == 0 ? RepoType::kDataset : RepoType::kModel;
    ASSERT_TRUE(db_->InsertRepo(Repo(ns, name, static_cast<int64_t>(rng() % 50), type)).ok());
  }
  const std::vector<std::vector<std::string>> searches = {
      {"bert"},     {"BeRt-"}, {"-12"},   {"1"},          {"acme"},         {"repo", "-1"}, {"llama", "acme-l"},
      {"zzz"},      {"t"},     {"e/"},    {"alice/gpt2"}, {"ALICE/GPT2-1"}, {"", "gpt"},    {"a\nb"},
      {"whisper-"}, {"/"},     {"-1499"}, {"labs/t5"}};
  for (const auto& terms : searches) {
    RepoQuery q;
    q.search = terms;
    ExpectMatchesBruteForce(*db_, q);
    q.sort = RepoSort::kId;
    q.descending = false;
    ExpectMatchesBruteForce(*db_, q);
    q.type = RepoType::kDataset;
    q.author = "alice";
    ExpectMatchesBruteForce(*db_, q);
  }
}

TEST_F(SearchIndexTest, IndexFollowsInsertsRenamesAndDeletesFromAnyHandle) {
  ASSERT_TRUE(db_->CreateUser("alice", "", "").ok());
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(db_->InsertRepo(Repo("alice", "model-" + std::to_string(i), i)).ok());
  RepoQuery q;
  q.search = {"special"};
  auto before = db_->SearchRepos(q);
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->repos.empty());

  // Another handle (another process) adds one: the first handle's index sees it.
  ASSERT_TRUE(other_->InsertRepo(Repo("alice", "Special-one", 5)).ok());
  auto added = db_->SearchRepos(q);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(Ids(*added), std::vector<std::string>{"alice/Special-one"});

  // Renamed away and back under another name.
  RepoKey from{RepoType::kModel, RepoId{"alice", "Special-one"}};
  RepoKey to{RepoType::kModel, RepoId{"alice", "ordinary"}};
  ASSERT_TRUE(other_->RenameRepo(from, to).ok());
  auto renamed = db_->SearchRepos(q);
  ASSERT_TRUE(renamed.ok());
  EXPECT_TRUE(renamed->repos.empty());
  q.search = {"ORDINARY"};
  auto found = db_->SearchRepos(q);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(Ids(*found), std::vector<std::string>{"alice/ordinary"});

  ASSERT_TRUE(other_->DeleteRepo(to).ok());
  auto deleted = db_->SearchRepos(q);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->repos.empty());
  RepoQuery model_1;
  model_1.search = {"model-1"};
  ExpectMatchesBruteForce(*db_, model_1);
}

TEST_F(SearchIndexTest, ChangeCounterMovesOnEveryCommittedChangeOnly) {
  auto c0 = db_->ChangeCounter();
  ASSERT_TRUE(c0.ok()) << c0.status();
  auto same = db_->ChangeCounter();
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, *c0) << "nothing was written";
  ASSERT_TRUE(db_->SearchRepos(RepoQuery{}).ok());  // reads change nothing
  EXPECT_EQ(*db_->ChangeCounter(), *c0);

  ASSERT_TRUE(db_->CreateUser("alice", "", "").ok());  // through this handle
  auto c1 = db_->ChangeCounter();
  ASSERT_TRUE(c1.ok());
  EXPECT_NE(*c1, *c0);

  ASSERT_TRUE(other_->CreateUser("bob", "", "").ok());  // through another handle
  auto c2 = db_->ChangeCounter();
  ASSERT_TRUE(c2.ok());
  EXPECT_NE(*c2, *c1);
  EXPECT_NE(*c2, *c0);

  ASSERT_TRUE(db_->InsertRepo(Repo("alice", "m", 0)).ok());
  auto c3 = db_->ChangeCounter();
  ASSERT_TRUE(db_->IncrementDownloads(RepoKey{RepoType::kModel, RepoId{"alice", "m"}}).ok());
  auto c4 = db_->ChangeCounter();
  ASSERT_TRUE(c3.ok() && c4.ok());
  EXPECT_NE(*c4, *c3) << "a download count is a change too";
}

}  // namespace
}  // namespace mhub::server
