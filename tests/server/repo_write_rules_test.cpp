// What a commit or a push may write (issue 20, findings 3 and 7): git's fsck rules (names git
// treats as .git on HFS+/NTFS, .gitmodules whose url/path is a command-line option, "..", empty
// names) and the cap on regular (non-LFS) files, through the commit API (400 naming the rule)
// and through a real `git push` against the real server (refused, ref unchanged). Oracles: git
// itself (`git fsck --strict` on the server's repo, `git ls-remote`, the push's own output).
#include <gtest/gtest.h>

#include <cstdlib>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

constexpr uint64_t kCap = 100000;  // MHUB_MAX_REGULAR_FILE_SIZE for these tests

class RepoWriteRulesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ::setenv("MHUB_MAX_REGULAR_FILE_SIZE", std::to_string(kCap).c_str(), 1); }
  static void TearDownTestSuite() { ::unsetenv("MHUB_MAX_REGULAR_FILE_SIZE"); }

  void SetUp() override {
    token_ = hub_.CreateUser("alice");
    auth_ = "Authorization: Bearer " + token_;
    CurlReply r = Curl("POST", hub_.url() + "/api/repos/create", {auth_, "Content-Type: application/json"},
                       DumpJson(Json{{"name", "r"}}));
    ASSERT_EQ(r.status, 200) << r.body;
    host_ = "127.0.0.1:" + hub_.url().substr(hub_.url().rfind(':') + 1);
  }

  std::string RepoDir() const { return hub_.data_dir() + "/repos/models/alice/r.git"; }
  std::string Head() {
    CommandResult r = RunCommand("git --git-dir=" + ShellQuote(RepoDir()) + " rev-parse refs/heads/main");
    return r.out.substr(0, 40);
  }
  // `git fsck --strict` on the server's repo: nothing bad ever landed.
  void ExpectRepoFsckClean() {
    CommandResult r = RunCommand("git --git-dir=" + ShellQuote(RepoDir()) + " fsck --strict --no-dangling 2>&1");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  CurlReply Commit(const std::vector<Json>& ops) {
    std::string body = DumpJson(Json{{"key", "header"}, {"value", {{"summary", "test"}}}}) + "\n";
    for (const Json& op : ops) body += DumpJson(op) + "\n";
    return Curl("POST", hub_.url() + "/api/models/alice/r/commit/main", {auth_, "Content-Type: application/x-ndjson"},
                body);
  }
  static Json FileOp(const std::string& path, const std::string& content) {
    return Json{{"key", "file"}, {"value", {{"path", path}, {"content", Base64(content)}, {"encoding", "base64"}}}};
  }

  void UploadLfs(const std::string& content) {
    const std::string oid = Sha256OfString(content);
    Json batch{{"operation", "upload"},
               {"transfers", {"basic"}},
               {"objects", {{{"oid", oid}, {"size", content.size()}}}},
               {"hash_algo", "sha256"}};
    CurlReply r = Curl("POST", hub_.url() + "/alice/r.git/info/lfs/objects/batch",
                       {auth_, "Accept: application/vnd.git-lfs+json", "Content-Type: application/vnd.git-lfs+json"},
                       DumpJson(batch));
    ASSERT_EQ(r.status, 200) << r.body;
    const Json answer = ParseOrDie(r.body);
    const Json& object = answer["objects"][0];
    ASSERT_TRUE(object.contains("actions")) << r.body;
    CurlReply put =
        Curl("PUT", object["actions"]["upload"]["href"], {"Content-Type: application/octet-stream"}, content, true);
    ASSERT_EQ(put.status, 200) << put.body;
    if (object["actions"].contains("verify")) {
      CurlReply v =
          Curl("POST", object["actions"]["verify"]["href"], {auth_, "Content-Type: application/vnd.git-lfs+json"},
               DumpJson(Json{{"oid", oid}, {"size", content.size()}}));
      ASSERT_EQ(v.status, 200) << v.body;
    }
  }

  // A shell snippet in a private HOME with a clone of the repo at w/.
  CommandResult Sh(const std::string& script) {
    const std::string env = "export HOME=" + ShellQuote(home_.path()) +
                            " GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false"
                            " GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=a@x GIT_COMMITTER_NAME=Alice"
                            " GIT_COMMITTER_EMAIL=a@x; cd " +
                            ShellQuote(work_.path()) + " && ";
    return RunCommand(env + script);
  }
  void Clone() {
    ASSERT_EQ(Sh("git lfs install --skip-repo >/dev/null").exit_code, 0);
    const std::string url = "http://alice:" + token_ + "@" + host_ + "/alice/r.git";
    CommandResult c = Sh("git clone -q " + ShellQuote(url) + " w 2>&1");
    ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  }
  std::string RemoteHead() { return Sh("cd w && git ls-remote origin refs/heads/main").out.substr(0, 40); }

  // Writes a tree object from raw entries (git's binary tree format; `entries` must be in git's
  // order) with `git hash-object --literally`, so names git itself would never write can be made.
  std::string LiteralTree(const std::vector<std::tuple<std::string, std::string, std::string>>& entries) {
    std::string raw;
    for (const auto& [mode, name, hex] : entries) {
      raw += mode + " " + name + '\0';
      for (size_t i = 0; i < 40; i += 2) raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
    WriteFileOrDie(work_ / "tree.raw", raw);
    CommandResult r = Sh("cd w && git hash-object -t tree --literally -w ../tree.raw");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, 40);
  }
  std::string Blob(const std::string& content) {
    WriteFileOrDie(work_ / "blob", content);
    return Sh("cd w && git hash-object -w ../blob").out.substr(0, 40);
  }
  // Pushes a commit (parent: the clone's HEAD) whose tree is `tree`; returns git push's result.
  CommandResult PushTree(const std::string& tree) {
    return Sh("cd w && c=$(git commit-tree " + tree + " -p HEAD -m bad) && git push origin $c:refs/heads/main 2>&1");
  }

  InProcessHub hub_;
  TempDir home_, work_;
  std::string token_, auth_, host_;
};

