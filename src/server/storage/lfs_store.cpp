// Content-addressed LFS object store (see lfs_store.h). Uploads stream into <data>/lfs/tmp while
// hashing; only a verified, fsynced file is renamed to its final name.
#include "mhub/server/lfs_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "mhub/base/env.h"
#include "mhub/base/sha256.h"
#include "mhub/server/lfs_pointer.h"

namespace mhub::server {
namespace fs = std::filesystem;
namespace {

std::string ErrnoText() { return std::strerror(errno); }

Status CheckOid(std::string_view oid) {
  if (!IsSha256Hex(oid))
    return Status::InvalidArgument("LFS oid '" + std::string(oid.substr(0, 80)) + "' is not 64 lowercase hex");
  return Status::OK();
}

Status WriteAll(int fd, const void* data, size_t size, const std::string& what) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("write to " + what + " failed: " + ErrnoText());
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return Status::OK();
}

class FileLfsWriter final : public LfsWriter {
 public:
  FileLfsWriter(const LfsStore* store, std::string oid, uint64_t expected, std::string tmp, int fd)
      : store_(store), oid_(std::move(oid)), expected_(expected), tmp_(std::move(tmp)), fd_(fd) {}
  ~FileLfsWriter() override { Discard(); }

  Status Append(const void* data, size_t size) override {
    if (fd_ < 0) return Status::Internal("LFS writer for " + oid_ + " is closed");
    if (written_ + size > expected_) {
      Discard();
      return Status::ResourceExhausted("LFS object " + oid_ + " is larger than the announced " +
                                       std::to_string(expected_) + " bytes");
    }
    Status st = WriteAll(fd_, data, size, tmp_);
    if (!st.ok()) {
      Discard();
      return st;
    }
    hash_.Update(data, size);
    written_ += size;
    return Status::OK();
  }

  uint64_t written() const override { return written_; }

  Status Commit() override {
    if (fd_ < 0) return Status::Internal("LFS writer for " + oid_ + " is closed");
    if (written_ != expected_) {
      Discard();
      return Status::InvalidArgument("LFS object " + oid_ + ": expected " + std::to_string(expected_) +
                                     " bytes, received " + std::to_string(written_));
    }
    const std::string actual = hash_.FinishHex();
    if (actual != oid_) {
      Discard();
      return Status::InvalidArgument("LFS object " + oid_ + ": content hashes to sha256 " + actual);
    }
    Status st = FsyncFd(fd_, tmp_);
    ::close(fd_);
    fd_ = -1;
    if (!st.ok()) {
      ::unlink(tmp_.c_str());
      return st;
    }
    const std::string final_path = store_->PathOf(oid_);
    const std::string dir = fs::path(final_path).parent_path().string();
    st = Env::Default()->CreateDirs(dir);
    if (st.ok()) st = Env::Default()->RenameDurable(tmp_, final_path);
    if (!st.ok()) ::unlink(tmp_.c_str());
    // The new fan-out directories themselves must be durable too.
    if (st.ok()) st = FsyncDir(fs::path(dir).parent_path().string());
    return st;
  }

 private:
  void Discard() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
      ::unlink(tmp_.c_str());
    }
  }

  const LfsStore* store_;
  std::string oid_;
  uint64_t expected_;
  std::string tmp_;
  int fd_;
  uint64_t written_ = 0;
  Sha256 hash_;
};

}  // namespace

LfsStore::LfsStore(std::string data_dir) : objects_dir_(data_dir + "/lfs/objects"), tmp_dir_(data_dir + "/lfs/tmp") {}

Status LfsStore::Init() {
  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(objects_dir_));
  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(tmp_dir_));
  // Temp files of uploads that died with their process; an hour is far beyond any live upload's
  // idle time between writes.
  std::error_code ec;
  const auto cutoff = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (const auto& entry : fs::directory_iterator(tmp_dir_, ec)) {
    std::error_code ec2;
    if (entry.is_regular_file(ec2) && entry.last_write_time(ec2) < cutoff) fs::remove(entry.path(), ec2);
  }
  return Status::OK();
}

std::string LfsStore::PathOf(std::string_view oid) const {
  std::string o(oid);
  if (o.size() < 4) return objects_dir_ + "/" + o;
  return objects_dir_ + "/" + o.substr(0, 2) + "/" + o.substr(2, 2) + "/" + o;
}

bool LfsStore::Has(std::string_view oid) const {
  if (!IsSha256Hex(oid)) return false;
  struct stat st {};
  return ::stat(PathOf(oid).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<uint64_t> LfsStore::Size(std::string_view oid) const {
  MHUB_RETURN_IF_ERROR(CheckOid(oid));
  struct stat st {};
  if (::stat(PathOf(oid).c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound("LFS object " + std::string(oid) + " is not in the store");
    return Status::IOError("cannot stat LFS object " + std::string(oid) + ": " + ErrnoText());
  }
  return static_cast<uint64_t>(st.st_size);
}

Result<std::unique_ptr<LfsWriter>> LfsStore::BeginWrite(std::string_view oid, uint64_t expected_size) {
  MHUB_RETURN_IF_ERROR(CheckOid(oid));
  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(tmp_dir_));
  const std::string tmp = TempPathFor(tmp_dir_ + "/" + std::string(oid));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + ErrnoText());
  return std::unique_ptr<LfsWriter>(new FileLfsWriter(this, std::string(oid), expected_size, tmp, fd));
}

Result<std::string> LfsStore::Put(std::string_view data) {
  const std::string oid = Sha256Hex(data);
  if (Has(oid)) return oid;
  MHUB_ASSIGN_OR_RETURN(auto writer, BeginWrite(oid, data.size()));
  MHUB_RETURN_IF_ERROR(writer->Append(data));
  MHUB_RETURN_IF_ERROR(writer->Commit());
  return oid;
}

Result<std::string> LfsStore::PutFile(const std::string& path) {
  MHUB_ASSIGN_OR_RETURN(std::string oid, Sha256File(path));
  if (Has(oid)) return oid;
  MHUB_ASSIGN_OR_RETURN(uint64_t size, Env::Default()->FileSize(path));
  MHUB_ASSIGN_OR_RETURN(auto writer, BeginWrite(oid, size));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + ErrnoText());
  std::string buf(1 << 20, '\0');
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const Status st = Status::IOError("read error on " + path + ": " + ErrnoText());
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    Status st = writer->Append(buf.data(), static_cast<size_t>(n));
    if (!st.ok()) {
      ::close(fd);
      return st;
    }
  }
  ::close(fd);
  MHUB_RETURN_IF_ERROR(writer->Commit());
  return oid;
}

Result<std::string> LfsStore::Read(std::string_view oid) const {
  MHUB_RETURN_IF_ERROR(CheckOid(oid));
  auto r = Env::Default()->ReadFile(PathOf(oid));
  if (!r.ok() && r.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("LFS object " + std::string(oid) + " is not in the store");
  }
  return r;
}

}  // namespace mhub::server
