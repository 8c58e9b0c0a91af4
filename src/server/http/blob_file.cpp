#include "server/http/blob_file.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "mhub/base/env.h"

extern char** environ;

namespace mhub::server {
namespace {

bool IsHex40(const std::string& s) {
  if (s.size() != 40) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool HasSize(const std::string& path, uint64_t size) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) == size;
}

// One lock per blob, so concurrent first downloads write the file once.
std::shared_ptr<std::mutex> LockFor(const std::string& oid) {
  static std::mutex mu;
  static std::map<std::string, std::weak_ptr<std::mutex>> locks;
  std::lock_guard<std::mutex> lock(mu);
  auto& weak = locks[oid];
  auto strong = weak.lock();
  if (!strong) {
    strong = std::make_shared<std::mutex>();
    weak = strong;
  }
  for (auto it = locks.begin(); it != locks.end();) it = it->second.expired() ? locks.erase(it) : std::next(it);
  return strong;
}

// Runs `git --git-dir=<repo> cat-file blob <oid>` with stdout into `out_fd`.
Status CatFile(const std::string& git_dir, const std::string& oid, int out_fd) {
  std::vector<std::string> args = {"git", "--git-dir=" + git_dir, "cat-file", "blob", oid};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, "git", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Status::IOError("cannot run git to read blob " + oid);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::IOError("waiting for git cat-file failed");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return Status::IOError("git cat-file could not read blob " + oid);
  return Status::OK();
}

}  // namespace

Result<std::string> InflatedBlobFile(const HubContext& ctx, const RepoKey& key, const std::string& oid, uint64_t size) {
  if (!IsHex40(oid)) return Status::InvalidArgument("bad blob id '" + oid + "'");
  const std::string dir = ctx.data_dir + "/cache/blobs";
  const std::string path = dir + "/" + oid;
  if (HasSize(path, size)) return path;
  auto lock = LockFor(oid);
  std::lock_guard<std::mutex> guard(*lock);
  if (HasSize(path, size)) return path;  // written while we waited
  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(dir));
  static std::atomic<uint64_t> counter{0};
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create " + tmp);
  Status st = CatFile(ctx.repos->RepoDir(key), oid, fd);
  ::close(fd);
  if (st.ok() && !HasSize(tmp, size)) st = Status::Corruption("blob " + oid + " does not have its recorded size");
  // Published by rename only once whole: a reader never sees a partial file under the blob's name.
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = Status::IOError("cannot rename " + tmp);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return path;
}

}  // namespace mhub::server
