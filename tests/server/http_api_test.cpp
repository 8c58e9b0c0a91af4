// The Hub HTTP API of `mhub_server`, driven with curl the way huggingface_hub and @huggingface/hub
// call it (hub-api.md). Expected values come from outside oracles: git hash-object, sha256sum,
// `git rev-parse` on the bare repo, and the request's own inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    token_ = hub_.CreateUser("alice", "acme");
    auth_ = "Authorization: Bearer " + token_;
  }

  CurlReply Api(const std::string& method, const std::string& path, const std::string& body = "",
                const std::string& content_type = "application/json") {
    return ApiCall(hub_.url(), method, path, auth_, body, content_type);
  }

  void CreateRepo(const std::string& name, const std::string& type = "model", bool is_private = false) {
    Json body{{"name", name}, {"type", type}, {"private", is_private}};
    CurlReply r = Api("POST", "/api/repos/create", DumpJson(body));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // One NDJSON commit; returns the reply.
  CurlReply Commit(const std::string& repo, const std::vector<Json>& ops, const std::string& parent = "",
                   const std::string& rev = "main") {
    Json header{{"summary", "test commit"}, {"description", ""}};
    if (!parent.empty()) header["parentCommit"] = parent;
    std::string body = DumpJson(Json{{"key", "header"}, {"value", header}}) + "\n";
    for (const auto& op : ops) body += DumpJson(op) + "\n";
    return Api("POST", "/api/models/" + repo + "/commit/" + rev, body, "application/x-ndjson");
  }

  static Json FileOp(const std::string& path, const std::string& content) {
    return Json{{"key", "file"}, {"value", {{"path", path}, {"content", Base64(content)}, {"encoding", "base64"}}}};
  }

  // Uploads `content` through the LFS batch API exactly as the HF clients do: batch, then a PUT
  // to the href WITHOUT Authorization, then verify.
  void UploadLfs(const std::string& repo, const std::string& content) {
    std::string oid = Sha256OfString(content);
    Json batch{{"operation", "upload"},
               {"transfers", {"basic", "multipart"}},
               {"objects", {{{"oid", oid}, {"size", content.size()}}}},
               {"hash_algo", "sha256"},
               {"ref", {{"name", "main"}}}};
    CurlReply r = Curl("POST", hub_.url() + "/" + repo + ".git/info/lfs/objects/batch",
                       {auth_, "Accept: application/vnd.git-lfs+json", "Content-Type: application/vnd.git-lfs+json"},
                       DumpJson(batch));
    ASSERT_EQ(r.status, 200) << r.body;
    Json answer = ParseOrDie(r.body);
    ASSERT_EQ(answer["transfer"], "basic");
    const Json& object = answer["objects"][0];
    ASSERT_TRUE(object.contains("actions")) << r.body;
    std::string href = object["actions"]["upload"]["href"];
    ASSERT_EQ(href.rfind(hub_.url(), 0), 0u) << href;  // absolute, on this server
    CurlReply put = Curl("PUT", href, {"Content-Type: application/octet-stream"}, content, true);
    ASSERT_EQ(put.status, 200) << put.body;
    std::string verify = object["actions"]["verify"]["href"];
    CurlReply v = Curl("POST", verify, {auth_, "Content-Type: application/vnd.git-lfs+json"},
                       DumpJson(Json{{"oid", oid}, {"size", content.size()}}));
    ASSERT_EQ(v.status, 200) << v.body;
    // Asked again, the object needs no upload.
    CurlReply again = Curl("POST", hub_.url() + "/" + repo + ".git/info/lfs/objects/batch",
                           {auth_, "Content-Type: application/vnd.git-lfs+json"}, DumpJson(batch));
    EXPECT_FALSE(ParseOrDie(again.body)["objects"][0].contains("actions")) << again.body;
  }

  std::string GitRevParse(const std::string& repo, const std::string& rev) {
    CommandResult r = RunCommand("git --git-dir=" + ShellQuote(hub_.data_dir() + "/repos/models/" + repo + ".git") +
                                 " rev-parse " + ShellQuote(rev));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, 40);
  }

  InProcessHub hub_;
  std::string token_;
  std::string auth_;
};

