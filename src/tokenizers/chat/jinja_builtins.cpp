// Builtin globals, filters, tests and methods of the chat-template engine, each behaving as in
// @huggingface/jinja src/runtime.ts (where that differs from Python Jinja2 the reference wins, with
// one extension: strip/lstrip/rstrip accept Python's optional `chars` argument).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <set>
#include <unordered_set>

#include <utf8proc.h>

#include "tokenizers/chat/jinja_interpreter.h"

namespace mhub::tokenizers::jinja {

namespace {

Status Fail(const std::string& msg) { return Status::InvalidArgument(msg); }

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

uint32_t DecodeCp(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (i + n > s.size()) n = s.size() - i;
  uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += n;
  return cp;
}

void AppendCp(std::string& out, uint32_t cp) {
  utf8proc_uint8_t buf[4];
  utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

std::string MapCase(std::string_view s, bool upper) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    uint32_t cp = DecodeCp(s, i);
    if (upper && cp == 0xDF) {  // JS toUpperCase: ß -> SS
      out += "SS";
      continue;
    }
    AppendCp(out, static_cast<uint32_t>(upper ? utf8proc_toupper(static_cast<utf8proc_int32_t>(cp))
                                              : utf8proc_tolower(static_cast<utf8proc_int32_t>(cp))));
  }
  return out;
}

bool IsAsciiWord(unsigned char c) { return std::isalnum(c) || c == '_'; }

// value.replace(/\b\w/g, c => c.toUpperCase()) with JS (ASCII) word characters.
std::string TitleCase(std::string_view s) {
  std::string out(s);
  for (size_t k = 0; k < out.size(); ++k) {
    unsigned char c = static_cast<unsigned char>(out[k]);
    bool prev_word = k > 0 && IsAsciiWord(static_cast<unsigned char>(out[k - 1]));
    if (IsAsciiWord(c) && !prev_word) out[k] = static_cast<char>(std::toupper(c));
  }
  return out;
}

std::string Capitalize(std::string_view s) {
  if (s.empty()) return std::string();
  size_t i = 0;
  uint32_t cp = DecodeCp(s, i);
  return MapCase(s.substr(0, i), true) + std::string(s.substr(i));
  (void)cp;
}

// Python str.strip(chars): removes any of the code points in `chars` from the chosen ends.
std::string StripChars(std::string_view s, std::string_view chars, bool left, bool right) {
  std::set<uint32_t> set;
  for (size_t i = 0; i < chars.size();) set.insert(DecodeCp(chars, i));
  std::vector<std::pair<size_t, size_t>> spans;  // byte span of each code point
  std::vector<uint32_t> cps;
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    cps.push_back(DecodeCp(s, i));
    spans.emplace_back(start, i);
  }
  size_t b = 0, e = cps.size();
  if (left) {
    while (b < e && set.count(cps[b])) ++b;
  }
  if (right) {
    while (e > b && set.count(cps[e - 1])) --e;
  }
  if (b >= e) return std::string();
  return std::string(s.substr(spans[b].first, spans[e - 1].second - spans[b].first));
}

Result<Value> StripMethod(const std::string& s, const std::vector<Value>& args, bool left, bool right) {
  Args a(args);
  Value chars = a.Get(0, "chars");
  if (chars.kind == Kind::kString) return Value::Str(StripChars(s, chars.s, left, right));
  if (chars.kind != Kind::kUndefined && chars.kind != Kind::kNull) return Fail("strip arg must be None or str");
  return Value::Str(JsTrim(s, left, right));
}

// utils.ts replace(): Python str.replace with an optional count.
std::string ReplaceCount(const std::string& s, const std::string& from, const std::string& to, int64_t count) {
  if (count == 0) return s;
  int64_t remaining = count < 0 ? INT64_MAX : count;
  std::string out;
  if (from.empty()) {
    size_t i = 0;
    while (true) {
      if (remaining > 0) {
        out += to;
        --remaining;
      }
      if (i >= s.size()) break;
      size_t start = i;
      DecodeCp(s, i);
      out.append(s, start, i - start);
    }
    return out;
  }
  size_t pos = 0;
  while (remaining > 0) {
    size_t hit = s.find(from, pos);
    if (hit == std::string::npos) break;
    out.append(s, pos, hit - pos);
    out += to;
    pos = hit + from.size();
    --remaining;
  }
  out.append(s, pos, std::string::npos);
  return out;
}

