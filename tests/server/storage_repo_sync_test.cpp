// RefreshRepoMetadata / ImportMissingRepos: the DB follows README.md on main. The head sha is
// checked against `git rev-parse`, the card against our own parser's view of the committed file.
#include "mhub/server/repo_sync.h"

#include <gtest/gtest.h>

#include "mhub/server/repo_errors.h"
#include "support/test_support.h"

namespace mhub::server {
namespace {

using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;

class RepoSyncTest : public ::testing::Test {
 protected:
  RepoSyncTest() : lfs_(dir_.path()), store_(dir_.path(), &lfs_) {}

  void SetUp() override {
    ASSERT_TRUE(lfs_.Init().ok());
    ASSERT_TRUE(store_.Init().ok());
    auto db = OpenSqliteMetadataDb(dir_ / "db.sqlite");
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    ASSERT_TRUE(store_.Create(key_, {}).ok());
    RepoRecord r;
    r.key = key_;
    ASSERT_TRUE(db_->InsertRepo(r).ok());
  }

  std::string Head() {
    auto r = RunCommand("git -C " + ShellQuote(store_.RepoDir(key_)) + " rev-parse main");
    return r.out.substr(0, 40);
  }

  void CommitReadme(const std::string& text) {
    CommitRequest req;
    req.operations = {CommitOperation::AddFile("README.md", text)};
    ASSERT_TRUE(store_.Commit(key_, req).ok());
  }

  TempDir dir_;
  LfsStore lfs_;
  RepoStore store_;
  std::unique_ptr<MetadataDb> db_;
  RepoKey key_{RepoType::kModel, RepoId{"alice", "m"}};
};

TEST_F(RepoSyncTest, CardFollowsReadmeOnMain) {
  ASSERT_TRUE(RefreshRepoMetadata(store_, *db_, key_, 1000).ok());
  auto r = db_->GetRepo(key_);
  EXPECT_EQ(r->sha, Head());
  EXPECT_EQ(r->last_modified_ms, 1000);
  EXPECT_TRUE(r->tags.empty());

  CommitReadme("---\nlicense: mit\nlanguage: [en]\npipeline_tag: fill-mask\nlibrary_name: transformers\n---\n# m\n");
  ASSERT_TRUE(RefreshRepoMetadata(store_, *db_, key_, 2000).ok());
  r = db_->GetRepo(key_);
  EXPECT_EQ(r->sha, Head());
  EXPECT_EQ(r->license, "mit");
  EXPECT_EQ(r->pipeline_tag, "fill-mask");
  EXPECT_EQ(r->tags, (std::vector<std::string>{"transformers", "fill-mask", "en", "license:mit"}));
  RepoQuery q;
  q.filters = {"license:mit", "language:en"};
  EXPECT_EQ(db_->SearchRepos(q)->repos.size(), 1u);

  // Bad YAML: sha and time move, the indexed card stays.
  CommitReadme("---\nlicense: [oops\n---\n");
  ASSERT_TRUE(RefreshRepoMetadata(store_, *db_, key_, 3000).ok());
  r = db_->GetRepo(key_);
  EXPECT_EQ(r->sha, Head());
  EXPECT_EQ(r->last_modified_ms, 3000);
  EXPECT_EQ(r->license, "mit");
  EXPECT_EQ(r->tags, (std::vector<std::string>{"transformers", "fill-mask", "en", "license:mit"}));

  // README gone: empty card.
  CommitRequest req;
  req.operations = {CommitOperation::DeleteFile("README.md")};
  ASSERT_TRUE(store_.Commit(key_, req).ok());
  ASSERT_TRUE(RefreshRepoMetadata(store_, *db_, key_).ok());
  r = db_->GetRepo(key_);
  EXPECT_EQ(r->sha, Head());
  EXPECT_TRUE(r->tags.empty());
  EXPECT_EQ(r->card_data_json, "{}");
  EXPECT_EQ(db_->SearchRepos(q)->repos.size(), 0u);

  RepoKey missing{RepoType::kModel, RepoId{"alice", "none"}};
  EXPECT_EQ(NotFoundKindOf(RefreshRepoMetadata(store_, *db_, missing)), NotFoundKind::kRepo);
}

TEST_F(RepoSyncTest, ImportMissingReposIndexesReposOnDisk) {
  RepoKey other{RepoType::kDataset, RepoId{"bob", "data"}};
  ASSERT_TRUE(
      store_.Create(other, {}, {CommitOperation::AddFile("README.md", "---\nlanguage: de\nlicense: mit\n---\n")}).ok());
  auto added = ImportMissingRepos(store_, *db_);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(*added, 1);
  auto r = db_->GetRepo(other);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tags, (std::vector<std::string>{"language:de", "license:mit"}));
  EXPECT_EQ(r->sha, RunCommand("git -C " + ShellQuote(store_.RepoDir(other)) + " rev-parse main").out.substr(0, 40));
  EXPECT_EQ(*ImportMissingRepos(store_, *db_), 0);
}

}  // namespace
}  // namespace mhub::server