TEST_F(HttpApiTest, WhoamiHasTheShapeClientsRead) {
  CurlReply r = Api("GET", "/api/whoami-v2");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = ParseOrDie(r.body);
  EXPECT_EQ(j["name"], "alice");
  EXPECT_EQ(j["type"], "user");
  EXPECT_EQ(j["auth"]["accessToken"]["role"], "write");
  EXPECT_TRUE(j["auth"]["accessToken"]["displayName"].is_string());
  ASSERT_EQ(j["orgs"].size(), 1u);
  EXPECT_EQ(j["orgs"][0]["name"], "acme");

  CurlReply bad = Curl("GET", hub_.url() + "/api/whoami-v2", {"Authorization: Bearer hf_notatoken"});
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.Header("x-error-message"), "Invalid credentials in Authorization header");
}

TEST_F(HttpApiTest, UploadThenDownloadRegularAndLfsFiles) {
  CreateRepo("tiny");
  std::string config = "{\"model_type\": \"bert\"}\n";
  std::string weights(300000, '\0');
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<char>((i * 7919) % 251);
  UploadLfs("alice/tiny", weights);
  std::string oid = Sha256OfString(weights);
  CurlReply c = Commit(
      "alice/tiny",
      {FileOp("config.json", config),
       Json{{"key", "lfsFile"},
            {"value", {{"path", "model.safetensors"}, {"algo", "sha256"}, {"oid", oid}, {"size", weights.size()}}}}});
  ASSERT_EQ(c.status, 200) << c.body;
  Json commit = ParseOrDie(c.body);
  std::string sha = commit["commitOid"];
  EXPECT_EQ(sha, GitRevParse("alice/tiny", "refs/heads/main"));
  EXPECT_EQ(commit["commitUrl"], hub_.url() + "/alice/tiny/commit/" + sha);

  // Regular file: HEAD as huggingface_hub does it.
  CurlReply head =
      Curl("HEAD", hub_.url() + "/alice/tiny/resolve/main/config.json", {auth_, "Accept-Encoding: identity"});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("x-repo-commit"), sha);
  EXPECT_EQ(head.Header("etag"), "\"" + GitBlobSha(config) + "\"");
  EXPECT_EQ(head.Header("content-length"), std::to_string(config.size()));
  EXPECT_FALSE(head.HasHeader("x-linked-etag"));
  CurlReply get = Curl("GET", hub_.url() + "/alice/tiny/resolve/main/config.json");
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, config);

  // LFS file: X-Linked-Etag / X-Linked-Size, streamed body, ranges.
  CurlReply lhead = Curl("HEAD", hub_.url() + "/alice/tiny/resolve/" + sha + "/model.safetensors");
  EXPECT_EQ(lhead.status, 200);
  EXPECT_EQ(lhead.Header("x-linked-etag"), "\"" + oid + "\"");
  EXPECT_EQ(lhead.Header("x-linked-size"), std::to_string(weights.size()));
  EXPECT_EQ(lhead.Header("x-repo-commit"), sha);
  EXPECT_FALSE(lhead.HasHeader("x-xet-hash"));
  CurlReply lget = Curl("GET", hub_.url() + "/alice/tiny/resolve/main/model.safetensors");
  EXPECT_EQ(lget.status, 200);
  EXPECT_TRUE(lget.body == weights);
  CurlReply probe = Curl("GET", hub_.url() + "/alice/tiny/resolve/main/model.safetensors", {"Range: bytes=0-0"});
  EXPECT_EQ(probe.status, 206);
  EXPECT_EQ(probe.Header("content-range"), "bytes 0-0/" + std::to_string(weights.size()));
  EXPECT_EQ(probe.body, weights.substr(0, 1));
  CurlReply middle = Curl("GET", hub_.url() + "/alice/tiny/resolve/main/model.safetensors", {"Range: bytes=1000-1999"});
  EXPECT_EQ(middle.status, 206);
  EXPECT_TRUE(middle.body == weights.substr(1000, 1000));
  CurlReply tail = Curl("GET", hub_.url() + "/alice/tiny/resolve/main/config.json", {"Range: bytes=-5"});
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(tail.body, config.substr(config.size() - 5));
  CurlReply beyond = Curl("GET", hub_.url() + "/alice/tiny/resolve/main/config.json", {"Range: bytes=99999-"});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(beyond.Header("content-range"), "bytes */" + std::to_string(config.size()));
  // /raw/ of an LFS file is its pointer.
  CurlReply raw = Curl("GET", hub_.url() + "/alice/tiny/raw/main/model.safetensors");
  EXPECT_EQ(raw.status, 200);
  EXPECT_NE(raw.body.find("oid sha256:" + oid), std::string::npos) << raw.body;

  // Repo info: sha, siblings with blobs=true.
  CurlReply info = Api("GET", "/api/models/alice/tiny/revision/main?blobs=true");
  ASSERT_EQ(info.status, 200);
  Json ij = ParseOrDie(info.body);
  EXPECT_EQ(ij["id"], "alice/tiny");
  EXPECT_EQ(ij["sha"], sha);
  EXPECT_EQ(ij["private"], false);
  bool found_lfs = false;
  for (const auto& s : ij["siblings"]) {
    if (s["rfilename"] == "model.safetensors") {
      found_lfs = true;
      EXPECT_EQ(s["lfs"]["sha256"], oid);
      EXPECT_EQ(s["lfs"]["size"], weights.size());
    }
  }
  EXPECT_TRUE(found_lfs) << info.body;
  // JS modelInfo asks for revision HEAD.
  CurlReply head_info = Api("GET", "/api/models/alice/tiny/revision/HEAD?expand[]=sha");
  EXPECT_EQ(ParseOrDie(head_info.body)["sha"], sha);

  // Downloads were counted.
  CurlReply counted = Api("GET", "/api/models/alice/tiny?expand=downloads");
  EXPECT_GE(ParseOrDie(counted.body)["downloads"].get<int>(), 2) << counted.body;
}

