// The server's cache of read-only API answers (src/server/http/response_cache.*): answers must
// never outlive a write. Each test reads a route (so its answer is cached), writes through some
// path (commit, branch, settings, create/move/delete, another process's `mhub admin`), and
// checks the next read shows the write, with outside oracles: the commit id the write returned,
// `git rev-parse` on the bare repo, and the request's own inputs.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

class ResponseCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    token_ = hub_.CreateUser("alice", "acme");
    bob_token_ = hub_.CreateUser("bob");
  }

  CurlReply As(const std::string& token, const std::string& method, const std::string& path,
               const std::string& body = "", const std::string& content_type = "application/json") {
    return ApiCall(hub_.url(), method, path, token.empty() ? "" : "Authorization: Bearer " + token, body, content_type);
  }
  CurlReply Get(const std::string& path, const std::string& token) { return As(token, "GET", path); }

  void CreateRepo(const std::string& ns, const std::string& name, bool is_private = false) {
    Json body{{"name", name}, {"organization", ns}, {"type", "model"}, {"private", is_private}};
    if (ns == "alice") body.erase("organization");
    CurlReply r = As(token_, "POST", "/api/repos/create", DumpJson(body));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // Commits one file; returns the new commit id from the answer.
  std::string CommitFile(const std::string& repo, const std::string& path, const std::string& content,
                         const std::string& rev = "main") {
    std::string body =
        DumpJson(Json{{"key", "header"}, {"value", {{"summary", "c"}}}}) + "\n" +
        DumpJson(
            Json{{"key", "file"}, {"value", {{"path", path}, {"content", Base64(content)}, {"encoding", "base64"}}}}) +
        "\n";
    CurlReply r = As(token_, "POST", "/api/models/" + repo + "/commit/" + rev, body, "application/x-ndjson");
    EXPECT_EQ(r.status, 200) << r.body;
    return ParseOrDie(r.body).value("commitOid", "");
  }

  std::string GitRevParse(const std::string& repo, const std::string& rev) {
    CommandResult r = RunCommand("git --git-dir=" + ShellQuote(hub_.data_dir() + "/repos/models/" + repo + ".git") +
                                 " rev-parse " + rev);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, 40);
  }

  static std::set<std::string> Siblings(const Json& info) {
    std::set<std::string> out;
    for (const auto& s : info["siblings"]) out.insert(s["rfilename"].get<std::string>());
    return out;
  }

  static std::vector<std::string> ListedIds(const CurlReply& r) {
    std::vector<std::string> out;
    for (const auto& item : ParseOrDie(r.body)) out.push_back(item["id"].get<std::string>());
    return out;
  }

  InProcessHub hub_;
  std::string token_;
  std::string bob_token_;
};

TEST_F(ResponseCacheTest, RepoInfoFollowsEveryCommit) {
  CreateRepo("alice", "m");
  for (int i = 0; i < 5; ++i) {
    CurlReply first = Get("/api/models/alice/m", token_);
    CurlReply again = Get("/api/models/alice/m", token_);
    ASSERT_EQ(first.status, 200);
    EXPECT_EQ(again.body, first.body);
    // The cache is really in the path: the repeat is served from it.
    EXPECT_EQ(again.Header("x-mhub-cache"), "hit");
    EXPECT_EQ(ParseOrDie(first.body)["sha"], GitRevParse("alice/m", "main"));
    const std::string path = "file-" + std::to_string(i) + ".txt";
    const std::string commit = CommitFile("alice/m", path, "content " + std::to_string(i));
    ASSERT_EQ(commit, GitRevParse("alice/m", "main"));
    EXPECT_FALSE(Get("/api/models/alice/m", token_).HasHeader("x-mhub-cache")) << "served from before the commit";
    // Read right after the write was acknowledged: the new head and file, for every viewer.
    for (const std::string& who : {token_, bob_token_, std::string()}) {
      Json info = ParseOrDie(Get("/api/models/alice/m", who).body);
      EXPECT_EQ(info["sha"], commit);
      EXPECT_EQ(Siblings(info).count(path), 1u);
      Json rev = ParseOrDie(Get("/api/models/alice/m/revision/main", who).body);
      EXPECT_EQ(rev["sha"], commit);
    }
    Json tree = ParseOrDie(Get("/api/models/alice/m/tree/main", token_).body);
    bool listed = false;
    for (const auto& e : tree) listed = listed || e["path"] == path;
    EXPECT_TRUE(listed) << tree.dump();
    Json commits = ParseOrDie(Get("/api/models/alice/m/commits/main", token_).body);
    ASSERT_FALSE(commits.empty());
    EXPECT_EQ(commits[0]["id"], commit);
  }
}

TEST_F(ResponseCacheTest, BranchesAndRefsFollowRefWrites) {
  CreateRepo("alice", "b");
  const std::string refs_before = Get("/api/models/alice/b/refs", token_).body;
  ASSERT_EQ(As(token_, "POST", "/api/models/alice/b/branch/dev", "{}").status, 200);
  Json refs = ParseOrDie(Get("/api/models/alice/b/refs", token_).body);
  std::set<std::string> branches;
  for (const auto& b : refs["branches"]) branches.insert(b["name"].get<std::string>());
  EXPECT_EQ(branches, (std::set<std::string>{"main", "dev"})) << refs_before << " -> " << refs.dump();
  const std::string dev_before = ParseOrDie(Get("/api/models/alice/b/revision/dev", token_).body)["sha"];
  const std::string commit = CommitFile("alice/b", "on-dev.txt", "x", "dev");
  EXPECT_NE(commit, dev_before);
  Json dev = ParseOrDie(Get("/api/models/alice/b/revision/dev", token_).body);
  EXPECT_EQ(dev["sha"], GitRevParse("alice/b", "dev"));
  EXPECT_EQ(Siblings(dev).count("on-dev.txt"), 1u);
  Json main = ParseOrDie(Get("/api/models/alice/b", token_).body);
  EXPECT_EQ(Siblings(main).count("on-dev.txt"), 0u);
  ASSERT_EQ(As(token_, "DELETE", "/api/models/alice/b/branch/dev").status, 200);
  EXPECT_EQ(Get("/api/models/alice/b/revision/dev", token_).status, 404);
}

