#include "server/http/blob_file.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "mhub/base/env.h"
#include "mhub/base/logging.h"

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

// The bookkeeping of one data dir's blob cache: each inflated file, its size and when it was last
// used. Kept in memory (atime is unreliable under relatime or noatime mounts) and rebuilt from the
// directory, oldest mtime first, when a server first uses the dir.
class CacheState {
 public:
  CacheState(std::string dir, uint64_t cap) : dir_(std::move(dir)), cap_(cap) {
    std::vector<std::tuple<int64_t, std::string, uint64_t>> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
      const std::string name = entry.path().filename().string();
      struct stat st {};
      if (!IsHex40(name) || ::stat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      found.emplace_back(static_cast<int64_t>(st.st_mtime), name, static_cast<uint64_t>(st.st_size));
    }
    std::sort(found.begin(), found.end());
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [mtime, oid, size] : found) AddLocked(oid, size);
    EvictLocked("");
  }

  std::mutex& mu() { return mu_; }

  // A file now in the cache (new, or used again); then the least recently used ones over the cap
  // go, never `oid` itself.
  void Added(const std::string& oid, uint64_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    AddLocked(oid, size);
    EvictLocked(oid);
  }

  // A hit: the file is used again. Under mu().
  void TouchLocked(const std::string& oid, uint64_t size) {
    auto it = entries_.find(oid);
    if (it != entries_.end()) {
      it->second.last_use = ++tick_;
    } else if (HasSize(dir_ + "/" + oid, size)) {  // written by another process on this dir
      AddLocked(oid, size);
    }
  }

 private:
  struct Entry {
    uint64_t size;
    uint64_t last_use;
  };

  void AddLocked(const std::string& oid, uint64_t size) {
    auto [it, inserted] = entries_.try_emplace(oid, Entry{size, 0});
    if (inserted) total_ += size;
    it->second.last_use = ++tick_;
  }

  void EvictLocked(const std::string& keep) {
    while (total_ > cap_) {
      auto victim = entries_.end();
      for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->first == keep) continue;
        if (victim == entries_.end() || it->second.last_use < victim->second.last_use) victim = it;
      }
      if (victim == entries_.end()) return;  // only `keep` is left
      // A download that has the file open (or a link to it, BlobFileForSending) keeps its bytes.
      ::unlink((dir_ + "/" + victim->first).c_str());
      total_ -= victim->second.size;
      entries_.erase(victim);
    }
  }

  const std::string dir_;
  const uint64_t cap_;
  std::mutex mu_;
  uint64_t total_ = 0;
  uint64_t tick_ = 0;
  std::unordered_map<std::string, Entry> entries_;
};

// The cache state of `dir`, made on first use. Never freed: a handful per process (tests open
// many servers), and handlers may still use one while a server shuts down.
CacheState& StateFor(const std::string& dir) {
  static std::mutex mu;
  static auto* states = new std::map<std::string, std::unique_ptr<CacheState>>();
  std::lock_guard<std::mutex> lock(mu);
  auto& state = (*states)[dir];
  if (!state) state = std::make_unique<CacheState>(dir, BlobCacheCapBytes());
  return *state;
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

uint64_t BlobCacheCapBytes() {
  constexpr uint64_t kDefaultMb = 1024;
  const char* env = std::getenv("MHUB_BLOB_CACHE_MB");
  uint64_t mb = kDefaultMb;
  if (env != nullptr && *env != '\0') {
    char* end = nullptr;
    unsigned long long v = std::strtoull(env, &end, 10);
    if (end != env && *end == '\0' && v <= (uint64_t{1} << 30)) {
      mb = v;
    } else {
      MHUB_LOG(kWarn) << "MHUB_BLOB_CACHE_MB='" << env << "' is not a size in MB: using " << kDefaultMb;
    }
  }
  return mb << 20;
}

Result<std::string> InflatedBlobFile(const HubContext& ctx, const RepoKey& key, const std::string& oid, uint64_t size) {
  if (!IsHex40(oid)) return Status::InvalidArgument("bad blob id '" + oid + "'");
  const std::string dir = ctx.data_dir + "/cache/blobs";
  const std::string path = dir + "/" + oid;
  CacheState& cache = StateFor(dir);
  {
    std::lock_guard<std::mutex> lock(cache.mu());
    if (HasSize(path, size)) {
      cache.TouchLocked(oid, size);
      return path;
    }
  }
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
  cache.Added(oid, size);
  return path;
}

Result<BlobForSending> BlobFileForSending(const HubContext& ctx, const RepoKey& key, const std::string& oid,
                                          uint64_t size) {
  static std::atomic<uint64_t> counter{0};
  // Twice at most: the file may be evicted between being written and being linked.
  for (int attempt = 0; attempt < 2; ++attempt) {
    MHUB_ASSIGN_OR_RETURN(std::string path, InflatedBlobFile(ctx, key, oid, size));
    CacheState& cache = StateFor(ctx.data_dir + "/cache/blobs");
    std::lock_guard<std::mutex> lock(cache.mu());  // no eviction while linking
    const std::string link =
        ctx.tmp_dir + "/blob-" + oid + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
    if (::link(path.c_str(), link.c_str()) == 0) return BlobForSending{link, true};
    if (errno == ENOENT) continue;
    // No hard links (another file system, or one without them): the cache's own path, which an
    // eviction in the next moments could take away (the download then fails, the server does not).
    return BlobForSending{path, false};
  }
  return Status::Unavailable("blob " + oid + " was evicted from the blob cache before it could be sent; retry");
}

}  // namespace mhub::server