TEST_F(HttpApiTest, ErrorsCarryTheHubErrorCodes) {
  CreateRepo("err");
  CurlReply no_repo = Curl("HEAD", hub_.url() + "/alice/nope/resolve/main/x.json");
  EXPECT_EQ(no_repo.status, 401);  // anonymous: the Hub's 401 + RepoNotFound
  EXPECT_EQ(no_repo.Header("x-error-code"), "RepoNotFound");
  CurlReply no_rev = Curl("GET", hub_.url() + "/alice/err/resolve/nobranch/x.json");
  EXPECT_EQ(no_rev.status, 404);
  EXPECT_EQ(no_rev.Header("x-error-code"), "RevisionNotFound");
  CurlReply no_file = Curl("HEAD", hub_.url() + "/alice/err/resolve/main/missing.json");
  EXPECT_EQ(no_file.status, 404);
  EXPECT_EQ(no_file.Header("x-error-code"), "EntryNotFound");
  EXPECT_EQ(no_file.Header("x-repo-commit"), GitRevParse("alice/err", "main"));
  CurlReply api_missing = Curl("GET", hub_.url() + "/api/models/alice/nope");
  EXPECT_EQ(api_missing.status, 401);
  EXPECT_EQ(api_missing.Header("x-error-code"), "RepoNotFound");
  EXPECT_EQ(ParseOrDie(api_missing.body)["error"].is_string(), true);
  // A Hub route this hub does not serve (Xet storage tokens) says so in the Hub's error headers.
  CurlReply xet = Curl("GET", hub_.url() + "/api/models/alice/err/xet-read-token/main");
  EXPECT_EQ(xet.status, 501);
  EXPECT_EQ(xet.Header("x-error-code"), "NotImplemented");
  // Path traversal in every spelling is refused, never served.
  for (std::string path : {"..%2F..%2Fdb.sqlite", "a/../../x", "%2Fetc%2Fpasswd", "a%5Cb", "a%00b"}) {
    CurlReply r = Curl("GET", hub_.url() + "/alice/err/resolve/main/" + path, {}, "", false, "--path-as-is");
    EXPECT_GE(r.status, 400) << path;
    EXPECT_LT(r.status, 500) << path;
  }
  CurlReply conflict = Api("POST", "/api/repos/create", DumpJson(Json{{"name", "err"}}));
  EXPECT_EQ(conflict.status, 409);
}

