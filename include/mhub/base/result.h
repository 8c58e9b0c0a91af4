// Result<T>: a value or the Status saying why there is none.
//
//   Result<Config> r = LoadConfig(path);
//   if (!r.ok()) return r.status().WithContext("while loading model");
//   Config cfg = std::move(r).value();
//
// Or with the macro: MHUB_ASSIGN_OR_RETURN(Config cfg, LoadConfig(path));
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "mhub/base/status.h"

namespace mhub {

template <typename T>
class [[nodiscard]] Result {
 public:
  // Implicit from a value or from a non-OK Status, so `return value;` and `return status;` both work.
  Result(const T& value) : v_(value) {}        // NOLINT(google-explicit-constructor)
  Result(T&& value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  template <typename U, typename = std::enable_if_t<
                            std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, Status> &&
                            !std::is_same_v<std::decay_t<U>, Result<T>> && !std::is_same_v<std::decay_t<U>, T>>>
  Result(U&& value) : v_(T(std::forward<U>(value))) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {       // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result built from an OK Status has no value");
    if (std::get<Status>(v_).ok()) v_ = Status::Internal("Result built from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // OK when a value is held.
  Status status() const { return ok() ? Status::OK() : std::get<Status>(v_); }

  // Precondition: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T value_or(T fallback) const& { return ok() ? std::get<T>(v_) : std::move(fallback); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace mhub

#define MHUB_CONCAT_INNER_(a, b) a##b
#define MHUB_CONCAT_(a, b) MHUB_CONCAT_INNER_(a, b)
#define MHUB_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
// Evaluates `expr` (a Result), returns its Status when not OK, else assigns the value to `lhs`
// (which may be a declaration: MHUB_ASSIGN_OR_RETURN(auto x, f());).
#define MHUB_ASSIGN_OR_RETURN(lhs, expr) \
  MHUB_ASSIGN_OR_RETURN_IMPL_(MHUB_CONCAT_(mhub_result_tmp_, __LINE__), lhs, expr)
