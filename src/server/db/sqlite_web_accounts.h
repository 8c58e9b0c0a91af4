// What the website adds to accounts: password hashes (PBKDF2-HMAC-SHA256, salted, slow) and
// browser sessions. Kept in its own SQLite file (`<data>/web.sqlite`) beside the metadata DB, so
// the API's schema is untouched. Session ids and CSRF secrets are random; only the SHA-256 of a
// session id is stored, so a leaked database does not hand out live sessions.
//
// Thread safety: every method may be called from many threads (WAL, one connection per call).
// Errors: NotFound for an unknown/expired session, InvalidArgument for a refused password,
// IOError for database failures. No call throws.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "mhub/base/result.h"
#include "mhub/server/metadata_db.h"

namespace mhub::server {

struct WebSession {
  std::string user;
  TokenRole role = TokenRole::kRead;  // what the credential used to sign in allowed
  std::string csrf;                   // secret that every state-changing form must echo
  int64_t expires_ms = 0;
};

class WebAccountStore {
 public:
  // Opens (creating) the SQLite file at `path`.
  static Result<std::unique_ptr<WebAccountStore>> Open(const std::string& path);
  virtual ~WebAccountStore() = default;

  // Stores a new salted hash for `user` (replacing any). InvalidArgument for a password shorter
  // than 8 or longer than 1024 bytes.
  virtual Status SetPassword(std::string_view user, std::string_view password) = 0;
  // True when `user` has a password and it matches (constant-time compare); false otherwise.
  virtual Result<bool> CheckPassword(std::string_view user, std::string_view password) = 0;

  // A new session for `user`, valid `ttl_s` seconds; returns its id (the cookie value).
  virtual Result<std::string> CreateSession(std::string_view user, TokenRole role, int64_t ttl_s) = 0;
  // NotFound when unknown or expired.
  virtual Result<WebSession> LookupSession(std::string_view id) = 0;
  // Idempotent.
  virtual Status DeleteSession(std::string_view id) = 0;
};

// Password hashing, exposed for tests: "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>".
std::string HashPassword(std::string_view password, std::string_view salt, int iterations);
bool VerifyPasswordHash(std::string_view stored, std::string_view password);
// `n` random bytes from OpenSSL as lowercase hex.
std::string RandomHex(size_t n);

}  // namespace mhub::server