TEST_F(HttpApiTest, CommitRejectsBadInputAndStaleParents) {
  CreateRepo("c");
  std::string first = GitRevParse("alice/c", "main");
  CurlReply ok = Commit("alice/c", {FileOp("a.txt", "one")}, first);
  ASSERT_EQ(ok.status, 200) << ok.body;
  std::string second = ParseOrDie(ok.body)["commitOid"];
  // A stale parentCommit is refused and nothing is applied.
  CurlReply stale = Commit("alice/c", {FileOp("b.txt", "two")}, first);
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(GitRevParse("alice/c", "main"), second);
  // Malformed bodies: 400, repo unchanged.
  for (const std::string& body :
       {std::string("not json\n"), std::string("{\"key\":\"file\",\"value\":{\"path\":\"x\",\"content\":\"\"}}\n"),
        std::string(
            "{\"key\":\"header\",\"value\":{\"summary\":\"s\"}}\n{\"key\":\"file\",\"value\":{\"path\":\"../x\","
            "\"content\":\"eA==\"}}\n"),
        std::string(
            "{\"key\":\"header\",\"value\":{}}\n{\"key\":\"file\",\"value\":{\"path\":\"x\",\"content\":\"*\"}}\n"),
        std::string("{\"key\":\"header\",\"value\":{}}\n{\"key\":\"lfsFile\",\"value\":{\"path\":\"x.bin\",\"oid\":\"" +
                    std::string(64, 'a') + "\",\"size\":3}}\n")}) {
    CurlReply r = Api("POST", "/api/models/alice/c/commit/main", body, "application/x-ndjson");
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
  }
  EXPECT_EQ(GitRevParse("alice/c", "main"), second);
  // A file and a deletion in one commit.
  CurlReply del =
      Commit("alice/c", {FileOp("dir/b.txt", "b"), Json{{"key", "deletedFile"}, {"value", {{"path", "a.txt"}}}}});
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(Curl("GET", hub_.url() + "/alice/c/resolve/main/a.txt").status, 404);
  EXPECT_EQ(Curl("GET", hub_.url() + "/alice/c/resolve/main/dir/b.txt").body, "b");
}

