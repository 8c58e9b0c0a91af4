// .gitattributes / .gitignore matching, checked against git itself: `git check-attr filter` and
// `git check-ignore` in a work tree holding the same files.
#include "mhub/server/git_patterns.h"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <vector>

#include "support/test_support.h"

namespace mhub::server {
namespace {

using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;
using mhub::testing::WriteFileOrDie;

const std::vector<std::string> kPaths = {"model.safetensors",
                                         "sub/model.safetensors",
                                         "a.bin",
                                         "x/y/z.bin",
                                         "README.md",
                                         "config.json",
                                         "saved_model/variables/v.data",
                                         "saved_model/x",
                                         "other/saved_model/x/y",
                                         "logs/events.out.tfevents.1",
                                         "data.tar.gz",
                                         "data.tar",
                                         "t.lfs.x",
                                         "foo",
                                         "sub/foo",
                                         "foo/bar",
                                         "deep/a/b/c.txt",
                                         "a b.txt",
                                         "dir/a b.txt",
                                         "build/out.o",
                                         "src/build/out.o",
                                         "notes.TXT",
                                         "x.pt",
                                         "y.pth",
                                         "w.gguf",
                                         "#hash",
                                         "a[1].bin",
                                         "q?.md",
                                         "star*.md",
                                         "doc/readme.md",
                                         "doc/sub/readme.md",
                                         "file.log",
                                         "keep.log"};

std::vector<std::string> GitLines(const std::string& cmd) {
  auto r = RunCommand(cmd);
  EXPECT_EQ(r.exit_code == 0 || r.exit_code == 1, true) << cmd << ": " << r.err;
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// git check-attr filter for each path: true when it says "lfs".
std::vector<bool> GitLfs(const TempDir& dir, const std::string& attributes) {
  WriteFileOrDie(dir / "w/.gitattributes", attributes);
  std::string input;
  for (const auto& p : kPaths) input += p + '\n';
  WriteFileOrDie(dir / "paths", input);
  auto lines =
      GitLines("cd " + ShellQuote(dir / "w") + " && git check-attr --stdin filter < " + ShellQuote(dir / "paths"));
  std::vector<bool> out;
  for (const auto& l : lines) out.push_back(l.size() > 5 && l.substr(l.size() - 5) == ": lfs");
  return out;
}

class GitPatternsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(RunCommand("git init -q " + ShellQuote(dir_ / "w")).exit_code, 0); }
  TempDir dir_;
};

TEST_F(GitPatternsTest, DefaultAttributesMatchGitCheckAttr) {
  for (bool dataset : {false, true}) {
    const std::string text = DefaultGitAttributes(dataset);
    const GitAttributes attrs(text);
    const auto git = GitLfs(dir_, text);
    ASSERT_EQ(git.size(), kPaths.size());
    for (size_t i = 0; i < kPaths.size(); ++i) EXPECT_EQ(attrs.IsLfs(kPaths[i]), git[i]) << kPaths[i];
  }
  EXPECT_TRUE(GitAttributes(DefaultGitAttributes(false)).IsLfs("model.safetensors"));
  EXPECT_FALSE(GitAttributes(DefaultGitAttributes(false)).IsLfs("config.json"));
}

TEST_F(GitPatternsTest, HandWrittenAttributesMatchGitCheckAttr) {
  const std::string text =
      "# comment\n"
      "*.md filter=lfs\n"
      "doc/*.md -filter\n"
      "/foo filter=lfs diff=lfs\n"
      "**/bar filter=lfs\n"
      "deep/** filter=lfs\n"
      "deep/a/b/c.txt !filter\n"
      "a[[:space:]]b.txt filter=lfs\n"
      "*.TXT filter=other\n"
      "\\#hash filter=lfs\n"
      "a\\[1\\].bin filter=lfs\n"
      "build/ filter=lfs\n"
      "q\\?.md -filter\n";
  const GitAttributes attrs(text);
  const auto git = GitLfs(dir_, text);
  ASSERT_EQ(git.size(), kPaths.size());
  for (size_t i = 0; i < kPaths.size(); ++i) EXPECT_EQ(attrs.IsLfs(kPaths[i]), git[i]) << kPaths[i];
}

TEST_F(GitPatternsTest, LfsLineTracksExactlyItsPath) {
  for (const std::string& path :
       {std::string("a b.txt"), std::string("dir/a b.txt"), std::string("a[1].bin"), std::string("q?.md"),
        std::string("star*.md"), std::string("#hash"), std::string("foo")}) {
    const std::string text = GitAttributesLfsLine(path) + "\n";
    const GitAttributes attrs(text);
    const auto git = GitLfs(dir_, text);
    for (size_t i = 0; i < kPaths.size(); ++i) {
      EXPECT_EQ(git[i], kPaths[i] == path) << "line for '" << path << "' vs git on '" << kPaths[i] << "'";
      EXPECT_EQ(attrs.IsLfs(kPaths[i]), git[i]) << "line for '" << path << "' on '" << kPaths[i] << "'";
    }
  }
}

TEST_F(GitPatternsTest, GitIgnoreMatchesGitCheckIgnore) {
  const std::string text =
      "*.log\n"
      "!keep.log\n"
      "build/\n"
      "/foo\n"
      "doc/**/readme.md\n"
      "# comment\n"
      "saved_model/\n"
      "!saved_model/x\n"
      "\\#hash\n"
      "star\\*.md\n";
  WriteFileOrDie(dir_ / "w/.gitignore", text);
  std::string input;
  for (const auto& p : kPaths) input += p + '\n';
  WriteFileOrDie(dir_ / "paths", input);
  // --no-index: judge paths without needing the files; -v -n lists every path with its verdict.
  auto lines = GitLines("cd " + ShellQuote(dir_ / "w") + " && git check-ignore --no-index -v -n --stdin < " +
                        ShellQuote(dir_ / "paths"));
  ASSERT_EQ(lines.size(), kPaths.size());
  const GitIgnore ignore(text);
  for (size_t i = 0; i < kPaths.size(); ++i) {
    // "source:line:pattern<TAB>path"; "::<TAB>path" when nothing matched; a '!' pattern re-includes.
    const std::string& l = lines[i];
    const size_t tab = l.find('\t');
    const std::string info = l.substr(0, tab);
    const size_t second_colon = info.find(':', info.find(':') + 1);
    const std::string pattern = info.substr(second_colon + 1);
    const bool git_ignored = !info.empty() && info != "::" && !pattern.empty() && pattern[0] != '!';
    EXPECT_EQ(ignore.IsIgnored(kPaths[i]), git_ignored) << kPaths[i] << " (git: " << l << ")";
  }
}

// Patterns that make a backtracking wildmatch exponential: several "**/" against a deep path,
// several "*" against a long run without the final letter (the fuzzer found a 297-byte case). A
// repo's .gitattributes is untrusted. At sizes git itself answers at once, the answers are git's;
// at hostile sizes (where git's own wildmatch takes over 20 s: ten "**/" against 60 folders) they
// follow from gitignore(5) ("**/" is zero or more folders) and come at once.
TEST_F(GitPatternsTest, BacktrackingPatternsAreFastAndMatchGit) {
  const std::string text =
      "/**/**/**/**/x/*.bin filter=lfs\n"
      "**/a*a*a*a*a*a*a*a*a*a*a*a*b filter=lfs\n"
      "q/**/q/**/q/**/z filter=lfs\n";
  std::string deep, deep_q;
  for (int i = 0; i < 12; ++i) deep += "a/";
  for (int i = 0; i < 12; ++i) deep_q += "q/";
  const std::vector<std::string> paths = {deep + "y.bin",
                                          deep + "x/w.bin",
                                          deep.substr(0, 10) + "x/w.bin",
                                          std::string(300, 'a'),
                                          std::string(300, 'a') + "b",
                                          deep_q + "y",
                                          deep_q + "z",
                                          "x/w.bin",
                                          "q/z"};
  WriteFileOrDie(dir_ / "w/.gitattributes", text);
  std::string input;
  for (const auto& p : paths) input += p + '\n';
  WriteFileOrDie(dir_ / "paths", input);
  auto lines =
      GitLines("cd " + ShellQuote(dir_ / "w") + " && git check-attr --stdin filter < " + ShellQuote(dir_ / "paths"));
  ASSERT_EQ(lines.size(), paths.size());
  const GitAttributes attrs(text);
  for (size_t i = 0; i < paths.size(); ++i) {
    const bool git = lines[i].size() > 5 && lines[i].substr(lines[i].size() - 5) == ": lfs";
    EXPECT_EQ(attrs.IsLfs(paths[i]), git) << paths[i];
  }

  const GitAttributes hostile(
      "/**/**/**/**/**/**/**/**/**/**/x/*.bin filter=lfs\n"
      "q/**/q/**/q/**/q/**/q/**/q/**/q/**/z filter=lfs\n");
  std::string deeper, deeper_q;
  for (int i = 0; i < 60; ++i) deeper += "a/";
  for (int i = 0; i < 60; ++i) deeper_q += "q/";
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(hostile.IsLfs(deeper + "x/w.bin"));
  EXPECT_FALSE(hostile.IsLfs(deeper + "y.bin"));
  EXPECT_FALSE(hostile.IsLfs(deeper + "x/w.bin/c"));
  EXPECT_TRUE(hostile.IsLfs(deeper_q + "z"));
  EXPECT_FALSE(hostile.IsLfs(deeper_q + "y"));
  // Without remembering failed states: C(60,10) ways to place ten "**/", hours.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
}

TEST(GitPatternMatchesTest, Basics) {
  EXPECT_TRUE(GitPatternMatches("*.bin", "a/b/c.bin"));
  EXPECT_FALSE(GitPatternMatches("a/*.bin", "a/b/c.bin"));
  EXPECT_TRUE(GitPatternMatches("a/**/*.bin", "a/b/c.bin"));
  EXPECT_TRUE(GitPatternMatches("a/**/*.bin", "a/c.bin"));
  EXPECT_TRUE(GitPatternMatches("build/", "x/build", true));
  EXPECT_FALSE(GitPatternMatches("build/", "x/build", false));
  EXPECT_FALSE(GitPatternMatches("[", "a"));
  EXPECT_TRUE(GitPatternMatches("[", "["));
}

}  // namespace
}  // namespace mhub::server