Result<Value> SplitMethod(const std::string& s, const std::vector<Value>& args) {
  Args a(args);
  Value sep = a.pos.size() > 0 ? a.pos[0] : Value::Null();
  if (sep.kind != Kind::kString && sep.kind != Kind::kNull) return Fail("sep argument must be a string or null");
  Value maxsplit = a.pos.size() > 1 ? a.pos[1] : Value::Int(-1);
  if (maxsplit.kind != Kind::kInt) return Fail("maxsplit argument must be a number");
  std::vector<Value> parts;
  if (sep.kind == Kind::kNull) {
    std::string text = JsTrim(s, true, false);
    size_t i = 0;
    while (i < text.size()) {
      size_t start = i;  // a run of non-whitespace
      while (i < text.size()) {
        size_t k = i;
        if (IsJsWhitespace(DecodeCp(text, k))) break;
        i = k;
      }
      if (i > start) {
        if (maxsplit.i != -1 && static_cast<int64_t>(parts.size()) >= maxsplit.i) {
          parts.push_back(Value::Str(text.substr(start)));
          break;
        }
        parts.push_back(Value::Str(text.substr(start, i - start)));
      }
      while (i < text.size()) {  // skip whitespace
        size_t k = i;
        if (!IsJsWhitespace(DecodeCp(text, k))) break;
        i = k;
      }
    }
    return Value::Array(std::move(parts));
  }
  if (sep.s.empty()) return Fail("empty separator");
  size_t pos = 0;
  std::vector<std::string> pieces;
  while (true) {
    size_t hit = s.find(sep.s, pos);
    if (hit == std::string::npos) break;
    pieces.push_back(s.substr(pos, hit - pos));
    pos = hit + sep.s.size();
  }
  pieces.push_back(s.substr(pos));
  if (maxsplit.i != -1 && static_cast<int64_t>(pieces.size()) > maxsplit.i && maxsplit.i >= 0) {
    std::string rest;
    for (size_t k = static_cast<size_t>(maxsplit.i); k < pieces.size(); ++k) {
      if (k > static_cast<size_t>(maxsplit.i)) rest += sep.s;
      rest += pieces[k];
    }
    pieces.resize(static_cast<size_t>(maxsplit.i));
    pieces.push_back(rest);
  }
  for (auto& p : pieces) parts.push_back(Value::Str(std::move(p)));
  return Value::Array(std::move(parts));
}

Result<Value> StartsEnds(const std::string& s, const std::vector<Value>& args, bool starts) {
  if (args.empty()) return Fail(std::string(starts ? "startswith" : "endswith") + "() requires at least one argument");
  auto test = [&](const std::string& p) {
    if (p.size() > s.size()) return false;
    return starts ? s.compare(0, p.size(), p) == 0 : s.compare(s.size() - p.size(), p.size(), p) == 0;
  };
  const Value& p = args[0];
  if (p.kind == Kind::kString) return Value::Bool(test(p.s));
  if (p.kind == Kind::kArray) {
    for (const Value& item : *p.array) {
      if (item.kind != Kind::kString) return Fail("startswith() tuple elements must be strings");
      if (test(item.s)) return Value::Bool(true);
    }
    return Value::Bool(false);
  }
  return Fail("startswith() argument must be a string or tuple of strings");
}

Value Items(const ObjectMap& m) {
  std::vector<Value> out;
  for (const auto& [k, v] : m.entries()) out.push_back(Value::Array({Value::Str(k), v}));
  return Value::Array(std::move(out));
}

Result<Value> DictSort(const ObjectMap& m, const std::vector<Value>& args) {
  Args a(args);
  Value case_sensitive = a.Get(0, "case_sensitive", Value::Bool(false));
  if (case_sensitive.kind != Kind::kBool) return Fail("case_sensitive must be a boolean");
  Value by = a.Get(1, "by", Value::Str("key"));
  if (by.kind != Kind::kString) return Fail("by must be a string");
  if (by.s != "key" && by.s != "value") return Fail("by must be either 'key' or 'value'");
  Value reverse = a.Get(2, "reverse", Value::Bool(false));
  if (reverse.kind != Kind::kBool) return Fail("reverse must be a boolean");
  std::vector<Value> items = *Items(m).array;
  const size_t idx = by.s == "key" ? 0 : 1;
  Status err;
  std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
    auto c = CompareValues((*x.array)[idx], (*y.array)[idx], case_sensitive.b);
    if (!c.ok()) {
      err = c.status();
      return false;
    }
    return reverse.b ? *c > 0 : *c < 0;
  });
  MHUB_RETURN_IF_ERROR(err);
  return Value::Array(std::move(items));
}

int64_t ParseIntPrefix(const std::string& s, bool* ok) {
  std::string t = JsTrim(s, true, false);
  size_t i = 0;
  bool neg = false;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
  size_t start = i;
  int64_t v = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
    if (v < INT64_MAX / 10) v = v * 10 + (t[i] - '0');
    ++i;
  }
  *ok = i > start;
  return neg ? -v : v;
}

double ParseFloatPrefix(const std::string& s, bool* ok) {
  std::string t = JsTrim(s, true, false);
  char* end = nullptr;
  double d = std::strtod(t.c_str(), &end);
  *ok = end != t.c_str() && !(t.size() > 1 && (t[1] == 'x' || t[1] == 'X'));
  if (t.compare(0, 3, "nan") == 0 || t.compare(0, 3, "NAN") == 0 || t.compare(0, 3, "inf") == 0) *ok = false;
  return d;
}

// `.value` of an element as Array.prototype.join prints it.
Result<std::string> JoinPiece(const Value& v, size_t depth, size_t max_bytes) {
  if (v.kind == Kind::kUndefined || v.kind == Kind::kNull) return std::string();
  return ToConcatString(v, depth, max_bytes);
}

