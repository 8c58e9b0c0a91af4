// The URLs that `mhub repo create` and `mhub upload` print must open: each one is fetched with a
// plain HTTP client (curl) and answers 200, anonymously for public repos and with the token for
// private ones (which stay closed to anonymous callers). Before, both printed the Hub's page
// URLs (`/{id}`, `/{id}/commit/{oid}`), which this hub does not serve yet (404/501).
#include <gtest/gtest.h>

#include <filesystem>

#include "integration/hub_cli_fixture.h"
#include "mhub/base/json.h"

namespace {

namespace fs = std::filesystem;
using mhub::testing::HubCliTest;
using mhub::testing::Lines;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::WriteFileOrDie;

class UrlsCliTest : public HubCliTest {
 protected:
  // The HTTP status of GET `url`, with the token when `with_token`.
  int Status(const std::string& url, bool with_token) {
    std::string auth = with_token ? "-H " + ShellQuote("Authorization: Bearer " + server_.token()) + " " : "";
    auto r = RunCommand("curl -s -o /dev/null -w '%{http_code}' " + auth + ShellQuote(url));
    return r.out.empty() ? -1 : std::stoi(r.out);
  }
  // The last line `mhub ARGS` printed on stdout (the URL), after checking it succeeded.
  std::string PrintedUrl(const std::string& args) {
    auto r = Mhub(args);
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
    auto lines = Lines(r.out);
    EXPECT_FALSE(lines.empty()) << args;
    return lines.empty() ? "" : lines.back();
  }
  // The printed URL opens: 200 for its readers; a private one is closed to anonymous callers.
  void ExpectOpens(const std::string& url, bool is_private, const std::string& context) {
    ASSERT_EQ(url.rfind(server_.url(), 0), 0u) << context << ": the URL is on the endpoint: " << url;
    EXPECT_EQ(Status(url, /*with_token=*/is_private), 200) << context << ": " << url;
    if (is_private) {
      EXPECT_NE(Status(url, false), 200) << context << ": private, yet open anonymously: " << url;
    }
  }
};

TEST_F(UrlsCliTest, RepoCreateAndUploadPrintUrlsThatOpen) {
  const std::string folder = work_ / "folder";
  fs::create_directories(folder + "/sub dir");
  WriteFileOrDie(folder + "/config.json", "{\"a\": 1}\n");
  WriteFileOrDie(folder + "/sub dir/notes 1.txt", "notes\n");
  WriteFileOrDie(folder + "/weights.safetensors", std::string(4096, 'w'));  // LFS by extension
  const std::string file = work_ / "a file.txt";
  WriteFileOrDie(file, "one file\n");

  struct Repo {
    std::string id, type;
    bool is_private;
  };
  const std::vector<Repo> repos = {{"bob/public-model", "model", false},
                                   {"bob/private-model", "model", true},
                                   {"bobs-org/public-data", "dataset", false},
                                   {"bob/private-data", "dataset", true}};
  for (const auto& repo : repos) {
    const std::string ctx = repo.id + " (" + repo.type + ")";
    const std::string flags = " --type " + repo.type + (repo.is_private ? " --private" : "");
    ExpectOpens(PrintedUrl("repo create " + repo.id + flags), repo.is_private, ctx + " repo create");
    auto json = Mhub("repo create " + repo.id + flags + " --exist-ok --json");
    ASSERT_EQ(json.exit_code, 0) << json.err;
    ExpectOpens((*mhub::ParseJson(json.out))["url"], repo.is_private, ctx + " repo create --json");

    // A folder at the root, into a folder whose name needs escaping, a single file, a new branch.
    const std::string type = " --type " + repo.type;
    ExpectOpens(PrintedUrl("upload " + repo.id + " " + ShellQuote(folder) + type), repo.is_private,
                ctx + " upload folder");
    ExpectOpens(PrintedUrl("upload " + repo.id + " " + ShellQuote(folder) + " 'in here/'" + type), repo.is_private,
                ctx + " upload folder into a folder");
    ExpectOpens(PrintedUrl("upload " + repo.id + " " + ShellQuote(file) + " 'docs/'" + type), repo.is_private,
                ctx + " upload file");
    ExpectOpens(PrintedUrl("upload " + repo.id + " " + ShellQuote(file) + type + " --revision dev"), repo.is_private,
                ctx + " upload to a new branch");
    // Nothing changed: no commit, and the URL printed still opens.
    ExpectOpens(PrintedUrl("upload " + repo.id + " " + ShellQuote(folder) + type), repo.is_private,
                ctx + " upload of nothing new");
    auto up_json = Mhub("upload " + repo.id + " " + ShellQuote(file) + " x.txt --json" + type);
    ASSERT_EQ(up_json.exit_code, 0) << up_json.err;
    ExpectOpens((*mhub::ParseJson(up_json.out))["url"], repo.is_private, ctx + " upload --json");
  }
  // The file URL is the file: its bytes come back.
  const std::string url = PrintedUrl("upload bob/public-model " + ShellQuote(file) + " 'docs/b c.txt'");
  EXPECT_EQ(RunCommand("curl -sf " + ShellQuote(url)).out, "one file\n") << url;
}

}  // namespace
