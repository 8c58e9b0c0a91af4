// A small SQLite connection pool with per-connection prepared-statement caches. Internal.
//
// Each thread leases a connection for one call (ConnPool::Lease); a connection is never used by
// two threads at once. Connections run in WAL mode with a busy timeout, so readers never block
// writers and concurrent writers wait instead of failing.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mhub/base/result.h"

namespace mhub::server::sqlite {

// Status for an SQLite result code: constraint -> AlreadyExists, busy/locked -> Unavailable,
// others -> IOError. `what` names the operation.
Status Error(sqlite3* db, int rc, std::string_view what);

// A prepared statement borrowed from a connection's cache; reset and unbound when destroyed.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : stmt_(o.stmt_), db_(o.db_) { o.stmt_ = nullptr; }

  // 1-based parameter index.
  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, std::string_view value);
  Stmt& BindNull(int index);
  // SQLITE_ROW (true), SQLITE_DONE (false), or an error.
  Result<bool> Step();
  // Runs to completion.
  Status Run();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) const;
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db_;
};

struct Conn {
  sqlite3* db = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> stmts;
  ~Conn();
  Result<Stmt> Prepare(const std::string& sql);
  Status Exec(const std::string& sql);
};

class ConnPool {
 public:
  explicit ConnPool(std::string path) : path_(std::move(path)) {}
  ~ConnPool();

  class Lease {
   public:
    Lease(ConnPool* pool, Conn* conn) : pool_(pool), conn_(conn) {}
    ~Lease() {
      if (conn_) pool_->Release(conn_);
    }
    Lease(Lease&& o) noexcept : pool_(o.pool_), conn_(o.conn_) { o.conn_ = nullptr; }
    Lease(const Lease&) = delete;
    Conn* operator->() const { return conn_; }
    Conn& operator*() const { return *conn_; }

   private:
    ConnPool* pool_;
    Conn* conn_;
  };

  Result<Lease> Acquire();

 private:
  void Release(Conn* conn);
  Result<std::unique_ptr<Conn>> Open();

  std::string path_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Conn>> all_;
  std::vector<Conn*> idle_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when not committed.
class Transaction {
 public:
  explicit Transaction(Conn* conn) : conn_(conn) {}
  ~Transaction();
  Status Begin();
  Status Commit();

 private:
  Conn* conn_;
  bool open_ = false;
};

}  // namespace mhub::server::sqlite
