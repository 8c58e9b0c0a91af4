// Revision resolution and the pooled libgit2 handles of RepoStore, checked against git itself:
// full 40-hex names resolve the way `git rev-parse` does, and a pooled handle never serves a
// stale view (refs moved and objects repacked by another process, repos deleted, moved and created
// again under the same name, concurrent readers while commits land).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "mhub/server/lfs_store.h"
#include "mhub/server/repo_errors.h"
#include "mhub/server/repo_store.h"
#include "support/test_support.h"

namespace mhub::server {
namespace {

using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

class RepoHandlesTest : public ::testing::Test {
 protected:
  RepoHandlesTest() : lfs_(dir_.path()), store_(dir_.path(), &lfs_) {}

  void SetUp() override {
    ASSERT_TRUE(lfs_.Init().ok());
    ASSERT_TRUE(store_.Init().ok());
    auto c = store_.Create(key_, CommitAuthor{"alice", "alice@example.com"});
    ASSERT_TRUE(c.ok()) << c.status();
  }

  std::string Git(const std::string& args, const RepoKey& key) {
    auto r = RunCommand("git -C " + ShellQuote(store_.RepoDir(key)) + " " + args);
    EXPECT_EQ(r.exit_code, 0) << "git " << args << ": " << r.err;
    return Trim(r.out);
  }

  Result<CommitOutcome> CommitFile(const RepoKey& key, const std::string& path, const std::string& content) {
    CommitRequest req;
    req.operations = {CommitOperation::AddFile(path, content)};
    req.summary = "add " + path;
    req.author = CommitAuthor{"bob", "bob@example.com"};
    return store_.Commit(key, req);
  }

  std::vector<std::string> Paths(const RepoKey& key, const std::string& revision) {
    auto sha = store_.ResolveRevision(key, revision);
    EXPECT_TRUE(sha.ok()) << sha.status();
    if (!sha.ok()) return {};
    // PathsInfo reads git every time (ListTree memoises by sha).
    auto entries = store_.PathsInfo(key, *sha, {".gitattributes", "a.txt", "b.txt", "c.txt"}, false);
    EXPECT_TRUE(entries.ok()) << entries.status();
    std::vector<std::string> out;
    if (entries.ok())
      for (const auto& e : *entries) out.push_back(e.path);
    return out;
  }

  TempDir dir_;
  LfsStore lfs_;
  RepoStore store_;
  RepoKey key_{RepoType::kModel, RepoId{"alice", "handles"}};
};

TEST_F(RepoHandlesTest, FullShaResolvesLikeGitRevParse) {
  auto first = CommitFile(key_, "a.txt", "one");
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = CommitFile(key_, "b.txt", "two");
  ASSERT_TRUE(second.ok()) << second.status();
  const std::string a = first->commit_id, b = second->commit_id;
  ASSERT_EQ(Git("rev-parse " + a, key_), a);

  auto r = store_.ResolveRevision(key_, a);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, a);
  // Upper-case hex names the same commit, for git too.
  std::string upper = a;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  r = store_.ResolveRevision(key_, upper);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, Git("rev-parse " + upper + "^{commit}", key_));

  // A branch whose name is the sha of another commit: git takes the 40-hex name as the object.
  Git("update-ref refs/heads/" + a + " " + b, key_);
  r = store_.ResolveRevision(key_, a);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r,
            Trim(RunCommand("git -C " + ShellQuote(store_.RepoDir(key_)) + " rev-parse " + a + " 2>/dev/null").out));
  EXPECT_EQ(*r, a);

  // A 40-hex name that is no object here but is a branch: the branch.
  const std::string fake(40, 'e');
  Git("update-ref refs/heads/" + fake + " " + b, key_);
  r = store_.ResolveRevision(key_, fake);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, Git("rev-parse refs/heads/" + fake, key_));
  EXPECT_EQ(*r, b);

  // The sha of a tree (an object, not a commit) is not a revision, for git's ^{commit} either.
  const std::string tree = Git("rev-parse " + b + "^{tree}", key_);
  EXPECT_NE(RunCommand("git -C " + ShellQuote(store_.RepoDir(key_)) + " rev-parse --verify -q " + tree + "^{commit}")
                .exit_code,
            0);
  r = store_.ResolveRevision(key_, tree);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE((NotFoundKindOf(r.status()) == NotFoundKind::kRevision)) << r.status();

  // A well-formed sha that names nothing.
  r = store_.ResolveRevision(key_, std::string(40, '0'));
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE((NotFoundKindOf(r.status()) == NotFoundKind::kRevision)) << r.status();
}

