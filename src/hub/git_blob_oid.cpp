#include "hub/git_blob_oid.h"

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "mhub/base/sha256.h"

namespace mhub::hub {

namespace {

// A sha1 over "blob <size>\0" then whatever `feed` hands to the update function.
template <typename Feed>
Result<std::string> HashBlob(uint64_t size, Feed feed) {
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string header = "blob " + std::to_string(size);
  header.push_back('\0');
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), header.data(), header.size()) != 1)
    return Status::Internal("sha1 is not available");
  MHUB_RETURN_IF_ERROR(feed([&](const char* data, size_t n) { EVP_DigestUpdate(ctx.get(), data, n); }));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) return Status::Internal("sha1 failed");
  return ToHex(digest, length);
}

}  // namespace

std::string GitBlobOid(std::string_view bytes) {
  auto oid = HashBlob(bytes.size(), [&](auto update) {
    update(bytes.data(), bytes.size());
    return Status::OK();
  });
  return oid.ok() ? *oid : std::string();
}

Result<std::string> GitBlobOidOfFile(const std::string& path) {
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return Status::IOError("cannot read " + path + ": " + ec.message());
  return HashBlob(size, [&](auto update) -> Status {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::IOError("cannot read " + path);
    std::string buf(1 << 20, '\0');
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      if (in.gcount() > 0) update(buf.data(), static_cast<size_t>(in.gcount()));
    }
    if (in.bad()) return Status::IOError("error reading " + path);
    return Status::OK();
  });
}

}  // namespace mhub::hub
