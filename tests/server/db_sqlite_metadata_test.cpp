// The SQLite MetadataDb. Outside checks: Python's sqlite3 module reads the file we wrote (tokens
// are stored only as their SHA-256, as sha256sum computes it), and search results are compared
// with a brute-force filter+sort over the very records inserted (10,000 repos).
#include "mhub/server/metadata_db.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "mhub/server/repo_errors.h"
#include "support/test_support.h"

namespace mhub::server {
namespace {

using mhub::testing::Python;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;

class SqliteDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenSqliteMetadataDb(dir_ / "db.sqlite");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db).value();
  }

  RepoRecord Repo(const std::string& ns, const std::string& name, bool is_private = false) {
    RepoRecord r;
    r.key = RepoKey{RepoType::kModel, RepoId{ns, name}};
    r.is_private = is_private;
    return r;
  }

  std::string Sql(const std::string& query) {
    auto r = RunCommand(Python() + " -c " +
                        ShellQuote("import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\n"
                                   "for row in c.execute(sys.argv[2]): print('|'.join(str(x) for x in row))") +
                        " " + ShellQuote(dir_ / "db.sqlite") + " " + ShellQuote(query));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  TempDir dir_;
  std::unique_ptr<MetadataDb> db_;
};

TEST_F(SqliteDbTest, AccountsAndMemberships) {
  auto alice = db_->CreateUser("alice", "a@x.org", "Alice A.");
  ASSERT_TRUE(alice.ok()) << alice.status();
  EXPECT_EQ(alice->fullname, "Alice A.");
  ASSERT_TRUE(db_->CreateUser("bob", "", "").ok());
  ASSERT_TRUE(db_->CreateUser("carol", "", "").ok());
  ASSERT_TRUE(db_->CreateOrg("acme", "Acme Inc").ok());
  EXPECT_EQ(db_->CreateUser("alice", "", "").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(db_->CreateOrg("bob", "").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(db_->CreateUser("bad name", "", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->GetAccount("nobody").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(db_->GetAccount("acme")->is_org);

  ASSERT_TRUE(db_->SetOrgMember("acme", "alice", OrgRole::kAdmin).ok());
  ASSERT_TRUE(db_->SetOrgMember("acme", "bob", OrgRole::kRead).ok());
  EXPECT_EQ(db_->SetOrgMember("alice", "bob", OrgRole::kRead).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->SetOrgMember("acme", "nobody", OrgRole::kRead).code(), StatusCode::kNotFound);
  EXPECT_EQ(**db_->MemberRole("acme", "alice"), OrgRole::kAdmin);
  EXPECT_FALSE(db_->MemberRole("acme", "carol")->has_value());
  auto m = db_->ListMemberships("bob");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].org, "acme");
  EXPECT_EQ((*m)[0].role, OrgRole::kRead);

  EXPECT_TRUE(*db_->CanWriteNamespace("alice", "alice"));
  EXPECT_TRUE(*db_->CanWriteNamespace("alice", "acme"));
  EXPECT_FALSE(*db_->CanWriteNamespace("bob", "acme"));
  EXPECT_FALSE(*db_->CanWriteNamespace("carol", "acme"));
  EXPECT_FALSE(*db_->CanWriteNamespace("", "acme"));
  ASSERT_TRUE(db_->SetOrgMember("acme", "bob", OrgRole::kWrite).ok());
  EXPECT_TRUE(*db_->CanWriteNamespace("bob", "acme"));
  ASSERT_TRUE(db_->RemoveOrgMember("acme", "bob").ok());
  EXPECT_FALSE(*db_->CanWriteNamespace("bob", "acme"));

  auto priv = db_->InsertRepo(Repo("acme", "secret", true));
  ASSERT_TRUE(priv.ok());
  EXPECT_TRUE(*db_->CanRead("alice", *priv));
  EXPECT_FALSE(*db_->CanRead("bob", *priv));
  EXPECT_FALSE(*db_->CanRead("", *priv));
  EXPECT_TRUE(*db_->CanRead("", *db_->InsertRepo(Repo("acme", "open"))));
}

TEST_F(SqliteDbTest, TokensAreStoredOnlyAsSha256) {
  ASSERT_TRUE(db_->CreateUser("alice", "", "").ok());
  ASSERT_TRUE(db_->CreateOrg("acme", "").ok());
  auto t = db_->CreateToken("alice", "laptop", TokenRole::kWrite);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->secret.size(), 37u);
  EXPECT_EQ(t->secret.substr(0, 3), "hf_");
  for (char c : t->secret.substr(3)) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << t->secret;
  EXPECT_EQ(db_->CreateToken("acme", "x", TokenRole::kRead).status().code(), StatusCode::kInvalidArgument);
  auto other = db_->CreateToken("alice", "ci", TokenRole::kRead);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->secret, t->secret);

  auto hash = RunCommand("printf %s " + ShellQuote(t->secret) + " | sha256sum");
  EXPECT_EQ(Sql("SELECT hash FROM tokens WHERE name='laptop'"), hash.out.substr(0, 64) + "\n");
  auto grep = RunCommand("cat " + ShellQuote(dir_.path()) + "/db.sqlite* | grep -c " + ShellQuote(t->secret.substr(3)));
  EXPECT_EQ(grep.out, "0\n");

  auto info = db_->LookupToken(t->secret);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->user, "alice");
  EXPECT_EQ(info->name, "laptop");
  EXPECT_EQ(info->role, TokenRole::kWrite);
  EXPECT_EQ(db_->LookupToken(other->secret)->role, TokenRole::kRead);
  EXPECT_EQ(db_->LookupToken("hf_wrong").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(db_->LookupToken("").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(db_->ListTokens("alice")->size(), 2u);
  ASSERT_TRUE(db_->RevokeToken("alice", info->id).ok());
  EXPECT_EQ(db_->LookupToken(t->secret).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(db_->RevokeToken("alice", info->id).code(), StatusCode::kNotFound);
}

TEST_F(SqliteDbTest, RepoRecordsLifecycle) {
  ASSERT_TRUE(db_->CreateUser("alice", "", "").ok());
  auto r = db_->InsertRepo(Repo("alice", "m"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->created_ms, 0);
  EXPECT_EQ(r->author, "alice");
  EXPECT_EQ(db_->InsertRepo(Repo("alice", "m")).status().code(), StatusCode::kAlreadyExists);
  RepoRecord ds = Repo("alice", "m");
  ds.key.type = RepoType::kDataset;
  EXPECT_TRUE(db_->InsertRepo(ds).ok());  // same id, other type
  const RepoKey key = r->key;
  ASSERT_TRUE(db_->UpdateRepoSettings(key, true, std::string("auto")).ok());
  EXPECT_TRUE(db_->GetRepo(key)->is_private);
  EXPECT_EQ(db_->GetRepo(key)->gated, "auto");
  ASSERT_TRUE(db_->UpdateRepoSettings(key, std::nullopt, std::string("")).ok());
  EXPECT_TRUE(db_->GetRepo(key)->is_private);
  EXPECT_EQ(db_->GetRepo(key)->gated, "");
  EXPECT_EQ(db_->UpdateRepoSettings(key, std::nullopt, std::string("bogus")).code(), StatusCode::kInvalidArgument);

  RepoCardUpdate up;
  up.sha = std::string(40, 'a');
  up.last_modified_ms = 1714564800000;
  auto card = ParseModelCard(
      "---\nlicense: mit\nlanguage: [en, fr]\ntags: [x]\npipeline_tag: fill-mask\n"
      "library_name: transformers\n---\n# hi\n");
  ASSERT_TRUE(card.ok());
  up.card = card->data;
  ASSERT_TRUE(db_->UpdateRepoCard(key, up).ok());
  auto got = db_->GetRepo(key);
  EXPECT_EQ(got->sha, up.sha);
  EXPECT_EQ(got->last_modified_ms, 1714564800000);
  EXPECT_EQ(got->license, "mit");
  EXPECT_EQ(got->languages, (std::vector<std::string>{"en", "fr"}));
  EXPECT_EQ(got->tags, DeriveSearchTags(card->data, RepoType::kModel));
  EXPECT_EQ(*ParseJson(got->card_data_json), card->data.raw);

  ASSERT_TRUE(db_->IncrementDownloads(key, 3).ok());
  EXPECT_EQ(db_->GetRepo(key)->downloads, 3);
  EXPECT_EQ(*db_->SetLike("alice", key, true), 1);
  EXPECT_EQ(*db_->SetLike("alice", key, true), 1);
  EXPECT_EQ(db_->ListLikes("alice")->size(), 1u);
  RepoKey moved{RepoType::kModel, RepoId{"acme", "m2"}};
  ASSERT_TRUE(db_->RenameRepo(key, moved).ok());
  EXPECT_EQ(NotFoundKindOf(db_->GetRepo(key).status()), NotFoundKind::kRepo);
  EXPECT_EQ(db_->GetRepo(moved)->likes, 1);
  EXPECT_EQ(db_->GetRepo(moved)->author, "acme");
  EXPECT_EQ(db_->ListLikes("alice")->at(0), moved);
  EXPECT_EQ(*db_->SetLike("alice", moved, false), 0);
  ASSERT_TRUE(db_->DeleteRepo(moved).ok());
  EXPECT_EQ(NotFoundKindOf(db_->DeleteRepo(moved)), NotFoundKind::kRepo);
  EXPECT_EQ(NotFoundKindOf(db_->IncrementDownloads(moved)), NotFoundKind::kRepo);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM repo_tags"), "0\n");
}

// 10,000 repos with random metadata; every query is checked against a brute-force evaluation.
TEST_F(SqliteDbTest, SearchTenThousandReposMatchesBruteForce) {
  const std::vector<std::string> owners = {"alice", "bob", "acme", "meta", "google", "zed"};
  const std::vector<std::string> pipelines = {"text-generation", "fill-mask", "text-classification", ""};
  const std::vector<std::string> libraries = {"transformers", "diffusers", "gguf", ""};
  const std::vector<std::string> langs = {"en", "fr", "de", "ja"};
  for (const auto& o : {"alice", "bob", "zed"}) ASSERT_TRUE(db_->CreateUser(o, "", "").ok());
  for (const auto& o : {"acme", "meta", "google"}) ASSERT_TRUE(db_->CreateOrg(o, "").ok());
  ASSERT_TRUE(db_->SetOrgMember("acme", "bob", OrgRole::kRead).ok());

  std::mt19937 rng(1234);
  std::vector<RepoRecord> all;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 10000; ++i) {
    RepoRecord r;
    r.key = RepoKey{i % 10 == 9 ? RepoType::kDataset : RepoType::kModel,
                    RepoId{owners[rng() % owners.size()], "repo-" + std::to_string(i) + (i % 7 == 0 ? "-bert" : "")}};
    r.is_private = rng() % 13 == 0;
    r.gated = rng() % 17 == 0 ? "auto" : "";
    r.created_ms = 1600000000000 + static_cast<int64_t>(rng() % 100000000);
    r.last_modified_ms = r.created_ms + static_cast<int64_t>(rng() % 1000000);
    r.downloads = static_cast<int64_t>(rng() % 5000);
    r.likes = static_cast<int64_t>(rng() % 50);
    r.pipeline_tag = pipelines[rng() % pipelines.size()];
    r.library_name = libraries[rng() % libraries.size()];
    r.license = rng() % 2 ? "mit" : "apache-2.0";
    r.languages = {langs[rng() % langs.size()]};
    if (rng() % 3 == 0) r.languages.push_back(langs[rng() % langs.size()]);
    CardData card;
    card.license = r.license;
    card.languages = r.languages;
    card.pipeline_tag = r.pipeline_tag;
    card.library_name = r.library_name;
    if (rng() % 4 == 0) card.tags.push_back("safetensors");
    r.tags = DeriveSearchTags(card, r.key.type);
    auto ins = db_->InsertRepo(r);
    ASSERT_TRUE(ins.ok()) << ins.status();
    all.push_back(*ins);
  }
  const double insert_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "inserted 10000 repos in " << insert_s << " s\n";

  auto has_tag = [](const RepoRecord& r, const std::string& t) {
    if (std::find(r.tags.begin(), r.tags.end(), t) != r.tags.end()) return true;
    for (const auto& l : r.languages) {
      if (t == "language:" + l || t == l) return true;
    }
    return t == "license:" + r.license || t == r.pipeline_tag || t == r.library_name || t == r.key.id.ToString();
  };
  auto brute = [&](const RepoQuery& q) {
    std::vector<RepoRecord> out;
    for (const auto& r : all) {
      if (r.key.type != q.type) continue;
      if (r.is_private && !(q.viewer == r.key.id.ns || (q.viewer == "bob" && r.key.id.ns == "acme"))) continue;
      bool ok = true;
      for (const auto& s : q.search) {
        std::string id = r.key.id.ToString(), term = s;
        std::transform(id.begin(), id.end(), id.begin(), ::tolower);
        std::transform(term.begin(), term.end(), term.begin(), ::tolower);
        ok = ok && id.find(term) != std::string::npos;
      }
      if (!q.author.empty()) ok = ok && r.key.id.ns == q.author;
      for (const auto& f : q.filters) ok = ok && has_tag(r, f);
      if (!q.pipeline_tag.empty()) ok = ok && r.pipeline_tag == q.pipeline_tag;
      if (!q.language.empty()) ok = ok && has_tag(r, "language:" + q.language);
      if (!q.license.empty()) ok = ok && r.license == q.license;
      if (q.gated) ok = ok && (!r.gated.empty()) == *q.gated;
      if (ok) out.push_back(r);
    }
    auto key = [&](const RepoRecord& r) -> int64_t {
      switch (q.sort) {
        case RepoSort::kLikes:
          return r.likes;
        case RepoSort::kLastModified:
          return r.last_modified_ms;
        case RepoSort::kCreatedAt:
          return r.created_ms;
        default:
          return r.downloads;
      }
    };
    std::sort(out.begin(), out.end(), [&](const RepoRecord& a, const RepoRecord& b) {
      if (q.sort == RepoSort::kId) {
        return q.descending ? a.key.id.ToString() > b.key.id.ToString() : a.key.id.ToString() < b.key.id.ToString();
      }
      if (key(a) != key(b)) return q.descending ? key(a) > key(b) : key(a) < key(b);
      return q.descending ? a.row_id > b.row_id : a.row_id < b.row_id;
    });
    return out;
  };
  auto ids = [](const std::vector<RepoRecord>& v) {
    std::vector<std::string> out;
    for (const auto& r : v) out.push_back(r.key.ToString());
    return out;
  };

  std::vector<RepoQuery> queries;
  {
    RepoQuery q;  // everything public, default sort
    q.limit = 20000;
    queries.push_back(q);
    q.viewer = "bob";  // plus bob's and acme's private repos
    queries.push_back(q);
    q.viewer = "";
    q.search = {"BERT"};
    q.sort = RepoSort::kLikes;
    queries.push_back(q);
    q.search = {"repo-1", "bert"};
    q.author = "acme";
    q.viewer = "bob";
    q.sort = RepoSort::kLastModified;
    q.descending = false;
    queries.push_back(q);
    RepoQuery f;
    f.limit = 20000;
    f.filters = {"transformers", "license:mit", "language:fr"};
    f.sort = RepoSort::kCreatedAt;
    queries.push_back(f);
    f.filters = {"safetensors"};
    f.pipeline_tag = "fill-mask";
    f.language = "ja";
    f.sort = RepoSort::kId;
    queries.push_back(f);
    RepoQuery d;
    d.type = RepoType::kDataset;
    d.limit = 20000;
    d.filters = {"language:en"};
    d.gated = false;
    d.license = "apache-2.0";
    queries.push_back(d);
    RepoQuery one;  // a repo id as a filter selects that repo
    one.limit = 20000;
    for (const auto& r : all) {
      if (!r.is_private && r.key.type == RepoType::kModel) {
        one.filters = {r.key.id.ToString()};
        break;
      }
    }
    queries.push_back(one);
  }
  for (size_t i = 0; i < queries.size(); ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto page = db_->SearchRepos(queries[i]);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(page.ok()) << page.status();
    const auto expected = brute(queries[i]);
    EXPECT_EQ(ids(page->repos), ids(expected)) << "query " << i;
    EXPECT_FALSE(expected.empty()) << "query " << i << " selects nothing: a weak check";
    EXPECT_FALSE(page->has_more);
    std::cout << "query " << i << ": " << page->repos.size() << " repos in " << ms << " ms\n";
    EXPECT_LT(ms, 2000.0) << "query " << i;
  }

  // Pagination: pages of 37 concatenate to the full list, has_more is right.
  RepoQuery q;
  q.sort = RepoSort::kDownloads;
  q.search = {"bert"};
  q.limit = 37;
  std::vector<std::string> paged;
  for (;;) {
    auto page = db_->SearchRepos(q);
    ASSERT_TRUE(page.ok());
    for (const auto& r : page->repos) paged.push_back(r.key.ToString());
    if (!page->has_more) break;
    EXPECT_EQ(page->repos.size(), 37u);
    q.offset += q.limit;
  }
  RepoQuery full = q;
  full.offset = 0;
  full.limit = 20000;
  EXPECT_EQ(paged, ids(brute(full)));
  // A small page answers fast (an index, not a scan-and-sort, serves the default order).
  RepoQuery top;
  top.limit = 10;
  const auto start = std::chrono::steady_clock::now();
  auto page = db_->SearchRepos(top);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->has_more);
  std::cout << "top-10 by downloads: " << ms << " ms\n";
  EXPECT_NE(Sql("EXPLAIN QUERY PLAN SELECT id FROM repos r WHERE r.type=0 AND r.private=0 "
                "ORDER BY r.downloads DESC, r.id DESC LIMIT 10")
                .find("repos_downloads"),
            std::string::npos);
}

TEST_F(SqliteDbTest, ConcurrentWritersLoseNothing) {
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(db_->CreateUser("u" + std::to_string(i), "", "").ok());
  ASSERT_TRUE(db_->InsertRepo(Repo("u0", "hot")).ok());
  const RepoKey key{RepoType::kModel, RepoId{"u0", "hot"}};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) EXPECT_TRUE(db_->IncrementDownloads(key).ok());
      EXPECT_TRUE(db_->SetLike("u" + std::to_string(t), key, true).ok());
      EXPECT_TRUE(db_->InsertRepo(Repo("u" + std::to_string(t), "own")).ok());
    });
  }
  for (auto& th : threads) th.join();
  auto r = db_->GetRepo(key);
  EXPECT_EQ(r->downloads, 800);
  EXPECT_EQ(r->likes, 8);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM likes"), "8\n");
  EXPECT_EQ(Sql("PRAGMA journal_mode"), "wal\n");
}

}  // namespace
}  // namespace mhub::server
