#include "server/storage/hashing_temp_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "mhub/base/env.h"

namespace mhub::server {

Result<std::unique_ptr<HashingTempFile>> HashingTempFile::CreateNear(const std::string& path) {
  std::string tmp = TempPathFor(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + std::strerror(errno));
  return std::unique_ptr<HashingTempFile>(new HashingTempFile(std::move(tmp), fd));
}

HashingTempFile::~HashingTempFile() { Discard(); }

Status HashingTempFile::Write(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  size_t left = size;
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status st = Status::IOError("write to " + path_ + " failed: " + std::strerror(errno));
      Discard();
      return st;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  hash_.Update(data, size);
  written_ += size;
  return Status::OK();
}

Status HashingTempFile::SyncAndClose() {
  Status st = FsyncFd(fd_, path_);
  ::close(fd_);
  fd_ = -1;
  if (!st.ok()) Discard();
  return st;
}

Status HashingTempFile::RenameTo(const std::string& final_path) {
  Status st = Env::Default()->RenameDurable(path_, final_path);
  if (st.ok()) {
    owned_ = false;
  } else {
    Discard();
  }
  return st;
}

void HashingTempFile::Discard() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (owned_) {
    ::unlink(path_.c_str());
    owned_ = false;
  }
}

}  // namespace mhub::server