struct BadPath {
  std::string path;
  std::string rule;  // what the error must name
};

TEST_F(RepoWriteRulesTest, CommitApiRefusesPathsGitFsckRefuses) {
  const std::string before = Head();
  const std::vector<BadPath> cases = {
      {".git\xe2\x80\x8c/config", "hasDotgit"},  // .git + U+200C (HFS+ ignores it)
      {".GIT/config", "hasDotgit"},
      {"git~1/config", "hasDotgit"},  // NTFS 8.3 short name
      {".git /config", "hasDotgit"},  // NTFS drops trailing spaces and dots
      {".git./config", "hasDotgit"},
      {"sub/.Git::$INDEX_ALLOCATION/x", "hasDotgit"},
      {"../escape", "hasDotdot"},
      {"a/../b", "hasDotdot"},
      {"a/./b", "hasDot"},
      {"a//b", "emptyName"},
      {"a/", "emptyName"},
      {std::string("nul\0byte", 8), "control character"},
      {"ctrl\x01name", "control character"},
      {"new\nline", "control character"},
  };
  for (const BadPath& c : cases) {
    SCOPED_TRACE(c.path);
    CurlReply r = Commit({FileOp(c.path, "x")});
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find(c.rule), std::string::npos) << r.body;
    EXPECT_FALSE(r.Header("x-error-message").empty());
  }
  // .gitmodules whose submodule url or path is a command-line option (CVE-2018-17456 style).
  const std::vector<std::pair<std::string, std::string>> modules = {
      {"[submodule \"x\"]\n\tpath = x\n\turl = --upload-pack=touch /tmp/pwned\n", "gitmodulesUrl"},
      {"[submodule \"x\"]\n\tpath = -x\n\turl = https://example.com/x.git\n", "gitmodulesPath"},
      {"[submodule \"../../x\"]\n\tpath = x\n\turl = ./x\n", "gitmodulesName"},
      {"[submodule \"x\"]\n\tupdate = !sh -c evil\n", "gitmodulesUpdate"},
  };
  for (const auto& [content, rule] : modules) {
    for (const std::string name : {".gitmodules", "sub/.GITMODULES", "gitmod~1"}) {
      SCOPED_TRACE(name + ": " + content);
      CurlReply r = Commit({FileOp(name, content)});
      EXPECT_EQ(r.status, 400) << r.body;
      EXPECT_NE(r.body.find(rule), std::string::npos) << r.body;
    }
  }
  // Also as an LFS pointer's path.
  CurlReply lfs = Commit(
      {Json{{"key", "lfsFile"}, {"value", {{"path", "git~1/w.bin"}, {"oid", std::string(64, 'a')}, {"size", 1}}}}});
  EXPECT_EQ(lfs.status, 400) << lfs.body;
  EXPECT_EQ(Head(), before);

  // Near misses are fine, and everything accepted passes git fsck --strict.
  CurlReply ok = Commit({FileOp(".gitx/a", "1"), FileOp("a..b/c", "2"), FileOp("git~2/d", "3"),
                         FileOp(".gitmodules", "[submodule \"x\"]\n\tpath = x\n\turl = https://example.com/x.git\n")});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(Head(), before);
  ExpectRepoFsckClean();
  // Deleting keeps working for any existing name (only writes are checked).
  EXPECT_EQ(Commit({Json{{"key", "deletedFile"}, {"value", {{"path", "git~2/d"}}}}}).status, 200);
}

