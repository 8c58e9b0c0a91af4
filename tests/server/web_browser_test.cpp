// The website in headless chromium (tests/clients/web_browser_test.js, playwright-core + axe-core):
// this test starts a hub, fills it through the API (a public and a private model with a card, an
// LFS file, a model of another task), runs the script with a 60 s bound, and keeps its screenshots
// under <build>/web-artifacts.
#include <gtest/gtest.h>

#include <filesystem>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

const char* kReadme = R"md(---
license: apache-2.0
language: [en]
library_name: transformers
pipeline_tag: text-classification
model-index:
- name: tiny-sentiment
  results:
  - task: {type: text-classification}
    dataset: {name: IMDB, type: imdb}
    metrics:
    - {type: accuracy, value: 0.9375, name: Accuracy}
---
# Tiny sentiment

| split | accuracy |
|---|---|
| test | 0.9375 |
)md";

TEST(WebBrowserTest, ChromiumWalksThroughTheSite) {
  if (!std::filesystem::exists("/usr/bin/chromium") && !getenv("CHROMIUM")) {
    FAIL() << "Debian chromium is not installed (scripts/install-deps installs it)";
  }
  InProcessHub hub;
  std::string token = hub.CreateUser("alice", "team");
  std::string auth = "Authorization: Bearer " + token;
  auto create = [&](const std::string& name, bool is_private) {
    Json body{{"name", name}, {"organization", "team"}, {"private", is_private}};
    CurlReply r = ApiCall(hub.url(), "POST", "/api/repos/create", auth, DumpJson(body));
    ASSERT_EQ(r.status, 200) << r.body;
  };
  auto commit = [&](const std::string& repo, const std::vector<Json>& ops) {
    std::string body = DumpJson(Json{{"key", "header"}, {"value", {{"summary", "files"}}}}) + "\n";
    for (const auto& op : ops) body += DumpJson(op) + "\n";
    CurlReply r =
        ApiCall(hub.url(), "POST", "/api/models/" + repo + "/commit/main", auth, body, "application/x-ndjson");
    ASSERT_EQ(r.status, 200) << r.body;
  };
  auto file = [](const std::string& path, const std::string& content) {
    return Json{{"key", "file"}, {"value", {{"path", path}, {"content", Base64(content)}, {"encoding", "base64"}}}};
  };
  create("pub-model", false);
  create("priv-model", true);
  create("other-model", false);
  commit("team/pub-model", {file("README.md", kReadme), file("src/<script>x.txt", "hello\n")});
  commit("team/priv-model", {file("README.md", kReadme)});
  commit("team/other-model", {file("README.md", "---\npipeline_tag: translation\n---\n# Other\n")});
  // An LFS file: batch, PUT to the signed href, then a commit pointing at it.
  std::string content(70000, 'L');
  std::string oid = Sha256OfString(content);
  Json batch{
      {"operation", "upload"}, {"transfers", {"basic"}}, {"objects", {{{"oid", oid}, {"size", content.size()}}}}};
  CurlReply b = Curl("POST", hub.url() + "/team/pub-model.git/info/lfs/objects/batch",
                     {auth, "Content-Type: application/vnd.git-lfs+json"}, DumpJson(batch));
  ASSERT_EQ(b.status, 200) << b.body;
  std::string href = ParseOrDie(b.body)["objects"][0]["actions"]["upload"]["href"];
  ASSERT_EQ(Curl("PUT", href, {"Content-Type: application/octet-stream"}, content, true).status, 200);
  commit("team/pub-model",
         {Json{{"key", "lfsFile"},
               {"value", {{"path", "weights.bin"}, {"algo", "sha256"}, {"oid", oid}, {"size", 70000}}}}});

  std::string out_dir = BinaryDir() + "/web-artifacts";
  CommandResult r =
      RunCommand("timeout 60 node " + ShellQuote(SourceDir() + "/tests/clients/web_browser_test.js") + " " +
                 ShellQuote(hub.url()) + " " + ShellQuote(token) + " " + oid + " " + ShellQuote(out_dir));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("all browser checks passed"), std::string::npos) << r.out << r.err;
  std::cout << r.out;
  EXPECT_TRUE(std::filesystem::exists(out_dir + "/02-model-page.png"));
}

}  // namespace
}  // namespace mhub::testing
