// Debian git + git-lfs against the hub end to end: clone over smart HTTP, commit a regular and
// an LFS file, push with a token as the Basic-auth password, then see the commit through the API,
// download the LFS file over /resolve and clone it back with git-lfs. Oracles: git itself
// (rev-parse, the files it checks out) and sha256sum.
#include <gtest/gtest.h>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

class GitLfsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    token_ = hub_.CreateUser("alice");
    read_token_ = hub_.CreateToken("alice", "read");
    std::string port = hub_.url().substr(hub_.url().rfind(':') + 1);
    host_ = "127.0.0.1:" + port;
    CurlReply r = Curl("POST", hub_.url() + "/api/repos/create",
                       {"Authorization: Bearer " + token_, "Content-Type: application/json"},
                       DumpJson(Json{{"name", "gitrepo"}}));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // Runs a shell snippet with a private HOME and no prompts; returns the result.
  CommandResult Sh(const std::string& script) {
    std::string env = "export HOME=" + ShellQuote(home_.path()) +
                      " GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false"
                      " GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=a@x GIT_COMMITTER_NAME=Alice GIT_COMMITTER_EMAIL=a@x;"
                      " cd " +
                      ShellQuote(work_.path()) + " && ";
    return RunCommand(env + script);
  }

  std::string RepoUrl(const std::string& user, const std::string& password) {
    return "http://" + (user.empty() ? "" : user + ":" + password + "@") + host_ + "/alice/gitrepo.git";
  }

  InProcessHub hub_;
  TempDir home_, work_;
  std::string token_, read_token_, host_;
};

TEST_F(GitLfsE2eTest, CloneCommitPushAndReadBack) {
  ASSERT_EQ(Sh("git lfs install --skip-repo >/dev/null").exit_code, 0);  // into the private HOME
  CommandResult clone = Sh("git clone -q " + ShellQuote(RepoUrl("alice", token_)) + " w 2>&1");
  ASSERT_EQ(clone.exit_code, 0) << clone.out << clone.err;
  // The repo the hub created already tracks *.bin with LFS.
  CommandResult attrs = Sh("cat w/.gitattributes");
  ASSERT_NE(attrs.out.find("*.bin filter=lfs"), std::string::npos) << attrs.out;

  std::string weights(200000, '\0');
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<char>((i * 2654435761u) >> 13);
  WriteFileOrDie(work_ / "w/weights.bin", weights);
  WriteFileOrDie(work_ / "w/README.md", "---\nlicense: apache-2.0\ntags:\n- pushed-by-git\n---\n# via git\n");
  CommandResult push =
      Sh("cd w && git add weights.bin README.md && git commit -qm 'add weights' && "
         "git push -q origin main 2>&1");
  ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
  std::string head = Sh("cd w && git rev-parse HEAD").out.substr(0, 40);
  // git stored a pointer, git-lfs uploaded the object through the batch API.
  CommandResult pointer = Sh("cd w && git cat-file -p HEAD:weights.bin");
  std::string oid = Sha256OfString(weights);
  ASSERT_NE(pointer.out.find("oid sha256:" + oid), std::string::npos) << pointer.out;

  // The API follows the push: sha, card data from README front matter.
  CurlReply info = Curl("GET", hub_.url() + "/api/models/alice/gitrepo");
  ASSERT_EQ(info.status, 200);
  Json ij = *ParseJson(info.body);
  EXPECT_EQ(ij["sha"], head);
  EXPECT_EQ(ij["cardData"]["license"], "apache-2.0") << info.body;
  CurlReply commits = Curl("GET", hub_.url() + "/api/models/alice/gitrepo/commits/main");
  EXPECT_EQ((*ParseJson(commits.body))[0]["title"], "add weights");
  // The LFS file downloads with its sha256 as ETag.
  CurlReply get = Curl("GET", hub_.url() + "/alice/gitrepo/resolve/main/weights.bin");
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.Header("x-linked-etag"), "\"" + oid + "\"");
  EXPECT_TRUE(get.body == weights);

  // A fresh clone smudges the LFS file back to the same bytes.
  CommandResult clone2 =
      Sh("git clone -q " + ShellQuote(RepoUrl("alice", token_)) + " w2 2>&1 && sha256sum w2/weights.bin");
  ASSERT_EQ(clone2.exit_code, 0) << clone2.out << clone2.err;
  EXPECT_EQ(clone2.out.substr(0, 64), oid) << clone2.out;
  // Anonymous clone of a public repo works too (read access).
  CommandResult anon = Sh("GIT_LFS_SKIP_SMUDGE=1 git clone -q " + ShellQuote(RepoUrl("", "")) + " w3 2>&1");
  EXPECT_EQ(anon.exit_code, 0) << anon.out;
}

TEST_F(GitLfsE2eTest, PushNeedsAWriteToken) {
  ASSERT_EQ(Sh("git clone -q " + ShellQuote(RepoUrl("alice", token_)) + " w 2>&1").exit_code, 0);
  std::string before =
      Sh("git --git-dir=" + ShellQuote(hub_.data_dir() + "/repos/models/alice/gitrepo.git") + " rev-parse main").out;
  WriteFileOrDie(work_ / "w/a.txt", "a\n");
  ASSERT_EQ(Sh("cd w && git add a.txt && git commit -qm a").exit_code, 0);
  // Anonymous: the server challenges (401) and git, with no credentials, gives up.
  CommandResult anon = Sh("cd w && git push -q " + ShellQuote(RepoUrl("", "")) + " main 2>&1");
  EXPECT_NE(anon.exit_code, 0);
  // git only asks for a user name after a 401 challenge.
  EXPECT_NE(anon.out.find("could not read Username"), std::string::npos) << anon.out;
  // A read token and a wrong token are refused.
  CommandResult read = Sh("cd w && git push -q " + ShellQuote(RepoUrl("alice", read_token_)) + " main 2>&1");
  EXPECT_NE(read.exit_code, 0) << read.out;
  CommandResult wrong = Sh("cd w && git push -q " + ShellQuote(RepoUrl("alice", "hf_wrong")) + " main 2>&1");
  EXPECT_NE(wrong.exit_code, 0) << wrong.out;
  std::string after =
      Sh("git --git-dir=" + ShellQuote(hub_.data_dir() + "/repos/models/alice/gitrepo.git") + " rev-parse main").out;
  EXPECT_EQ(before, after);
  // Another user's write token cannot push to alice's repo.
  std::string bob = hub_.CreateUser("bob");
  CommandResult other = Sh("cd w && git push -q " + ShellQuote(RepoUrl("bob", bob)) + " main 2>&1");
  EXPECT_NE(other.exit_code, 0) << other.out;
}

}  // namespace
}  // namespace mhub::testing