TEST_F(HttpApiTest, TreePathsInfoRefsCommitsBranchesTags) {
  CreateRepo("t");
  std::vector<Json> ops;
  for (int i = 0; i < 5; ++i) ops.push_back(FileOp("sub/dir/f" + std::to_string(i) + ".txt", std::to_string(i)));
  ASSERT_EQ(Commit("alice/t", ops).status, 200);
  // Tree, recursive, paginated through absolute Link headers.
  std::vector<std::string> paths;
  std::string url = hub_.url() + "/api/models/alice/t/tree/main?recursive=true&limit=2";
  for (int page = 0; page < 20 && !url.empty(); ++page) {
    CurlReply r = Curl("GET", url, {auth_});
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& e : ParseOrDie(r.body)) paths.push_back(e["path"]);
    std::string link = r.Header("link");
    url.clear();
    if (!link.empty()) {
      ASSERT_EQ(link.find("<http://"), 0u) << link;
      ASSERT_NE(link.find(">; rel=\"next\""), std::string::npos) << link;
      url = link.substr(1, link.find('>') - 1);
    }
  }
  CommandResult ls = RunCommand("git --git-dir=" + ShellQuote(hub_.data_dir() + "/repos/models/alice/t.git") +
                                " ls-tree -r -t --name-only main");
  std::vector<std::string> expected;
  for (size_t pos = 0; pos < ls.out.size();) {
    size_t nl = ls.out.find('\n', pos);
    expected.push_back(ls.out.substr(pos, nl - pos));
    pos = nl + 1;
  }
  std::sort(paths.begin(), paths.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(paths, expected);
  // Folder given encoded (Python) and raw (JS).
  CurlReply enc = Api("GET", "/api/models/alice/t/tree/main/sub%2Fdir");
  CurlReply plain = Api("GET", "/api/models/alice/t/tree/main/sub/dir");
  EXPECT_EQ(enc.status, 200);
  EXPECT_EQ(enc.body, plain.body);
  EXPECT_EQ(ParseOrDie(enc.body).size(), 5u);
  // paths-info: form (Python) and JSON (JS); missing paths left out.
  CurlReply form = Api("POST", "/api/models/alice/t/paths-info/main", "paths=sub%2Fdir%2Ff1.txt&paths=nope&expand=True",
                       "application/x-www-form-urlencoded");
  ASSERT_EQ(form.status, 200) << form.body;
  Json fj = ParseOrDie(form.body);
  ASSERT_EQ(fj.size(), 1u);
  EXPECT_EQ(fj[0]["oid"], GitBlobSha("1"));
  EXPECT_TRUE(fj[0].contains("lastCommit"));
  CurlReply json = Api("POST", "/api/models/alice/t/paths-info/main",
                       DumpJson(Json{{"paths", {"sub", "sub/dir/f2.txt"}}, {"expand", false}}));
  EXPECT_EQ(ParseOrDie(json.body).size(), 2u);
  // Branch with a slash-free name and a tag; then revisions with encoded refs.
  ASSERT_EQ(Api("POST", "/api/models/alice/t/branch/dev", DumpJson(Json{{"startingPoint", "main"}})).status, 200);
  EXPECT_EQ(Api("POST", "/api/models/alice/t/branch/dev", DumpJson(Json{{"startingPoint", "main"}})).status, 409);
  ASSERT_EQ(Api("POST", "/api/models/alice/t/tag/main", DumpJson(Json{{"tag", "v1.0"}, {"message", "first"}})).status,
            200);
  CurlReply refs = Api("GET", "/api/models/alice/t/refs");
  Json rj = ParseOrDie(refs.body);
  EXPECT_EQ(rj["branches"].size(), 2u);
  EXPECT_EQ(rj["tags"][0]["name"], "v1.0");
  EXPECT_TRUE(rj["converts"].is_array());
  std::string main_sha = GitRevParse("alice/t", "main");
  EXPECT_EQ(ParseOrDie(Api("GET", "/api/models/alice/t/revision/refs%2Fheads%2Fdev").body)["sha"], main_sha);
  EXPECT_EQ(ParseOrDie(Api("GET", "/api/models/alice/t/revision/v1.0").body)["sha"], main_sha);
  EXPECT_EQ(Curl("GET", hub_.url() + "/alice/t/resolve/refs%2Fheads%2Fdev/sub/dir/f3.txt").body, "3");
  // Commits: newest first, paginated.
  CurlReply commits = Api("GET", "/api/models/alice/t/commits/main?limit=1");
  Json cj = ParseOrDie(commits.body);
  ASSERT_EQ(cj.size(), 1u);
  EXPECT_EQ(cj[0]["id"], main_sha);
  EXPECT_EQ(cj[0]["title"], "test commit");
  EXPECT_NE(commits.Header("link").find("rel=\"next\""), std::string::npos);
  EXPECT_EQ(commits.Header("x-total-count"), "2");
  ASSERT_EQ(Api("DELETE", "/api/models/alice/t/branch/dev").status, 200);
  ASSERT_EQ(Api("DELETE", "/api/models/alice/t/tag/v1.0").status, 200);
  EXPECT_EQ(Api("GET", "/api/models/alice/t/revision/dev").Header("x-error-code"), "RevisionNotFound");
}