Result<Value> Indent(const std::string& s, const Value& width, bool first, bool blank) {
  std::string pad;
  if (width.kind == Kind::kInt) {
    pad.assign(static_cast<size_t>(std::clamp<int64_t>(width.i, 0, 4096)), ' ');
  } else {
    return Fail("width must be a number");
  }
  std::string out;
  size_t start = 0;
  size_t line = 0;
  while (true) {
    size_t nl = s.find('\n', start);
    std::string piece = s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (line > 0) out += '\n';
    if (!((!first && line == 0) || (!blank && piece.empty()))) out += pad;
    out += piece;
    if (nl == std::string::npos) break;
    start = nl + 1;
    ++line;
  }
  return Value::Str(std::move(out));
}

// Nested attribute lookup "a.b.0" used by sort(attribute=...) and map(attribute=...).
Value AttributePath(const Value& item, const std::string& path) {
  Value cur = item;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (cur.IsContainer()) {
      const Value* v = cur.object->Find(part);
      cur = v ? *v : Value::Undefined();
    } else if (cur.kind == Kind::kArray) {
      char* end = nullptr;
      long idx = std::strtol(part.c_str(), &end, 10);
      if (end == part.c_str() || idx < 0 || static_cast<size_t>(idx) >= cur.array->size()) return Value::Undefined();
      cur = (*cur.array)[static_cast<size_t>(idx)];
    } else {
      return Value::Undefined();
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

Result<Value> RangeFn(const std::vector<Value>& args) {
  Args a(args);
  for (const Value& v : a.pos) {
    if (v.kind != Kind::kInt) return Fail("range() arguments must be integers");
  }
  if (a.pos.empty()) return Fail("range expected at least 1 argument");
  int64_t start = 0, stop = 0, step = 1;
  if (a.pos.size() == 1) {
    stop = a.pos[0].i;
  } else {
    start = a.pos[0].i;
    stop = a.pos[1].i;
    if (a.pos.size() > 2) step = a.pos[2].i;
  }
  if (step == 0) return Fail("range() step must not be zero");
  std::vector<Value> out;
  for (int64_t v = start; step > 0 ? v < stop : v > stop; v += step) {
    if (out.size() >= (1u << 18)) return Status::ResourceExhausted("chat template: range() too long");
    out.push_back(Value::Int(v));
    if ((step > 0 && v > INT64_MAX - step) || (step < 0 && v < INT64_MIN - step)) break;
  }
  return Value::Array(std::move(out));
}

Result<Value> NamespaceFn(const std::vector<Value>& args) {
  Args a(args);
  if (a.pos.size() > 1) return Fail("namespace expected at most 1 argument, got " + std::to_string(a.pos.size()));
  ObjectMap m;
  if (a.pos.size() == 1) {
    const Value& src = a.pos[0];
    if (src.kind == Kind::kObject) {
      for (const auto& [k, v] : src.object->entries()) m.Set(k, v);
    } else if (src.kind == Kind::kArray) {
      for (const Value& pair : *src.array) {
        if (pair.kind != Kind::kArray || pair.array->size() != 2 || (*pair.array)[0].kind != Kind::kString) {
          return Fail("namespace expected an object or an iterable of [key, value] pairs");
        }
        m.Set((*pair.array)[0].s, (*pair.array)[1]);
      }
    } else {
      return Fail("'" + std::string(KindName(src)) + "' object is not iterable");
    }
  }
  for (const auto& [k, v] : a.kw.entries()) m.Set(k, v);
  return Value::Namespace(std::move(m));
}

std::string Strftime(const std::string& fmt) {
  static const char* kShort[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static const char* kLong[] = {"January", "February", "March",     "April",   "May",      "June",
                                "July",    "August",   "September", "October", "November", "December"};
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  auto pad2 = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%' || i + 1 >= fmt.size()) {
      out += fmt[i];
      continue;
    }
    char c = fmt[i + 1];
    switch (c) {
      case 'Y': out += std::to_string(tm.tm_year + 1900); break;
      case 'm': out += pad2(tm.tm_mon + 1); break;
      case 'd': out += pad2(tm.tm_mday); break;
      case 'b': out += kShort[tm.tm_mon]; break;
      case 'B': out += kLong[tm.tm_mon]; break;
      case 'H': out += pad2(tm.tm_hour); break;
      case 'M': out += pad2(tm.tm_min); break;
      case '%': out += '%'; break;
      default: out += fmt.substr(i, 2); break;
    }
    ++i;
  }
  return out;
}

using Method = std::function<Result<Value>(const std::vector<Value>&)>;
Value Bind(Method m) {
  return Value::Function([m = std::move(m)](Interpreter&, std::vector<Value>& args, Env&) { return m(args); });
}

}  // namespace

