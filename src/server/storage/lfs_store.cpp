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
#include "server/storage/hashing_temp_file.h"

namespace mhub::server {
namespace fs = std::filesystem;
namespace {

std::string ErrnoText() { return std::strerror(errno); }

Status CheckOid(std::string_view oid) {
  if (!IsSha256Hex(oid))
    return Status::InvalidArgument("LFS oid '" + std::string(oid.substr(0, 80)) + "' is not 64 lowercase hex");
  return Status::OK();
}

class FileLfsWriter final : public LfsWriter {
 public:
  FileLfsWriter(const LfsStore* store, std::string oid, uint64_t expected, std::unique_ptr<HashingTempFile> file)
      : store_(store), oid_(std::move(oid)), expected_(expected), file_(std::move(file)) {}

  Status Append(const void* data, size_t size) override {
    if (!file_->is_open()) return Status::Internal("LFS writer for " + oid_ + " is closed");
    if (file_->written() + size > expected_) {
      file_->Discard();
      return Status::ResourceExhausted("LFS object " + oid_ + " is larger than the announced " +
                                       std::to_string(expected_) + " bytes");
    }
    return file_->Write(data, size);
  }

  uint64_t written() const override { return file_->written(); }

  Status Commit() override {
    if (!file_->is_open()) return Status::Internal("LFS writer for " + oid_ + " is closed");
    if (file_->written() != expected_) {
      file_->Discard();
      return Status::InvalidArgument("LFS object " + oid_ + ": expected " + std::to_string(expected_) +
                                     " bytes, received " + std::to_string(file_->written()));
    }
    const std::string actual = file_->FinishHex();
    if (actual != oid_) {
      file_->Discard();
      return Status::InvalidArgument("LFS object " + oid_ + ": content hashes to sha256 " + actual);
    }
    MHUB_RETURN_IF_ERROR(file_->SyncAndClose());
    const std::string final_path = store_->PathOf(oid_);
    const std::string dir = fs::path(final_path).parent_path().string();
    Status st = Env::Default()->CreateDirs(dir);
    if (st.ok()) {
      st = file_->RenameTo(final_path);
    } else {
      file_->Discard();
    }
    // The new fan-out directories themselves must be durable too.
    if (st.ok()) st = FsyncDir(fs::path(dir).parent_path().string());
    return st;
  }

 private:
  const LfsStore* store_;
  std::string oid_;
  uint64_t expected_;
  std::unique_ptr<HashingTempFile> file_;
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
  MHUB_ASSIGN_OR_RETURN(std::unique_ptr<HashingTempFile> file,
                        HashingTempFile::CreateNear(tmp_dir_ + "/" + std::string(oid)));
  return std::unique_ptr<LfsWriter>(new FileLfsWriter(this, std::string(oid), expected_size, std::move(file)));
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

Status LfsStore::Remove(std::string_view oid) {
  MHUB_RETURN_IF_ERROR(CheckOid(oid));
  if (::unlink(PathOf(oid).c_str()) != 0 && errno != ENOENT) {
    return Status::IOError("cannot remove LFS object " + std::string(oid) + ": " + ErrnoText());
  }
  return Status::OK();
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