TEST_F(HttpApiTest, ListingSearchAndCardData) {
  CreateRepo("bert-small");
  CreateRepo("gpt-small");
  CreateRepo("data1", "dataset");
  std::string readme = "---\nlicense: mit\npipeline_tag: text-classification\nlibrary_name: transformers\n---\n# Hi\n";
  ASSERT_EQ(Commit("alice/bert-small", {FileOp("README.md", readme)}).status, 200);
  CurlReply all = Curl("GET", hub_.url() + "/api/models?limit=1");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(ParseOrDie(all.body).size(), 1u);
  std::string link = all.Header("link");
  ASSERT_EQ(link.find("<http://"), 0u) << link;
  CurlReply next = Curl("GET", link.substr(1, link.find('>') - 1));
  EXPECT_EQ(ParseOrDie(next.body).size(), 1u);
  EXPECT_NE(ParseOrDie(next.body)[0]["id"], ParseOrDie(all.body)[0]["id"]);
  CurlReply search = Curl("GET", hub_.url() + "/api/models?search=bert&full=true");
  Json sj = ParseOrDie(search.body);
  ASSERT_EQ(sj.size(), 1u);
  EXPECT_EQ(sj[0]["id"], "alice/bert-small");
  EXPECT_TRUE(sj[0]["_id"].is_string());
  EXPECT_TRUE(sj[0]["lastModified"].is_string());
  CurlReply filtered = Curl("GET", hub_.url() + "/api/models?filter=text-classification&cardData=true");
  Json fj = ParseOrDie(filtered.body);
  ASSERT_EQ(fj.size(), 1u);
  EXPECT_EQ(fj[0]["cardData"]["license"], "mit");
  EXPECT_EQ(fj[0]["pipeline_tag"], "text-classification");
  CurlReply datasets = Curl("GET", hub_.url() + "/api/datasets?author=alice");
  EXPECT_EQ(ParseOrDie(datasets.body).size(), 1u);
  CurlReply yaml = Api("POST", "/api/validate-yaml", DumpJson(Json{{"content", readme}, {"repoType", "model"}}));
  EXPECT_EQ(yaml.status, 200);
  EXPECT_TRUE(ParseOrDie(yaml.body)["errors"].empty());
  CurlReply bad_yaml = Api("POST", "/api/validate-yaml", DumpJson(Json{{"content", "---\nlicense: [\n---\n"}}));
  EXPECT_EQ(bad_yaml.status, 400);
  EXPECT_FALSE(ParseOrDie(bad_yaml.body)["errors"].empty());
}

TEST_F(HttpApiTest, SettingsMoveDeleteAndPreupload) {
  CreateRepo("m");
  CurlReply pre = Api("POST", "/api/models/alice/m/preupload/main",
                      DumpJson(Json{{"files",
                                     {{{"path", "w.safetensors"}, {"size", 20}, {"sample", Base64("abc")}},
                                      {{"path", "notes.txt"}, {"size", 5}, {"sample", Base64("hello")}},
                                      {{"path", "big.txt"}, {"size", 20000000}, {"sample", Base64("hello")}}}},
                                    {"gitIgnore", "*.log\n"}}));
  ASSERT_EQ(pre.status, 200) << pre.body;
  std::map<std::string, Json> modes;
  Json pre_json = ParseOrDie(pre.body);
  for (const auto& f : pre_json["files"]) modes[f["path"].get<std::string>()] = f;
  EXPECT_EQ(modes["w.safetensors"]["uploadMode"], "lfs");
  EXPECT_EQ(modes["notes.txt"]["uploadMode"], "regular");
  EXPECT_EQ(modes["big.txt"]["uploadMode"], "lfs");
  EXPECT_EQ(modes["notes.txt"]["shouldIgnore"], false);
  ASSERT_EQ(Api("PUT", "/api/models/alice/m/settings", DumpJson(Json{{"private", true}})).status, 200);
  EXPECT_EQ(Curl("GET", hub_.url() + "/api/models/alice/m").status, 401);  // anonymous
  EXPECT_EQ(Api("GET", "/api/models/alice/m").status, 200);
  ASSERT_EQ(Api("POST", "/api/repos/move", DumpJson(Json{{"fromRepo", "alice/m"}, {"toRepo", "acme/m2"}})).status, 200);
  CurlReply moved = Api("GET", "/api/models/alice/m");  // the old name redirects to the new one
  EXPECT_EQ(moved.status, 307);
  EXPECT_EQ(moved.Header("location"), "/api/models/acme/m2");
  EXPECT_EQ(Api("GET", "/api/models/acme/m2").status, 200);
  ASSERT_EQ(Api("DELETE", "/api/repos/delete", DumpJson(Json{{"name", "m2"}, {"organization", "acme"}})).status, 200);
  EXPECT_EQ(Api("GET", "/api/models/acme/m2").Header("x-error-code"), "RepoNotFound");
}

