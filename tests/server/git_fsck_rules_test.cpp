// git's fsck rules as mhub applies them (src/server/storage/git_fsck_rules.h), checked against the
// oracle: real `git fsck --strict` on the same objects. Each case writes a tree (and for
// .gitmodules / .gitattributes cases, the blob) with `git hash-object --literally` into a fresh
// repo, runs fsck, and expects our verdict to equal git's, and our message to name git's rule.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/storage/git_fsck_rules.h"
#include "support/test_support.h"

namespace mhub::testing {
namespace {

struct GitVerdict {
  bool ok = true;
  std::string output;
};

class GitFsckOracle {
 public:
  // A tree holding one entry `name` (mode 100644) for a blob with `content`; git fsck --strict.
  GitVerdict TreeWithEntry(const std::string& name, const std::string& content, const char* mode = "100644") {
    TempDir dir;
    const std::string git = "git -C " + ShellQuote(dir / "r");
    EXPECT_EQ(RunCommand("git init -q --bare " + ShellQuote(dir / "r")).exit_code, 0);
    WriteFileOrDie(dir / "blob", content);
    CommandResult blob = RunCommand(git + " hash-object -w " + ShellQuote(dir / "blob"));
    EXPECT_EQ(blob.exit_code, 0) << blob.err;
    std::string tree = std::string(mode) + " " + name + '\0' + HexToBytes(blob.out.substr(0, 40));
    WriteFileOrDie(dir / "tree", tree);
    CommandResult t = RunCommand(git + " hash-object -t tree --literally -w " + ShellQuote(dir / "tree"));
    EXPECT_EQ(t.exit_code, 0) << t.err;
    CommandResult fsck = RunCommand(git + " fsck --strict --no-dangling 2>&1");
    return GitVerdict{fsck.exit_code == 0, fsck.out + fsck.err};
  }

