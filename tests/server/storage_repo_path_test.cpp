// Repo ids, repo types, the file-path normalizer and ref-name rules. git is the outside check:
// every path we accept must be a path git itself accepts in an index, every ref name we accept
// must pass `git check-ref-format`.
#include "mhub/server/repo_path.h"

#include <gtest/gtest.h>

#include "mhub/server/iso_time.h"
#include "mhub/server/repo_errors.h"
#include "support/test_support.h"

namespace mhub::server {
namespace {

using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;

TEST(RepoTypeTest, NamesRoundTrip) {
  for (RepoType t : {RepoType::kModel, RepoType::kDataset, RepoType::kSpace}) {
    EXPECT_EQ(*ParseRepoType(RepoTypeName(t)), t);
    EXPECT_EQ(*ParseRepoType(RepoTypePlural(t)), t);
  }
  EXPECT_EQ(RepoTypeUrlPrefix(RepoType::kModel), "");
  EXPECT_EQ(RepoTypeUrlPrefix(RepoType::kDataset), "datasets/");
  EXPECT_EQ(RepoTypeUrlPrefix(RepoType::kSpace), "spaces/");
  EXPECT_FALSE(ParseRepoType("").ok());
  EXPECT_FALSE(ParseRepoType("kernel").ok());
}

TEST(RepoIdTest, AcceptsHubStyleIds) {
  for (const char* id : {"alice/my-model", "Org_1/bert.base", "a/b", "x9/model_v2.1", "_x/_y"}) {
    auto r = ParseRepoId(id);
    ASSERT_TRUE(r.ok()) << id << ": " << r.status();
    EXPECT_EQ(r->ToString(), id);
  }
}

TEST(RepoIdTest, RefusesWhatHuggingfaceHubRefuses) {
  for (const char* id : {"", "alice", "a/b/c", "/b", "a/", "al ice/x", "a/b--c", "a/b..c", "a/x.git", "-a/b", "a/b-",
                         "a/.b", "a/b.", "a/\xc3\xa9", "a/b\\c"}) {
    EXPECT_FALSE(ParseRepoId(id).ok()) << id;
  }
  EXPECT_TRUE(ValidateRepoIdPart(std::string(96, 'a'), "name").ok());
  EXPECT_FALSE(ValidateRepoIdPart(std::string(97, 'a'), "name").ok());
  RepoKey key{RepoType::kDataset, RepoId{"org", "data"}};
  EXPECT_EQ(key.ToString(), "datasets/org/data");
}

TEST(NormalizeRepoFilePathTest, CollapsesHarmlessSpellings) {
  EXPECT_EQ(*NormalizeRepoFilePath("a/b.txt"), "a/b.txt");
  EXPECT_EQ(*NormalizeRepoFilePath("./a//b.txt"), "a/b.txt");
  EXPECT_EQ(*NormalizeRepoFilePath("a/./b"), "a/b");
  EXPECT_EQ(*NormalizeRepoFilePath("dir with space/\xc3\xa9t\xc3\xa9.md"), "dir with space/\xc3\xa9t\xc3\xa9.md");
  EXPECT_EQ(*NormalizeRepoFilePath(".gitattributes"), ".gitattributes");
  EXPECT_EQ(*NormalizeRepoFilePath("a/.github/x"), "a/.github/x");
  EXPECT_EQ(*NormalizeRepoFolderPath(""), "");
  EXPECT_EQ(*NormalizeRepoFolderPath("/"), "");
  EXPECT_EQ(*NormalizeRepoFolderPath("."), "");
  EXPECT_EQ(*NormalizeRepoFolderPath("sub/dir/"), "sub/dir");
}

TEST(NormalizeRepoFilePathTest, RefusesEscapesAndOddities) {
  const std::string nul("a\0b", 3);
  for (const std::string& p :
       {std::string(""), std::string("."), std::string("/etc/passwd"), std::string("../x"), std::string("a/../../x"),
        std::string("a/.."), std::string(".git/config"), std::string("a/.GIT/hooks"), std::string("a\\b"), nul,
        std::string("a/b/"), std::string("a\nb"), std::string("\xff\xfe"), std::string("\xc0\xaf"),
        std::string(5000, 'a'), std::string(300, 'b') + "/c"}) {
    EXPECT_FALSE(NormalizeRepoFilePath(p).ok()) << p;
  }
  EXPECT_FALSE(NormalizeRepoFolderPath("../x").ok());
  EXPECT_FALSE(NormalizeRepoFolderPath("a/.git").ok());
}

// git's own verify_path: whatever we accept must be storable in a git index as-is, and
// normalizing is idempotent.
TEST(NormalizeRepoFilePathTest, AcceptedPathsAreValidGitPaths) {
  TempDir dir;
  ASSERT_EQ(RunCommand("git init -q " + ShellQuote(dir / "r")).exit_code, 0);
  const std::string blob = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";  // the empty blob
  for (const char* p : {"a.txt", "./x/y.bin", "deep/a/b/c/d.json", "sp ace/f", "\xe6\x97\xa5\xe6\x9c\xac.txt",
                        ".hidden", "a..b", "...", "x/.gitignore", "dir//file"}) {
    auto n = NormalizeRepoFilePath(p);
    ASSERT_TRUE(n.ok()) << p;
    EXPECT_EQ(*NormalizeRepoFilePath(*n), *n);
    auto r = RunCommand("git -C " + ShellQuote(dir / "r") + " update-index --add --cacheinfo 100644," + blob + "," +
                        ShellQuote(*n));
    EXPECT_EQ(r.exit_code, 0) << *n << ": " << r.err;
  }
  // And git refuses the escapes we refuse.
  for (const char* p : {"../x", ".git/config", "a/../b"}) {
    EXPECT_FALSE(NormalizeRepoFilePath(p).ok());
    auto r = RunCommand("git -C " + ShellQuote(dir / "r") + " update-index --add --cacheinfo 100644," + blob + "," +
                        ShellQuote(p));
    EXPECT_NE(r.exit_code, 0) << p;
  }
}

TEST(ValidateRefNameTest, AgreesWithGitCheckRefFormat) {
  const char* names[] = {"main",       "dev",       "feature/x", "v1.0",      "release-2024", "a/b/c",
                         "with space", "a..b",      "a~1",       "a^",        "a:b",          "a?",
                         "a*",         "a[",        "a\\b",      "x.lock",    "a/.hidden",    "-dash",
                         "trailing/",  "trailing.", "@{x",       "refs/pr/5", "HEAD",         "\xc3\xa9t\xc3\xa9"};
  for (const char* name : names) {
    const bool ours = ValidateRefName(name).ok();
    const bool git = RunCommand("git check-ref-format " + ShellQuote(std::string("refs/heads/") + name)).exit_code == 0;
    if (ours) {
      EXPECT_TRUE(git) << name << " accepted by us but not by git";
    }
    if (std::string(name).rfind("refs/", 0) != 0 && std::string(name) != "HEAD" && std::string(name) != "-dash") {
      EXPECT_EQ(ours, git) << name;
    }
  }
  EXPECT_FALSE(ValidateRefName("refs/pr/5").ok());
  EXPECT_FALSE(ValidateRefName("").ok());
}

TEST(RepoErrorsTest, TagsSurviveContext) {
  Status st = RevisionNotFoundError("revision 'x' not found").WithContext("while resolving");
  EXPECT_EQ(NotFoundKindOf(st), NotFoundKind::kRevision);
  EXPECT_EQ(NotFoundKindName(NotFoundKindOf(st)), "RevisionNotFound");
  EXPECT_EQ(NotFoundKindOf(RepoNotFoundError("x")), NotFoundKind::kRepo);
  EXPECT_EQ(NotFoundKindOf(EntryNotFoundError("x")), NotFoundKind::kEntry);
  EXPECT_EQ(NotFoundKindOf(Status::NotFound("no such user")), NotFoundKind::kOther);
  EXPECT_EQ(NotFoundKindOf(Status::InvalidArgument("RepoNotFound: x")), NotFoundKind::kNone);
  EXPECT_EQ(NotFoundKindOf(Status::OK()), NotFoundKind::kNone);
}

TEST(IsoTimeTest, MatchesGnuDate) {
  for (int64_t ms : {int64_t{0}, int64_t{1714564800123}, int64_t{951782400999}}) {
    auto r = RunCommand("date -u -d @" + std::to_string(ms / 1000) + " +%Y-%m-%dT%H:%M:%S");
    ASSERT_EQ(r.exit_code, 0);
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms % 1000));
    EXPECT_EQ(FormatIsoMillis(ms), r.out.substr(0, r.out.find('\n')) + frac);
  }
  EXPECT_GT(NowMillis(), int64_t{1700000000000});
}

}  // namespace
}  // namespace mhub::server
