// Static Spaces (issue 15): a Space made and filled by the real @huggingface/hub client
// (tests/clients/spaces_js_client.js) is served at /spaces/{owner}/{name}/ by an in-process hub,
// read with curl. Oracles: the bytes the client uploaded, `git hash-object` for the ETags (the git
// blob sha), RFC 9110 for revalidation, the Hub's auth answers for private repos, and the
// @huggingface/hub SpaceRuntime type for the runtime object.
#include <gtest/gtest.h>

#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

std::string GitBlobSha(const std::string& file) {
  CommandResult r = RunCommand("git hash-object " + ShellQuote(file));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string out = r.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

CurlReply Commit(const std::string& url, const std::string& repo, const std::string& token,
                 const std::vector<std::pair<std::string, std::string>>& files, const std::string& branch = "main") {
  std::string body = "{\"key\":\"header\",\"value\":{\"summary\":\"files\"}}\n";
  for (const auto& [path, content] : files) {
    body += DumpJson(Json{{"key", "file"},
                          {"value", {{"path", path}, {"content", Base64(content)}, {"encoding", "base64"}}}}) +
            "\n";
  }
  return Curl("POST", url + "/api/spaces/" + repo + "/commit/" + branch,
              {"Authorization: Bearer " + token, "Content-Type: application/x-ndjson"}, body);
}

CurlReply CreateSpace(const std::string& url, const std::string& token, const std::string& name, const std::string& sdk,
                      bool is_private = false) {
  return Curl("POST", url + "/api/repos/create", {"Authorization: Bearer " + token, "Content-Type: application/json"},
              DumpJson(Json{{"name", name}, {"type", "space"}, {"sdk", sdk}, {"private", is_private}}));
}

class SpacesStaticTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hub_ = new InProcessHub();
    token_ = new std::string(hub_->CreateUser("alice"));
    files_ = new TempDir();
    CommandResult r =
        RunCommand("NODE_MODULES=" + ShellQuote(NodeModulesDir()) + " node " +
                   ShellQuote(SourceDir() + "/tests/clients/spaces_js_client.js") + " " + ShellQuote(hub_->url()) +
                   " " + ShellQuote(*token_) + " alice " + ShellQuote(files_->path()));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    ASSERT_NE(r.out.find("OK"), std::string::npos) << r.out << r.err;
    size_t at = r.out.find("COMMIT ");
    ASSERT_NE(at, std::string::npos);
    first_commit_ = new std::string(r.out.substr(at + 7, 40));
  }
  static void TearDownTestSuite() {
    delete hub_;
    delete token_;
    delete files_;
    delete first_commit_;
  }
  static std::string Url(const std::string& path) { return hub_->url() + path; }
  static std::string File(const std::string& name) { return ReadFileOrDie(files_->path() + "/" + name); }
  static std::string Auth() { return "Authorization: Bearer " + *token_; }

  static InProcessHub* hub_;
  static std::string* token_;
  static TempDir* files_;
  static std::string* first_commit_;
};
InProcessHub* SpacesStaticTest::hub_ = nullptr;
std::string* SpacesStaticTest::token_ = nullptr;
TempDir* SpacesStaticTest::files_ = nullptr;
std::string* SpacesStaticTest::first_commit_ = nullptr;

