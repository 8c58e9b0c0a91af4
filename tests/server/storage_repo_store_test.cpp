// RepoStore against real git: every write is checked with git's own plumbing (log, ls-tree,
// cat-file, rev-parse, for-each-ref, check-attr, fsck) and git-lfs (pointer, ls-files).
#include "mhub/server/repo_store.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "mhub/server/git_patterns.h"
#include "mhub/server/lfs_pointer.h"
#include "mhub/server/repo_errors.h"
#include "support/test_support.h"

namespace mhub::server {
namespace {

using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;
using mhub::testing::WriteFileOrDie;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

class RepoStoreTest : public ::testing::Test {
 protected:
  RepoStoreTest() : lfs_(dir_.path()), store_(dir_.path(), &lfs_) {}

  void SetUp() override {
    ASSERT_TRUE(lfs_.Init().ok());
    ASSERT_TRUE(store_.Init().ok());
    auto c = store_.Create(key_, CommitAuthor{"alice", "alice@example.com"});
    ASSERT_TRUE(c.ok()) << c.status();
    initial_ = *c;
  }

  // Runs git in the bare repo; fails the test on a non-zero exit.
  std::string Git(const std::string& args, const RepoKey* key = nullptr) {
    auto r = RunCommand("git -C " + ShellQuote(store_.RepoDir(key ? *key : key_)) + " " + args);
    EXPECT_EQ(r.exit_code, 0) << "git " << args << ": " << r.err;
    return r.out;
  }

  void ExpectFsckClean(const RepoKey* key = nullptr) {
    auto r = RunCommand("git -C " + ShellQuote(store_.RepoDir(key ? *key : key_)) + " fsck --full --strict 2>&1");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out.find("error"), std::string::npos) << r.out;
  }

  Result<CommitOutcome> Commit(std::vector<CommitOperation> ops, std::optional<std::string> parent = std::nullopt,
                               const std::string& branch = "main") {
    CommitRequest req;
    req.branch = branch;
    req.parent_commit = std::move(parent);
    req.operations = std::move(ops);
    req.summary = "test commit";
    req.description = "details";
    req.author = CommitAuthor{"bob", "bob@example.com"};
    return store_.Commit(key_, req);
  }

  TempDir dir_;
  LfsStore lfs_;
  RepoStore store_;
  RepoKey key_{RepoType::kModel, RepoId{"alice", "tiny-model"}};
  std::string initial_;
};

TEST_F(RepoStoreTest, CreateMakesABareRepoWithMainAndDefaultAttributes) {
  EXPECT_EQ(store_.RepoDir(key_), dir_ / "repos/models/alice/tiny-model.git");
  EXPECT_TRUE(store_.Exists(key_));
  EXPECT_EQ(Trim(Git("rev-parse --is-bare-repository")), "true");
  EXPECT_EQ(Trim(Git("symbolic-ref HEAD")), "refs/heads/main");
  EXPECT_EQ(Trim(Git("rev-parse main")), initial_);
  EXPECT_EQ(Git("cat-file blob main:.gitattributes"), DefaultGitAttributes(false));
  EXPECT_EQ(Trim(Git("log -1 --format=%an%n%s main")), "alice\ninitial commit");
  ExpectFsckClean();
  EXPECT_EQ(store_.Create(key_, {}).status().code(), StatusCode::kAlreadyExists);
  RepoKey bad{RepoType::kModel, RepoId{"alice", "bad--name"}};
  EXPECT_EQ(store_.Create(bad, {}).status().code(), StatusCode::kInvalidArgument);
  RepoKey ds{RepoType::kDataset, RepoId{"alice", "tiny-model"}};
  auto c = store_.Create(ds, {}, {CommitOperation::AddFile("README.md", "# data\n")});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(Git("cat-file blob main:.gitattributes", &ds), DefaultGitAttributes(true));
  EXPECT_EQ(Git("cat-file blob main:README.md", &ds), "# data\n");
  // No temp directories are left next to the repos.
  auto ls = RunCommand("ls -A " + ShellQuote(dir_ / "repos/models/alice"));
  EXPECT_EQ(ls.out, "tiny-model.git\n");
}

TEST_F(RepoStoreTest, CommitRegularAndLfsFilesAsGitSeesThem) {
  const std::string weights(3000, '\x01');
  auto oid = lfs_.Put(weights);
  ASSERT_TRUE(oid.ok());
  const std::string custom = "custom payload";
  auto oid2 = lfs_.Put(custom);
  auto r = Commit({CommitOperation::AddFile("config.json", "{\"a\": 1}\n"),
                   CommitOperation::AddFile("sub/dir/notes.txt", "notes"),
                   CommitOperation::AddLfsFile("model.safetensors", *oid, weights.size()),
                   CommitOperation::AddLfsFile("weights/data.custom", *oid2)});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->previous_commit, initial_);
  EXPECT_EQ(Trim(Git("rev-parse main")), r->commit_id);
  EXPECT_EQ(Trim(Git("rev-parse main^")), initial_);
  EXPECT_EQ(Git("log -1 --format=%B main"), "test commit\n\ndetails\n\n");
  EXPECT_EQ(Git("cat-file blob main:config.json"), "{\"a\": 1}\n");
  // The LFS pointer is what git-lfs itself writes for that content.
  WriteFileOrDie(dir_ / "weights.bin", weights);
  auto pointer = RunCommand("git lfs pointer --file=" + ShellQuote(dir_ / "weights.bin") + " 2>/dev/null");
  EXPECT_EQ(Git("cat-file blob main:model.safetensors"), pointer.out);
  ExpectFsckClean();

