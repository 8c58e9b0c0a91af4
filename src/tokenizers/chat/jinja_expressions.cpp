// Expression evaluation of chat templates: literals, names, members, calls, operators, filters
// and tests, plus the error/limit plumbing (see jinja_interpreter.h).
#include "tokenizers/chat/jinja_interpreter.h"

#include <cmath>

#include "tokenizers/chat/jinja_lexer.h"

namespace mhub::tokenizers::jinja {

const Value* Env::Find(const std::string& name) const {
  for (const Env* e = this; e; e = e->parent) {
    auto it = e->vars.find(name);
    if (it != e->vars.end()) return &it->second;
  }
  return nullptr;
}

namespace {

constexpr size_t kMaxArrayItems = 1u << 18;  // far above any real conversation

bool IsNumber(const Value& v) { return v.kind == Kind::kInt || v.kind == Kind::kFloat; }

}  // namespace

Status Interpreter::ErrorAt(const Node* at, const std::string& msg) const {
  std::string where = at ? Where(program_.source, at->pos) : std::string("render");
  return Status::InvalidArgument("chat template " + where + ": " + msg);
}

Status Interpreter::Charge(uint64_t n) {
  steps_ += n;
  if (steps_ > program_.limits.max_steps) {
    return Status::ResourceExhausted("chat template: too much work (more than " +
                                     std::to_string(program_.limits.max_steps) + " steps)");
  }
  return Status::OK();
}

Status Interpreter::CheckString(const std::string& s) const {
  if (s.size() > max_bytes()) {
    return Status::ResourceExhausted("chat template: text larger than " + std::to_string(max_bytes()) + " bytes");
  }
  return Status::OK();
}

Result<Value> Interpreter::Call(const Value& fn, std::vector<Value>& args, Env& env, const Node* at) {
  if (fn.kind != Kind::kFunction) {
    return ErrorAt(at, "Cannot call something that is not a function: got " + std::string(KindName(fn)));
  }
  return (*fn.fn)(*this, args, env);
}

Status Interpreter::EvalArguments(const std::vector<std::unique_ptr<Node>>& args, Env& env,
                                  std::vector<Value>& positional, ObjectMap& keywords, const Node* at) {
  for (const auto& a : args) {
    if (a->kind == NodeKind::kSpread) {
      MHUB_ASSIGN_OR_RETURN(Value v, Eval(*a->x, env));
      if (v.kind != Kind::kArray)
        return ErrorAt(a.get(), "Cannot unpack non-iterable type: " + std::string(KindName(v)));
      for (const Value& item : *v.array) positional.push_back(item);
    } else if (a->kind != NodeKind::kKeywordArg && a->kind != NodeKind::kKwSpread) {
      MHUB_ASSIGN_OR_RETURN(Value v, Eval(*a, env));
      positional.push_back(std::move(v));
    }
  }
  auto add = [&](const std::string& key, Value v) -> Status {
    if (keywords.Find(key)) return ErrorAt(at, "Got multiple values for keyword argument '" + key + "'");
    keywords.Set(key, std::move(v));
    return Status::OK();
  };
  for (const auto& a : args) {
    if (a->kind == NodeKind::kKeywordArg) {
      MHUB_ASSIGN_OR_RETURN(Value v, Eval(*a->x, env));
      MHUB_RETURN_IF_ERROR(add(a->str, std::move(v)));
    } else if (a->kind == NodeKind::kKwSpread) {
      MHUB_ASSIGN_OR_RETURN(Value v, Eval(*a->x, env));
      if (v.kind != Kind::kObject) {
        return ErrorAt(a.get(), "Argument after ** must be a mapping, not " + std::string(KindName(v)));
      }
      for (const auto& [k, item] : v.object->entries()) MHUB_RETURN_IF_ERROR(add(k, item));
    }
  }
  return Status::OK();
}

Result<Value> Interpreter::EvalCall(const Node& n, Env& env) {
  std::vector<Value> args;
  ObjectMap kwargs;
  MHUB_RETURN_IF_ERROR(EvalArguments(n.list, env, args, kwargs, &n));
  if (kwargs.size() > 0) {
    Value kw = Value::Object(std::move(kwargs));
    kw.is_kwargs = true;
    args.push_back(std::move(kw));
  }
  MHUB_ASSIGN_OR_RETURN(Value fn, Eval(*n.x, env));
  auto r = Call(fn, args, env, &n);
  if (!r.ok() && r.status().message().rfind("chat template", 0) != 0) {
    return Status(r.status().code(), "chat template " + Where(program_.source, n.pos) + ": " + r.status().message());
  }
  return r;
}

Result<Value> Interpreter::Member(const Value& obj, const Value& prop, const Node* at) {
  if (obj.IsContainer()) {
    if (prop.kind != Kind::kString) {
      return ErrorAt(at, "Cannot access property with non-string: got " + std::string(KindName(prop)));
    }
    if (const Value* v = obj.object->Find(prop.s)) return *v;
    if (obj.kind == Kind::kObject) return BuiltinMember(*this, obj, prop.s);
    return Value::Undefined();
  }
  if (obj.kind == Kind::kArray || obj.kind == Kind::kString) {
    if (prop.kind == Kind::kInt) {
      if (obj.kind == Kind::kArray) {
        int64_t size = static_cast<int64_t>(obj.array->size());
        int64_t idx = prop.i < 0 ? size + prop.i : prop.i;
        if (idx < 0 || idx >= size) return Value::Undefined();
        return (*obj.array)[static_cast<size_t>(idx)];
      }
      std::vector<std::string> chars = SplitCodePoints(obj.s);
      int64_t size = static_cast<int64_t>(chars.size());
      int64_t idx = prop.i < 0 ? size + prop.i : prop.i;
      if (idx < 0 || idx >= size) return Value::Undefined();
      return Value::Str(chars[static_cast<size_t>(idx)]);
    }
    if (prop.kind == Kind::kString) return BuiltinMember(*this, obj, prop.s);
    return ErrorAt(at, "Cannot access property with non-string/non-number: got " + std::string(KindName(prop)));
  }
  if (prop.kind != Kind::kString) {
    return ErrorAt(at, "Cannot access property with non-string: got " + std::string(KindName(prop)));
  }
  return Value::Undefined();
}

Result<Value> Interpreter::EvalMember(const Node& n, Env& env) {
  MHUB_ASSIGN_OR_RETURN(Value object, Eval(*n.x, env));
  const Node& p = *n.y;
  if (n.flag) {
    if (p.kind == NodeKind::kSlice) {
      Value start, stop, step;
      if (p.x) {
        MHUB_ASSIGN_OR_RETURN(start, Eval(*p.x, env));
      }
      if (p.y) {
        MHUB_ASSIGN_OR_RETURN(stop, Eval(*p.y, env));
      }
      if (p.z) {
        MHUB_ASSIGN_OR_RETURN(step, Eval(*p.z, env));
      }
      return SliceValue(*this, object, start, stop, step, &n);
    }
    MHUB_ASSIGN_OR_RETURN(Value prop, Eval(p, env));
    return Member(object, prop, &n);
  }
  if (p.kind == NodeKind::kInt) return Member(object, Value::Int(p.i), &n);
  return Member(object, Value::Str(p.str), &n);
}

Result<Value> Interpreter::EvalBinary(const Node& n, Env& env) {
  const std::string& op = n.str;
  MHUB_ASSIGN_OR_RETURN(Value left, Eval(*n.x, env));
  if (op == "and") return Truthy(left) ? Eval(*n.y, env) : Result<Value>(left);
  if (op == "or") return Truthy(left) ? Result<Value>(left) : Eval(*n.y, env);
  MHUB_ASSIGN_OR_RETURN(Value right, Eval(*n.y, env));
  if (op == "==") return Value::Bool(LooseEquals(left, right));
  if (op == "!=") return Value::Bool(!LooseEquals(left, right));
  const bool is_in = op == "in" || op == "not in";
  if (left.kind == Kind::kUndefined || right.kind == Kind::kUndefined) {
    if (right.kind == Kind::kUndefined && is_in) return Value::Bool(op == "not in");
    return ErrorAt(&n, "Cannot perform operation " + op + " on undefined values");
  }
  if (left.kind == Kind::kNull || right.kind == Kind::kNull) {
    return ErrorAt(&n, "Cannot perform operation on null values");
  }
  if (op == "~") {
    MHUB_ASSIGN_OR_RETURN(std::string a, ToConcatString(left, max_depth(), max_bytes()));
    MHUB_ASSIGN_OR_RETURN(std::string b, ToConcatString(right, max_depth(), max_bytes()));
    return Value::Str(a + b);
  }
  if (op == "**" && left.IsNumericLike() && right.IsNumericLike()) {
    double a = left.Number(), b = right.Number();
    if (a == 0 && b < 0) return ErrorAt(&n, "0.0 cannot be raised to a negative power");
    double r = std::pow(a, b);
    if (!std::isfinite(r)) return ErrorAt(&n, "Exponentiation result is not a finite real number");
    bool is_float = left.kind == Kind::kFloat || right.kind == Kind::kFloat || b < 0;
    if (!is_float && std::fabs(r) < 9.2e18) return Value::Int(static_cast<int64_t>(r));
    return Value::Float(r);
  }
  if (IsNumber(left) && IsNumber(right)) {
    const bool is_float = left.kind == Kind::kFloat || right.kind == Kind::kFloat;
    if (op == "+" || op == "-" || op == "*") {
      if (!is_float) {
        int64_t r = 0;
        bool overflow = op == "+"   ? __builtin_add_overflow(left.i, right.i, &r)
                        : op == "-" ? __builtin_sub_overflow(left.i, right.i, &r)
                                    : __builtin_mul_overflow(left.i, right.i, &r);
        if (!overflow) return Value::Int(r);
      }
      double a = left.Number(), b = right.Number();
      return Value::Float(op == "+" ? a + b : op == "-" ? a - b : a * b);
    }
    if (op == "/") return Value::Float(left.Number() / right.Number());
    if (op == "//" || op == "%") {
      if (!is_float) {
        if (right.i == 0) return ErrorAt(&n, "integer division or modulo by zero");
        if (left.i == INT64_MIN && right.i == -1) return Value::Float(op == "//" ? 9.223372036854775808e18 : 0.0);
        if (op == "//") {
          int64_t q = left.i / right.i;
          if ((left.i % right.i != 0) && ((left.i < 0) != (right.i < 0))) --q;
          return Value::Int(q);
        }
        return Value::Int(left.i % right.i);  // JS remainder keeps the dividend's sign
      }
      double a = left.Number(), b = right.Number();
      return Value::Float(op == "//" ? std::floor(a / b) : std::fmod(a, b));
    }
    double a = left.Number(), b = right.Number();
    if (op == "<") return Value::Bool(a < b);
    if (op == ">") return Value::Bool(a > b);
    if (op == "<=") return Value::Bool(a <= b);
    if (op == ">=") return Value::Bool(a >= b);
  } else if (left.kind == Kind::kArray && right.kind == Kind::kArray) {
    if (op == "+") {
      if (left.array->size() + right.array->size() > kMaxArrayItems) {
        return Status::ResourceExhausted("chat template: list too long");
      }
      MHUB_RETURN_IF_ERROR(Charge((left.array->size() + right.array->size()) / 2));
      std::vector<Value> all = *left.array;
      all.insert(all.end(), right.array->begin(), right.array->end());
      return Value::Array(std::move(all));
    }
  } else if (right.kind == Kind::kArray && is_in) {
    bool member = false;
    for (const Value& x : *right.array) {
      if (StrictEquals(x, left)) {
        member = true;
        break;
      }
    }
    MHUB_RETURN_IF_ERROR(Charge(right.array->size() / 8));
    return Value::Bool(op == "in" ? member : !member);
  }
  if ((left.kind == Kind::kString || right.kind == Kind::kString) && op == "+") {
    MHUB_ASSIGN_OR_RETURN(std::string a, ToConcatString(left, max_depth(), max_bytes()));
    MHUB_ASSIGN_OR_RETURN(std::string b, ToConcatString(right, max_depth(), max_bytes()));
    return Value::Str(a + b);
  }
  if (left.kind == Kind::kString && right.kind == Kind::kString && is_in) {
    bool found = right.s.find(left.s) != std::string::npos;
    return Value::Bool(op == "in" ? found : !found);
  }
  if (left.kind == Kind::kString && right.kind == Kind::kObject && is_in) {
    bool found = right.object->Find(left.s) != nullptr;
    return Value::Bool(op == "in" ? found : !found);
  }
  return ErrorAt(&n, "Unknown operator \"" + op + "\" between " + std::string(KindName(left)) + " and " +
                         std::string(KindName(right)));
}

Result<Value> Interpreter::ApplyFilter(const Value& operand, const Node& filter, Env& env) {
  if (filter.kind == NodeKind::kIdentifier) return FilterByName(*this, operand, filter.str, env, &filter);
  if (filter.kind == NodeKind::kCall && filter.x->kind == NodeKind::kIdentifier) {
    return FilterCall(*this, operand, filter.x->str, filter, env);
  }
  return ErrorAt(&filter, "Unknown filter");
}

Result<Value> Interpreter::Eval(const Node& n, Env& env) {
  DepthGuard g(depth_);
  if (depth_ > max_depth()) return Status::ResourceExhausted("chat template: expression nesting too deep");
  MHUB_RETURN_IF_ERROR(Charge(1));
  Result<Value> r = Status::Internal("unevaluated");
  switch (n.kind) {
    case NodeKind::kText:
    case NodeKind::kString:
      r = Value::Str(n.str);
      break;
    case NodeKind::kInt:
      r = Value::Int(n.i);
      break;
    case NodeKind::kFloat:
      r = Value::Float(n.f);
      break;
    case NodeKind::kArray:
    case NodeKind::kTuple: {
      std::vector<Value> items;
      for (const auto& e : n.list) {
        MHUB_ASSIGN_OR_RETURN(Value v, Eval(*e, env));
        items.push_back(std::move(v));
      }
      Value a = Value::Array(std::move(items));
      a.is_tuple = n.kind == NodeKind::kTuple;
      r = std::move(a);
      break;
    }
    case NodeKind::kObject: {
      ObjectMap m;
      for (size_t k = 0; k + 1 < n.list.size(); k += 2) {
        MHUB_ASSIGN_OR_RETURN(Value key, Eval(*n.list[k], env));
        if (key.kind != Kind::kString) {
          return ErrorAt(n.list[k].get(), "Object keys must be strings: got " + std::string(KindName(key)));
        }
        MHUB_ASSIGN_OR_RETURN(Value v, Eval(*n.list[k + 1], env));
        m.Set(key.s, std::move(v));
      }
      r = Value::Object(std::move(m));
      break;
    }
    case NodeKind::kIdentifier: {
      const Value* v = env.Find(n.str);
      r = v ? *v : Value::Undefined();
      break;
    }
    case NodeKind::kMember:
      r = EvalMember(n, env);
      break;
    case NodeKind::kCall:
      r = EvalCall(n, env);
      break;
    case NodeKind::kUnary: {
      MHUB_ASSIGN_OR_RETURN(Value v, Eval(*n.x, env));
      if (n.str == "not") {
        r = Value::Bool(!Truthy(v));
      } else if (v.IsNumericLike()) {
        const bool neg = n.str == "-";
        if (v.kind == Kind::kFloat) {
          r = Value::Float(neg ? -v.f : v.f);
        } else {
          int64_t x = v.kind == Kind::kBool ? (v.b ? 1 : 0) : v.i;
          r = neg && x == INT64_MIN ? Value::Float(9.223372036854775808e18) : Value::Int(neg ? -x : x);
        }
      } else {
        return ErrorAt(&n, "Unknown operator \"" + n.str + "\" for " + std::string(KindName(v)));
      }
      break;
    }
    case NodeKind::kBinary:
      r = EvalBinary(n, env);
      break;
    case NodeKind::kFilter: {
      MHUB_ASSIGN_OR_RETURN(Value operand, Eval(*n.x, env));
      r = ApplyFilter(operand, *n.y, env);
      break;
    }
    case NodeKind::kTest: {
      MHUB_ASSIGN_OR_RETURN(Value operand, Eval(*n.x, env));
      MHUB_ASSIGN_OR_RETURN(bool result, ApplyTest(n.str, {operand}, &n));
      r = Value::Bool(n.flag ? !result : result);
      break;
    }
    case NodeKind::kSelect: {
      MHUB_ASSIGN_OR_RETURN(Value cond, Eval(*n.y, env));
      r = Truthy(cond) ? Eval(*n.x, env) : Result<Value>(Value::Undefined());
      break;
    }
    case NodeKind::kTernary: {
      MHUB_ASSIGN_OR_RETURN(Value cond, Eval(*n.x, env));
      r = Truthy(cond) ? Eval(*n.y, env) : Eval(*n.z, env);
      break;
    }
    case NodeKind::kComment:
      r = Value::Null();
      break;
    default:
      return ErrorAt(&n, "Unexpected statement inside an expression");
  }
  if (r.ok()) {
    const Value& v = *r;
    if (v.kind == Kind::kString) {
      MHUB_RETURN_IF_ERROR(CheckString(v.s));
      MHUB_RETURN_IF_ERROR(Charge(v.s.size() / 4096));
    } else if (v.kind == Kind::kArray && v.array->size() > kMaxArrayItems) {
      return Status::ResourceExhausted("chat template: list too long");
    }
  }
  return r;
}

}  // namespace mhub::tokenizers::jinja