TEST_F(RepoHandlesTest, PooledHandlesSeeWritesOfOtherProcesses) {
  ASSERT_TRUE(CommitFile(key_, "a.txt", "one").ok());
  EXPECT_EQ(*store_.ResolveRevision(key_, "main"), Git("rev-parse main", key_));  // handle now pooled

  // A commit made by git itself (new loose objects, branch moved by another process).
  const std::string dir = store_.RepoDir(key_);
  const std::string blob = Trim(RunCommand("printf three | git -C " + ShellQuote(dir) + " hash-object -w --stdin").out);
  const std::string tree = Trim(RunCommand("(git -C " + ShellQuote(dir) + " ls-tree main; printf '100644 blob " + blob +
                                           "\\tc.txt\\n') | git -C " + ShellQuote(dir) + " mktree")
                                    .out);
  const std::string commit = Git("commit-tree " + tree + " -p main -m external", key_);
  Git("update-ref refs/heads/main " + commit, key_);
  auto head = store_.ResolveRevision(key_, "main");
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(*head, commit);
  EXPECT_EQ(Paths(key_, "main"), (std::vector<std::string>{".gitattributes", "a.txt", "c.txt"}));

  // Everything repacked (loose objects and refs gone into a new pack and packed-refs).
  Git("repack -a -d -q", key_);
  Git("pack-refs --all", key_);
  Git("prune-packed", key_);
  ASSERT_TRUE(CommitFile(key_, "b.txt", "two").ok());
  EXPECT_EQ(*store_.ResolveRevision(key_, "main"), Git("rev-parse main", key_));
  EXPECT_EQ(Paths(key_, "main"), (std::vector<std::string>{".gitattributes", "a.txt", "b.txt", "c.txt"}));
  auto file = store_.ReadFile(key_, "main", "c.txt");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->data, "three");
}

TEST_F(RepoHandlesTest, DeletedMovedAndRecreatedReposGetFreshHandles) {
  auto old_commit = CommitFile(key_, "a.txt", "old");
  ASSERT_TRUE(old_commit.ok());
  EXPECT_EQ(Paths(key_, "main"), (std::vector<std::string>{".gitattributes", "a.txt"}));  // pooled

  // Deleted, then created again under the same name.
  ASSERT_TRUE(store_.Delete(key_).ok());
  EXPECT_TRUE((NotFoundKindOf(store_.ResolveRevision(key_, "main").status()) == NotFoundKind::kRepo));
  ASSERT_TRUE(store_.Create(key_, CommitAuthor{"carol", "carol@example.com"}).ok());
  ASSERT_TRUE(CommitFile(key_, "b.txt", "new").ok());
  EXPECT_EQ(*store_.ResolveRevision(key_, "main"), Git("rev-parse main", key_));
  EXPECT_EQ(Paths(key_, "main"), (std::vector<std::string>{".gitattributes", "b.txt"}));
  auto gone = store_.ResolveRevision(key_, old_commit->commit_id);
  EXPECT_FALSE(gone.ok());
  EXPECT_NE(
      RunCommand("git -C " + ShellQuote(store_.RepoDir(key_)) + " cat-file -e " + old_commit->commit_id).exit_code, 0);

  // Moved away, and another repo created under the old name.
  const RepoKey moved{RepoType::kModel, RepoId{"alice", "moved"}};
  const std::string before_move = *store_.ResolveRevision(key_, "main");
  ASSERT_TRUE(store_.Move(key_, moved).ok());
  EXPECT_EQ(*store_.ResolveRevision(moved, "main"), before_move);
  ASSERT_TRUE(store_.Create(key_, CommitAuthor{"dan", "dan@example.com"}).ok());
  ASSERT_TRUE(CommitFile(key_, "c.txt", "newest").ok());
  EXPECT_EQ(*store_.ResolveRevision(key_, "main"), Git("rev-parse main", key_));
  EXPECT_EQ(Paths(key_, "main"), (std::vector<std::string>{".gitattributes", "c.txt"}));
  EXPECT_EQ(Paths(moved, "main"), (std::vector<std::string>{".gitattributes", "b.txt"}));
}

TEST_F(RepoHandlesTest, ConcurrentReadersWhileCommitsLand) {
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 8; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto sha = store_.ResolveRevision(key_, "main");
        if (!sha.ok()) {
          ++failures;
          continue;
        }
        auto tree = store_.ListTree(key_, *sha, "", true, false);
        auto commits = store_.ListCommits(key_, *sha, 0, 1);
        if (!tree.ok() || !commits.ok() || commits->commits.empty() || commits->commits[0].id != *sha) ++failures;
      }
    });
  }
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(CommitFile(key_, "f" + std::to_string(i) + ".txt", std::to_string(i)).ok());
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*store_.ResolveRevision(key_, "main"), Git("rev-parse main", key_));
  EXPECT_EQ(Git("rev-list --count main", key_), "21");
  auto r = RunCommand("git -C " + ShellQuote(store_.RepoDir(key_)) + " fsck --full --strict 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

}  // namespace
}  // namespace mhub::server
