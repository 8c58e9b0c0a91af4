// Status: the outcome of a fallible call. Cheap to copy when OK (no allocation).
// Every fallible public mhub call returns Status or Result<T>; no exceptions cross public headers.
//
// A message should say what failed and where, and callers add context on the way up:
//   return st.WithContext("while loading tokenizer.json");
//   -> "while loading tokenizer.json: merges[12] names unknown token 'xyz'"
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace mhub {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,    // bad input from the caller (HTTP 400)
  kNotFound,           // no such file, repo, revision, tensor (HTTP 404)
  kAlreadyExists,      // create of something that exists (HTTP 409)
  kConflict,           // stale parent commit, concurrent update (HTTP 409/412)
  kPermissionDenied,   // authenticated but not allowed (HTTP 403)
  kUnauthenticated,    // missing or bad credentials (HTTP 401)
  kCorruption,         // stored or received data violates its format
  kIOError,            // the OS said no (disk, socket)
  kUnsupported,        // valid input we do not handle (architecture, dtype, endpoint: HTTP 501)
  kResourceExhausted,  // too large, out of memory, quota (HTTP 413/507)
  kUnavailable,        // try again later (HTTP 503)
  kInternal,           // a bug in mhub
};

// Name of the code, e.g. "NotFound".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {StatusCode::kAlreadyExists, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {StatusCode::kConflict, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) { return {StatusCode::kPermissionDenied, std::move(msg)}; }
  static Status Unauthenticated(std::string msg) { return {StatusCode::kUnauthenticated, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Unsupported(std::string msg) { return {StatusCode::kUnsupported, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) { return {StatusCode::kResourceExhausted, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // The message without the code name; empty when OK.
  const std::string& message() const;
  // "NotFound: <message>" or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>". OK stays OK.
  Status WithContext(std::string_view context) const;

  bool operator==(const Status& other) const { return code() == other.code() && message() == other.message(); }

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  std::shared_ptr<const Rep> rep_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

}  // namespace mhub

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define MHUB_RETURN_IF_ERROR(expr)                       \
  do {                                                   \
    ::mhub::Status mhub_status_tmp_ = (expr);            \
    if (!mhub_status_tmp_.ok()) return mhub_status_tmp_; \
  } while (0)
