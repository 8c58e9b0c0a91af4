// Multipart LFS uploads (see lfs_multipart.h): parts land in <data>/lfs/multipart/<id>/, and the
// completion streams them, in order, through an LfsWriter that only publishes a verified object.
#include "mhub/server/lfs_multipart.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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

constexpr uint64_t kMiB = uint64_t{1} << 20;

std::string ErrnoText() { return std::strerror(errno); }

// `"abc"`, `W/"abc"` or `abc` -> `abc`, lower-cased.
std::string BareEtag(std::string_view etag) {
  if (etag.size() >= 2 && (etag[0] == 'W' || etag[0] == 'w') && etag[1] == '/') etag.remove_prefix(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  std::string out(etag);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

class FilePartWriter final : public MultipartPartWriter {
 public:
  FilePartWriter(std::string final_path, std::unique_ptr<HashingTempFile> file, uint64_t part, uint64_t expected)
      : final_(std::move(final_path)), file_(std::move(file)), part_(part), expected_(expected) {}

  Status Append(const void* data, size_t size) override {
    if (!file_->is_open()) return Status::Internal("part writer is closed");
    if (file_->written() + size > expected_) {
      file_->Discard();
      return Status::ResourceExhausted("part " + std::to_string(part_) + " is larger than its " +
                                       std::to_string(expected_) + " bytes");
    }
    return file_->Write(data, size);
  }

  Result<std::string> Commit() override {
    if (!file_->is_open()) return Status::Internal("part writer is closed");
    if (file_->written() != expected_) {
      file_->Discard();
      return Status::InvalidArgument("part " + std::to_string(part_) + " must be " + std::to_string(expected_) +
                                     " bytes, received " + std::to_string(file_->written()));
    }
    MHUB_RETURN_IF_ERROR(file_->SyncAndClose());
    MHUB_RETURN_IF_ERROR(file_->RenameTo(final_));
    return "\"" + file_->FinishHex() + "\"";
  }

 private:
  std::string final_;
  std::unique_ptr<HashingTempFile> file_;
  uint64_t part_;
  uint64_t expected_;
};

// Appends the file at `path` (which must hold exactly `length` bytes) to `writer`; returns the
// sha256 hex of those bytes.
Result<std::string> StreamPart(const std::string& path, uint64_t part, uint64_t length, LfsWriter& writer,
                               std::string& buf) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::InvalidArgument("part " + std::to_string(part) + " was not uploaded");
    return Status::IOError("cannot open " + path + ": " + ErrnoText());
  }
  Sha256 hash;
  uint64_t total = 0;
  Status st;
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      st = Status::IOError("read error on " + path + ": " + ErrnoText());
      break;
    }
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    if (total > length) break;
    hash.Update(buf.data(), static_cast<size_t>(n));
    st = writer.Append(buf.data(), static_cast<size_t>(n));
    if (!st.ok()) break;
  }
  ::close(fd);
  MHUB_RETURN_IF_ERROR(st);
  if (total != length) {
    return Status::InvalidArgument("part " + std::to_string(part) + " holds " + std::to_string(total) + " bytes, not " +
                                   std::to_string(length));
  }
  return hash.FinishHex();
}

}  // namespace

MultipartPlan PlanMultipart(uint64_t size, uint64_t preferred_chunk) {
  MultipartPlan plan;
  plan.chunk_size = std::max<uint64_t>(preferred_chunk, 1);
  if ((size + plan.chunk_size - 1) / plan.chunk_size > kMaxMultipartParts) {
    uint64_t chunk = (size + kMaxMultipartParts - 1) / kMaxMultipartParts;
    plan.chunk_size = (chunk + kMiB - 1) / kMiB * kMiB;
  }
  plan.num_parts = (size + plan.chunk_size - 1) / plan.chunk_size;
  return plan;
}

uint64_t MultipartPartLength(uint64_t size, const MultipartPlan& plan, uint64_t part) {
  if (part == 0 || part > plan.num_parts || plan.chunk_size == 0) return 0;
  const uint64_t start = (part - 1) * plan.chunk_size;
  if (start >= size) return 0;
  return std::min(plan.chunk_size, size - start);
}

LfsMultipartStore::LfsMultipartStore(std::string data_dir, LfsStore* store)
    : root_(std::move(data_dir) + "/lfs/multipart"), store_(store) {}

Result<std::string> LfsMultipartStore::NewUploadId() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof(raw)) != 1) return Status::Internal("RAND_bytes failed while naming an upload");
  return ToHex(raw, sizeof(raw));
}

