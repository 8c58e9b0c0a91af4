// Printing, JSON output, equality and truthiness of template values (see jinja_value.h).
#include "tokenizers/chat/jinja_value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "mhub/base/json_escape.h"

namespace mhub::tokenizers::jinja {

const Value* ObjectMap::Find(std::string_view key) const {
  auto it = index_.find(std::string(key));
  return it == index_.end() ? nullptr : &entries_[it->second].second;
}

void ObjectMap::Set(const std::string& key, Value v) {
  auto it = index_.find(key);
  if (it != index_.end()) {
    entries_[it->second].second = std::move(v);
    return;
  }
  index_.emplace(key, entries_.size());
  entries_.emplace_back(key, std::move(v));
}

bool ObjectMap::Erase(const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(it->second));
  index_.clear();
  for (size_t k = 0; k < entries_.size(); ++k) index_.emplace(entries_[k].first, k);
  return true;
}

void ObjectMap::MoveValuesTo(std::vector<Value>& out) {
  for (auto& entry : entries_) out.push_back(std::move(entry.second));
  entries_.clear();
  index_.clear();
}

std::string_view KindName(const Value& v) {
  switch (v.kind) {
    case Kind::kUndefined:
      return "UndefinedValue";
    case Kind::kNull:
      return "NullValue";
    case Kind::kBool:
      return "BooleanValue";
    case Kind::kInt:
      return "IntegerValue";
    case Kind::kFloat:
      return "FloatValue";
    case Kind::kString:
      return "StringValue";
    case Kind::kArray:
      return v.is_tuple ? "TupleValue" : "ArrayValue";
    case Kind::kObject:
      return v.is_kwargs ? "KeywordArgumentsValue" : "ObjectValue";
    case Kind::kNamespace:
      return "NamespaceValue";
    case Kind::kFunction:
      return "FunctionValue";
  }
  return "Value";
}

bool Truthy(const Value& v) {
  switch (v.kind) {
    case Kind::kUndefined:
    case Kind::kNull:
      return false;
    case Kind::kBool:
      return v.b;
    case Kind::kInt:
      return v.i != 0;
    case Kind::kFloat:
      return v.f != 0 && !std::isnan(v.f);
    case Kind::kString:
      return !v.s.empty();
    case Kind::kArray:
      return !v.array->empty();
    case Kind::kObject:
      return v.object->size() > 0;
    case Kind::kNamespace:
    case Kind::kFunction:
      return true;
  }
  return false;
}

std::string JsNumberToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  if (d == 0) return "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  size_t e_pos = sci.find('e');
  std::string mant = sci.substr(0, e_pos);
  int exp10 = std::atoi(sci.c_str() + e_pos + 1);
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits += c;
  }
  const int k = static_cast<int>(digits.size());
  const int n = exp10 + 1;
  std::string out;
  if (k <= n && n <= 21) {
    out = digits + std::string(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out = digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out = "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  } else {
    out = digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += (n - 1 >= 0 ? "e+" : "e-") + std::to_string(std::abs(n - 1));
  }
  return sign + out;
}

