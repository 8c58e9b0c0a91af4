// SQLite connection pool and statement helpers (see sqlite_conn.h).
#include "server/db/sqlite_conn.h"

#include <fcntl.h>
#include <unistd.h>

namespace mhub::server::sqlite {

Status Error(sqlite3* db, int rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xFF) {
    case SQLITE_CONSTRAINT:
      return Status::AlreadyExists(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(msg);
    default:
      return Status::IOError(msg);
  }
}

Stmt::~Stmt() {
  if (stmt_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Stmt& Stmt::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Stmt& Stmt::Bind(int index, std::string_view value) {
  sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Stmt& Stmt::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Stmt::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(db_, rc, "running SQL");
}

Status Stmt::Run() {
  for (;;) {
    MHUB_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::OK();
  }
}

std::string Stmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (!p) return "";
  return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

Conn::~Conn() {
  for (auto& [sql, stmt] : stmts) sqlite3_finalize(stmt);
  if (db) sqlite3_close(db);
}

Result<Stmt> Conn::Prepare(const std::string& sql) {
  auto it = stmts.find(sql);
  if (it == stmts.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(db, rc, "preparing SQL");
    it = stmts.emplace(sql, stmt).first;
  }
  return Stmt(it->second, db);
}

Status Conn::Exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    Status st = Error(db, rc, std::string("running '") + sql.substr(0, 60) + "'");
    sqlite3_free(err);
    return st;
  }
  return Status::OK();
}

ConnPool::~ConnPool() = default;

Result<std::unique_ptr<Conn>> ConnPool::Open() {
  auto conn = std::make_unique<Conn>();
  // Created owner-only before SQLite opens it (SQLite gives its -wal and -shm files the same
  // mode): it holds token hashes and private repo records. O_EXCL: an existing file is never
  // opened here, because closing any descriptor of a file drops every POSIX lock this process
  // holds on it, and other processes would then take the pool's open WAL for abandoned.
  if (!path_.empty() && path_[0] != ':' && path_.rfind("file:", 0) != 0) {
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  const int rc = sqlite3_open_v2(path_.c_str(), &conn->db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status st = Error(conn->db, rc, "opening database " + path_);
    return st;
  }
  sqlite3_busy_timeout(conn->db, 15000);
  MHUB_RETURN_IF_ERROR(conn->Exec("PRAGMA journal_mode=WAL"));
  // WAL + NORMAL: a crashed process loses nothing that committed; only a power cut may drop the
  // last transactions, never corrupt the file.
  MHUB_RETURN_IF_ERROR(conn->Exec("PRAGMA synchronous=NORMAL"));
  MHUB_RETURN_IF_ERROR(conn->Exec("PRAGMA foreign_keys=ON"));
  return conn;
}

Result<ConnPool::Lease> ConnPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      Conn* c = idle_.back();
      idle_.pop_back();
      return Lease(this, c);
    }
  }
  MHUB_ASSIGN_OR_RETURN(std::unique_ptr<Conn> conn, Open());
  std::lock_guard<std::mutex> lock(mu_);
  Conn* raw = conn.get();
  all_.push_back(std::move(conn));
  return Lease(this, raw);
}

void ConnPool::Release(Conn* conn) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(conn);
}

Transaction::~Transaction() {
  if (open_) (void)conn_->Exec("ROLLBACK");
}

Status Transaction::Begin() {
  MHUB_RETURN_IF_ERROR(conn_->Exec("BEGIN IMMEDIATE"));
  open_ = true;
  return Status::OK();
}

Status Transaction::Commit() {
  MHUB_RETURN_IF_ERROR(conn_->Exec("COMMIT"));
  open_ = false;
  return Status::OK();
}

}  // namespace mhub::server::sqlite
