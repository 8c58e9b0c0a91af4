// Argument handling shared by the builtins of the chat-template engine (internal).
#pragma once

#include <string>
#include <vector>

#include "tokenizers/chat/jinja_value.h"

namespace mhub::tokenizers::jinja {

// Errors from builtins carry no position; the caller adds it.
inline Status Fail(const std::string& msg) { return Status::InvalidArgument(msg); }

// Splits `args` into positional values and the trailing keyword-arguments object (if any).
struct Args {
  std::vector<Value> pos;
  ObjectMap kw;
  explicit Args(const std::vector<Value>& all) {
    pos = all;
    if (!pos.empty() && pos.back().kind == Kind::kObject && pos.back().is_kwargs) {
      kw = *pos.back().object;
      pos.pop_back();
    }
  }
  // Positional `i`, else keyword `name`, else `fallback`.
  Value Get(size_t i, const std::string& name, Value fallback = Value::Undefined()) const {
    if (i < pos.size()) return pos[i];
    if (const Value* v = kw.Find(name)) return *v;
    return fallback;
  }
};

}  // namespace mhub::tokenizers::jinja