namespace {

Status TooDeep() { return Status::ResourceExhausted("chat template: value nesting too deep"); }

// RuntimeValue.toString() of the reference.
Status TooLarge() { return Status::ResourceExhausted("chat template: text too large"); }

Result<std::string> RuntimeToString(const Value& v, size_t depth, size_t max_bytes) {
  switch (v.kind) {
    case Kind::kUndefined:
      return std::string("undefined");
    case Kind::kNull:
      return std::string("null");
    case Kind::kBool:
      return std::string(v.b ? "true" : "false");
    case Kind::kInt:
      return std::to_string(v.i);
    case Kind::kFloat: {
      if (v.f == 0 && std::signbit(v.f)) return std::string("-0.0");
      if (std::isfinite(v.f) && v.f == std::floor(v.f)) {
        if (std::fabs(v.f) >= 1e21) return JsNumberToString(v.f);  // toFixed switches to exponent form
        char buf[400];
        std::snprintf(buf, sizeof(buf), "%.1f", v.f);
        return std::string(buf);
      }
      return JsNumberToString(v.f);
    }
    case Kind::kString:
      return v.s;
    case Kind::kArray:
    case Kind::kObject:
    case Kind::kNamespace: {
      ToJsonOptions opt;
      opt.undefined_as_null = false;
      opt.max_bytes = max_bytes;
      return ToJsonText(v, opt, depth);
    }
    case Kind::kFunction:
      return std::string("[function]");
  }
  return std::string();
}

// JSON.stringify(string), optionally with non-ASCII escaped from DEL (0x7f) up as the reference does.
std::string JsonQuote(std::string_view s, bool ensure_ascii) {
  std::string out;
  AppendJsonString(s, out, {ensure_ascii ? 0x7fu : JsonStringStyle::kKeepUtf8, false});
  return out;
}

Status ToJsonInto(const Value& v, const ToJsonOptions& opt, size_t depth, size_t max_depth, std::string& out) {
  if (depth > max_depth) return TooDeep();
  if (out.size() > opt.max_bytes) return TooLarge();
  std::string item_sep, key_sep;
  if (opt.has_separators) {
    item_sep = opt.item_separator;
    key_sep = opt.key_separator;
  } else if (opt.indent) {
    item_sep = ",";
    key_sep = ": ";
  } else {
    item_sep = ", ";
    key_sep = ": ";
  }
  switch (v.kind) {
    case Kind::kNull:
      out += "null";
      return Status::OK();
    case Kind::kUndefined:
      out += opt.undefined_as_null ? "null" : "undefined";
      return Status::OK();
    case Kind::kBool:
      out += v.b ? "true" : "false";
      return Status::OK();
    case Kind::kInt:
      out += std::to_string(v.i);
      return Status::OK();
    case Kind::kFloat:
      out += std::isfinite(v.f) ? JsNumberToString(v.f) : "null";
      return Status::OK();
    case Kind::kString:
      out += JsonQuote(v.s, opt.ensure_ascii);
      return Status::OK();
    case Kind::kFunction:
      return Status::InvalidArgument("Cannot convert to JSON: FunctionValue");
    default:
      break;
  }
  const std::string indent_unit(static_cast<size_t>(std::max(opt.indent, 0)), ' ');
  std::string base_pad = "\n";
  for (size_t k = 0; k < depth; ++k) base_pad += indent_unit;
  const std::string child_pad = base_pad + indent_unit;
  if (v.kind == Kind::kArray) {
    if (v.is_tuple) return Status::InvalidArgument("Cannot convert to JSON: TupleValue");  // as the reference
    if (v.array->empty()) {
      out += "[]";
      return Status::OK();
    }
    out += "[";
    bool first = true;
    for (const Value& e : *v.array) {
      if (!first) out += item_sep;
      if (opt.indent) out += child_pad;
      first = false;
      MHUB_RETURN_IF_ERROR(ToJsonInto(e, opt, depth + 1, max_depth, out));
    }
    if (opt.indent) out += base_pad;
    out += "]";
    return Status::OK();
  }
  std::vector<const std::pair<std::string, Value>*> entries;
  for (const auto& e : v.object->entries()) entries.push_back(&e);
  if (opt.sort_keys) {
    std::stable_sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
  }
  if (entries.empty()) {
    out += "{}";
    return Status::OK();
  }
  out += "{";
  bool first = true;
  for (const auto* e : entries) {
    if (!first) out += item_sep;
    first = false;
    if (opt.indent) out += child_pad;
    out += JsonQuote(e->first, opt.ensure_ascii);
    out += key_sep;
    MHUB_RETURN_IF_ERROR(ToJsonInto(e->second, opt, depth + 1, max_depth, out));
  }
  if (opt.indent) out += base_pad;
  out += "}";
  return Status::OK();
}

double JsToNumber(const std::string& s) {
  std::string t = JsTrim(s, true, true);
  if (t.empty()) return 0;
  if (t == "Infinity" || t == "+Infinity") return INFINITY;
  if (t == "-Infinity") return -INFINITY;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    char* end = nullptr;
    double d = static_cast<double>(std::strtoull(t.c_str() + 2, &end, 16));
    return *end ? NAN : d;
  }
  for (char c : t) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
      return NAN;
    }
  }
  char* end = nullptr;
  double d = std::strtod(t.c_str(), &end);
  return *end ? NAN : d;
}

}  // namespace

Result<std::string> ToOutput(const Value& v, size_t max_depth, size_t max_bytes) {
  if (v.kind == Kind::kUndefined || v.kind == Kind::kNull) return std::string();
  return RuntimeToString(v, max_depth, max_bytes);
}

Result<std::string> ToConcatString(const Value& v, size_t max_depth, size_t max_bytes) {
  switch (v.kind) {
    case Kind::kFloat:
      return JsNumberToString(v.f);
    case Kind::kArray: {
      std::string out;
      bool first = true;
      for (const Value& e : *v.array) {
        if (!first) out += ",";
        first = false;
        MHUB_ASSIGN_OR_RETURN(std::string s, RuntimeToString(e, max_depth, max_bytes));
        out += s;
        if (out.size() > max_bytes) return TooLarge();
      }
      return out;
    }
    case Kind::kObject:
    case Kind::kNamespace:
      return std::string("[object Map]");
    default:
      return RuntimeToString(v, max_depth, max_bytes);
  }
}