Result<int> CompareValues(const Value& a, const Value& b, bool case_sensitive) {
  if (a.kind == Kind::kNull && b.kind == Kind::kNull) return 0;
  if (a.kind == Kind::kNull || b.kind == Kind::kNull) {
    return Fail("Cannot compare " + std::string(KindName(a)) + " with " + std::string(KindName(b)));
  }
  if (a.kind == Kind::kUndefined && b.kind == Kind::kUndefined) return 0;
  if (a.kind == Kind::kUndefined || b.kind == Kind::kUndefined) {
    return Fail("Cannot compare " + std::string(KindName(a)) + " with " + std::string(KindName(b)));
  }
  if (a.IsNumericLike() && b.IsNumericLike()) {
    double x = a.Number(), y = b.Number();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.kind != b.kind) {
    return Fail("Cannot compare different types: " + std::string(KindName(a)) + " and " + std::string(KindName(b)));
  }
  if (a.kind == Kind::kString) {
    std::string x = case_sensitive ? a.s : MapCase(a.s, false);
    std::string y = case_sensitive ? b.s : MapCase(b.s, false);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return Fail("Cannot compare type: " + std::string(KindName(a)));
}

void InstallGlobals(Env& env) {
  env.Set("false", Value::Bool(false));
  env.Set("true", Value::Bool(true));
  env.Set("none", Value::Null());
  env.Set("False", Value::Bool(false));
  env.Set("True", Value::Bool(true));
  env.Set("None", Value::Null());
  env.Set("raise_exception", Bind([](const std::vector<Value>& args) -> Result<Value> {
            std::string msg;
            if (!args.empty()) {
              auto s = ToConcatString(args[0], 16, 1u << 16);
              msg = s.ok() ? *s : "";
            }
            return Fail("raise_exception: " + msg);
          }));
  env.Set("range", Bind(RangeFn));
  env.Set("namespace", Bind(NamespaceFn));
  env.Set("strftime_now", Bind([](const std::vector<Value>& args) -> Result<Value> {
            if (args.empty() || args[0].kind != Kind::kString) return Fail("strftime_now expects a format string");
            return Value::Str(Strftime(args[0].s));
          }));
}

Value BuiltinMember(Interpreter& in, const Value& obj, const std::string& name) {
  if (obj.kind == Kind::kString) {
    const std::string s = obj.s;
    if (name == "length") return Value::Int(static_cast<int64_t>(SplitCodePoints(s).size()));
    if (name == "upper") return Bind([s](auto&) -> Result<Value> { return Value::Str(MapCase(s, true)); });
    if (name == "lower") return Bind([s](auto&) -> Result<Value> { return Value::Str(MapCase(s, false)); });
    if (name == "strip") return Bind([s](auto& a) { return StripMethod(s, a, true, true); });
    if (name == "lstrip") return Bind([s](auto& a) { return StripMethod(s, a, true, false); });
    if (name == "rstrip") return Bind([s](auto& a) { return StripMethod(s, a, false, true); });
    if (name == "title") return Bind([s](auto&) -> Result<Value> { return Value::Str(TitleCase(s)); });
    if (name == "capitalize") return Bind([s](auto&) -> Result<Value> { return Value::Str(Capitalize(s)); });
    if (name == "startswith") return Bind([s](auto& a) { return StartsEnds(s, a, true); });
    if (name == "endswith") return Bind([s](auto& a) { return StartsEnds(s, a, false); });
    if (name == "split") return Bind([s](auto& a) { return SplitMethod(s, a); });
    if (name == "replace") {
      size_t limit = in.max_bytes();
      return Bind([s, limit](const std::vector<Value>& args) -> Result<Value> {
        if (args.size() < 2) return Fail("replace() requires at least two arguments");
        if (args[0].kind != Kind::kString || args[1].kind != Kind::kString) {
          return Fail("replace() arguments must be strings");
        }
        Value count = Value::Null();
        if (args.size() > 2) {
          if (args[2].kind == Kind::kObject && args[2].is_kwargs) {
            const Value* c = args[2].object->Find("count");
            count = c ? *c : Value::Null();
          } else {
            count = args[2];
          }
        }
        if (count.kind != Kind::kInt && count.kind != Kind::kNull) {
          return Fail("replace() count argument must be a number or null");
        }
        // Bound the result before building it.
        size_t hits = 0;
        if (!args[0].s.empty()) {
          for (size_t p = s.find(args[0].s); p != std::string::npos; p = s.find(args[0].s, p + args[0].s.size())) {
            ++hits;
          }
        } else {
          hits = s.size() + 1;
        }
        if (s.size() + hits * args[1].s.size() > limit) {
          return Status::ResourceExhausted("chat template: text too large");
        }
        return Value::Str(ReplaceCount(s, args[0].s, args[1].s, count.kind == Kind::kInt ? count.i : -1));
      });
    }
    return Value::Undefined();
  }
  if (obj.kind == Kind::kArray) {
    if (name == "length") return Value::Int(static_cast<int64_t>(obj.array->size()));
    return Value::Undefined();
  }
  if (obj.kind == Kind::kObject) {
    auto map = obj.object;
    if (name == "get") {
      return Bind([map](const std::vector<Value>& args) -> Result<Value> {
        if (args.empty() || args[0].kind != Kind::kString) {
          return Fail("Object key must be a string: got " +
                      std::string(args.empty() ? "UndefinedValue" : KindName(args[0])));
        }
        if (const Value* v = map->Find(args[0].s)) return *v;
        if (args.size() > 1) return args[1];
        return Value::Null();
      });
    }
    if (name == "items") return Bind([map](auto&) -> Result<Value> { return Items(*map); });
    if (name == "keys") {
      return Bind([map](auto&) -> Result<Value> {
        std::vector<Value> out;
        for (const auto& e : map->entries()) out.push_back(Value::Str(e.first));
        return Value::Array(std::move(out));
      });
    }
    if (name == "values") {
      return Bind([map](auto&) -> Result<Value> {
        std::vector<Value> out;
        for (const auto& e : map->entries()) out.push_back(e.second);
        return Value::Array(std::move(out));
      });
    }
    if (name == "dictsort") return Bind([map](auto& a) { return DictSort(*map, a); });
  }
  return Value::Undefined();
}

Result<bool> Interpreter::ApplyTest(const std::string& name, const std::vector<Value>& args, const Node* at) {
  const Value& v = args[0];
  auto is_lower_or_upper = [&](bool upper) {
    return v.kind == Kind::kString && v.s == MapCase(v.s, upper);
  };
  if (name == "boolean") return v.kind == Kind::kBool;
  if (name == "callable") return v.kind == Kind::kFunction;
  if (name == "odd" || name == "even") {
    if (v.kind != Kind::kInt) return ErrorAt(at, "cannot " + name + " on " + std::string(KindName(v)));
    return (v.i % 2 != 0) == (name == "odd");
  }
  if (name == "false") return v.kind == Kind::kBool && !v.b;
  if (name == "true") return v.kind == Kind::kBool && v.b;
  if (name == "none") return v.kind == Kind::kNull;
  if (name == "string") return v.kind == Kind::kString;
  if (name == "number") return v.IsNumber();
  if (name == "integer") return v.kind == Kind::kInt;
  if (name == "iterable") return v.kind == Kind::kArray || v.kind == Kind::kString;
  if (name == "mapping") return v.kind == Kind::kObject;
  if (name == "sequence") return v.kind == Kind::kArray || v.kind == Kind::kObject || v.kind == Kind::kString;
  if (name == "lower") return is_lower_or_upper(false);
  if (name == "upper") return is_lower_or_upper(true);
  if (name == "defined") return v.kind != Kind::kUndefined;
  if (name == "undefined") return v.kind == Kind::kUndefined;
  if (name == "equalto" || name == "eq") {
    if (args.size() < 2) return ErrorAt(at, "test '" + name + "' needs a value to compare with");
    return StrictEquals(v, args[1]);
  }
  return ErrorAt(at, "Unknown test: " + name);
}

Result<Value> SliceValue(Interpreter& in, const Value& obj, const Value& start, const Value& stop, const Value& step,
                         const Node* at) {
  if (obj.kind != Kind::kArray && obj.kind != Kind::kString) return in.ErrorAt(at, "Slice object must be an array or string");
  for (const Value* v : {&start, &stop, &step}) {
    if (v->kind != Kind::kInt && v->kind != Kind::kUndefined) {
      return in.ErrorAt(at, "Slice indices must be integers or undefined");
    }
  }
  std::vector<std::string> chars;
  if (obj.kind == Kind::kString) chars = SplitCodePoints(obj.s);
  const int64_t len = obj.kind == Kind::kArray ? static_cast<int64_t>(obj.array->size()) : static_cast<int64_t>(chars.size());
  int64_t st = step.kind == Kind::kInt ? step.i : 1;
  if (st == 0) return in.ErrorAt(at, "slice step cannot be zero");
  int64_t b, e;
  if (st > 0) {
    b = start.kind == Kind::kInt ? start.i : 0;
    b = b < 0 ? std::max<int64_t>(len + b, 0) : std::min(b, len);
    e = stop.kind == Kind::kInt ? stop.i : len;
    e = e < 0 ? std::max<int64_t>(len + e, 0) : std::min(e, len);
  } else {
    b = start.kind == Kind::kInt ? start.i : len - 1;
    b = b < 0 ? std::max<int64_t>(len + b, -1) : std::min(b, len - 1);
    e = stop.kind == Kind::kInt ? stop.i : -1;
    e = e < -1 ? std::max<int64_t>(len + e, -1) : std::min(e, len - 1);
  }
  std::vector<Value> items;
  std::string text;
  for (int64_t k = b; st > 0 ? k < e : k > e; k += st) {
    if (obj.kind == Kind::kArray) {
      items.push_back((*obj.array)[static_cast<size_t>(k)]);
    } else {
      text += chars[static_cast<size_t>(k)];
    }
  }
  MHUB_RETURN_IF_ERROR(in.Charge(static_cast<uint64_t>(std::max<int64_t>(len, 0)) / 8));
  if (obj.kind == Kind::kArray) return Value::Array(std::move(items));
  return Value::Str(std::move(text));
}

Result<Value> FilterByName(Interpreter& in, const Value& v, const std::string& name, Env& env, const Node* at) {
  auto unknown = [&](std::string_view type) { return in.ErrorAt(at, "Unknown " + std::string(type) + " filter: " + name); };
  if (name == "safe") return v;
  if (name == "tojson") {
    ToJsonOptions opt;
    opt.max_bytes = in.max_bytes();
    MHUB_ASSIGN_OR_RETURN(std::string s, ToJsonText(v, opt, in.max_depth()));
    return Value::Str(std::move(s));
  }
  switch (v.kind) {
    case Kind::kArray: {
      const auto& a = *v.array;
      if (name == "list") return v;
      if (name == "first") return a.empty() ? Value::Undefined() : a.front();
      if (name == "last") return a.empty() ? Value::Undefined() : a.back();
      if (name == "length") return Value::Int(static_cast<int64_t>(a.size()));
      if (name == "reverse") return Value::Array(std::vector<Value>(a.rbegin(), a.rend()));
      if (name == "sort") {
        std::vector<Value> items = a;
        Status err;
        std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
          auto c = CompareValues(x, y, false);
          if (!c.ok()) err = c.status();
          return c.ok() && *c < 0;
        });
        if (!err.ok()) return in.ErrorAt(at, err.message());
        return Value::Array(std::move(items));
      }
      if (name == "join") {
        std::string out;
        for (const Value& e : a) {
          MHUB_ASSIGN_OR_RETURN(std::string p, JoinPiece(e, in.max_depth(), in.max_bytes()));
          out += p;
          MHUB_RETURN_IF_ERROR(in.CheckString(out));
        }
        return Value::Str(std::move(out));
      }
      if (name == "string") {
        ToJsonOptions opt;
        opt.undefined_as_null = false;
        opt.max_bytes = in.max_bytes();
        MHUB_ASSIGN_OR_RETURN(std::string s, ToJsonText(v, opt, in.max_depth()));
        return Value::Str(std::move(s));
      }
      if (name == "unique") {
        std::vector<Value> out;
        for (const Value& e : a) {
          bool seen = false;
          for (const Value& o : out) {
            if (StrictEquals(o, e) || (o.kind == Kind::kFloat && e.kind == Kind::kFloat && std::isnan(o.f) &&
                                       std::isnan(e.f))) {
              seen = true;
              break;
            }
          }
          MHUB_RETURN_IF_ERROR(in.Charge(out.size() / 8));
          if (!seen) out.push_back(e);
        }
        return Value::Array(std::move(out));
      }
      return unknown("ArrayValue");
    }
    case Kind::kString: {
      if (name == "length" || name == "upper" || name == "lower" || name == "title" || name == "capitalize") {
        Value m = BuiltinMember(in, v, name);
        if (m.kind == Kind::kInt) return m;
        std::vector<Value> no_args;
        return in.Call(m, no_args, env, at);
      }
      if (name == "trim") return Value::Str(JsTrim(v.s, true, true));
      if (name == "indent") return Indent(v.s, Value::Int(4), false, false);
      if (name == "join" || name == "string") return v;
      if (name == "int") {
        bool ok = false;
        int64_t x = ParseIntPrefix(v.s, &ok);
        return Value::Int(ok ? x : 0);
      }
      if (name == "float") {
        bool ok = false;
        double x = ParseFloatPrefix(v.s, &ok);
        return Value::Float(ok ? x : 0.0);
      }
      return unknown("StringValue");
    }
    case Kind::kInt:
    case Kind::kFloat: {
      if (name == "abs") return v.kind == Kind::kInt ? (v.i == INT64_MIN ? Value::Float(9.223372036854775808e18) : Value::Int(std::llabs(v.i))) : Value::Float(std::fabs(v.f));
      if (name == "int") {
        if (v.kind == Kind::kInt) return v;
        double fl = std::floor(v.f);
        if (!std::isfinite(fl) || std::fabs(fl) >= 9.2e18) return Value::Float(fl);
        return Value::Int(static_cast<int64_t>(fl));
      }
      if (name == "float") return Value::Float(v.Number());
      if (name == "string") {
        MHUB_ASSIGN_OR_RETURN(std::string s, ToOutput(v, in.max_depth(), in.max_bytes()));
        return Value::Str(std::move(s));
      }
      return unknown("NumericValue");
    }
    case Kind::kObject: {
      if (name == "items") return Items(*v.object);
      if (name == "length") return Value::Int(static_cast<int64_t>(v.object->size()));
      Value m = BuiltinMember(in, v, name);
      if (m.kind == Kind::kFunction) {
        std::vector<Value> no_args;
        return in.Call(m, no_args, env, at);
      }
      if (m.kind != Kind::kUndefined) return m;
      return unknown("ObjectValue");
    }
    case Kind::kBool: {
      if (name == "bool") return v;
      if (name == "int") return Value::Int(v.b ? 1 : 0);
      if (name == "float") return Value::Float(v.b ? 1.0 : 0.0);
      if (name == "string") return Value::Str(v.b ? "true" : "false");
      return unknown("BooleanValue");
    }
    default: break;
  }
  return in.ErrorAt(at, "Cannot apply filter \"" + name + "\" to type: " + std::string(KindName(v)));
}