TEST_F(ResponseCacheTest, VisibilityIsPerViewerAndFollowsSettings) {
  CreateRepo("alice", "secret", /*is_private=*/true);
  CreateRepo("alice", "open");
  // The owner's cached answer is not served to others.
  ASSERT_EQ(Get("/api/models/alice/secret", token_).status, 200);
  EXPECT_EQ(Get("/api/models/alice/secret", bob_token_).status, 404);
  EXPECT_EQ(Get("/api/models/alice/secret", "").status, 401);  // anonymous: 401 + RepoNotFound
  const std::string list = "/api/models?author=alice&search=e";
  EXPECT_EQ(ListedIds(Get(list, token_)), (std::vector<std::string>{"alice/open", "alice/secret"}));
  EXPECT_EQ(ListedIds(Get(list, "")), (std::vector<std::string>{"alice/open"}));

  // Made public: everyone sees it at once; private again: gone again.
  ASSERT_EQ(As(token_, "PUT", "/api/models/alice/secret/settings", R"({"private": false})").status, 200);
  EXPECT_EQ(Get("/api/models/alice/secret", "").status, 200);
  EXPECT_EQ(ListedIds(Get(list, "")), (std::vector<std::string>{"alice/open", "alice/secret"}));
  ASSERT_EQ(As(token_, "PUT", "/api/models/alice/open/settings", R"({"private": true})").status, 200);
  EXPECT_EQ(Get("/api/models/alice/open", "").status, 401);
  EXPECT_EQ(ListedIds(Get(list, "")), (std::vector<std::string>{"alice/secret"}));
  EXPECT_EQ(ListedIds(Get(list, bob_token_)), (std::vector<std::string>{"alice/secret"}));
}

TEST_F(ResponseCacheTest, ListingFollowsCreateMoveDeleteAndOtherProcesses) {
  CreateRepo("acme", "hidden", /*is_private=*/true);
  CreateRepo("alice", "alpha");
  const std::string search = "/api/models?search=ALPHA";
  EXPECT_EQ(ListedIds(Get(search, "")), (std::vector<std::string>{"alice/alpha"}));
  CreateRepo("alice", "alpha-2");
  auto ids = ListedIds(Get(search, ""));
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"alice/alpha", "alice/alpha-2"}));

  ASSERT_EQ(As(token_, "POST", "/api/repos/move", R"({"fromRepo": "alice/alpha-2", "toRepo": "alice/beta"})").status,
            200);
  EXPECT_EQ(ListedIds(Get(search, "")), (std::vector<std::string>{"alice/alpha"}));
  EXPECT_EQ(ListedIds(Get("/api/models?search=beta", "")), (std::vector<std::string>{"alice/beta"}));
  ASSERT_EQ(As(token_, "DELETE", "/api/repos/delete", R"({"name": "alpha", "type": "model"})").status, 200);
  EXPECT_TRUE(ListedIds(Get(search, "")).empty());
  EXPECT_EQ(Get("/api/models/alice/alpha", "").status, 401);

  // bob joins acme through `mhub admin` (another process, straight into the DB): the private
  // org repo appears in his cached listing.
  const std::string org_list = "/api/models?author=acme";
  EXPECT_TRUE(ListedIds(Get(org_list, bob_token_)).empty());
  hub_.AddMember("acme", "bob", "read");
  EXPECT_EQ(ListedIds(Get(org_list, bob_token_)), (std::vector<std::string>{"acme/hidden"}));
  EXPECT_EQ(Get("/api/models/acme/hidden", bob_token_).status, 200);
}

TEST_F(ResponseCacheTest, LinkHeaderFollowsTheHostHeader) {
  for (int i = 0; i < 3; ++i) CreateRepo("alice", "p" + std::to_string(i));
  for (const std::string host : {"hub.example:1234", "other.example"}) {
    CurlReply r = Curl("GET", hub_.url() + "/api/models?author=alice&limit=1", {"Host: " + host});
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(r.Header("link").find("http://" + host + "/api/models?"), std::string::npos) << r.Header("link");
  }
}

TEST_F(ResponseCacheTest, ReadersRacingWritersNeverSeeAnOldHeadAfterTheAck) {
  CreateRepo("alice", "race");
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        Get("/api/models/alice/race", token_);
        Get("/api/models?search=race", token_);
      }
    });
  }
  for (int i = 0; i < 12; ++i) {
    const std::string commit = CommitFile("alice/race", "f.txt", "v" + std::to_string(i));
    Json info = ParseOrDie(Get("/api/models/alice/race", token_).body);
    EXPECT_EQ(info["sha"], commit) << "commit " << i;
    Json listed = ParseOrDie(Get("/api/models?search=race&expand=sha", token_).body);
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["sha"], commit) << "commit " << i;
  }
  stop = true;
  for (auto& t : readers) t.join();
}

}  // namespace
}  // namespace mhub::testing