  // A clone sees both LFS files, and .gitattributes now tracks the custom path too.
  const std::string clone = dir_ / "clone";
  auto cl =
      RunCommand("GIT_LFS_SKIP_SMUDGE=1 git clone -q " + ShellQuote(store_.RepoDir(key_)) + " " + ShellQuote(clone));
  ASSERT_EQ(cl.exit_code, 0) << cl.err;
  auto attr = RunCommand("git -C " + ShellQuote(clone) +
                         " check-attr filter weights/data.custom model.safetensors config.json");
  EXPECT_EQ(attr.out,
            "weights/data.custom: filter: lfs\nmodel.safetensors: filter: lfs\nconfig.json: filter: unspecified\n");
  auto lsf = RunCommand("cd " + ShellQuote(clone) + " && git lfs ls-files --long");
  EXPECT_NE(lsf.out.find(*oid + " - model.safetensors"), std::string::npos) << lsf.out;
  EXPECT_NE(lsf.out.find(*oid2 + " - weights/data.custom"), std::string::npos) << lsf.out;

  // ListTree agrees with `git ls-tree -r -t -l`.
  auto tree = store_.ListTree(key_, r->commit_id, "", true);
  ASSERT_TRUE(tree.ok()) << tree.status();
  std::map<std::string, TreeEntry> by_path;
  for (const auto& e : *tree) by_path[e.path] = e;
  const auto lines = SplitLines(Git("ls-tree -r -t -l " + r->commit_id));
  ASSERT_EQ(lines.size(), tree->size());
  for (const std::string& line : lines) {
    // "<mode> <type> <oid> <size or -><TAB><path>"
    std::istringstream in(line.substr(0, line.find('\t')));
    std::string mode, type, git_oid, size;
    in >> mode >> type >> git_oid >> size;
    const std::string path = line.substr(line.find('\t') + 1);
    ASSERT_TRUE(by_path.count(path)) << path;
    const TreeEntry& e = by_path[path];
    EXPECT_EQ(e.oid, git_oid) << path;
    if (type == "tree") {
      EXPECT_EQ(e.type, TreeEntry::Type::kDirectory);
    } else if (e.lfs) {
      EXPECT_EQ(e.lfs->pointer_size, std::stoull(size)) << path;
      EXPECT_EQ(e.size, path == "model.safetensors" ? weights.size() : custom.size());
    } else {
      EXPECT_EQ(e.size, std::stoull(size)) << path;
    }
  }
  EXPECT_TRUE(by_path["model.safetensors"].lfs.has_value());
  EXPECT_EQ(by_path["model.safetensors"].lfs->oid, *oid);
  EXPECT_FALSE(by_path["config.json"].lfs.has_value());