namespace {

Result<Value> TojsonCall(Interpreter& in, const Value& v, const ObjectMap& kw) {
  ToJsonOptions opt;
  opt.max_bytes = in.max_bytes();
  if (const Value* indent = kw.Find("indent")) {
    if (indent->kind == Kind::kInt) {
      opt.indent = static_cast<int>(std::clamp<int64_t>(indent->i, -1, 64));
      if (opt.indent < 0) opt.indent = 0;
    } else if (indent->kind != Kind::kNull) {
      return Fail("If set, indent must be a number");
    }
  }
  if (const Value* ea = kw.Find("ensure_ascii")) {
    if (ea->kind != Kind::kBool) return Fail("If set, ensure_ascii must be a boolean");
    opt.ensure_ascii = ea->b;
  }
  if (const Value* sk = kw.Find("sort_keys")) {
    if (sk->kind != Kind::kBool) return Fail("If set, sort_keys must be a boolean");
    opt.sort_keys = sk->b;
  }
  if (const Value* sep = kw.Find("separators")) {
    if (sep->kind == Kind::kArray) {
      if (sep->array->size() != 2 || (*sep->array)[0].kind != Kind::kString || (*sep->array)[1].kind != Kind::kString) {
        return Fail("separators must be a tuple of two strings");
      }
      opt.has_separators = true;
      opt.item_separator = (*sep->array)[0].s;
      opt.key_separator = (*sep->array)[1].s;
    } else if (sep->kind != Kind::kNull) {
      return Fail("If set, separators must be a tuple of two strings");
    }
  }
  MHUB_ASSIGN_OR_RETURN(std::string s, ToJsonText(v, opt, in.max_depth()));
  return Value::Str(std::move(s));
}

}  // namespace

