// Likes and download counts, as the Hub defines them:
// - likes: POST/DELETE /api/{type}s/{repo}/like, GET /api/{type}s/{repo}/likers and
//   GET /api/users/{user}/likes in the shapes huggingface_hub's like/unlike, list_repo_likers and
//   list_liked_repos parse (hf_api.py); private repos stay invisible (404 RepoNotFound).
// - downloads (hub-docs models-download-stats.md / datasets-download-stats.md): for models every
//   GET and HEAD of a root query file (config.json, ...; the library's own files for libraries such
//   as diffusers; any .gguf) counts; for datasets one user's requests within 5 minutes count once;
//   spaces count nothing.
// Expected numbers follow from those documented rules and the requests each test makes.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

class LikesDownloadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_ = "Authorization: Bearer " + hub_.CreateUser("alice");
    bob_ = "Authorization: Bearer " + hub_.CreateUser("bob");
    carol_ = "Authorization: Bearer " + hub_.CreateUser("carol");
    bob_read_ = "Authorization: Bearer " + hub_.CreateToken("bob", "read");
  }

  CurlReply Call(const std::string& method, const std::string& path, const std::string& auth = "",
                 const std::string& body = "", const std::string& content_type = "application/json") {
    // POST/DELETE always carry a Content-Length (0 when empty), as HF clients send them.
    return ApiCall(hub_.url(), method, path, auth, body, content_type, method == "POST" || method == "DELETE");
  }

  void CreateRepo(const std::string& name, const std::string& type, bool is_private = false) {
    Json body{{"name", name}, {"type", type}, {"private", is_private}};
    if (type == "space") body["sdk"] = "static";
    CurlReply r = Call("POST", "/api/repos/create", alice_, DumpJson(body));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  void CommitFiles(const std::string& type, const std::string& repo,
                   const std::vector<std::pair<std::string, std::string>>& files) {
    std::string body = DumpJson(Json{{"key", "header"}, {"value", {{"summary", "files"}, {"description", ""}}}}) + "\n";
    for (const auto& [path, content] : files) {
      body += DumpJson(Json{{"key", "file"},
                            {"value", {{"path", path}, {"content", Base64(content)}, {"encoding", "base64"}}}}) +
              "\n";
    }
    CurlReply r =
        Call("POST", "/api/" + type + "s/alice/" + repo + "/commit/main", alice_, body, "application/x-ndjson");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  int64_t Field(const std::string& type, const std::string& repo, const std::string& field) {
    CurlReply r = Call("GET", "/api/" + type + "s/alice/" + repo + "?expand=" + field, alice_);
    EXPECT_EQ(r.status, 200) << r.body;
    Json j = ParseOrDie(r.body);
    return j.contains(field) ? j[field].get<int64_t>() : -1;
  }
  int64_t Likes(const std::string& type, const std::string& repo) { return Field(type, repo, "likes"); }
  int64_t Downloads(const std::string& type, const std::string& repo) { return Field(type, repo, "downloads"); }

  std::set<std::string> Likers(const std::string& type, const std::string& repo, const std::string& auth = "") {
    CurlReply r = Call("GET", "/api/" + type + "s/alice/" + repo + "/likers", auth);
    EXPECT_EQ(r.status, 200) << r.body;
    std::set<std::string> out;
    for (const auto& l : ParseOrDie(r.body)) {
      // huggingface_hub reads exactly these three keys.
      EXPECT_TRUE(l.contains("user") && l.contains("fullname") && l.contains("avatarUrl")) << l.dump();
      out.insert(l["user"].get<std::string>());
    }
    return out;
  }

  // {"createdAt", "repo": {"name", "type"}} entries of /api/users/{user}/likes as "type:name".
  std::vector<std::string> UserLikes(const std::string& user, const std::string& auth = "") {
    CurlReply r = Call("GET", "/api/users/" + user + "/likes", auth);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    for (const auto& l : ParseOrDie(r.body)) {
      EXPECT_TRUE(
          std::regex_match(l["createdAt"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
          << l.dump();
      out.push_back(l["repo"]["type"].get<std::string>() + ":" + l["repo"]["name"].get<std::string>());
    }
    return out;
  }

  InProcessHub hub_;
  std::string alice_, bob_, carol_, bob_read_;
};

TEST_F(LikesDownloadsTest, LikeAndUnlikeNeedAUserAndCountOncePerUser) {
  CreateRepo("pub", "model");
  // Anonymous and bad tokens: 401; a read token: 403; nothing counted.
  CurlReply anon = Call("POST", "/api/models/alice/pub/like");
  EXPECT_EQ(anon.status, 401) << anon.body;
  EXPECT_FALSE(anon.Header("x-error-message").empty());
  EXPECT_EQ(Call("POST", "/api/models/alice/pub/like", "Authorization: Bearer hf_notarealtoken").status, 401);
  CurlReply read = Call("POST", "/api/models/alice/pub/like", bob_read_);
  EXPECT_EQ(read.status, 403) << read.body;
  EXPECT_EQ(Likes("model", "pub"), 0);

  EXPECT_EQ(Call("POST", "/api/models/alice/pub/like", bob_).status, 200);
  EXPECT_EQ(Call("POST", "/api/models/alice/pub/like", bob_).status, 200);  // idempotent
  EXPECT_EQ(Likes("model", "pub"), 1);
  EXPECT_EQ(Call("POST", "/api/models/alice/pub/like", carol_).status, 200);
  EXPECT_EQ(Likes("model", "pub"), 2);
  EXPECT_EQ(Likers("model", "pub"), (std::set<std::string>{"bob", "carol"}));

  EXPECT_EQ(Call("DELETE", "/api/models/alice/pub/like", bob_).status, 200);
  EXPECT_EQ(Call("DELETE", "/api/models/alice/pub/like", bob_).status, 200);  // idempotent
  EXPECT_EQ(Likes("model", "pub"), 1);
  EXPECT_EQ(Likers("model", "pub"), (std::set<std::string>{"carol"}));
  EXPECT_EQ(Call("DELETE", "/api/models/alice/pub/like").status, 401);
  EXPECT_EQ(Call("PUT", "/api/models/alice/pub/like", bob_).status, 405);

  CurlReply missing = Call("POST", "/api/models/alice/nope/like", bob_);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("x-error-code"), "RepoNotFound");
}

TEST_F(LikesDownloadsTest, PrivateReposStayInvisible) {
  CreateRepo("priv", "model", /*is_private=*/true);
  CurlReply bob = Call("POST", "/api/models/alice/priv/like", bob_);
  EXPECT_EQ(bob.status, 404) << bob.body;
  EXPECT_EQ(bob.Header("x-error-code"), "RepoNotFound");
  EXPECT_EQ(Call("POST", "/api/models/alice/priv/like").status, 401);  // anonymous: log in first
  EXPECT_EQ(Call("GET", "/api/models/alice/priv/likers").Header("x-error-code"), "RepoNotFound");
  EXPECT_EQ(Call("GET", "/api/models/alice/priv/likers", bob_).status, 404);

  ASSERT_EQ(Call("POST", "/api/models/alice/priv/like", alice_).status, 200);
  EXPECT_EQ(Likes("model", "priv"), 1);
  EXPECT_EQ(Likers("model", "priv", alice_), (std::set<std::string>{"alice"}));
  // alice's likes list shows the private repo to alice only.
  EXPECT_EQ(UserLikes("alice", alice_), (std::vector<std::string>{"model:alice/priv"}));
  EXPECT_TRUE(UserLikes("alice").empty());
  EXPECT_TRUE(UserLikes("alice", bob_).empty());
  CurlReply nobody = Call("GET", "/api/users/nobody/likes");
  EXPECT_EQ(nobody.status, 404);
  EXPECT_FALSE(nobody.Header("x-error-message").empty());
}

TEST_F(LikesDownloadsTest, UserLikesListEveryRepoTypeAndListingsSortByLikes) {
  CreateRepo("m1", "model");
  CreateRepo("m2", "model");
  CreateRepo("m3", "model");
  CreateRepo("ds", "dataset");
  CreateRepo("sp", "space");
  // m2: 3 likes, m3: 1, m1: 0.
  for (const auto* who : {&alice_, &bob_, &carol_})
    ASSERT_EQ(Call("POST", "/api/models/alice/m2/like", *who).status, 200);
  ASSERT_EQ(Call("POST", "/api/models/alice/m3/like", bob_).status, 200);
  ASSERT_EQ(Call("POST", "/api/datasets/alice/ds/like", bob_).status, 200);
  ASSERT_EQ(Call("POST", "/api/spaces/alice/sp/like", bob_).status, 200);
  EXPECT_EQ(Likes("dataset", "ds"), 1);
  EXPECT_EQ(Likes("space", "sp"), 1);
  // Newest like first, as list_liked_repos reads them (repo.type decides the list).
  EXPECT_EQ(UserLikes("bob"),
            (std::vector<std::string>{"space:alice/sp", "dataset:alice/ds", "model:alice/m3", "model:alice/m2"}));
  EXPECT_TRUE(UserLikes("carol", bob_) == (std::vector<std::string>{"model:alice/m2"}));

  CurlReply list = Call("GET", "/api/models?author=alice&sort=likes&direction=-1&expand=likes");
  ASSERT_EQ(list.status, 200) << list.body;
  std::vector<std::string> order;
  for (const auto& m : ParseOrDie(list.body)) {
    order.push_back(m["id"].get<std::string>());
    // Each listed count is the number of likers.
    std::string name = m["id"].get<std::string>().substr(6);
    EXPECT_EQ(m["likes"].get<int64_t>(), static_cast<int64_t>(Likers("model", name).size())) << name;
  }
  EXPECT_EQ(order, (std::vector<std::string>{"alice/m2", "alice/m3", "alice/m1"}));
  // Unliking reorders.
  for (const auto* who : {&alice_, &bob_, &carol_})
    ASSERT_EQ(Call("DELETE", "/api/models/alice/m2/like", *who).status, 200);
  CurlReply after = Call("GET", "/api/models?author=alice&sort=likes&expand=likes");
  EXPECT_EQ(ParseOrDie(after.body)[0]["id"], "alice/m3") << after.body;
}

TEST_F(LikesDownloadsTest, ModelDownloadsCountRequestsToQueryFiles) {
  CreateRepo("plain", "model");
  CommitFiles("model", "plain",
              {{"config.json", "{\"model_type\": \"bert\"}"},
               {"model.safetensors", std::string(100, 'w')},
               {"sub/config.json", "{}"},
               {"tiny.gguf", std::string(64, 'g')},
               {"README.md", "# plain\n"}});
  const std::string base = "/alice/plain/resolve/main/";
  // Not query files: weights, README, a nested config.json, a missing file.
  EXPECT_EQ(Call("GET", base + "model.safetensors").status, 200);
  EXPECT_EQ(Call("HEAD", base + "README.md").status, 200);
  EXPECT_EQ(Call("GET", base + "sub/config.json").status, 200);
  EXPECT_EQ(Call("GET", base + "missing.json").status, 404);
  EXPECT_EQ(Downloads("model", "plain"), 0);
  // Every GET and HEAD of the root config.json counts, ranged or not.
  EXPECT_EQ(Call("HEAD", base + "config.json").status, 200);
  EXPECT_EQ(Call("GET", base + "config.json").status, 200);
  EXPECT_EQ(Curl("GET", hub_.url() + base + "config.json", {"Range: bytes=0-0"}).status, 206);
  EXPECT_EQ(Downloads("model", "plain"), 3);
  // GGUF files always count.
  EXPECT_EQ(Call("GET", base + "tiny.gguf").status, 200);
  EXPECT_EQ(Downloads("model", "plain"), 4);

  // diffusers: model_index.json and root-level weights count; config.json does not.
  CreateRepo("diff", "model");
  CommitFiles("model", "diff",
              {{"README.md", "---\nlibrary_name: diffusers\n---\n# d\n"},
               {"model_index.json", "{}"},
               {"config.json", "{}"},
               {"lora.safetensors", std::string(10, 'l')},
               {"unet/diffusion_pytorch_model.safetensors", std::string(10, 'u')}});
  const std::string dbase = "/alice/diff/resolve/main/";
  EXPECT_EQ(Call("GET", dbase + "config.json").status, 200);
  EXPECT_EQ(Call("GET", dbase + "unet/diffusion_pytorch_model.safetensors").status, 200);
  EXPECT_EQ(Downloads("model", "diff"), 0);
  EXPECT_EQ(Call("GET", dbase + "model_index.json").status, 200);
  EXPECT_EQ(Call("HEAD", dbase + "lora.safetensors").status, 200);
  EXPECT_EQ(Downloads("model", "diff"), 2);

  // sort=downloads follows the counts.
  CurlReply list = Call("GET", "/api/models?author=alice&sort=downloads&expand=downloads");
  Json j = ParseOrDie(list.body);
  ASSERT_EQ(j.size(), 2u) << list.body;
  EXPECT_EQ(j[0]["id"], "alice/plain");
  EXPECT_EQ(j[0]["downloads"], 4);
  EXPECT_EQ(j[1]["downloads"], 2);
}

TEST_F(LikesDownloadsTest, DatasetDownloadsCountOncePerUserSeriesAndSpacesNotAtAll) {
  CreateRepo("ds", "dataset");
  CommitFiles("dataset", "ds", {{"train.csv", "a,b\n1,2\n"}, {"test.csv", "a,b\n3,4\n"}});
  const std::string base = "/datasets/alice/ds/resolve/main/";
  // One user's series of requests within 5 minutes: one download.
  EXPECT_EQ(Call("HEAD", base + "train.csv", bob_).status, 200);
  EXPECT_EQ(Call("GET", base + "train.csv", bob_).status, 200);
  EXPECT_EQ(Call("GET", base + "test.csv", bob_).status, 200);
  EXPECT_EQ(Downloads("dataset", "ds"), 1);
  // Another user (and an anonymous client) start their own series.
  EXPECT_EQ(Call("GET", base + "train.csv", carol_).status, 200);
  EXPECT_EQ(Call("GET", base + "train.csv").status, 200);
  EXPECT_EQ(Call("GET", base + "test.csv").status, 200);
  EXPECT_EQ(Downloads("dataset", "ds"), 3);

  CreateRepo("sp", "space");
  CommitFiles("space", "sp", {{"config.json", "{}"}, {"index.html", "<p>hi</p>"}});
  EXPECT_EQ(Call("GET", "/spaces/alice/sp/resolve/main/config.json").status, 200);
  EXPECT_EQ(Call("GET", "/spaces/alice/sp/resolve/main/index.html").status, 200);
  EXPECT_EQ(Downloads("space", "sp"), 0);
}

}  // namespace
}  // namespace mhub::testing
