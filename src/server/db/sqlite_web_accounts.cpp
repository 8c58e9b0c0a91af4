#include "server/db/sqlite_web_accounts.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <chrono>
#include <vector>

#include "mhub/base/sha256.h"
#include "server/db/sqlite_conn.h"

namespace mhub::server {
namespace {

// OWASP's 2023 floor for PBKDF2-HMAC-SHA256 is 600k; 210k keeps a sign-in near 0.1 s on 2 shared
// cores while still costing an attacker ~10^5 times a plain hash per guess.
constexpr int kIterations = 210000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<uint8_t> FromHex(std::string_view hex) {
  std::vector<uint8_t> out;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    int hi = nib(hex[i]), lo = nib(hex[i + 1]);
    if (hi < 0 || lo < 0) return {};
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return out;
}

class SqliteWebAccountStore final : public WebAccountStore {
 public:
  explicit SqliteWebAccountStore(std::string path) : pool_(std::move(path)) {}

  Status Init() {
    MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    return conn->Exec(
        "CREATE TABLE IF NOT EXISTS web_passwords (user TEXT PRIMARY KEY, hash TEXT NOT NULL, "
        "updated_ms INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS web_sessions (id_sha256 TEXT PRIMARY KEY, user TEXT NOT NULL, "
        "role INTEGER NOT NULL, csrf TEXT NOT NULL, expires_ms INTEGER NOT NULL);");
  }

  Status SetPassword(std::string_view user, std::string_view password) override {
    if (password.size() < 8) return Status::InvalidArgument("a password needs at least 8 characters");
    if (password.size() > 1024) return Status::InvalidArgument("a password may have at most 1024 bytes");
    std::string hash = HashPassword(password, RandomHex(16), kIterations);
    MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(
        auto st,
        conn->Prepare("INSERT INTO web_passwords(user, hash, updated_ms) VALUES(?1, ?2, ?3) "
                      "ON CONFLICT(user) DO UPDATE SET hash = excluded.hash, updated_ms = excluded.updated_ms"));
    return st.Bind(1, user).Bind(2, hash).Bind(3, NowMs()).Run();
  }

  Result<bool> CheckPassword(std::string_view user, std::string_view password) override {
    if (password.size() > 1024) return false;
    std::string stored;
    {
      MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
      MHUB_ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT hash FROM web_passwords WHERE user = ?1"));
      st.Bind(1, user);
      MHUB_ASSIGN_OR_RETURN(bool row, st.Step());
      if (row) stored = st.Text(0);
    }
    // Unknown users cost the same hash, so timing does not tell which names have passwords.
    if (stored.empty()) {
      (void)HashPassword(password, "00000000000000000000000000000000", kIterations);
      return false;
    }
    return VerifyPasswordHash(stored, password);
  }

  Result<std::string> CreateSession(std::string_view user, TokenRole role, int64_t ttl_s) override {
    std::string id = RandomHex(32);
    MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    {
      // Expired sessions are swept on each sign-in: the table stays as small as the live ones.
      MHUB_ASSIGN_OR_RETURN(auto sweep, conn->Prepare("DELETE FROM web_sessions WHERE expires_ms < ?1"));
      MHUB_RETURN_IF_ERROR(sweep.Bind(1, NowMs()).Run());
    }
    MHUB_ASSIGN_OR_RETURN(auto st, conn->Prepare("INSERT INTO web_sessions(id_sha256, user, role, csrf, expires_ms) "
                                                 "VALUES(?1, ?2, ?3, ?4, ?5)"));
    MHUB_RETURN_IF_ERROR(st.Bind(1, Sha256Hex(id))
                             .Bind(2, user)
                             .Bind(3, static_cast<int64_t>(role == TokenRole::kWrite ? 1 : 0))
                             .Bind(4, RandomHex(24))
                             .Bind(5, NowMs() + ttl_s * 1000)
                             .Run());
    return id;
  }

  Result<WebSession> LookupSession(std::string_view id) override {
    if (id.size() != 64) return Status::NotFound("no such session");
    MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(auto st,
                          conn->Prepare("SELECT user, role, csrf, expires_ms FROM web_sessions WHERE id_sha256 = ?1"));
    st.Bind(1, Sha256Hex(id));
    MHUB_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound("no such session");
    WebSession s;
    s.user = st.Text(0);
    s.role = st.Int(1) == 1 ? TokenRole::kWrite : TokenRole::kRead;
    s.csrf = st.Text(2);
    s.expires_ms = st.Int(3);
    if (s.expires_ms < NowMs()) return Status::NotFound("session expired");
    return s;
  }

  Status DeleteSession(std::string_view id) override {
    MHUB_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(auto st, conn->Prepare("DELETE FROM web_sessions WHERE id_sha256 = ?1"));
    return st.Bind(1, Sha256Hex(id)).Run();
  }

 private:
  sqlite::ConnPool pool_;
};

}  // namespace

std::string RandomHex(size_t n) {
  std::vector<uint8_t> bytes(n);
  if (RAND_bytes(bytes.data(), static_cast<int>(n)) != 1) std::abort();  // no entropy: never hand out guessable ids
  return ToHex(bytes.data(), n);
}

std::string HashPassword(std::string_view password, std::string_view salt, int iterations) {
  uint8_t out[32];
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()), iterations,
                    EVP_sha256(), sizeof(out), out);
  return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + std::string(salt) + "$" + ToHex(out, sizeof(out));
}

bool VerifyPasswordHash(std::string_view stored, std::string_view password) {
  // pbkdf2-sha256$<iterations>$<salt>$<hash>
  size_t a = stored.find('$');
  size_t b = a == std::string_view::npos ? a : stored.find('$', a + 1);
  size_t c = b == std::string_view::npos ? b : stored.find('$', b + 1);
  if (c == std::string_view::npos || stored.substr(0, a) != "pbkdf2-sha256") return false;
  int iterations = std::atoi(std::string(stored.substr(a + 1, b - a - 1)).c_str());
  if (iterations < 1 || iterations > 10'000'000) return false;
  std::string_view salt = stored.substr(b + 1, c - b - 1);
  std::vector<uint8_t> want = FromHex(stored.substr(c + 1));
  std::string got_text = HashPassword(password, salt, iterations);
  std::vector<uint8_t> got = FromHex(std::string_view(got_text).substr(got_text.rfind('$') + 1));
  return want.size() == 32 && got.size() == 32 && CRYPTO_memcmp(want.data(), got.data(), 32) == 0;
}

Result<std::unique_ptr<WebAccountStore>> WebAccountStore::Open(const std::string& path) {
  auto store = std::make_unique<SqliteWebAccountStore>(path);
  MHUB_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<WebAccountStore>(std::move(store));
}

}  // namespace mhub::server