TEST_F(SpacesStaticTest, ServesFilesWithTypesEtagsAndTheSandbox) {
  CurlReply index = Curl("GET", Url("/spaces/alice/site/"));
  ASSERT_EQ(index.status, 200) << index.body;
  EXPECT_EQ(index.body, File("index.html"));
  EXPECT_EQ(index.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.Header("etag"), "\"" + GitBlobSha(files_->path() + "/index.html") + "\"");
  EXPECT_EQ(index.Header("cache-control"), "no-cache");
  // The sandbox: scripts run, but never with the hub's origin (no allow-same-origin), no cookies set.
  std::string csp = index.Header("content-security-policy");
  EXPECT_NE(csp.find("sandbox"), std::string::npos) << csp;
  EXPECT_NE(csp.find("allow-scripts"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("allow-same-origin"), std::string::npos) << csp;
  EXPECT_FALSE(index.HasHeader("set-cookie"));
  EXPECT_EQ(index.Header("x-content-type-options"), "nosniff");

  struct Case {
    std::string url_path, file, type;
  };
  for (const Case& c : {Case{"style.css", "style.css", "text/css; charset=utf-8"},
                        Case{"js/app.js", "js_app.js", "text/javascript; charset=utf-8"},
                        Case{"docs/", "docs_index.html", "text/html; charset=utf-8"},
                        Case{"docs/index.html", "docs_index.html", "text/html; charset=utf-8"},
                        Case{"README.md", "README.md", "text/markdown; charset=utf-8"}}) {
    CurlReply r = Curl("GET", Url("/spaces/alice/site/" + c.url_path));
    ASSERT_EQ(r.status, 200) << c.url_path << ": " << r.body;
    EXPECT_EQ(r.body, File(c.file)) << c.url_path;
    EXPECT_EQ(r.Header("content-type"), c.type) << c.url_path;
    EXPECT_EQ(r.Header("etag"), "\"" + GitBlobSha(files_->path() + "/" + c.file) + "\"") << c.url_path;
    EXPECT_NE(r.Header("content-security-policy").find("sandbox"), std::string::npos) << c.url_path;
  }
  // An LFS file is served by its content, not its pointer.
  CurlReply blob = Curl("GET", Url("/spaces/alice/site/assets/blob.bin"));
  ASSERT_EQ(blob.status, 200);
  EXPECT_EQ(blob.body, File("blob.bin"));
  EXPECT_EQ(blob.Header("content-type"), "application/octet-stream");
  CurlReply head = Curl("HEAD", Url("/spaces/alice/site/assets/blob.bin"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), std::to_string(File("blob.bin").size()));
  // A folder without its slash is redirected, so relative links in its index.html resolve.
  CurlReply folder = Curl("GET", Url("/spaces/alice/site/docs"));
  EXPECT_EQ(folder.status, 301);
  EXPECT_EQ(folder.Header("location"), "/spaces/alice/site/docs/");
}

TEST_F(SpacesStaticTest, RevalidatesWithTheEtag) {
  CurlReply first = Curl("GET", Url("/spaces/alice/site/style.css"));
  std::string etag = first.Header("etag");
  ASSERT_FALSE(etag.empty());
  for (const std::string& inm : {etag, "W/" + etag, "\"0000\", " + etag, std::string("*")}) {
    CurlReply again = Curl("GET", Url("/spaces/alice/site/style.css"), {"If-None-Match: " + inm});
    EXPECT_EQ(again.status, 304) << inm;
    EXPECT_TRUE(again.body.empty()) << inm;
    EXPECT_EQ(again.Header("etag"), etag) << inm;
  }
  CurlReply other = Curl("GET", Url("/spaces/alice/site/style.css"), {"If-None-Match: \"abc\""});
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.body, File("style.css"));
}