bool LfsMultipartStore::IsUploadId(std::string_view text) {
  if (text.size() != 32) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string LfsMultipartStore::UploadDir(std::string_view upload_id) const {
  return root_ + "/" + std::string(upload_id);
}

Result<std::unique_ptr<MultipartPartWriter>> LfsMultipartStore::BeginPart(std::string_view upload_id, uint64_t part,
                                                                          uint64_t expected_length) {
  if (!IsUploadId(upload_id)) return Status::InvalidArgument("malformed multipart upload id");
  if (part == 0 || part > kMaxMultipartParts) return Status::InvalidArgument("part number out of range");
  const std::string dir = UploadDir(upload_id);
  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(dir));
  MHUB_RETURN_IF_ERROR(FsyncDir(root_));
  const std::string final_path = dir + "/" + std::to_string(part);
  MHUB_ASSIGN_OR_RETURN(std::unique_ptr<HashingTempFile> file, HashingTempFile::CreateNear(final_path));
  return std::unique_ptr<MultipartPartWriter>(new FilePartWriter(final_path, std::move(file), part, expected_length));
}

Status LfsMultipartStore::Complete(std::string_view upload_id, std::string_view oid, uint64_t size,
                                   const MultipartPlan& plan, const std::vector<CompletedPart>& parts) {
  if (!IsUploadId(upload_id)) return Status::InvalidArgument("malformed multipart upload id");
  if (!IsSha256Hex(oid)) return Status::InvalidArgument("oid must be 64 lowercase hex characters");
  if (plan.num_parts == 0 || plan.num_parts > kMaxMultipartParts) {
    return Status::InvalidArgument("bad multipart plan");
  }
  if (parts.size() != plan.num_parts) {
    return Status::InvalidArgument("the completion lists " + std::to_string(parts.size()) + " parts, the upload has " +
                                   std::to_string(plan.num_parts));
  }
  std::vector<const CompletedPart*> ordered(plan.num_parts, nullptr);
  for (const auto& p : parts) {
    if (p.part_number == 0 || p.part_number > plan.num_parts) {
      return Status::InvalidArgument("part number " + std::to_string(p.part_number) + " is out of range 1.." +
                                     std::to_string(plan.num_parts));
    }
    if (ordered[p.part_number - 1] != nullptr) {
      return Status::InvalidArgument("part " + std::to_string(p.part_number) + " is listed twice");
    }
    ordered[p.part_number - 1] = &p;
  }
  const std::string dir = UploadDir(upload_id);
  // Cheap checks first: every part is there with its length, before any byte is copied.
  for (uint64_t n = 1; n <= plan.num_parts; ++n) {
    struct stat st {};
    const std::string path = dir + "/" + std::to_string(n);
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return Status::InvalidArgument("part " + std::to_string(n) + " was not uploaded");
      return Status::IOError("cannot stat " + path + ": " + ErrnoText());
    }
    if (static_cast<uint64_t>(st.st_size) != MultipartPartLength(size, plan, n)) {
      return Status::InvalidArgument("part " + std::to_string(n) + " has the wrong length");
    }
  }
  MHUB_ASSIGN_OR_RETURN(auto writer, store_->BeginWrite(oid, size));
  std::string buf(kMiB, '\0');
  for (uint64_t n = 1; n <= plan.num_parts; ++n) {
    MHUB_ASSIGN_OR_RETURN(std::string part_sha, StreamPart(dir + "/" + std::to_string(n), n,
                                                           MultipartPartLength(size, plan, n), *writer, buf));
    if (BareEtag(ordered[n - 1]->etag) != part_sha) {
      return Status::InvalidArgument("part " + std::to_string(n) + ": ETag " + ordered[n - 1]->etag.substr(0, 80) +
                                     " does not match the uploaded bytes");
    }
  }
  Status st = writer->Commit();
  if (!st.ok()) {
    // The parts as a whole are not the announced object: the upload cannot succeed any more.
    if (st.code() == StatusCode::kInvalidArgument) Discard(upload_id);
    return st;
  }
  Discard(upload_id);
  return Status::OK();
}

void LfsMultipartStore::Discard(std::string_view upload_id) {
  if (!IsUploadId(upload_id)) return;
  std::error_code ec;
  fs::remove_all(UploadDir(upload_id), ec);
}

void LfsMultipartStore::RemoveStale(int64_t max_age_s) {
  std::error_code ec;
  const auto cutoff = fs::file_time_type::clock::now() - std::chrono::seconds(max_age_s);
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    std::error_code ec2;
    if (!IsUploadId(entry.path().filename().string())) continue;
    if (entry.is_directory(ec2) && entry.last_write_time(ec2) < cutoff) fs::remove_all(entry.path(), ec2);
  }
}

}  // namespace mhub::server
