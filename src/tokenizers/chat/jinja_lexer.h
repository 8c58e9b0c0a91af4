// Lexer of the chat-template engine: the preprocessing (trim_blocks, lstrip_blocks, trailing
// newline, {% generation %} tags) and tokenization of @huggingface/jinja's lexer.ts, with every
// token remembering where it came from in the original source for error messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/result.h"

namespace mhub::tokenizers::jinja {

enum class Tok : uint8_t {
  kText,
  kNumber,
  kString,
  kIdentifier,
  kEquals,
  kOpenParen,
  kCloseParen,
  kOpenStatement,
  kCloseStatement,
  kOpenExpression,
  kCloseExpression,
  kOpenSquare,
  kCloseSquare,
  kOpenCurly,
  kCloseCurly,
  kComma,
  kDot,
  kColon,
  kPipe,
  kAdditive,        // + - ~
  kMultiplicative,  // * / // %
  kPower,           // **
  kComparison,      // < > <= >= == !=
  kUnary,           // a sign not followed by digits
  kComment,
};

struct Token {
  Tok type;
  std::string value;
  uint32_t pos;  // byte offset in the original source
};

// "line L, column C" of byte offset `pos` in `source` (columns count code points, from 1).
std::string Where(std::string_view source, uint32_t pos);

// Tokenizes a template. Errors: InvalidArgument "chat template line L, column C: ...".
Result<std::vector<Token>> Tokenize(std::string_view source);

}  // namespace mhub::tokenizers::jinja
