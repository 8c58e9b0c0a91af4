// Evaluator of a parsed chat template, with the semantics of @huggingface/jinja src/runtime.ts
// (statements in jinja_statements.cpp, expressions in jinja_expressions.cpp). Bounded: evaluation
// depth, steps and the size of produced text are checked against the program's ChatTemplateLimits.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "tokenizers/chat/jinja_ast.h"
#include "tokenizers/chat/jinja_value.h"

namespace mhub::tokenizers::jinja {

// A variable scope; lookups walk to the parent.
struct Env {
  std::unordered_map<std::string, Value> vars;
  Env* parent = nullptr;

  explicit Env(Env* p = nullptr) : parent(p) {}
  const Value* Find(const std::string& name) const;
  void Set(const std::string& name, Value v) { vars[name] = std::move(v); }
};

// RAII depth counter for nested evaluation (expressions, blocks, macro calls).
class DepthGuard {
 public:
  explicit DepthGuard(size_t& d) : d_(d) { ++d_; }
  ~DepthGuard() { --d_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

 private:
  size_t& d_;
};

class Interpreter {
 public:
  explicit Interpreter(const Program& program) : program_(program) {}

  // Renders the program with `globals` as the outermost scope.
  Result<std::string> Run(Env& globals);

  // Building blocks shared with the builtins (filters, tests, methods).
  Status ErrorAt(const Node* at, const std::string& msg) const;
  Result<Value> Eval(const Node& n, Env& env);
  Status ExecBlock(const std::vector<std::unique_ptr<Node>>& body, Env& env, std::string& out);
  Result<Value> Call(const Value& fn, std::vector<Value>& args, Env& env, const Node* at);
  Result<Value> ApplyFilter(const Value& operand, const Node& filter, Env& env);
  Result<bool> ApplyTest(const std::string& name, const std::vector<Value>& args, const Node* at);
  // `obj.prop` / `obj[prop]` (properties of strings, arrays and objects include their methods).
  Result<Value> Member(const Value& obj, const Value& prop, const Node* at);
  // Charges `n` steps of work; ResourceExhausted past the limit.
  Status Charge(uint64_t n);
  Status CheckString(const std::string& s) const;
  const ChatTemplateLimits& limits() const { return program_.limits; }
  size_t max_depth() const { return program_.limits.max_depth; }
  size_t max_bytes() const { return program_.limits.max_output_bytes; }

 private:
  Result<Value> EvalBinary(const Node& n, Env& env);
  Result<Value> EvalCall(const Node& n, Env& env);
  Result<Value> EvalMember(const Node& n, Env& env);
  Status EvalArguments(const std::vector<std::unique_ptr<Node>>& args, Env& env, std::vector<Value>& positional,
                       ObjectMap& keywords, const Node* at);
  Status ExecFor(const Node& n, Env& env, std::string& out);
  Status ExecSet(const Node& n, Env& env);
  Status ExecStatement(const Node& n, Env& env, std::string& out);
  Value MakeMacro(const Node& n);
  Status BindMacroArguments(const std::string& name, const std::vector<std::unique_ptr<Node>>& params,
                            bool special_args, std::vector<Value> args, Env& scope, const Node* at);

  enum class Flow { kNone, kBreak, kContinue };
  const Program& program_;
  Flow flow_ = Flow::kNone;
  size_t depth_ = 0;
  uint64_t steps_ = 0;
};

// Builtins (jinja_methods.cpp, jinja_filters.cpp).
// Installs true/false/none, range, namespace, raise_exception, strftime_now into `env`.
void InstallGlobals(Env& env);
// The method or property `name` of a string, array or object value; Undefined when there is none.
Value BuiltinMember(Interpreter& in, const Value& obj, const std::string& name);
// A filter written without arguments (`x|trim`).
Result<Value> FilterByName(Interpreter& in, const Value& operand, const std::string& name, Env& env, const Node* at);
// A filter written as a call (`x|tojson(indent=2)`); `args` ends with keyword arguments if any.
Result<Value> FilterCall(Interpreter& in, const Value& operand, const std::string& name, const Node& call, Env& env);
// Slicing (Python semantics) of arrays and strings (by code point).
Result<Value> SliceValue(Interpreter& in, const Value& obj, const Value& start, const Value& stop, const Value& step,
                         const Node* at);
// Unicode upper/lower case mapping as JavaScript's toUpperCase/toLowerCase (simple mappings, ß -> SS).
std::string CaseMapped(std::string_view s, bool upper);
// [[key, value], ...] of an object, in insertion order.
Value ItemsOf(const ObjectMap& m);
// Ordering used by sort/dictsort (numbers, booleans, strings optionally case-folded).
Result<int> CompareValues(const Value& a, const Value& b, bool case_sensitive);

}  // namespace mhub::tokenizers::jinja
