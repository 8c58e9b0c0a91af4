#include "datasets/load/zip_archive.h"

#include <zip.h>

namespace mhub::datasets::load {

namespace {
constexpr uint64_t kMaxMembers = uint64_t{1} << 20;
}  // namespace

Result<std::unique_ptr<ZipArchive>> ZipArchive::Open(const std::string& path, const std::string& display) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
  if (!z) {
    zip_error_t e;
    zip_error_init_with_code(&e, err);
    std::string msg = display + ": not a readable zip archive (" + zip_error_strerror(&e) + ")";
    zip_error_fini(&e);
    return Status::Corruption(msg);
  }
  std::unique_ptr<ZipArchive> a(new ZipArchive());
  a->zip_ = z;
  a->display_ = display;
  MHUB_RETURN_IF_ERROR(a->List());
  return a;
}

Result<std::unique_ptr<ZipArchive>> ZipArchive::OpenBytes(const void* bytes, size_t size, const std::string& display) {
  zip_error_t e;
  zip_error_init(&e);
  zip_source_t* src = zip_source_buffer_create(bytes, size, 0, &e);
  if (!src) {
    zip_error_fini(&e);
    return Status::Internal(display + ": cannot make a zip source");
  }
  zip_t* z = zip_open_from_source(src, ZIP_RDONLY, &e);
  if (!z) {
    std::string msg = display + ": not a readable zip archive (" + zip_error_strerror(&e) + ")";
    zip_source_free(src);
    zip_error_fini(&e);
    return Status::Corruption(msg);
  }
  zip_error_fini(&e);
  std::unique_ptr<ZipArchive> a(new ZipArchive());
  a->zip_ = z;
  a->display_ = display;
  MHUB_RETURN_IF_ERROR(a->List());
  return a;
}

ZipArchive::~ZipArchive() {
  if (zip_) zip_discard(static_cast<zip_t*>(zip_));
}

Status ZipArchive::List() {
  zip_t* z = static_cast<zip_t*>(zip_);
  const zip_int64_t n = zip_get_num_entries(z, 0);
  if (n < 0 || static_cast<uint64_t>(n) > kMaxMembers) {
    return Status::Corruption(display_ + ": " + std::to_string(n) + " members");
  }
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
        !(st.valid & ZIP_STAT_SIZE)) {
      return Status::Corruption(display_ + ": member " + std::to_string(i) + " has no name or size");
    }
    std::string name = st.name;
    if (name.empty() || name.back() == '/') continue;  // a directory
    members_.push_back(Member{std::move(name), st.size, static_cast<uint64_t>(i)});
  }
  return Status::OK();
}

Result<std::string> ZipArchive::Read(const Member& m, uint64_t max_bytes) const {
  if (m.size > max_bytes) {
    return Status::ResourceExhausted(display_ + "::" + m.name + ": " + std::to_string(m.size) + " bytes");
  }
  zip_t* z = static_cast<zip_t*>(zip_);
  zip_file_t* f = zip_fopen_index(z, m.index, 0);
  if (!f) return Status::Corruption(display_ + "::" + m.name + ": " + zip_strerror(z));
  std::string out(static_cast<size_t>(m.size), '\0');
  zip_int64_t got = m.size ? zip_fread(f, out.data(), m.size) : 0;
  // One byte more must give nothing: data past the declared size is corruption too.
  char extra;
  zip_int64_t more = zip_fread(f, &extra, 1);
  zip_fclose(f);
  if (got < 0 || static_cast<uint64_t>(got) != m.size || more != 0) {
    return Status::Corruption(display_ + "::" + m.name + ": does not decompress to its declared " +
                              std::to_string(m.size) + " bytes");
  }
  return out;
}

}  // namespace mhub::datasets::load
