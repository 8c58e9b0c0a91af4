// Self-authorising LFS transfer URLs. Both HF clients PUT basic-transfer uploads with no
// Authorization header (hub-api.md 7.2), so the batch answer hands out URLs that carry their own
// permission: an expiry and an HMAC-SHA256, keyed by a per-data-dir secret, over what they allow.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mhub/base/result.h"

namespace mhub::server {

class LfsUrlSigner {
 public:
  // Reads `<data>/server_secret`, creating it (32 random bytes, hex) on first use.
  static Result<LfsUrlSigner> Open(const std::string& data_dir);
  explicit LfsUrlSigner(std::string secret) : secret_(std::move(secret)) {}

  // Signature over (action, repo, oid, size, expires_unix). `action` is "upload", "download" or
  // "verify", or for multipart transfers "upload-part/<upload id>/<chunk>/<part>" and
  // "complete-multipart/<upload id>/<chunk>", each followed by the grant "\nt=<token id>\nu=<user>"
  // (lfs_transfer_urls.h); `repo` the RepoKey string.
  std::string Sign(std::string_view action, std::string_view repo, std::string_view oid, uint64_t size,
                   int64_t expires_unix) const;
  // OK when `signature` matches and `expires_unix` is in the future; PermissionDenied otherwise.
  Status Check(std::string_view action, std::string_view repo, std::string_view oid, uint64_t size,
               int64_t expires_unix, std::string_view signature) const;

 private:
  std::string secret_;
};

}  // namespace mhub::server
