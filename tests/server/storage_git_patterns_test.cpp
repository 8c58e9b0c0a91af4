// .gitattributes / .gitignore matching, checked against git itself: `git check-attr filter` and
// `git check-ignore` in a work tree holding the same files.
#include "mhub/server/git_patterns.h"

#include <gtest/gtest.h>

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
