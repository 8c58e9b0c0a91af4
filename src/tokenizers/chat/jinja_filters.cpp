// Builtin filters (trim, tojson, join, map, selectattr, ...) and tests (is defined, is string, ...)
// of the chat-template engine, and slicing, each behaving as in @huggingface/jinja src/runtime.ts.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "tokenizers/chat/jinja_args.h"
#include "tokenizers/chat/jinja_interpreter.h"

namespace mhub::tokenizers::jinja {

namespace {

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

}  // namespace

Result<bool> Interpreter::ApplyTest(const std::string& name, const std::vector<Value>& args, const Node* at) {
  const Value& v = args[0];
  auto is_lower_or_upper = [&](bool upper) { return v.kind == Kind::kString && v.s == CaseMapped(v.s, upper); };
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
  if (obj.kind != Kind::kArray && obj.kind != Kind::kString)
    return in.ErrorAt(at, "Slice object must be an array or string");
  for (const Value* v : {&start, &stop, &step}) {
    if (v->kind != Kind::kInt && v->kind != Kind::kUndefined) {
      return in.ErrorAt(at, "Slice indices must be integers or undefined");
    }
  }
  std::vector<std::string> chars;
  if (obj.kind == Kind::kString) chars = SplitCodePoints(obj.s);
  const int64_t len =
      obj.kind == Kind::kArray ? static_cast<int64_t>(obj.array->size()) : static_cast<int64_t>(chars.size());
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
  auto unknown = [&](std::string_view type) {
    return in.ErrorAt(at, "Unknown " + std::string(type) + " filter: " + name);
  };
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
            if (StrictEquals(o, e) ||
                (o.kind == Kind::kFloat && e.kind == Kind::kFloat && std::isnan(o.f) && std::isnan(e.f))) {
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
      if (name == "abs")
        return v.kind == Kind::kInt
                   ? (v.i == INT64_MIN ? Value::Float(9.223372036854775808e18) : Value::Int(std::llabs(v.i)))
                   : Value::Float(std::fabs(v.f));
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
      if (name == "items") return ItemsOf(*v.object);
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
    default:
      break;
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