Result<std::string> ToJsonText(const Value& v, const ToJsonOptions& opt, size_t max_depth) {
  std::string out;
  MHUB_RETURN_IF_ERROR(ToJsonInto(v, opt, 0, max_depth, out));
  if (out.size() > opt.max_bytes) return TooLarge();
  return out;
}

bool StrictEquals(const Value& a, const Value& b) {
  if (a.IsNumber() && b.IsNumber()) return a.Number() == b.Number();
  if (a.kind != b.kind) {
    return (a.kind == Kind::kObject || a.kind == Kind::kNamespace) &&
           (b.kind == Kind::kObject || b.kind == Kind::kNamespace) && a.object == b.object;
  }
  switch (a.kind) {
    case Kind::kUndefined:
    case Kind::kNull:
      return true;
    case Kind::kBool:
      return a.b == b.b;
    case Kind::kString:
      return a.s == b.s;
    case Kind::kArray:
      return a.array == b.array;
    case Kind::kObject:
    case Kind::kNamespace:
      return a.object == b.object;
    case Kind::kFunction:
      return a.fn == b.fn;
    default:
      return false;
  }
}

bool LooseEquals(const Value& a, const Value& b) {
  auto nullish = [](const Value& v) { return v.kind == Kind::kUndefined || v.kind == Kind::kNull; };
  auto is_ref = [](const Value& v) {
    return v.kind == Kind::kArray || v.kind == Kind::kObject || v.kind == Kind::kNamespace || v.kind == Kind::kFunction;
  };
  if (nullish(a) || nullish(b)) return nullish(a) && nullish(b);
  if (is_ref(a) && is_ref(b)) return StrictEquals(a, b);
  if (is_ref(a) || is_ref(b)) {  // object vs primitive: compare the object's string form
    const Value& obj = is_ref(a) ? a : b;
    const Value& prim = is_ref(a) ? b : a;
    auto s = ToConcatString(obj, 64, 1u << 20);
    if (!s.ok()) return false;
    return LooseEquals(Value::Str(*s), prim);
  }
  if (a.kind == Kind::kString && b.kind == Kind::kString) return a.s == b.s;
  if (a.kind == Kind::kBool || b.kind == Kind::kBool) {
    Value na = a.kind == Kind::kBool ? Value::Int(a.b) : a;
    Value nb = b.kind == Kind::kBool ? Value::Int(b.b) : b;
    return LooseEquals(na, nb);
  }
  double x = a.kind == Kind::kString ? JsToNumber(a.s) : a.Number();
  double y = b.kind == Kind::kString ? JsToNumber(b.s) : b.Number();
  return x == y;
}

Result<Value> FromJson(const OrderedJson& j, size_t max_depth) {
  if (max_depth == 0) return TooDeep();
  switch (j.type()) {
    case OrderedJson::value_t::null:
      return Value::Null();
    case OrderedJson::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case OrderedJson::value_t::number_integer:
      return Value::Int(j.get<int64_t>());
    case OrderedJson::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value::Float(static_cast<double>(u));
      return Value::Int(static_cast<int64_t>(u));
    }
    case OrderedJson::value_t::number_float: {
      double d = j.get<double>();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18) return Value::Int(static_cast<int64_t>(d));
      return Value::Float(d);
    }
    case OrderedJson::value_t::string:
      return Value::Str(j.get<std::string>());
    case OrderedJson::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const auto& e : j) {
        MHUB_ASSIGN_OR_RETURN(Value v, FromJson(e, max_depth - 1));
        items.push_back(std::move(v));
      }
      return Value::Array(std::move(items));
    }
    case OrderedJson::value_t::object: {
      ObjectMap m;
      for (auto it = j.begin(); it != j.end(); ++it) {
        MHUB_ASSIGN_OR_RETURN(Value v, FromJson(it.value(), max_depth - 1));
        m.Set(it.key(), std::move(v));
      }
      return Value::Object(std::move(m));
    }
    default:
      return Status::InvalidArgument("chat template input: unsupported JSON value");
  }
}

uint32_t DecodeCodePoint(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (i + n > s.size()) n = s.size() - i;
  uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += n;
  return cp;
}

std::vector<std::string> SplitCodePoints(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    DecodeCodePoint(s, i);
    out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

bool IsJsWhitespace(uint32_t cp) {
  switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

std::string JsTrim(std::string_view s, bool left, bool right) {
  size_t begin = 0, end = s.size();
  if (left) {
    while (begin < end) {
      size_t i = begin;
      if (!IsJsWhitespace(DecodeCodePoint(s, i))) break;
      begin = i;
    }
  }
  if (right) {
    while (end > begin) {
      size_t start = end - 1;
      while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
      size_t i = start;
      if (!IsJsWhitespace(DecodeCodePoint(s, i))) break;
      end = start;
    }
  }
  return std::string(s.substr(begin, end - begin));
}

}  // namespace mhub::tokenizers::jinja
