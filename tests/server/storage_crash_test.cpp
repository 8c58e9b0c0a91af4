// Crash safety of the storage layer: a child process commits (regular + LFS files) in a loop and
// reports each commit and LFS object only after the call returned; the parent SIGKILLs it at
// random moments. After every kill, git's own `fsck --full --strict` must be clean, every
// reported commit must be reachable from main, every visible LFS object must hash to its name
// (sha256sum), and the store must accept new commits (a stale ref lock is broken).
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "mhub/server/lfs_store.h"
#include "mhub/server/repo_store.h"
#include "support/test_support.h"

namespace mhub::server {
namespace {

namespace fs = std::filesystem;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;

const RepoKey kKey{RepoType::kModel, RepoId{"crash", "test"}};

// The child: never returns. Writes "C <sha>\n" / "L <oid>\n" lines to `fd` after each success.
[[noreturn]] void ChildLoop(const std::string& data_dir, int fd, uint32_t seed) {
  LfsStore lfs(data_dir);
  RepoStore store(data_dir, &lfs);
  std::mt19937 rng(seed);
  for (int i = 0;; ++i) {
    std::string blob(1 + rng() % (1 << 20), '\0');
    for (auto& c : blob) c = static_cast<char>(rng());
    auto oid = lfs.Put(blob);
    if (!oid.ok()) _exit(3);
    const std::string l = "L " + *oid + "\n";
    if (write(fd, l.data(), l.size()) != static_cast<ssize_t>(l.size())) _exit(4);
    CommitRequest req;
    const std::string tag = std::to_string(seed) + "-" + std::to_string(i);
    req.operations = {CommitOperation::AddLfsFile("w/" + tag + ".bin", *oid),
                      CommitOperation::AddFile("t/" + tag + ".txt", "text " + tag)};
    if (i % 5 == 4) req.operations.push_back(CommitOperation::DeleteFolder("t"));
    req.summary = "commit " + tag;
    auto r = store.Commit(kKey, req);
    if (!r.ok()) _exit(5);
    const std::string c = "C " + r->commit_id + "\n";
    if (write(fd, c.data(), c.size()) != static_cast<ssize_t>(c.size())) _exit(6);
  }
}

TEST(StorageCrashTest, SigkillAtRandomPointsLeavesConsistentStore) {
  TempDir dir;
  {
    LfsStore lfs(dir.path());
    RepoStore store(dir.path(), &lfs);
    ASSERT_TRUE(lfs.Init().ok());
    ASSERT_TRUE(store.Init().ok());
    ASSERT_TRUE(store.Create(kKey, {}).ok());
  }
  const std::string repo_dir = dir / "repos/models/crash/test.git";
  std::mt19937 rng(42);
  std::set<std::string> commits, objects;
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      ChildLoop(dir.path(), fds[1], 1000 + round);
    }
    close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 1200));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited by itself with " << WEXITSTATUS(status);
    std::string reported;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) reported.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    std::istringstream in(reported);
    std::string kind, id;
    while (in >> kind >> id) (kind == "C" ? commits : objects).insert(id);

    // git is the judge of the repository.
    auto fsck = RunCommand("git -C " + ShellQuote(repo_dir) + " fsck --full --strict --no-dangling 2>&1");
    ASSERT_EQ(fsck.exit_code, 0) << "round " << round << ":\n" << fsck.out;
    for (const auto& c : commits) {
      auto anc = RunCommand("git -C " + ShellQuote(repo_dir) + " merge-base --is-ancestor " + c + " main");
      EXPECT_EQ(anc.exit_code, 0) << "reported commit " << c << " lost in round " << round;
    }
    // Every visible LFS object hashes to its own name; the reported ones are all there.
    size_t visible = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir / "lfs/objects")) {
      if (!e.is_regular_file()) continue;
      ++visible;
      auto sum = RunCommand("sha256sum " + ShellQuote(e.path().string()));
      EXPECT_EQ(sum.out.substr(0, 64), e.path().filename().string()) << "partial LFS object visible";
    }
    EXPECT_GE(visible, objects.size());
    LfsStore check(dir.path());
    for (const auto& o : objects) EXPECT_TRUE(check.Has(o)) << o;
  }
  EXPECT_GT(commits.size(), 0u) << "the child never finished a commit; the test proved nothing";

  // A lock left by a killed writer is stale once old; the store breaks it and commits.
  const std::string lock = repo_dir + "/refs/heads/main.lock";
  {
    FILE* f = fopen(lock.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fclose(f);
    struct utimbuf old_time {};
    old_time.actime = old_time.modtime = time(nullptr) - 120;
    ASSERT_EQ(utime(lock.c_str(), &old_time), 0);
  }
  LfsStore lfs(dir.path());
  RepoStore store(dir.path(), &lfs);
  CommitRequest req;
  req.operations = {CommitOperation::AddFile("after.txt", "alive")};
  auto r = store.Commit(kKey, req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(RunCommand("git -C " + ShellQuote(repo_dir) + " rev-parse main").out, r->commit_id + "\n");
  std::cout << commits.size() << " commits and " << objects.size() << " LFS objects survived " << kRounds
            << " SIGKILLs\n";
}

}  // namespace
}  // namespace mhub::server