  // Non-recursive listing of a folder, and errors.
  auto sub = store_.ListTree(key_, "main", "sub", false);
  ASSERT_TRUE(sub.ok());
  ASSERT_EQ(sub->size(), 1u);
  EXPECT_EQ((*sub)[0].path, "sub/dir");
  EXPECT_EQ((*sub)[0].type, TreeEntry::Type::kDirectory);
  EXPECT_EQ(NotFoundKindOf(store_.ListTree(key_, "main", "nope", false).status()), NotFoundKind::kEntry);
  EXPECT_EQ(NotFoundKindOf(store_.ListTree(key_, "main", "config.json", false).status()), NotFoundKind::kEntry);
  EXPECT_EQ(store_.ListTree(key_, "main", "../x", false).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RepoStoreTest, ReadFileStatAndPathsInfo) {
  auto oid = lfs_.Put("big content");
  ASSERT_TRUE(Commit({CommitOperation::AddFile("a/b.txt", "bee"), CommitOperation::AddLfsFile("m.bin", *oid)}).ok());
  auto f = store_.ReadFile(key_, "main", "a/b.txt");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->data, "bee");
  EXPECT_EQ(f->oid, Trim(Git("rev-parse main:a/b.txt")));
  EXPECT_EQ(f->size, 3u);
  auto m = store_.ReadFile(key_, "main", "./m.bin");
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->lfs.has_value());
  EXPECT_EQ(m->lfs->oid, *oid);
  EXPECT_EQ(m->size, 11u);
  EXPECT_EQ(m->data, Git("cat-file blob main:m.bin"));
  EXPECT_EQ(NotFoundKindOf(store_.ReadFile(key_, "main", "missing").status()), NotFoundKind::kEntry);
  EXPECT_EQ(NotFoundKindOf(store_.ReadFile(key_, "main", "a").status()), NotFoundKind::kEntry);
  EXPECT_EQ(NotFoundKindOf(store_.ReadFile(key_, "nobranch", "a/b.txt").status()), NotFoundKind::kRevision);
  RepoKey other{RepoType::kModel, RepoId{"alice", "nope"}};
  EXPECT_EQ(NotFoundKindOf(store_.ReadFile(other, "main", "a/b.txt").status()), NotFoundKind::kRepo);
  auto stat = store_.StatFile(key_, "main", "m.bin");
  ASSERT_TRUE(stat.ok());
  EXPECT_EQ(stat->oid, Trim(Git("rev-parse main:m.bin")));
  auto info = store_.PathsInfo(key_, "main", {"m.bin", "missing", "a", "a/b.txt", "m.bin"}, true);
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_EQ(info->size(), 3u);
  EXPECT_EQ((*info)[0].path, "m.bin");
  EXPECT_EQ((*info)[1].path, "a");
  EXPECT_EQ((*info)[1].type, TreeEntry::Type::kDirectory);
  EXPECT_EQ((*info)[2].path, "a/b.txt");
  for (const auto& e : *info) {
    ASSERT_TRUE(e.last_commit.has_value());
    EXPECT_EQ(e.last_commit->id, Trim(Git("log -1 --format=%H main -- " + ShellQuote(e.path))));
    EXPECT_EQ(e.last_commit->title, "test commit");
  }
}

TEST_F(RepoStoreTest, LastCommitFollowsHistory) {
  ASSERT_TRUE(Commit({CommitOperation::AddFile("x.txt", "1"), CommitOperation::AddFile("d/y.txt", "1")}).ok());
  ASSERT_TRUE(Commit({CommitOperation::AddFile("x.txt", "2")}).ok());
  ASSERT_TRUE(Commit({CommitOperation::AddFile("z.txt", "1")}).ok());
  auto tree = store_.ListTree(key_, "main", "", true, true);
  ASSERT_TRUE(tree.ok());
  for (const auto& e : *tree) {
    ASSERT_TRUE(e.last_commit.has_value()) << e.path;
    EXPECT_EQ(e.last_commit->id, Trim(Git("log -1 --format=%H main -- " + ShellQuote(e.path)))) << e.path;
    EXPECT_EQ(e.last_commit->date_ms / 1000, std::stoll(Trim(Git("log -1 --format=%ct " + e.last_commit->id))));
  }
}