Result<Value> FilterCall(Interpreter& in, const Value& v, const std::string& name, const Node& call, Env& env) {
  const Node* at = &call;
  auto eval_args = [&]() -> Result<Args> {
    std::vector<Value> all;
    for (const auto& a : call.list) {
      if (a->kind == NodeKind::kKeywordArg) continue;
      if (a->kind == NodeKind::kSpread || a->kind == NodeKind::kKwSpread) {
        return in.ErrorAt(a.get(), "argument unpacking is not supported in filters");
      }
      MHUB_ASSIGN_OR_RETURN(Value x, in.Eval(*a, env));
      all.push_back(std::move(x));
    }
    ObjectMap kw;
    for (const auto& a : call.list) {
      if (a->kind != NodeKind::kKeywordArg) continue;
      if (kw.Find(a->str)) return in.ErrorAt(a.get(), "Got multiple values for keyword argument '" + a->str + "'");
      MHUB_ASSIGN_OR_RETURN(Value x, in.Eval(*a->x, env));
      kw.Set(a->str, std::move(x));
    }
    Args args({});
    args.pos = std::move(all);
    args.kw = std::move(kw);
    return args;
  };
  auto wrap = [&](Result<Value> r) -> Result<Value> {
    if (!r.ok() && r.status().message().rfind("chat template", 0) != 0) return in.ErrorAt(at, r.status().message());
    return r;
  };
  if (name == "tojson") {
    MHUB_ASSIGN_OR_RETURN(Args a, eval_args());
    return wrap(TojsonCall(in, v, a.kw));
  }
  if (name == "join") {
    std::vector<std::string> pieces;
    if (v.kind == Kind::kString) {
      pieces = SplitCodePoints(v.s);
    } else if (v.kind == Kind::kArray) {
      for (const Value& e : *v.array) {
        MHUB_ASSIGN_OR_RETURN(std::string p, JoinPiece(e, in.max_depth(), in.max_bytes()));
        pieces.push_back(std::move(p));
      }
    } else {
      return in.ErrorAt(at, "Cannot apply filter \"join\" to type: " + std::string(KindName(v)));
    }
    MHUB_ASSIGN_OR_RETURN(Args a, eval_args());
    Value sep = a.Get(0, "separator", Value::Str(""));
    if (sep.kind != Kind::kString) return in.ErrorAt(at, "separator must be a string");
    std::string out;
    for (size_t k = 0; k < pieces.size(); ++k) {
      if (k) out += sep.s;
      out += pieces[k];
      MHUB_RETURN_IF_ERROR(in.CheckString(out));
    }
    return Value::Str(std::move(out));
  }
  if (name == "int" || name == "float") {
    MHUB_ASSIGN_OR_RETURN(Args a, eval_args());
    Value fallback = a.Get(0, "default", name == "int" ? Value::Int(0) : Value::Float(0.0));
    if (v.kind == Kind::kString) {
      bool ok = false;
      if (name == "int") {
        int64_t x = ParseIntPrefix(v.s, &ok);
        return ok ? Value::Int(x) : fallback;
      }
      double x = ParseFloatPrefix(v.s, &ok);
      return ok ? Value::Float(x) : fallback;
    }
    if (v.IsNumber()) return v;
    if (v.kind == Kind::kBool) return name == "int" ? Value::Int(v.b ? 1 : 0) : Value::Float(v.b ? 1.0 : 0.0);
    return in.ErrorAt(at, "Cannot apply filter \"" + name + "\" to type: " + std::string(KindName(v)));
  }
  if (name == "default") {
    MHUB_ASSIGN_OR_RETURN(Args a, eval_args());
    Value fallback = a.pos.size() > 0 ? a.pos[0] : Value::Str("");
    Value boolean = a.Get(1, "boolean", Value::Bool(false));
    if (boolean.kind != Kind::kBool) return in.ErrorAt(at, "`default` filter flag must be a boolean");
    if (v.kind == Kind::kUndefined || (boolean.b && !Truthy(v))) return fallback;
    return v;
  }
  if (v.kind == Kind::kArray) {
    if (name == "sort") {
      MHUB_ASSIGN_OR_RETURN(Args a, eval_args());
      Value reverse = a.Get(0, "reverse", Value::Bool(false));
      if (reverse.kind != Kind::kBool) return in.ErrorAt(at, "reverse must be a boolean");
      Value cs = a.Get(1, "case_sensitive", Value::Bool(false));
      if (cs.kind != Kind::kBool) return in.ErrorAt(at, "case_sensitive must be a boolean");
      Value attr = a.Get(2, "attribute", Value::Null());
      if (attr.kind != Kind::kString && attr.kind != Kind::kInt && attr.kind != Kind::kNull) {
        return in.ErrorAt(at, "attribute must be a string, integer, or null");
      }
      auto key = [&](const Value& item) {
        if (attr.kind == Kind::kNull) return item;
        return AttributePath(item, attr.kind == Kind::kInt ? std::to_string(attr.i) : attr.s);
      };
      std::vector<Value> items = *v.array;
      Status err;
      std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
        auto c = CompareValues(key(x), key(y), cs.b);
        if (!c.ok()) {
          err = c.status();
          return false;
        }
        return reverse.b ? *c > 0 : *c < 0;
      });
      if (!err.ok()) return in.ErrorAt(at, err.message());
      return Value::Array(std::move(items));
    }
    if (name == "selectattr" || name == "rejectattr") {
      const bool select = name == "selectattr";
      for (const Value& item : *v.array) {
        if (!item.IsContainer()) return in.ErrorAt(at, "`" + name + "` can only be applied to array of objects");
      }
      for (const auto& a : call.list) {
        if (a->kind != NodeKind::kString) return in.ErrorAt(at, "arguments of `" + name + "` must be strings");
      }
      if (call.list.empty()) return in.ErrorAt(at, "`" + name + "` needs an attribute name");
      const std::string attr = call.list[0]->str;
      const std::string test = call.list.size() > 1 ? call.list[1]->str : "";
      Value arg = call.list.size() > 2 ? Value::Str(call.list[2]->str) : Value::Undefined();
      std::vector<Value> out;
      for (const Value& item : *v.array) {
        const Value* x = item.object->Find(attr);
        bool result = false;
        if (x) {
          if (test.empty()) {
            result = Truthy(*x);
          } else {
            MHUB_ASSIGN_OR_RETURN(result, in.ApplyTest(test, {*x, arg}, at));
          }
        }
        if (result == select) out.push_back(item);
      }
      return Value::Array(std::move(out));
    }
    if (name == "map") {
      MHUB_ASSIGN_OR_RETURN(Args a, eval_args());
      const Value* attr = a.kw.Find("attribute");
      if (!attr) return in.ErrorAt(at, "`map` expressions without `attribute` set are not currently supported.");
      if (attr->kind != Kind::kString) return in.ErrorAt(at, "attribute must be a string");
      const Value* fallback = a.kw.Find("default");
      std::vector<Value> out;
      for (const Value& item : *v.array) {
        if (!item.IsContainer()) return in.ErrorAt(at, "items in map must be an object");
        Value x = AttributePath(item, attr->s);
        out.push_back(x.kind == Kind::kUndefined && fallback ? *fallback : x);
      }
      return Value::Array(std::move(out));
    }
    return in.ErrorAt(at, "Unknown ArrayValue filter: " + name);
  }
  if (v.kind == Kind::kString) {
    if (name == "indent") {
      MHUB_ASSIGN_OR_RETURN(Args a, eval_args());
      Value width = a.Get(0, "width", Value::Int(4));
      Value first = a.Get(1, "first", Value::Bool(false));
      Value blank = a.Get(2, "blank", Value::Bool(false));
      return wrap(Indent(v.s, width, Truthy(first), Truthy(blank)));
    }
    if (name == "replace") {
      MHUB_ASSIGN_OR_RETURN(Args a, eval_args());
      std::vector<Value> all = a.pos;
      Value kw = Value::Object(a.kw);
      kw.is_kwargs = true;
      all.push_back(std::move(kw));
      Value m = BuiltinMember(in, v, "replace");
      return wrap(in.Call(m, all, env, at));
    }
    return in.ErrorAt(at, "Unknown StringValue filter: " + name);
  }
  if (v.kind == Kind::kObject) {
    Value m = BuiltinMember(in, v, name);
    if (m.kind == Kind::kFunction) {
      MHUB_ASSIGN_OR_RETURN(Args a, eval_args());
      std::vector<Value> all = a.pos;
      if (a.kw.size() > 0) {
        Value kw = Value::Object(a.kw);
        kw.is_kwargs = true;
        all.push_back(std::move(kw));
      }
      return wrap(in.Call(m, all, env, at));
    }
    return in.ErrorAt(at, "Unknown ObjectValue filter: " + name);
  }
  return in.ErrorAt(at, "Cannot apply filter \"" + name + "\" to type: " + std::string(KindName(v)));
}

}  // namespace mhub::tokenizers::jinja
