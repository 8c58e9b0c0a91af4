// Statement execution of chat templates: blocks, if/for/set, macros, call and filter blocks
// (see jinja_interpreter.h).
#include "tokenizers/chat/jinja_interpreter.h"

namespace mhub::tokenizers::jinja {

Result<std::string> Interpreter::Run(Env& globals) {
  std::string out;
  MHUB_RETURN_IF_ERROR(ExecBlock(program_.body, globals, out));
  if (flow_ != Flow::kNone) return ErrorAt(nullptr, "break/continue outside of a loop");
  return out;
}

Status Interpreter::ExecBlock(const std::vector<std::unique_ptr<Node>>& body, Env& env, std::string& out) {
  DepthGuard g(depth_);
  if (depth_ > max_depth()) return Status::ResourceExhausted("chat template: nesting too deep");
  for (const auto& st : body) {
    MHUB_RETURN_IF_ERROR(ExecStatement(*st, env, out));
    MHUB_RETURN_IF_ERROR(CheckString(out));
    if (flow_ != Flow::kNone) break;
  }
  return Status::OK();
}

Status Interpreter::ExecStatement(const Node& n, Env& env, std::string& out) {
  MHUB_RETURN_IF_ERROR(Charge(1));
  switch (n.kind) {
    case NodeKind::kText:
      out += n.str;
      return Status::OK();
    case NodeKind::kComment:
      return Status::OK();
    case NodeKind::kIf: {
      MHUB_ASSIGN_OR_RETURN(Value test, Eval(*n.x, env));
      return ExecBlock(Truthy(test) ? n.body : n.alt, env, out);
    }
    case NodeKind::kFor:
      return ExecFor(n, env, out);
    case NodeKind::kSet:
      return ExecSet(n, env);
    case NodeKind::kMacro:
      env.Set(n.str, MakeMacro(n));
      return Status::OK();
    case NodeKind::kBreak:
      flow_ = Flow::kBreak;
      return Status::OK();
    case NodeKind::kContinue:
      flow_ = Flow::kContinue;
      return Status::OK();
    case NodeKind::kCallBlock: {
      // The body becomes `caller()`, visible to the called macro; caller parameters as for macros.
      const Node* block = &n;
      bool special = false;
      Value caller =
          Value::Function([this, block, special, &env](Interpreter&, std::vector<Value>& args, Env&) -> Result<Value> {
            Env scope(&env);
            MHUB_RETURN_IF_ERROR(BindMacroArguments("None", block->list, special, args, scope, block));
            std::string text;
            MHUB_RETURN_IF_ERROR(ExecBlock(block->body, scope, text));
            return Value::Str(std::move(text));
          });
      const Node& call = *n.x;
      std::vector<Value> args;
      ObjectMap kwargs;
      MHUB_RETURN_IF_ERROR(EvalArguments(call.list, env, args, kwargs, &call));
      Value kw = Value::Object(std::move(kwargs));
      kw.is_kwargs = true;
      args.push_back(std::move(kw));
      MHUB_ASSIGN_OR_RETURN(Value fn, Eval(*call.x, env));
      Env call_env(&env);
      call_env.Set("caller", std::move(caller));
      MHUB_ASSIGN_OR_RETURN(Value result, Call(fn, args, call_env, &call));
      MHUB_ASSIGN_OR_RETURN(std::string text, ToOutput(result, max_depth(), max_bytes()));
      out += text;
      return Status::OK();
    }
    case NodeKind::kFilterBlock: {
      std::string text;
      MHUB_RETURN_IF_ERROR(ExecBlock(n.body, env, text));
      MHUB_ASSIGN_OR_RETURN(Value v, ApplyFilter(Value::Str(std::move(text)), *n.x, env));
      MHUB_ASSIGN_OR_RETURN(std::string printed, ToOutput(v, max_depth(), max_bytes()));
      out += printed;
      return Status::OK();
    }
    default: {  // an expression {{ ... }}
      MHUB_ASSIGN_OR_RETURN(Value v, Eval(n, env));
      MHUB_ASSIGN_OR_RETURN(std::string printed, ToOutput(v, max_depth(), max_bytes()));
      out += printed;
      return Status::OK();
    }
  }
}

Status Interpreter::ExecSet(const Node& n, Env& env) {
  Value rhs;
  if (n.y) {
    MHUB_ASSIGN_OR_RETURN(rhs, Eval(*n.y, env));
  } else {
    std::string text;
    MHUB_RETURN_IF_ERROR(ExecBlock(n.body, env, text));
    rhs = Value::Str(std::move(text));
  }
  const Node& target = *n.x;
  if (target.kind == NodeKind::kIdentifier) {
    env.Set(target.str, std::move(rhs));
    return Status::OK();
  }
  if (target.kind == NodeKind::kTuple) {
    if (rhs.kind != Kind::kArray) {
      return ErrorAt(&n, "Cannot unpack non-iterable type in set: " + std::string(KindName(rhs)));
    }
    if (rhs.array->size() != target.list.size()) {
      return ErrorAt(&n, std::string("Too ") + (target.list.size() > rhs.array->size() ? "few" : "many") +
                             " items to unpack in set");
    }
    for (size_t k = 0; k < target.list.size(); ++k) {
      if (target.list[k]->kind != NodeKind::kIdentifier) return ErrorAt(&n, "Cannot unpack to non-identifier in set");
      env.Set(target.list[k]->str, (*rhs.array)[k]);
    }
    return Status::OK();
  }
  if (target.kind == NodeKind::kMember) {
    MHUB_ASSIGN_OR_RETURN(Value object, Eval(*target.x, env));
    if (object.kind != Kind::kNamespace) return ErrorAt(&n, "cannot assign attribute on non-namespace object");
    if (target.flag || target.y->kind != NodeKind::kIdentifier) {
      return ErrorAt(&n, "Cannot assign to member with non-identifier property");
    }
    object.object->Set(target.y->str, std::move(rhs));
    return Status::OK();
  }
  return ErrorAt(&n, "Invalid left-hand side in set");
}

Status Interpreter::ExecFor(const Node& n, Env& env, std::string& out) {
  Env scope(&env);
  const Node* iterable_node = n.y.get();
  const Node* test = nullptr;
  if (iterable_node->kind == NodeKind::kSelect) {
    test = iterable_node->y.get();
    iterable_node = iterable_node->x.get();
  }
  MHUB_ASSIGN_OR_RETURN(Value iterable, Eval(*iterable_node, scope));
  std::vector<Value> source;
  if (iterable.kind == Kind::kArray) {
    source = *iterable.array;
  } else if (iterable.kind == Kind::kObject) {
    for (const auto& [k, v] : iterable.object->entries()) source.push_back(Value::Str(k));
  } else {
    return ErrorAt(&n, "Expected iterable or object type in for loop: got " + std::string(KindName(iterable)));
  }
  const Node& var = *n.x;
  auto bind = [&](Env& e, const Value& item) -> Status {
    if (var.kind == NodeKind::kIdentifier) {
      e.Set(var.str, item);
      return Status::OK();
    }
    if (item.kind != Kind::kArray)
      return ErrorAt(&n, "Cannot unpack non-iterable type: " + std::string(KindName(item)));
    if (item.array->size() != var.list.size()) {
      return ErrorAt(
          &n, std::string("Too ") + (var.list.size() > item.array->size() ? "few" : "many") + " items to unpack");
    }
    for (size_t k = 0; k < var.list.size(); ++k) {
      if (var.list[k]->kind != NodeKind::kIdentifier) return ErrorAt(&n, "Cannot unpack non-identifier type");
      e.Set(var.list[k]->str, (*item.array)[k]);
    }
    return Status::OK();
  };
  std::vector<Value> items;
  for (const Value& item : source) {
    MHUB_RETURN_IF_ERROR(Charge(1));
    if (test) {
      Env probe(&scope);
      MHUB_RETURN_IF_ERROR(bind(probe, item));
      MHUB_ASSIGN_OR_RETURN(Value keep, Eval(*test, probe));
      if (!Truthy(keep)) continue;
    } else if (var.kind != NodeKind::kIdentifier) {
      Env probe(&scope);
      MHUB_RETURN_IF_ERROR(bind(probe, item));  // unpacking errors surface before any output
    }
    items.push_back(item);
  }
  bool no_iteration = true;
  const int64_t len = static_cast<int64_t>(items.size());
  for (int64_t k = 0; k < len; ++k) {
    MHUB_RETURN_IF_ERROR(Charge(1));
    ObjectMap loop;
    loop.Set("index", Value::Int(k + 1));
    loop.Set("index0", Value::Int(k));
    loop.Set("revindex", Value::Int(len - k));
    loop.Set("revindex0", Value::Int(len - k - 1));
    loop.Set("first", Value::Bool(k == 0));
    loop.Set("last", Value::Bool(k == len - 1));
    loop.Set("length", Value::Int(len));
    loop.Set("previtem", k > 0 ? items[static_cast<size_t>(k - 1)] : Value::Undefined());
    loop.Set("nextitem", k < len - 1 ? items[static_cast<size_t>(k + 1)] : Value::Undefined());
    scope.Set("loop", Value::Object(std::move(loop)));
    MHUB_RETURN_IF_ERROR(bind(scope, items[static_cast<size_t>(k)]));
    std::string text;
    Status st = ExecBlock(n.body, scope, text);
    out += text;
    MHUB_RETURN_IF_ERROR(st);
    MHUB_RETURN_IF_ERROR(CheckString(out));
    if (flow_ == Flow::kContinue) {
      flow_ = Flow::kNone;
      continue;
    }
    if (flow_ == Flow::kBreak) {
      flow_ = Flow::kNone;
      break;
    }
    no_iteration = false;
  }
  if (no_iteration) MHUB_RETURN_IF_ERROR(ExecBlock(n.alt, scope, out));
  return Status::OK();
}

namespace {

bool MentionsIdentifier(const Node& n, std::string_view name) {
  if (n.kind == NodeKind::kIdentifier && n.str == name) return true;
  for (const Node* c : {n.x.get(), n.y.get(), n.z.get()}) {
    if (c && MentionsIdentifier(*c, name)) return true;
  }
  for (const auto* list : {&n.list, &n.body, &n.alt}) {
    for (const auto& c : *list) {
      if (c && MentionsIdentifier(*c, name)) return true;
    }
  }
  return false;
}

bool BodyMentions(const std::vector<std::unique_ptr<Node>>& body, std::string_view name) {
  for (const auto& st : body) {
    if (MentionsIdentifier(*st, name)) return true;
  }
  return false;
}

}  // namespace

Value Interpreter::MakeMacro(const Node& n) {
  const Node* macro = &n;
  return Value::Function([this, macro](Interpreter&, std::vector<Value>& args, Env& caller_env) -> Result<Value> {
    DepthGuard g(depth_);
    if (depth_ > max_depth()) return Status::ResourceExhausted("chat template: macro recursion too deep");
    Env scope(&caller_env);
    bool special = BodyMentions(macro->body, "kwargs") || BodyMentions(macro->body, "varargs");
    MHUB_RETURN_IF_ERROR(BindMacroArguments("'" + macro->str + "'", macro->list, special, args, scope, macro));
    std::string text;
    MHUB_RETURN_IF_ERROR(ExecBlock(macro->body, scope, text));
    return Value::Str(std::move(text));
  });
}

Status Interpreter::BindMacroArguments(const std::string& name, const std::vector<std::unique_ptr<Node>>& params,
                                       bool special_args, std::vector<Value> args, Env& scope, const Node* at) {
  ObjectMap kwargs;
  if (!args.empty() && args.back().kind == Kind::kObject && args.back().is_kwargs) {
    kwargs = *args.back().object;
    args.pop_back();
  }
  std::vector<std::pair<std::string, const Node*>> pending_defaults;
  for (size_t k = 0; k < params.size(); ++k) {
    const Node& p = *params[k];
    Value v;
    bool have = false;
    if (k < args.size()) {
      v = args[k];
      have = true;
    } else if (const Value* kv = kwargs.Find(p.str)) {
      v = *kv;
      kwargs.Erase(p.str);
      have = true;
    }
    if (!have && p.kind == NodeKind::kKeywordArg) pending_defaults.emplace_back(p.str, p.x.get());
    scope.Set(p.str, have ? v : Value::Undefined());
  }
  if (special_args) {
    scope.Set("kwargs", Value::Object(kwargs));
    std::vector<Value> rest;
    for (size_t k = params.size(); k < args.size(); ++k) rest.push_back(args[k]);
    scope.Set("varargs", Value::Array(std::move(rest)));
  } else {
    if (kwargs.size() > 0) {
      return ErrorAt(at, "macro " + name + " takes no keyword argument '" + kwargs.entries()[0].first + "'");
    }
    if (args.size() > params.size()) {
      return ErrorAt(at, "macro " + name + " takes not more than " + std::to_string(params.size()) + " argument(s)");
    }
  }
  for (const auto& [pname, def] : pending_defaults) {
    MHUB_ASSIGN_OR_RETURN(Value v, Eval(*def, scope));
    scope.Set(pname, std::move(v));
  }
  return Status::OK();
}

}  // namespace mhub::tokenizers::jinja