TEST_F(RepoStoreTest, DeletesAndTreeRules) {
  ASSERT_TRUE(Commit({CommitOperation::AddFile("logs/a/1.txt", "1"), CommitOperation::AddFile("logs/2.txt", "2"),
                      CommitOperation::AddFile("keep.txt", "k")})
                  .ok());
  ASSERT_TRUE(Commit({CommitOperation::DeleteFile("logs/a/1.txt")}).ok());
  // The emptied folder is gone, as git never stores empty folders.
  EXPECT_EQ(Git("ls-tree -r -t --name-only main"), ".gitattributes\nkeep.txt\nlogs\nlogs/2.txt\n");
  ASSERT_TRUE(Commit({CommitOperation::DeleteFolder("logs/")}).ok());
  EXPECT_EQ(Git("ls-tree -r -t --name-only main"), ".gitattributes\nkeep.txt\n");
  EXPECT_EQ(NotFoundKindOf(Commit({CommitOperation::DeleteFile("nope.txt")}).status()), NotFoundKind::kEntry);
  EXPECT_EQ(NotFoundKindOf(Commit({CommitOperation::DeleteFolder("keep.txt")}).status()), NotFoundKind::kEntry);
  EXPECT_EQ(Commit({CommitOperation::AddFile("keep.txt/x", "1")}).status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(Commit({CommitOperation::AddFile("d/f", "1")}).ok());
  EXPECT_EQ(Commit({CommitOperation::AddFile("d", "1")}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Commit({}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Commit({CommitOperation::AddFile("../evil", "1")}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Commit({CommitOperation::AddFile(".git/config", "1")}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Commit({CommitOperation::DeleteFolder("")}).status().code(), StatusCode::kInvalidArgument);
  // Later operations win: delete a folder then re-add a file in it.
  ASSERT_TRUE(Commit({CommitOperation::DeleteFolder("d"), CommitOperation::AddFile("d/g", "2")}).ok());
  EXPECT_EQ(Git("ls-tree -r --name-only main"), ".gitattributes\nd/g\nkeep.txt\n");
  // LFS checks: object must be uploaded, sizes must agree.
  EXPECT_EQ(Commit({CommitOperation::AddLfsFile("w.bin", std::string(64, 'a'), 3)}).status().code(),
            StatusCode::kNotFound);
  auto oid = lfs_.Put("12345");
  EXPECT_EQ(Commit({CommitOperation::AddLfsFile("w.bin", *oid, 4)}).status().code(), StatusCode::kInvalidArgument);
  ExpectFsckClean();
}

TEST_F(RepoStoreTest, ParentCommitIsOptimisticLocking) {
  auto a = Commit({CommitOperation::AddFile("a", "1")}, initial_);
  ASSERT_TRUE(a.ok()) << a.status();
  auto stale = Commit({CommitOperation::AddFile("b", "1")}, initial_);
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  auto prefix = Commit({CommitOperation::AddFile("b", "1")}, a->commit_id.substr(0, 7));
  EXPECT_TRUE(prefix.ok()) << prefix.status();
  EXPECT_EQ(Commit({CommitOperation::AddFile("c", "1")}, std::string("xyz")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Trim(Git("rev-list --count main")), "3");
  // Branches: missing unless create_branch.
  EXPECT_EQ(NotFoundKindOf(Commit({CommitOperation::AddFile("c", "1")}, std::nullopt, "dev").status()),
            NotFoundKind::kRevision);
  CommitRequest req;
  req.branch = "dev";
  req.create_branch = true;
  req.operations = {CommitOperation::AddFile("c", "1")};
  auto dev = store_.Commit(key_, req);
  ASSERT_TRUE(dev.ok()) << dev.status();
  EXPECT_EQ(Git("ls-tree --name-only dev"), "c\n");
  // A PR ref grows from its base; parentCommit names that base.
  const std::string main_head = Trim(Git("rev-parse main"));
  CommitRequest pr;
  pr.branch = "refs/pr/1";
  pr.create_branch = true;
  pr.branch_base = "main";
  pr.parent_commit = main_head;
  pr.operations = {CommitOperation::AddFile("pr.txt", "1")};
  auto pr_commit = store_.Commit(key_, pr);
  ASSERT_TRUE(pr_commit.ok()) << pr_commit.status();
  EXPECT_EQ(Trim(Git("rev-parse refs/pr/1^")), main_head);
  EXPECT_EQ(Git("ls-tree --name-only refs/pr/1"), ".gitattributes\na\nb\npr.txt\n");
  EXPECT_EQ(store_.ListRefs(key_)->pull_requests.at(0).name, "1");
  pr.branch = "refs/pr/2";
  pr.parent_commit = initial_;
  EXPECT_EQ(store_.Commit(key_, pr).status().code(), StatusCode::kConflict);
}

TEST_F(RepoStoreTest, ResolveRevisionAgreesWithGitRevParse) {
  auto a = Commit({CommitOperation::AddFile("a", "1")});
  ASSERT_TRUE(store_.CreateTag(key_, "v1", "main", "release one", {}).ok());
  ASSERT_TRUE(store_.CreateTag(key_, "light", initial_, "", {}).ok());
  ASSERT_TRUE(store_.CreateBranch(key_, "feature/x", initial_).ok());
  for (const std::string& rev : {std::string("HEAD"), std::string("main"), std::string("v1"), std::string("light"),
                                 std::string("feature/x"), std::string("refs/heads/main"), std::string("refs/tags/v1"),
                                 a->commit_id, a->commit_id.substr(0, 7), initial_.substr(0, 12)}) {
    auto ours = store_.ResolveRevision(key_, rev);
    ASSERT_TRUE(ours.ok()) << rev << ": " << ours.status();
    EXPECT_EQ(*ours, Trim(Git("rev-parse " + ShellQuote(rev) + "^{commit}"))) << rev;
  }
  for (const std::string& rev : {std::string("nope"), std::string("../../etc"), std::string(""),
                                 std::string("refs/heads/nope"), std::string("0000000"), std::string("main\n")}) {
    EXPECT_EQ(NotFoundKindOf(store_.ResolveRevision(key_, rev).status()), NotFoundKind::kRevision) << rev;
  }
  RepoKey missing{RepoType::kModel, RepoId{"bob", "x"}};
  EXPECT_EQ(NotFoundKindOf(store_.ResolveRevision(missing, "main").status()), NotFoundKind::kRepo);
}

TEST_F(RepoStoreTest, RefsBranchesAndTagsMatchForEachRef) {
  ASSERT_TRUE(Commit({CommitOperation::AddFile("a", "1")}).ok());
  ASSERT_TRUE(store_.CreateBranch(key_, "dev", "main").ok());
  EXPECT_EQ(store_.CreateBranch(key_, "dev", "main").code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(store_.CreateBranch(key_, "dev", initial_, /*overwrite=*/true).ok());
  EXPECT_EQ(store_.CreateBranch(key_, "refs/pr/1", "main").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NotFoundKindOf(store_.CreateBranch(key_, "x", "nope")), NotFoundKind::kRevision);
  ASSERT_TRUE(store_.CreateBranch(key_, "orphan", "", false, /*empty=*/true).ok());
  EXPECT_EQ(Git("ls-tree orphan"), "");
  EXPECT_EQ(Trim(Git("rev-list --count orphan")), "1");
  ASSERT_TRUE(store_.CreateTag(key_, "v1.0", "main", "annotated", CommitAuthor{"t", "t@x"}).ok());
  ASSERT_TRUE(store_.CreateTag(key_, "v0", initial_, "", {}).ok());
  EXPECT_EQ(store_.CreateTag(key_, "v0", "main", "", {}).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Trim(Git("cat-file -t v1.0")), "tag");
  auto refs = store_.ListRefs(key_);
  ASSERT_TRUE(refs.ok());
  std::map<std::string, std::string> ours;
  for (const auto* list : {&refs->branches, &refs->tags, &refs->converts, &refs->pull_requests}) {
    for (const auto& r : *list) ours[r.ref] = r.target_commit;
  }
  std::map<std::string, std::string> git;
  for (const auto& line : SplitLines(Git("for-each-ref --format='%(refname) %(objectname) %(*objectname)'"))) {
    std::istringstream in(line);
    std::string name, obj, peeled;
    in >> name >> obj >> peeled;
    git[name] = peeled.empty() ? obj : peeled;
  }
  EXPECT_EQ(ours, git);
  ASSERT_EQ(refs->branches.size(), 3u);
  EXPECT_EQ(refs->branches[0].name, "dev");
  EXPECT_EQ(refs->tags.size(), 2u);
  EXPECT_TRUE(store_.DeleteBranch(key_, "dev").ok());
  EXPECT_EQ(NotFoundKindOf(store_.DeleteBranch(key_, "dev")), NotFoundKind::kRevision);
  EXPECT_EQ(store_.DeleteBranch(key_, "main").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_.DeleteTag(key_, "v1.0").ok());
  EXPECT_EQ(NotFoundKindOf(store_.DeleteTag(key_, "v1.0")), NotFoundKind::kRevision);
  EXPECT_EQ(Git("for-each-ref --format='%(refname)'"), "refs/heads/main\nrefs/heads/orphan\nrefs/tags/v0\n");
  ExpectFsckClean();
}

TEST_F(RepoStoreTest, ListCommitsAgreesWithRevList) {
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(Commit({CommitOperation::AddFile("f", std::to_string(i))}).ok());
  const auto git = SplitLines(Git("rev-list main"));
  auto all = store_.ListCommits(key_, "main", 0, 100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, git.size());
  ASSERT_EQ(all->commits.size(), git.size());
  for (size_t i = 0; i < git.size(); ++i) EXPECT_EQ(all->commits[i].id, git[i]);
  EXPECT_EQ(all->commits.back().title, "initial commit");
  EXPECT_EQ(all->commits[0].authors, std::vector<std::string>{"bob"});
  EXPECT_EQ(all->commits[0].message, Git("log -1 --format=%B main").substr(0, all->commits[0].message.size()));
  auto page = store_.ListCommits(key_, "main", 3, 2);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, git.size());
  ASSERT_EQ(page->commits.size(), 2u);
  EXPECT_EQ(page->commits[0].id, git[3]);
  EXPECT_EQ(page->commits[1].id, git[4]);
  EXPECT_EQ(store_.ListCommits(key_, "main", 100, 10)->commits.size(), 0u);
}

TEST_F(RepoStoreTest, MoveAndDelete) {
  RepoKey to{RepoType::kModel, RepoId{"org", "renamed"}};
  ASSERT_TRUE(store_.Move(key_, to).ok());
  EXPECT_FALSE(store_.Exists(key_));
  EXPECT_EQ(Trim(Git("rev-parse main", &to)), initial_);
  EXPECT_EQ(NotFoundKindOf(store_.Move(key_, to)), NotFoundKind::kRepo);
  ASSERT_TRUE(store_.Create(key_, {}).ok());
  EXPECT_EQ(store_.Move(key_, to).code(), StatusCode::kAlreadyExists);
  auto all = store_.ListAllRepos();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  ASSERT_TRUE(store_.Delete(to).ok());
  EXPECT_FALSE(store_.Exists(to));
  EXPECT_EQ(NotFoundKindOf(store_.Delete(to)), NotFoundKind::kRepo);
  EXPECT_EQ(store_.ListAllRepos()->size(), 1u);
}

TEST_F(RepoStoreTest, ConcurrentCommitsAreAllKept) {
  constexpr int kThreads = 4, kPerThread = 8;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::string>> done(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        CommitRequest req;
        req.operations = {CommitOperation::AddFile("t" + std::to_string(t) + "/" + std::to_string(i), "x")};
        auto r = store_.Commit(key_, req);
        EXPECT_TRUE(r.ok()) << r.status();
        if (r.ok()) done[t].push_back(r->commit_id);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(Trim(Git("rev-list --count main")), std::to_string(kThreads * kPerThread + 1));
  const auto reachable = SplitLines(Git("rev-list main"));
  const std::set<std::string> reach(reachable.begin(), reachable.end());
  for (const auto& list : done) {
    for (const auto& c : list) EXPECT_TRUE(reach.count(c)) << c;
  }
  EXPECT_EQ(SplitLines(Git("ls-tree -r --name-only main")).size(), size_t{kThreads * kPerThread + 1});
  ExpectFsckClean();
}

TEST_F(RepoStoreTest, PreuploadDecidesLfsIgnoreAndReportsOids) {
  auto oid = lfs_.Put("weights");
  ASSERT_TRUE(Commit({CommitOperation::AddFile(".gitignore", "*.tmp\ncache/\n"),
                      CommitOperation::AddFile("a.txt", "hi"), CommitOperation::AddLfsFile("m.safetensors", *oid)})
                  .ok());
  const std::string head = *store_.ResolveRevision(key_, "main");
  std::vector<PreuploadFile> files = {
      {"a.txt", 2, "hi"},
      {"m.safetensors", 7, "weights"},
      {"big.txt", kLfsSizeThreshold + 1, "plain text"},
      {"small.dat", 4, std::string("\x00\x01\x02\x03", 4)},
      {"empty.bin", 0, ""},
      {"x.tmp", 3, "abc"},
      {"cache/y.txt", 3, "abc"},
      {"utf8.txt", 4, "h\xc3\xa9\xc3"},  // a multi-byte character cut by the sample end
      {"data.custom", 5, "hello"},
  };
  auto answers = store_.Preupload(key_, head, files, "*.custom filter=lfs diff=lfs merge=lfs -text\n");
  ASSERT_TRUE(answers.ok()) << answers.status();
  ASSERT_EQ(answers->size(), files.size());
  std::map<std::string, PreuploadAnswer> by;
  for (const auto& a : *answers) by[a.path] = a;
  EXPECT_FALSE(by["a.txt"].lfs);
  EXPECT_EQ(by["a.txt"].oid, Trim(Git("rev-parse main:a.txt")));
  EXPECT_TRUE(by["m.safetensors"].lfs);
  EXPECT_EQ(by["m.safetensors"].oid, *oid);
  EXPECT_TRUE(by["big.txt"].lfs);
  EXPECT_TRUE(by["small.dat"].lfs);
  EXPECT_FALSE(by["empty.bin"].lfs);
  EXPECT_FALSE(by["utf8.txt"].lfs);
  EXPECT_TRUE(by["data.custom"].lfs);
  EXPECT_FALSE(by["big.txt"].oid.has_value());
  EXPECT_TRUE(by["x.tmp"].should_ignore);
  EXPECT_TRUE(by["cache/y.txt"].should_ignore);
  EXPECT_FALSE(by["a.txt"].should_ignore);
  // A client-sent .gitignore replaces the repo's.
  auto custom = store_.Preupload(key_, head, {{"x.tmp", 1, "a"}, {"a.txt", 1, "a"}}, "", std::string("a.txt\n"));
  ASSERT_TRUE(custom.ok());
  EXPECT_FALSE((*custom)[0].should_ignore);
  EXPECT_TRUE((*custom)[1].should_ignore);
  EXPECT_EQ(store_.Preupload(key_, head, {{"../x", 1, "a"}}).status().code(), StatusCode::kInvalidArgument);
  // No revision yet (a branch about to be created): the default attributes apply.
  auto fresh = store_.Preupload(key_, "", {{"m.safetensors", 3, "abc"}, {"a.txt", 3, "abc"}});
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE((*fresh)[0].lfs);
  EXPECT_FALSE((*fresh)[1].lfs);
  EXPECT_FALSE((*fresh)[0].oid.has_value());
}

}  // namespace
}  // namespace mhub::server
