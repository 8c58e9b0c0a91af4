#include "server/http/lfs_signing.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "mhub/base/env.h"
#include "mhub/base/sha256.h"

namespace mhub::server {

namespace {

// Written owner-only from the first byte (a temp file made 0600, fsynced, renamed), never
// readable by other local users, not even for a moment.
Status WriteSecretFile(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + std::strerror(errno));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const Status st = Status::IOError("cannot write " + path + ": " + std::strerror(errno));
    ::unlink(tmp.c_str());
    return st;
  }
  return Status::OK();
}

}  // namespace

Result<LfsUrlSigner> LfsUrlSigner::Open(const std::string& data_dir) {
  std::string path = data_dir + "/server_secret";
  if (Env::Default()->FileExists(path)) {
    MHUB_ASSIGN_OR_RETURN(std::string secret, ReadFile(path));
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    if (secret.size() >= 32) return LfsUrlSigner(secret);
  }
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof(raw)) != 1) return Status::Internal("RAND_bytes failed while creating the server secret");
  std::string secret = ToHex(raw, sizeof(raw));
  MHUB_RETURN_IF_ERROR(WriteSecretFile(path, secret + "\n"));
  return LfsUrlSigner(secret);
}

std::string LfsUrlSigner::Sign(std::string_view action, std::string_view repo, std::string_view oid, uint64_t size,
                               int64_t expires_unix) const {
  std::string payload = std::string(action) + "\n" + std::string(repo) + "\n" + std::string(oid) + "\n" +
                        std::to_string(size) + "\n" + std::to_string(expires_unix);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &mac_len);
  return ToHex(mac, mac_len);
}

Status LfsUrlSigner::Check(std::string_view action, std::string_view repo, std::string_view oid, uint64_t size,
                           int64_t expires_unix, std::string_view signature) const {
  if (expires_unix < static_cast<int64_t>(std::time(nullptr))) {
    return Status::PermissionDenied("the LFS transfer URL has expired; ask the batch API again");
  }
  std::string expected = Sign(action, repo, oid, size, expires_unix);
  if (signature.size() != expected.size() || CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return Status::PermissionDenied("invalid signature on the LFS transfer URL");
  }
  return Status::OK();
}

}  // namespace mhub::server
