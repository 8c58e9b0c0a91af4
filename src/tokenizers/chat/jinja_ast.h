// Syntax tree of a chat template (node kinds mirror @huggingface/jinja src/ast.ts).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mhub/tokenizers/chat_template.h"

namespace mhub::tokenizers::jinja {

enum class NodeKind : uint8_t {
  // statements
  kText,  // str: literal output
  kComment,
  kIf,           // x: test, body, alt (alt may hold one nested kIf for elif)
  kFor,          // x: loop variable (identifier/tuple), y: iterable (may be kSelect), body, alt (else block)
  kSet,          // x: assignee, y: value (null for block set), body
  kMacro,        // str: name, list: parameters (identifiers / kKeywordArg), body
  kCallBlock,    // x: call expression, list: caller parameters, body
  kFilterBlock,  // x: filter (identifier / call), body
  kBreak,
  kContinue,
  // expressions
  kString,      // str
  kInt,         // i
  kFloat,       // f
  kArray,       // list
  kTuple,       // list
  kObject,      // list: key0, value0, key1, value1, ...
  kIdentifier,  // str
  kMember,      // x: object, y: property, flag: computed ([...])
  kSlice,       // x: start, y: stop, z: step (each may be null)
  kCall,        // x: callee, list: arguments
  kKeywordArg,  // str: key, x: value
  kSpread,      // x: *argument
  kKwSpread,    // x: **argument
  kUnary,       // str: operator (not, -, +), x: operand
  kBinary,      // str: operator, x: left, y: right
  kFilter,      // x: operand, y: filter (identifier or call)
  kTest,        // x: operand, str: test name, flag: negated
  kSelect,      // x: value, y: condition (`a if b` without else)
  kTernary,     // x: condition, y: if true, z: if false
};

struct Node {
  NodeKind kind;
  uint32_t pos = 0;  // byte offset in the source, for messages
  std::string str;
  int64_t i = 0;
  double f = 0;
  bool flag = false;
  std::unique_ptr<Node> x, y, z;
  std::vector<std::unique_ptr<Node>> list, body, alt;

  Node(NodeKind k, uint32_t p) : kind(k), pos(p) {}
};

struct Program {
  std::string source;
  ChatTemplateLimits limits;
  std::vector<std::unique_ptr<Node>> body;
  bool uses_kwargs_or_varargs = false;
};

// Parses tokens (from Tokenize) into a program. Errors name line and column.
Result<std::unique_ptr<Program>> ParseProgram(std::string_view source, ChatTemplateLimits limits);

}  // namespace mhub::tokenizers::jinja