TEST_F(SpacesStaticTest, MissingFilesAndBadPathsAre404Or400) {
  CurlReply missing = Curl("GET", Url("/spaces/alice/site/nope.html"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("x-error-code"), "EntryNotFound");
  EXPECT_EQ(Curl("GET", Url("/spaces/alice/nosuch/")).status, 401);  // anonymous: the Hub's 401 RepoNotFound
  EXPECT_EQ(Curl("GET", Url("/spaces/alice/nosuch/"), {Auth()}).status, 404);
  CurlReply up = Curl("GET", Url("/spaces/alice/site/a/..%2F..%2F..%2Fetc%2Fpasswd"));
  EXPECT_GE(up.status, 400) << up.body;
  EXPECT_LT(up.status, 500) << up.body;
  EXPECT_EQ(up.body.find("root:"), std::string::npos);
  // The repo's own routes keep answering under /spaces/{id}/.
  CurlReply resolve = Curl("GET", Url("/spaces/alice/site/resolve/main/style.css"));
  EXPECT_EQ(resolve.status, 200);
  EXPECT_EQ(resolve.Header("content-type"), "application/octet-stream");
}

TEST_F(SpacesStaticTest, ServesTheLatestCommitOrAChosenRevision) {
  ASSERT_EQ(Commit(hub_->url(), "alice/site", *token_, {{"index.html", "<p>v2</p>\n"}}).status, 200);
  CurlReply now = Curl("GET", Url("/spaces/alice/site/"));
  EXPECT_EQ(now.body, "<p>v2</p>\n");
  CurlReply then = Curl("GET", Url("/spaces/alice/site/?revision=" + *first_commit_));
  EXPECT_EQ(then.body, File("index.html"));
  EXPECT_NE(now.Header("etag"), then.Header("etag"));
  // The old ETag no longer matches main.
  EXPECT_EQ(Curl("GET", Url("/spaces/alice/site/"), {"If-None-Match: " + then.Header("etag")}).status, 200);
  ASSERT_EQ(Curl("POST", Url("/api/spaces/alice/site/branch/preview"), {Auth()}).status, 200);
  ASSERT_EQ(Commit(hub_->url(), "alice/site", *token_, {{"index.html", "<p>preview</p>\n"}}, "preview").status, 200);
  EXPECT_EQ(Curl("GET", Url("/spaces/alice/site/?revision=preview")).body, "<p>preview</p>\n");
  EXPECT_EQ(Curl("GET", Url("/spaces/alice/site/?revision=nosuch")).status, 404);
}

TEST_F(SpacesStaticTest, AppFileFromTheCardAndOtherSdks) {
  ASSERT_EQ(CreateSpace(hub_->url(), *token_, "app", "static").status, 200);
  ASSERT_EQ(
      Commit(hub_->url(), "alice/app", *token_,
             {{"README.md", "---\nsdk: static\napp_file: dist/main.html\n---\n"}, {"dist/main.html", "<p>main</p>\n"}})
          .status,
      200);
  EXPECT_EQ(Curl("GET", Url("/spaces/alice/app/")).body, "<p>main</p>\n");
  // A Gradio Space is not run by this hub: no files served as a site.
  ASSERT_EQ(CreateSpace(hub_->url(), *token_, "gr", "gradio").status, 200);
  ASSERT_EQ(
      Commit(hub_->url(), "alice/gr", *token_, {{"README.md", "---\nsdk: gradio\n---\n"}, {"app.py", "x=1\n"}}).status,
      200);
  CurlReply gr = Curl("GET", Url("/spaces/alice/gr/app.py"));
  EXPECT_EQ(gr.status, 404);
  EXPECT_EQ(gr.body.find("x=1"), std::string::npos);
}

TEST_F(SpacesStaticTest, PrivateSpacesOnlyToReaders) {
  std::string bob = hub_->CreateUser("bob");
  std::string alice_read = hub_->CreateToken("alice", "read");
  ASSERT_EQ(CreateSpace(hub_->url(), *token_, "secret", "static", true).status, 200);
  ASSERT_EQ(Commit(hub_->url(), "alice/secret", *token_, {{"index.html", "<p>secret</p>\n"}}).status, 200);
  CurlReply anon = Curl("GET", Url("/spaces/alice/secret/"));
  EXPECT_EQ(anon.status, 401);
  EXPECT_EQ(anon.Header("x-error-code"), "RepoNotFound");
  EXPECT_EQ(anon.body.find("secret</p>"), std::string::npos);
  CurlReply other = Curl("GET", Url("/spaces/alice/secret/index.html"), {"Authorization: Bearer " + bob});
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.Header("x-error-code"), "RepoNotFound");
  CurlReply owner = Curl("GET", Url("/spaces/alice/secret/"), {"Authorization: Bearer " + alice_read});
  EXPECT_EQ(owner.status, 200);
  EXPECT_EQ(owner.body, "<p>secret</p>\n");
  EXPECT_EQ(Curl("GET", Url("/api/spaces/alice/secret/runtime")).status, 401);
  EXPECT_EQ(Curl("GET", Url("/api/spaces/alice/secret/runtime"), {"Authorization: Bearer " + bob}).status, 404);
  EXPECT_EQ(Curl("GET", Url("/api/spaces/alice/secret/runtime"), {"Authorization: Bearer " + alice_read}).status, 200);
}