TEST_F(RepoWriteRulesTest, CommitApiCapsRegularFilesAndAsksForLfs) {
  std::string big(kCap + 50000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 11);
  const std::string before = Head();
  CurlReply r = Commit({FileOp("big.dat", big)});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("LFS"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("big.dat"), std::string::npos) << r.body;
  EXPECT_EQ(Head(), before);
  // Exactly at the cap is fine.
  EXPECT_EQ(Commit({FileOp("edge.dat", big.substr(0, kCap))}).status, 200);
  // The same file as LFS goes through.
  UploadLfs(big);
  CurlReply lfs = Commit(
      {Json{{"key", "lfsFile"}, {"value", {{"path", "big.dat"}, {"oid", Sha256OfString(big)}, {"size", big.size()}}}}});
  EXPECT_EQ(lfs.status, 200) << lfs.body;
  CurlReply get = Curl("GET", hub_.url() + "/alice/r/resolve/main/big.dat");
  EXPECT_EQ(get.status, 200);
  EXPECT_TRUE(get.body == big);
}

TEST_F(RepoWriteRulesTest, PushOfNamesGitFsckRefusesIsRejected) {
  Clone();
  const std::string before = RemoteHead();
  ASSERT_EQ(before.size(), 40u);
  const std::string blob = Blob("x\n");
  const std::string sub = LiteralTree({{"100644", "config", blob}});
  struct Case {
    std::string what;
    std::string tree;
    std::string rule;
  };
  const std::vector<Case> cases = {
      {".git\\u200c/config", LiteralTree({{"40000", ".git\xe2\x80\x8c", sub}}), "hasDotgit"},
      {".GIT/config", LiteralTree({{"40000", ".GIT", sub}}), "hasDotgit"},
      {"git~1/config", LiteralTree({{"40000", "git~1", sub}}), "hasDotgit"},
      {".git /config", LiteralTree({{"40000", ".git ", sub}}), "hasDotgit"},
      {".git./config", LiteralTree({{"40000", ".git.", sub}}), "hasDotgit"},
      {"..", LiteralTree({{"40000", "..", sub}}), "hasDotdot"},
      // git 2.39's own pack-objects will not even send such a tree: refused before the server.
      {"empty name", LiteralTree({{"100644", "", blob}}), "empty filename"},
      {".gitmodules url",
       LiteralTree(
           {{"100644", ".gitmodules", Blob("[submodule \"x\"]\n\tpath = x\n\turl = --upload-pack=touch /tmp/x\n")}}),
       "gitmodulesUrl"},
      {".gitmodules path",
       LiteralTree(
           {{"100644", ".gitmodules", Blob("[submodule \"x\"]\n\tpath = -x\n\turl = https://example.com/x\n")}}),
       "gitmodulesPath"},
      // git accepts control characters in names; the hub's own check refuses them.
      {"control character", LiteralTree({{"100644", "a\x01z", blob}}), "control character"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    CommandResult push = PushTree(c.tree);
    EXPECT_NE(push.exit_code, 0) << push.out;
    EXPECT_NE(push.out.find(c.rule), std::string::npos) << push.out;
    EXPECT_TRUE(push.out.find("rejected") != std::string::npos || c.what == "empty name") << push.out;
    EXPECT_EQ(RemoteHead(), before);
  }
  ExpectRepoFsckClean();
  // A fine push still works.
  const std::string good = LiteralTree({{"100644", "fine.txt", blob}});
  CommandResult push = PushTree(good);
  EXPECT_EQ(push.exit_code, 0) << push.out;
  EXPECT_NE(RemoteHead(), before);
}

TEST_F(RepoWriteRulesTest, PushOfLargeRegularFileAsksForLfs) {
  Clone();
  const std::string before = RemoteHead();
  std::string big(kCap + 50000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 11);
  WriteFileOrDie(work_ / "w/big.dat", big);
  CommandResult push = Sh("cd w && git add big.dat && git commit -qm big && git push origin main 2>&1");
  EXPECT_NE(push.exit_code, 0) << push.out;
  EXPECT_NE(push.out.find("big.dat"), std::string::npos) << push.out;
  EXPECT_NE(push.out.find("Git LFS"), std::string::npos) << push.out;
  EXPECT_NE(push.out.find("pre-receive hook declined"), std::string::npos) << push.out;
  EXPECT_EQ(RemoteHead(), before);
  // The same file tracked with git-lfs goes through; the server serves the content.
  CommandResult lfs =
      Sh("cd w && git reset -q --soft HEAD~1 && git rm -q --cached big.dat && git lfs track '*.dat' >/dev/null && "
         "git add .gitattributes big.dat && git commit -qm 'big via lfs' && git push origin main 2>&1");
  EXPECT_EQ(lfs.exit_code, 0) << lfs.out;
  EXPECT_NE(RemoteHead(), before);
  CurlReply get = Curl("GET", hub_.url() + "/alice/r/resolve/main/big.dat", {auth_});
  EXPECT_EQ(get.status, 200);
  EXPECT_TRUE(get.body == big);
  ExpectRepoFsckClean();
}

}  // namespace
}  // namespace mhub::testing
