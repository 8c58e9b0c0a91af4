#include "mhub/base/env.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

namespace mhub {
namespace fs = std::filesystem;

namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

std::string ParentDir(const std::string& path) {
  fs::path p(path);
  fs::path parent = p.parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

std::atomic<Env*> g_env{nullptr};

}  // namespace

Status FsyncFd(int fd, const std::string& what) {
  if (::fsync(fd) != 0) return Status::IOError("fsync of " + what + " failed: " + ErrnoText(errno));
  return Status::OK();
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open directory " + dir + ": " + ErrnoText(errno));
  Status st = FsyncFd(fd, dir);
  ::close(fd);
  return st;
}

std::string TempPathFor(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng(std::random_device{}());
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++) + "." +
         std::to_string(rng() % 1000000);
}

Result<std::string> Env::ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound("no such file: " + path);
    return Status::IOError("cannot open " + path + ": " + ErrnoText(err));
  }
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::IOError("read error on " + path + ": " + ErrnoText(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status Env::WriteFileAtomic(const std::string& path, std::string_view data) {
  std::string tmp = TempPathFor(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + ErrnoText(errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::IOError("write to " + tmp + " failed: " + ErrnoText(err));
    }
    done += static_cast<size_t>(n);
  }
  Status st = FsyncFd(fd, tmp);
  ::close(fd);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  st = RenameDurable(tmp, path);
  if (!st.ok()) ::unlink(tmp.c_str());
  return st;
}

Status Env::RenameDurable(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    return Status::IOError("rename " + from + " -> " + to + " failed: " + ErrnoText(errno));
  return FsyncDir(ParentDir(to));
}

Status Env::CreateDirs(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Status::IOError("cannot create directory " + path + ": " + ec.message());
  return Status::OK();
}

bool Env::FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

Result<uint64_t> Env::FileSize(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound("no such file: " + path);
    return Status::IOError("cannot stat " + path + ": " + ErrnoText(errno));
  }
  return static_cast<uint64_t>(st.st_size);
}

Status Env::RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return Status::IOError("cannot remove " + path + ": " + ErrnoText(errno));
  return Status::OK();
}

Env* Env::Default() {
  static Env real;
  Env* e = g_env.load();
  return e ? e : &real;
}

Env* Env::SetDefault(Env* env) { return g_env.exchange(env); }

Result<std::string> ReadFile(const std::string& path) { return Env::Default()->ReadFile(path); }
Status WriteFileAtomic(const std::string& path, std::string_view data) {
  return Env::Default()->WriteFileAtomic(path, data);
}

}  // namespace mhub