// The runtime object as @huggingface/hub's SpaceRuntime and huggingface_hub's SpaceRuntime read it.
TEST_F(SpacesStaticTest, RuntimeInTheHubShape) {
  CurlReply r = Curl("GET", Url("/api/spaces/alice/site/runtime"));
  ASSERT_EQ(r.status, 200) << r.body;
  Json rt = ParseOrDie(r.body);
  EXPECT_EQ(rt["stage"], "RUNNING");
  EXPECT_EQ(rt["hardware"]["current"], "cpu-basic");
  EXPECT_EQ(rt["hardware"]["requested"], "cpu-basic");
  EXPECT_TRUE(rt.contains("gcTimeout") && rt["gcTimeout"].is_null());
  EXPECT_TRUE(rt.contains("storage") && rt["storage"].is_null());
  EXPECT_EQ(rt["sdk"], "static");
  EXPECT_TRUE(rt["domains"].is_array());
  EXPECT_FALSE(rt.contains("errorMessage"));

  ASSERT_EQ(CreateSpace(hub_->url(), *token_, "empty", "static").status, 200);
  ASSERT_EQ(Commit(hub_->url(), "alice/empty", *token_, {{"README.md", "---\nsdk: static\n---\n"}}).status, 200);
  EXPECT_EQ(ParseOrDie(Curl("GET", Url("/api/spaces/alice/empty/runtime")).body)["stage"], "NO_APP_FILE");
  ASSERT_EQ(CreateSpace(hub_->url(), *token_, "fresh", "static").status, 200);
  EXPECT_EQ(ParseOrDie(Curl("GET", Url("/api/spaces/alice/fresh/runtime")).body)["stage"], "NO_APP_FILE");
  ASSERT_EQ(CreateSpace(hub_->url(), *token_, "grr", "gradio").status, 200);
  ASSERT_EQ(
      Commit(hub_->url(), "alice/grr", *token_, {{"README.md", "---\nsdk: gradio\n---\n"}, {"app.py", "x=1\n"}}).status,
      200);
  Json gr = ParseOrDie(Curl("GET", Url("/api/spaces/alice/grr/runtime")).body);
  EXPECT_EQ(gr["stage"], "CONFIG_ERROR");
  EXPECT_TRUE(gr["errorMessage"].is_string());
  EXPECT_EQ(Curl("POST", Url("/api/spaces/alice/site/runtime"), {Auth()}, "", true).status, 405);
  // restart answers the runtime to writers; pause is refused (static Spaces use no hardware).
  CurlReply restart = Curl("POST", Url("/api/spaces/alice/site/restart"), {Auth()}, "", true);
  EXPECT_EQ(restart.status, 200) << restart.body;
  EXPECT_EQ(ParseOrDie(restart.body)["stage"], "RUNNING");
  std::string reader = hub_->CreateToken("alice", "read");
  EXPECT_EQ(Curl("POST", Url("/api/spaces/alice/site/restart"), {"Authorization: Bearer " + reader}, "", true).status,
            403);
  EXPECT_EQ(Curl("POST", Url("/api/spaces/alice/site/restart"), {}, "", true).status, 401);
  CurlReply pause = Curl("POST", Url("/api/spaces/alice/site/pause"), {Auth()}, "", true);
  EXPECT_EQ(pause.status, 400);
  EXPECT_FALSE(pause.Header("x-error-message").empty());
  EXPECT_NE(Curl("GET", Url("/api/models/alice/site/runtime"), {Auth()}).status, 200);
}

}  // namespace
}  // namespace mhub::testing