 private:
  static std::string HexToBytes(const std::string& hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return out;
  }
};

// The rule id inside our message "... (git fsck: hasDotgit)".
std::string RuleOf(const Status& st) {
  const std::string& m = st.message();
  const size_t at = m.rfind("(git fsck: ");
  if (at == std::string::npos) return "";
  return m.substr(at + 11, m.size() - at - 12);
}

TEST(GitFsckRulesTest, TreeEntryNamesAgreeWithGitFsckStrict) {
  const std::vector<std::string> names = {
      "README.md",
      ".git",
      ".GIT",
      ".Git",
      ".gIt",
      ".git ",
      ".git.",
      ".git...",
      ".git . .",
      ".git:stream",
      ".git::$INDEX_ALLOCATION",
      "git~1",
      "GIT~1",
      "Git~1.",
      "git~2",
      "git~1x",
      ".gitx",
      ".git2",
      "git",
      "..",
      ".",
      "...",
      "a..b",
      ".gitmodules",
      ".gitignore",
      "x\\.git",
      "x\\git~1",
      "a\\b",
      ".git\xe2\x80\x8c",              // .git + U+200C ZERO WIDTH NON-JOINER
      "\xe2\x80\x8c.git",              // U+200C + .git
      ".g\xe2\x80\x8di\xe2\x80\x8et",  // U+200D and U+200E inside
      ".git\xef\xbb\xbf",              // .git + U+FEFF
      ".\xe2\x80\xaa\x67it",           // U+202A after the dot
      ".git\xe2\x81\xaf",              // .git + U+206F
      ".gi\xe2\x80\x8bt",              // U+200B is not ignored by HFS+
      "\xc3\xa9.git",
      "a\x01"
      "b",
      "tab\tname",
  };
  GitFsckOracle oracle;
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const Status ours = server::fsck::CheckTreeEntryName(name);
    const GitVerdict git = oracle.TreeWithEntry(name, "x\n");
    EXPECT_EQ(ours.ok(), git.ok) << "ours: " << ours << "\ngit: " << git.output;
    if (!ours.ok() && !git.ok) {
      EXPECT_NE(git.output.find(RuleOf(ours)), std::string::npos) << ours << "\ngit: " << git.output;
    }
  }
  // An empty name: git 2.39 already refuses to parse such a tree (badTree); we say emptyName.
  EXPECT_EQ(RuleOf(server::fsck::CheckTreeEntryName("")), "emptyName");
  const GitVerdict empty = oracle.TreeWithEntry("", "x\n");
  EXPECT_FALSE(empty.ok) << empty.output;
}

TEST(GitFsckRulesTest, GitmodulesAgreeWithGitFsckStrict) {
  const std::vector<std::string> contents = {
      "[submodule \"x\"]\n\tpath = x\n\turl = https://example.com/x.git\n",
      "[submodule \"x\"]\n\tpath = x\n\turl = --upload-pack=touch /tmp/pwned\n",
      "[submodule \"x\"]\n\tpath = -x\n\turl = https://example.com/x.git\n",
      "[submodule \"x\"]\n\tpath = x\n\tURL = -u\n",
      "[submodule \"x\"]\n\turl = \"--quoted\"\n",
      "[submodule.x]\n\turl = -old-syntax\n",
      "[submodule \"../../escape\"]\n\tpath = x\n\turl = ./x\n",
      "[submodule \"a/..\"]\n\turl = ./x\n",
      "[submodule \"a\\\\..\"]\n\turl = ./x\n",
      "[submodule \"a..b\"]\n\turl = ./x\n",
      "[submodule \"\"]\n\turl = ./x\n",
      "[submodule \"x\"]\n\turl = ./sub\n",
      "[submodule \"x\"]\n\turl = ../../example.com/x\n",
      "[submodule \"x\"]\n\turl = ../:x\n",
      "[submodule \"x\"]\n\turl = ..//x\n",
      "[submodule \"x\"]\n\turl = ./%0ax\n",
      "[submodule \"x\"]\n\turl = git://example.com/%0a\n",
      "[submodule \"x\"]\n\turl = https:///example.com/x\n",
      "[submodule \"x\"]\n\turl = http::https://%0aexample.com/x\n",
      "[submodule \"x\"]\n\turl = https://user%0a@example.com/x\n",
      "[submodule \"x\"]\n\turl = https://example.com/a%0ab\n",
      "[submodule \"x\"]\n\turl = ssh://example.com/x\n",
      "[submodule \"x\"]\n\tupdate = !rm -rf /\n",
      "[submodule \"x\"]\n\tupdate = rebase\n",
      "[submodule \"x\"]\n\turl = ok # -comment\n",
      "[submodule \"x\"]\n\turl = \\\n-continued\n",
      "[submodule \"x\"]\n\turl = a\\nb\n",
      "[submodule \"x\"\n\turl = -after-a-parse-error\n",
      "[submodule \"x\"]\n\turl = -before-a-parse-error\n[broken\n",
      "\xef\xbb\xbf[submodule \"x\"]\n\turl = -after-a-bom\n",        // a BOM in a blob is a syntax error to git
      "[submodule \"x\"]\n\turl = ok\xff\n\turl = -after-byte-ff\n",  // 0xFF is EOF to git's blob reader
      "[submodule \"x\"]\n\turl = -before-byte-ff\xff\n",
      "[core]\n\turl = -not-a-submodule\n",
      "[submodule]\n\turl = -no-subsection\n",
      "[submodule \"x\"]\r\n\turl = -crlf\r\n",
      "; comment\n# comment\n[submodule \"x\"] url = -same-line\n",
  };
  GitFsckOracle oracle;
  for (const std::string& content : contents) {
    SCOPED_TRACE(content);
    const Status ours = server::fsck::CheckGitmodules(content);
    const GitVerdict git = oracle.TreeWithEntry(".gitmodules", content);
    EXPECT_EQ(ours.ok(), git.ok) << "ours: " << ours << "\ngit: " << git.output;
    if (!ours.ok() && !git.ok) {
      EXPECT_NE(git.output.find(RuleOf(ours)), std::string::npos) << ours << "\ngit: " << git.output;
    }
  }
}

// git checks the blob behind every spelling it reads as .gitmodules (HFS+ case and ignorables,
// NTFS short names), so we must treat the same names as .gitmodules.
TEST(GitFsckRulesTest, GitmodulesSpellingsAgreeWithGitFsckStrict) {
  const std::string bad = "[submodule \"x\"]\n\turl = --upload-pack=evil\n";
  GitFsckOracle oracle;
  for (const std::string name :
       {".gitmodules", ".GITMODULES", ".gitmodules\xe2\x80\x8c", ".gitmodules ", ".gitmodules.", "gitmod~1", "GITMOD~4",
        "gitmod~5", "gi7eba~1", "gi7eba~9", "gi7eb~1", ".gitmodulesx", "gitmodules", "sub/.gitmodules"}) {
    if (name.find('/') != std::string::npos) continue;  // one tree level per case
    SCOPED_TRACE(name);
    const bool ours = server::fsck::IsGitmodulesName(name);
    const GitVerdict git = oracle.TreeWithEntry(name, bad);
    EXPECT_EQ(ours, !git.ok) << git.output;
  }
}

TEST(GitFsckRulesTest, GitattributesLineLengthAgreesWithGitFsckStrict) {
  GitFsckOracle oracle;
  for (size_t len : {100u, 2047u, 2048u, 5000u}) {
    const std::string content = "*.bin filter=lfs\n" + std::string(len, 'a') + "\n";
    SCOPED_TRACE(len);
    const Status ours = server::fsck::CheckGitattributes(content);
    const GitVerdict git = oracle.TreeWithEntry(".gitattributes", content);
    EXPECT_EQ(ours.ok(), git.ok) << "ours: " << ours << "\ngit: " << git.output;
    if (!ours.ok()) {
      EXPECT_NE(git.output.find(RuleOf(ours)), std::string::npos) << git.output;
    }
  }
}

}  // namespace
}  // namespace mhub::testing