TEST_F(HttpApiTest, BadBodiesAndUrlsAreClear4xx) {
  CreateRepo("bad");
  // Oversized JSON body: 413, and the server keeps serving.
  std::string huge(17u << 20, ' ');
  CurlReply big = Api("POST", "/api/repos/create", "{\"name\": \"x\"" + huge + "}");
  EXPECT_EQ(big.status, 413) << big.body;
  CurlReply malformed = Api("POST", "/api/repos/create", "{\"name\": ");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_TRUE(ParseOrDie(malformed.body)["error"].is_string());
  CurlReply wrong_type = Api("POST", "/api/models/alice/bad/paths-info/main", "{\"paths\": [1, 2]}");
  EXPECT_EQ(wrong_type.status, 400);
  CurlReply batch = Curl("POST", hub_.url() + "/alice/bad.git/info/lfs/objects/batch",
                         {auth_, "Content-Type: application/vnd.git-lfs+json"},
                         "{\"operation\":\"upload\",\"objects\":[{\"oid\":\"../../x\",\"size\":1}]}");
  EXPECT_EQ(batch.status, 200);
  EXPECT_EQ(ParseOrDie(batch.body)["objects"][0]["error"]["code"], 422);
  // A forged or expired LFS upload URL is refused.
  std::string oid = Sha256OfString("x");
  CurlReply forged = Curl(
      "PUT", hub_.url() + "/alice/bad.git/info/lfs/objects/" + oid + "?size=1&exp=99999999999&sig=00", {}, "x", true);
  EXPECT_EQ(forged.status, 403);
  // A body that does not hash to its oid is never stored.
  Json b{{"operation", "upload"}, {"objects", {{{"oid", oid}, {"size", 1}}}}};
  Json answer = ParseOrDie(Curl("POST", hub_.url() + "/alice/bad.git/info/lfs/objects/batch",
                                {auth_, "Content-Type: application/vnd.git-lfs+json"}, DumpJson(b))
                               .body);
  std::string href = answer["objects"][0]["actions"]["upload"]["href"];
  EXPECT_EQ(Curl("PUT", href, {}, "y", true).status, 400);
  EXPECT_FALSE(std::filesystem::exists(hub_.data_dir() + "/lfs/objects/" + oid.substr(0, 2) + "/" + oid.substr(2, 2) +
                                       "/" + oid));
  EXPECT_EQ(Curl("PUT", href, {}, "x", true).status, 200);
  // Very long URLs and encoded control characters.
  EXPECT_EQ(Curl("GET", hub_.url() + "/alice/bad/resolve/main/" + std::string(9000, 'a')).status, 414);
  CurlReply nl = Curl("GET", hub_.url() + "/alice/bad/resolve/main/a%0Ab");
  EXPECT_GE(nl.status, 400);
  EXPECT_LT(nl.status, 500);
  EXPECT_EQ(Curl("GET", hub_.url() + "/api/models/alice/bad/tree/main?cursor=%%%").status, 400);
  // Still alive.
  EXPECT_EQ(Curl("GET", hub_.url() + "/api/models/alice/bad").status, 200);
}

TEST_F(HttpApiTest, GatedRepoFilesNeedAccess) {
  CreateRepo("gated");
  ASSERT_EQ(Api("PUT", "/api/models/alice/gated/settings", DumpJson(Json{{"gated", "auto"}})).status, 200);
  EXPECT_EQ(ParseOrDie(Api("GET", "/api/models/alice/gated").body)["gated"], "auto");
  // Info stays visible (the repo exists), files need access: 403 GatedRepo as huggingface_hub expects.
  EXPECT_EQ(Curl("GET", hub_.url() + "/api/models/alice/gated").status, 200);
  CurlReply anon = Curl("HEAD", hub_.url() + "/alice/gated/resolve/main/.gitattributes");
  EXPECT_EQ(anon.status, 403);
  EXPECT_EQ(anon.Header("x-error-code"), "GatedRepo");
  std::string bob = hub_.CreateUser("bob");
  EXPECT_EQ(Curl("GET", hub_.url() + "/alice/gated/resolve/main/.gitattributes", {"Authorization: Bearer " + bob})
                .Header("x-error-code"),
            "GatedRepo");
  EXPECT_EQ(Curl("GET", hub_.url() + "/alice/gated/resolve/main/.gitattributes", {auth_}).status, 200);
  ASSERT_EQ(Api("PUT", "/api/models/alice/gated/settings", DumpJson(Json{{"gated", false}})).status, 200);
  EXPECT_EQ(Curl("GET", hub_.url() + "/alice/gated/resolve/main/.gitattributes").status, 200);
}

}  // namespace
}  // namespace mhub::testing
