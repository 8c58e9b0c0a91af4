// Builtin globals (range, namespace, raise_exception, strftime_now) and the methods of strings and
// objects (.strip(), .split(), .items(), .get(), ...), each behaving as in @huggingface/jinja
// src/runtime.ts, with one Python extension: strip/lstrip/rstrip accept the optional `chars`.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <set>

#include <utf8proc.h>

#include "tokenizers/chat/jinja_args.h"
#include "tokenizers/chat/jinja_interpreter.h"

namespace mhub::tokenizers::jinja {

namespace {

void AppendCp(std::string& out, uint32_t cp) {
  utf8proc_uint8_t buf[4];
  utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

std::string MapCase(std::string_view s, bool upper) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    uint32_t cp = DecodeCodePoint(s, i);
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
  DecodeCodePoint(s, i);  // first code point: s[0, i)
  return MapCase(s.substr(0, i), true) + std::string(s.substr(i));
}

// Python str.strip(chars): removes any of the code points in `chars` from the chosen ends.
std::string StripChars(std::string_view s, std::string_view chars, bool left, bool right) {
  std::set<uint32_t> set;
  for (size_t i = 0; i < chars.size();) set.insert(DecodeCodePoint(chars, i));
  std::vector<std::pair<size_t, size_t>> spans;  // byte span of each code point
  std::vector<uint32_t> cps;
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    cps.push_back(DecodeCodePoint(s, i));
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
      DecodeCodePoint(s, i);
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
        if (IsJsWhitespace(DecodeCodePoint(text, k))) break;
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
        if (!IsJsWhitespace(DecodeCodePoint(text, k))) break;
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
      case 'Y':
        out += std::to_string(tm.tm_year + 1900);
        break;
      case 'm':
        out += pad2(tm.tm_mon + 1);
        break;
      case 'd':
        out += pad2(tm.tm_mday);
        break;
      case 'b':
        out += kShort[tm.tm_mon];
        break;
      case 'B':
        out += kLong[tm.tm_mon];
        break;
      case 'H':
        out += pad2(tm.tm_hour);
        break;
      case 'M':
        out += pad2(tm.tm_min);
        break;
      case '%':
        out += '%';
        break;
      default:
        out += fmt.substr(i, 2);
        break;
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

std::string CaseMapped(std::string_view s, bool upper) { return MapCase(s, upper); }
Value ItemsOf(const ObjectMap& m) { return Items(m); }

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

}  // namespace mhub::tokenizers::jinja
