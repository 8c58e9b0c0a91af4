// Runtime values of the chat-template engine. Semantics follow @huggingface/jinja (runtime.ts):
// ints and floats are distinct, arrays/objects/namespaces are shared by reference (namespace
// attribute assignment is visible through every alias), undefined and none print as nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::tokenizers::jinja {

class Interpreter;
struct Env;
struct Value;
class ObjectMap;

enum class Kind : uint8_t { kUndefined, kNull, kBool, kInt, kFloat, kString, kArray, kObject, kNamespace, kFunction };

// A callable: builtin function, bound method or macro. `args` may end with a keyword-arguments
// object (Value::is_kwargs). `env` is the calling scope.
using NativeFn = std::function<Result<Value>(Interpreter& in, std::vector<Value>& args, Env& env)>;

// Every array and object is allocated through these, so that the render's arena (jinja_arena.h)
// can break the reference cycles a template makes.
std::shared_ptr<std::vector<Value>> NewArrayStorage(std::vector<Value> items);
std::shared_ptr<ObjectMap> NewObjectStorage(ObjectMap m);

struct Value {
  Kind kind = Kind::kUndefined;
  bool is_tuple = false;   // an array written as (a, b)
  bool is_kwargs = false;  // an object carrying keyword arguments of a call
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::shared_ptr<std::vector<Value>> array;
  std::shared_ptr<ObjectMap> object;  // kObject and kNamespace
  std::shared_ptr<NativeFn> fn;

  static Value Undefined() { return Value(); }
  static Value Null() { return Make(Kind::kNull); }
  static Value Bool(bool v) {
    Value x = Make(Kind::kBool);
    x.b = v;
    return x;
  }
  static Value Int(int64_t v) {
    Value x = Make(Kind::kInt);
    x.i = v;
    return x;
  }
  static Value Float(double v) {
    Value x = Make(Kind::kFloat);
    x.f = v;
    return x;
  }
  static Value Str(std::string v) {
    Value x = Make(Kind::kString);
    x.s = std::move(v);
    return x;
  }
  static Value Array(std::vector<Value> items = {}) {
    Value x = Make(Kind::kArray);
    x.array = NewArrayStorage(std::move(items));
    return x;
  }
  static Value Object();
  static Value Object(ObjectMap m);
  static Value Namespace();
  static Value Namespace(ObjectMap m);
  static Value Function(NativeFn f) {
    Value x = Make(Kind::kFunction);
    x.fn = std::make_shared<NativeFn>(std::move(f));
    return x;
  }

  bool IsNumber() const { return kind == Kind::kInt || kind == Kind::kFloat; }
  bool IsNumericLike() const { return IsNumber() || kind == Kind::kBool; }
  double Number() const { return kind == Kind::kInt ? static_cast<double>(i) : kind == Kind::kFloat ? f : b ? 1 : 0; }
  bool IsContainer() const { return kind == Kind::kObject || kind == Kind::kNamespace; }

 private:
  static Value Make(Kind k) {
    Value x;
    x.kind = k;
    return x;
  }
};

// Insertion-ordered string map (JS Map semantics).
class ObjectMap {
 public:
  const Value* Find(std::string_view key) const;
  void Set(const std::string& key, Value v);
  bool Erase(const std::string& key);
  size_t size() const { return entries_.size(); }
  const std::vector<std::pair<std::string, Value>>& entries() const { return entries_; }
  // Moves every value to the end of `out` and leaves the map empty (the arena's cycle breaking).
  void MoveValuesTo(std::vector<Value>& out);

 private:
  std::vector<std::pair<std::string, Value>> entries_;
  std::unordered_map<std::string, size_t> index_;
};

inline Value Value::Object(ObjectMap m) {
  Value x = Make(Kind::kObject);
  x.object = NewObjectStorage(std::move(m));
  return x;
}
inline Value Value::Object() { return Object(ObjectMap()); }
inline Value Value::Namespace(ObjectMap m) {
  Value x = Make(Kind::kNamespace);
  x.object = NewObjectStorage(std::move(m));
  return x;
}
inline Value Value::Namespace() { return Namespace(ObjectMap()); }

// "UndefinedValue", "StringValue", ... as the reference names types in its messages.
std::string_view KindName(const Value& v);

// Python/Jinja truthiness as the reference implements it (empty array/object false, namespace true).
bool Truthy(const Value& v);

// How a value prints in {{ }} output (RuntimeValue.toString): floats keep ".0", containers print as
// JSON with ", " / ": " separators and undefined members as `undefined`. Undefined/none print "".
// `max_bytes` bounds the text produced (ResourceExhausted beyond it) for all printing functions.
Result<std::string> ToOutput(const Value& v, size_t max_depth, size_t max_bytes);

// JavaScript String(value.value): what `+` and `~` concatenate (floats print like JS numbers).
Result<std::string> ToConcatString(const Value& v, size_t max_depth, size_t max_bytes);

// A JS number as JavaScript prints it ("3", "0.1", "1e+21", "NaN").
std::string JsNumberToString(double d);

struct ToJsonOptions {
  int indent = 0;  // 0: single line
  bool ensure_ascii = false;
  bool sort_keys = false;
  bool has_separators = false;
  std::string item_separator, key_separator;
  bool undefined_as_null = true;
  size_t max_bytes = 16u << 20;
};
// The `tojson` filter (Python json.dumps-like output as the reference produces it).
Result<std::string> ToJsonText(const Value& v, const ToJsonOptions& opt, size_t max_depth);

// JavaScript `a == b` on the underlying values (containers compare by identity).
bool LooseEquals(const Value& a, const Value& b);
// JavaScript `a === b` on the underlying values.
bool StrictEquals(const Value& a, const Value& b);

// Converts input JSON (messages, tools, extra variables). Whole floats become ints, as JS does.
Result<Value> FromJson(const OrderedJson& j, size_t max_depth);

// UTF-8 helpers working on code points.
// Decodes the code point at s[i] and advances i past it. Lenient, as JS strings are: the lead
// byte alone decides the length (cut short at the end of `s`); continuation bytes are not checked.
uint32_t DecodeCodePoint(std::string_view s, size_t& i);
std::vector<std::string> SplitCodePoints(std::string_view s);
bool IsJsWhitespace(uint32_t cp);
std::string JsTrim(std::string_view s, bool left, bool right);

}  // namespace mhub::tokenizers::jinja
