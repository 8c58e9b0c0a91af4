// The `where` / `orderby` parser (grammar in filter_expr.h): a tokenizer and a recursive-descent
// parser with a depth limit, so any input ends in an AST or one InvalidArgument.
#include <cctype>
#include <cstdlib>
#include <set>

#include "server/viewer/filter_expr.h"

namespace mhub::server::viewer {
namespace {

struct Token {
  enum class Kind : uint8_t { kEnd, kIdent, kQuotedIdent, kString, kNumber, kOp, kLParen, kRParen, kComma };
  Kind kind = Kind::kEnd;
  std::string text;  // identifier / quoted name / string value / number / operator
  size_t pos = 0;
};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Status SyntaxError(size_t pos, const std::string& what) {
  return Status::InvalidArgument("at offset " + std::to_string(pos) + ": " + what);
}

Result<std::vector<Token>> Tokenize(std::string_view text) {
  if (text.size() > kMaxFilterTextBytes) {
    return Status::InvalidArgument("longer than " + std::to_string(kMaxFilterTextBytes) + " bytes");
  }
  std::vector<Token> out;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    Token t;
    t.pos = i;
    if (c == '\'' || c == '"') {  // string literal or quoted identifier; the quote doubled escapes it
      t.kind = c == '\'' ? Token::Kind::kString : Token::Kind::kQuotedIdent;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == c) {
          if (i + 1 < text.size() && text[i + 1] == c) {
            t.text.push_back(c);
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        t.text.push_back(text[i++]);
      }
      if (!closed) return SyntaxError(t.pos, c == '\'' ? "unterminated string literal" : "unterminated quoted name");
      if (t.kind == Token::Kind::kQuotedIdent && t.text.empty()) return SyntaxError(t.pos, "empty column name");
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               ((c == '-' || c == '+' || c == '.') && i + 1 < text.size() &&
                (std::isdigit(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '.'))) {
      t.kind = Token::Kind::kNumber;
      size_t j = i;
      if (text[j] == '-' || text[j] == '+') ++j;
      bool digits = false;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j, digits = true;
      if (j < text.size() && text[j] == '.') {
        ++j;
        while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j, digits = true;
      }
      if (!digits) return SyntaxError(i, "malformed number");
      if (j < text.size() && (text[j] == 'e' || text[j] == 'E')) {
        size_t k = j + 1;
        if (k < text.size() && (text[k] == '-' || text[k] == '+')) ++k;
        if (k >= text.size() || !std::isdigit(static_cast<unsigned char>(text[k]))) {
          return SyntaxError(j, "malformed exponent");
        }
        while (k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]))) ++k;
        j = k;
      }
      if (j < text.size() && (std::isalpha(static_cast<unsigned char>(text[j])) || text[j] == '_')) {
        return SyntaxError(j, "a number runs into a name");
      }
      t.text = std::string(text.substr(i, j - i));
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      t.kind = Token::Kind::kIdent;
      size_t j = i;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
      t.text = std::string(text.substr(i, j - i));
      i = j;
    } else if (c == '(' || c == ')' || c == ',') {
      t.kind = c == '(' ? Token::Kind::kLParen : c == ')' ? Token::Kind::kRParen : Token::Kind::kComma;
      t.text = std::string(1, c);
      ++i;
    } else if (c == '=' || c == '<' || c == '>' || c == '!') {
      t.kind = Token::Kind::kOp;
      std::string_view two = text.substr(i, 2);
      if (two == "<=" || two == ">=" || two == "<>" || two == "!=" || two == "==") {
        t.text = std::string(two);
        i += 2;
      } else if (c == '!') {
        return SyntaxError(i, "unexpected '!'");
      } else {
        t.text = std::string(1, c);
        ++i;
      }
    } else {
      return SyntaxError(i, std::string("unexpected character '") +
                                (std::isprint(static_cast<unsigned char>(c)) ? std::string(1, c) : "?") + "'");
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.pos = text.size();
  out.push_back(end);
  return out;
}

// Words that are never bare column names.
bool IsReserved(const std::string& upper) {
  static const std::set<std::string> kWords = {"AND", "OR",   "NOT",   "IS",  "NULL", "LIKE",   "ILIKE",
                                               "IN",  "TRUE", "FALSE", "ASC", "DESC", "SELECT", "FROM"};
  return kWords.count(upper) != 0;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<std::unique_ptr<FilterNode>> ParseAll() {
    MHUB_ASSIGN_OR_RETURN(auto node, ParseOr(0));
    if (Peek().kind != Token::Kind::kEnd) return SyntaxError(Peek().pos, "unexpected '" + Peek().text + "'");
    return node;
  }

  Result<std::vector<OrderKey>> ParseOrder() {
    std::vector<OrderKey> keys;
    while (true) {
      const Token& t = Peek();
      OrderKey key;
      if (t.kind == Token::Kind::kQuotedIdent || (t.kind == Token::Kind::kIdent && !IsReserved(Upper(t.text)))) {
        key.column = t.text;
        ++at_;
      } else {
        return SyntaxError(t.pos, "expected a column name");
      }
      if (Peek().kind == Token::Kind::kIdent) {
        std::string word = Upper(Peek().text);
        if (word == "ASC" || word == "DESC") {
          key.descending = word == "DESC";
          ++at_;
        }
      }
      keys.push_back(std::move(key));
      if (Peek().kind == Token::Kind::kComma) {
        ++at_;
        continue;
      }
      if (Peek().kind != Token::Kind::kEnd) return SyntaxError(Peek().pos, "unexpected '" + Peek().text + "'");
      return keys;
    }
  }

 private:
  const Token& Peek(size_t ahead = 0) const { return t_[std::min(at_ + ahead, t_.size() - 1)]; }
  bool IsKeyword(const Token& t, const char* word) const {
    return t.kind == Token::Kind::kIdent && Upper(t.text) == word;
  }
  bool TakeKeyword(const char* word) {
    if (!IsKeyword(Peek(), word)) return false;
    ++at_;
    return true;
  }

  Result<std::unique_ptr<FilterNode>> ParseOr(int depth) {
    if (depth > kMaxFilterDepth) return SyntaxError(Peek().pos, "nested too deeply");
    MHUB_ASSIGN_OR_RETURN(auto first, ParseAnd(depth + 1));
    if (!IsKeyword(Peek(), "OR")) return first;
    auto node = std::make_unique<FilterNode>();
    node->kind = FilterNode::Kind::kOr;
    node->children.push_back(std::move(first));
    while (TakeKeyword("OR")) {
      MHUB_ASSIGN_OR_RETURN(auto next, ParseAnd(depth + 1));
      node->children.push_back(std::move(next));
    }
    return node;
  }

  Result<std::unique_ptr<FilterNode>> ParseAnd(int depth) {
    MHUB_ASSIGN_OR_RETURN(auto first, ParseNot(depth + 1));
    if (!IsKeyword(Peek(), "AND")) return first;
    auto node = std::make_unique<FilterNode>();
    node->kind = FilterNode::Kind::kAnd;
    node->children.push_back(std::move(first));
    while (TakeKeyword("AND")) {
      MHUB_ASSIGN_OR_RETURN(auto next, ParseNot(depth + 1));
      node->children.push_back(std::move(next));
    }
    return node;
  }

  Result<std::unique_ptr<FilterNode>> ParseNot(int depth) {
    if (depth > kMaxFilterDepth) return SyntaxError(Peek().pos, "nested too deeply");
    if (TakeKeyword("NOT")) {
      MHUB_ASSIGN_OR_RETURN(auto inner, ParseNot(depth + 1));
      auto node = std::make_unique<FilterNode>();
      node->kind = FilterNode::Kind::kNot;
      node->children.push_back(std::move(inner));
      return node;
    }
    return ParsePredicate(depth + 1);
  }

  Result<FilterOperand> ParseOperand() {
    const Token& t = Peek();
    FilterOperand op;
    switch (t.kind) {
      case Token::Kind::kQuotedIdent:
        op.kind = FilterOperand::Kind::kColumn;
        op.text = t.text;
        break;
      case Token::Kind::kString:
        op.kind = FilterOperand::Kind::kString;
        op.text = t.text;
        break;
      case Token::Kind::kNumber: {
        op.kind = FilterOperand::Kind::kNumber;
        op.text = t.text;
        char* end = nullptr;
        op.number = std::strtold(t.text.c_str(), &end);
        break;
      }
      case Token::Kind::kIdent: {
        std::string word = Upper(t.text);
        if (word == "TRUE" || word == "FALSE") {
          op.kind = FilterOperand::Kind::kBool;
          op.boolean = word == "TRUE";
        } else if (word == "NULL") {
          op.kind = FilterOperand::Kind::kNull;
        } else if (IsReserved(word)) {
          return SyntaxError(t.pos, "unexpected keyword " + word);
        } else {
          op.kind = FilterOperand::Kind::kColumn;
          op.text = t.text;
        }
        break;
      }
      default:
        return SyntaxError(t.pos, t.kind == Token::Kind::kEnd ? "unexpected end" : "unexpected '" + t.text + "'");
    }
    ++at_;
    return op;
  }

  Result<std::unique_ptr<FilterNode>> ParsePredicate(int depth) {
    if (Peek().kind == Token::Kind::kLParen) {
      ++at_;
      MHUB_ASSIGN_OR_RETURN(auto inner, ParseOr(depth + 1));
      if (Peek().kind != Token::Kind::kRParen) return SyntaxError(Peek().pos, "expected ')'");
      ++at_;
      return inner;
    }
    auto node = std::make_unique<FilterNode>();
    MHUB_ASSIGN_OR_RETURN(node->lhs, ParseOperand());
    const Token& t = Peek();
    if (t.kind == Token::Kind::kOp) {
      node->kind = FilterNode::Kind::kCompare;
      const std::string& o = t.text;
      node->op = (o == "=" || o == "==")    ? CompareOp::kEq
                 : (o == "<>" || o == "!=") ? CompareOp::kNe
                 : o == "<"                 ? CompareOp::kLt
                 : o == "<="                ? CompareOp::kLe
                 : o == ">"                 ? CompareOp::kGt
                                            : CompareOp::kGe;
      ++at_;
      MHUB_ASSIGN_OR_RETURN(FilterOperand rhs, ParseOperand());
      node->rhs.push_back(std::move(rhs));
      return node;
    }
    if (TakeKeyword("IS")) {
      node->kind = FilterNode::Kind::kIsNull;
      node->negated = TakeKeyword("NOT");
      if (!TakeKeyword("NULL")) return SyntaxError(Peek().pos, "expected NULL after IS");
      return node;
    }
    node->negated = TakeKeyword("NOT");
    if (IsKeyword(Peek(), "LIKE") || IsKeyword(Peek(), "ILIKE")) {
      node->kind = FilterNode::Kind::kLike;
      node->case_insensitive = IsKeyword(Peek(), "ILIKE");
      ++at_;
      if (Peek().kind != Token::Kind::kString) return SyntaxError(Peek().pos, "LIKE needs a string pattern");
      MHUB_ASSIGN_OR_RETURN(FilterOperand pattern, ParseOperand());
      node->rhs.push_back(std::move(pattern));
      return node;
    }
    if (TakeKeyword("IN")) {
      node->kind = FilterNode::Kind::kIn;
      if (Peek().kind != Token::Kind::kLParen) return SyntaxError(Peek().pos, "expected '(' after IN");
      ++at_;
      while (true) {
        MHUB_ASSIGN_OR_RETURN(FilterOperand item, ParseOperand());
        node->rhs.push_back(std::move(item));
        if (Peek().kind == Token::Kind::kComma) {
          ++at_;
          continue;
        }
        if (Peek().kind != Token::Kind::kRParen) return SyntaxError(Peek().pos, "expected ')' or ','");
        ++at_;
        return node;
      }
    }
    if (Peek().kind == Token::Kind::kEnd) return SyntaxError(Peek().pos, "unexpected end: expected an operator");
    return SyntaxError(Peek().pos, "expected an operator, found '" + Peek().text + "'");
  }

  std::vector<Token> t_;
  size_t at_ = 0;
};

void CollectColumns(const FilterOperand& op, std::vector<std::string>& out) {
  if (op.kind != FilterOperand::Kind::kColumn) return;
  for (const auto& name : out) {
    if (name == op.text) return;
  }
  out.push_back(op.text);
}

}  // namespace

Result<std::unique_ptr<FilterNode>> ParseWhere(std::string_view text) {
  MHUB_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  if (tokens.size() == 1) return Status::InvalidArgument("empty expression");
  return Parser(std::move(tokens)).ParseAll();
}

Result<std::vector<OrderKey>> ParseOrderBy(std::string_view text) {
  MHUB_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  if (tokens.size() == 1) return Status::InvalidArgument("empty orderby");
  return Parser(std::move(tokens)).ParseOrder();
}

std::vector<std::string> ReferencedColumns(const FilterNode& node) {
  std::vector<std::string> out;
  std::vector<const FilterNode*> stack{&node};
  while (!stack.empty()) {
    const FilterNode* n = stack.back();
    stack.pop_back();
    CollectColumns(n->lhs, out);
    for (const auto& r : n->rhs) CollectColumns(r, out);
    for (auto it = n->children.rbegin(); it != n->children.rend(); ++it) stack.push_back(it->get());
  }
  return out;
}

bool HasForbiddenSqlSymbols(std::string_view text) {
  return text.find(';') != std::string_view::npos || text.find("--") != std::string_view::npos ||
         text.find("/*") != std::string_view::npos || text.find("*/") != std::string_view::npos;
}

}  // namespace mhub::server::viewer
