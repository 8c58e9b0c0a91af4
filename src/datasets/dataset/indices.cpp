// The indices mapping of select/filter/shuffle/sort: streamed to a file, then memory-mapped.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "datasets/dataset/dataset_impl.h"
#include "mhub/base/env.h"
#include "mhub/base/mmap_file.h"
#include "mhub/base/sha256.h"

namespace mhub::datasets {

std::string DeriveFingerprint(const std::string& parent, const std::string& transform, const std::string& args) {
  Sha256 h;
  h.Update(parent);
  h.Update(std::string_view("\0", 1));
  h.Update(transform);
  h.Update(std::string_view("\0", 1));
  h.Update(args);
  return h.FinishHex().substr(0, 32);
}

Result<std::unique_ptr<IndicesWriter>> IndicesWriter::Create(const std::string& cache_dir) {
  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(cache_dir));
  std::string pattern = cache_dir + "/.tmp-indices-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  int fd = mkstemp(buf.data());
  if (fd < 0) return Status::IOError("mkstemp in " + cache_dir + ": " + std::strerror(errno));
  std::unique_ptr<IndicesWriter> w(new IndicesWriter());
  w->cache_dir_ = cache_dir;
  w->tmp_path_ = buf.data();
  w->fd_ = fd;
  w->pending_.reserve(1 << 16);
  return w;
}

IndicesWriter::~IndicesWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!done_ && !tmp_path_.empty()) ::unlink(tmp_path_.c_str());
}

Status IndicesWriter::Flush() {
  const char* p = reinterpret_cast<const char*>(pending_.data());
  size_t left = pending_.size() * sizeof(int64_t);
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IOError("writing " + tmp_path_ + ": " + std::strerror(errno));
    p += n;
    left -= static_cast<size_t>(n);
  }
  pending_.clear();
  return Status::OK();
}

Status IndicesWriter::Append(int64_t row) {
  pending_.push_back(row);
  ++count_;
  if (pending_.size() >= (1 << 16)) return Flush();
  return Status::OK();
}

Status IndicesWriter::AppendMany(const int64_t* rows, size_t n) {
  for (size_t i = 0; i < n; ++i) MHUB_RETURN_IF_ERROR(Append(rows[i]));
  return Status::OK();
}

namespace {
Result<Buffer> MapIndices(const std::string& path) {
  MHUB_ASSIGN_OR_RETURN(MmapFile f, MmapFile::Open(path));
  if (f.size() % sizeof(int64_t) != 0) return Status::Corruption(path + ": not a whole number of int64 indices");
  auto map = std::make_shared<MmapFile>(std::move(f));
  Buffer b;
  b.data = map->data();
  b.size = map->size();
  b.owner = std::move(map);
  if (b.data == nullptr) {  // an empty file maps to nothing; keep a non-null pointer for has_indices()
    static const int64_t kNone = 0;
    b.data = reinterpret_cast<const uint8_t*>(&kNone);
  }
  return b;
}
}  // namespace

Result<Buffer> IndicesWriter::Finish(const std::string& fingerprint) {
  MHUB_RETURN_IF_ERROR(Flush());
  if (fingerprint.empty()) {
    ::close(fd_);
    fd_ = -1;
    MHUB_ASSIGN_OR_RETURN(Buffer b, MapIndices(tmp_path_));
    ::unlink(tmp_path_.c_str());  // the mapping keeps the pages; nothing is left in the cache
    done_ = true;
    return b;
  }
  MHUB_RETURN_IF_ERROR(FsyncFd(fd_, tmp_path_));
  ::close(fd_);
  fd_ = -1;
  std::string path = cache_dir_ + "/" + fingerprint + ".indices";
  MHUB_RETURN_IF_ERROR(Env::Default()->RenameDurable(tmp_path_, path));
  done_ = true;
  return MapIndices(path);
}

Result<Buffer> LoadCachedIndices(const std::string& cache_dir, const std::string& fingerprint) {
  std::string path = cache_dir + "/" + fingerprint + ".indices";
  if (!Env::Default()->FileExists(path)) return Status::NotFound(path);
  return MapIndices(path);
}

}  // namespace mhub::datasets
