// Recursive-descent parser of the chat-template language (grammar and precedence of
// @huggingface/jinja src/parser.ts). Nesting is bounded by ChatTemplateLimits::max_depth.
#include <cmath>
#include <cstdlib>
#include <set>

#include "tokenizers/chat/jinja_ast.h"
#include "tokenizers/chat/jinja_lexer.h"

namespace mhub::tokenizers::jinja {

namespace {

using NodePtr = std::unique_ptr<Node>;

class Parser {
 public:
  Parser(std::string_view source, std::vector<Token> tokens, size_t max_depth)
      : source_(source), tokens_(std::move(tokens)), max_depth_(max_depth) {}

  Status Run(std::vector<NodePtr>& body) {
    while (cur_ < tokens_.size()) {
      MHUB_ASSIGN_OR_RETURN(NodePtr n, ParseAny());
      body.push_back(std::move(n));
    }
    return Status::OK();
  }

 private:
  // Depth guard: every recursive entry point holds one.
  struct Guard {
    Parser* p;
    explicit Guard(Parser* parser) : p(parser) { ++p->depth_; }
    ~Guard() { --p->depth_; }
  };
  Status CheckDepth() {
    if (depth_ > max_depth_) return Error("template nesting too deep");
    return Status::OK();
  }

  uint32_t Pos() const {
    if (cur_ < tokens_.size()) return tokens_[cur_].pos;
    return static_cast<uint32_t>(source_.size());
  }
  Status Error(const std::string& msg) const { return ErrorAt(Pos(), msg); }
  Status ErrorAt(uint32_t pos, const std::string& msg) const {
    return Status::InvalidArgument("chat template " + Where(source_, pos) + ": " + msg);
  }
  bool Is(Tok t, size_t ahead = 0) const { return cur_ + ahead < tokens_.size() && tokens_[cur_ + ahead].type == t; }
  bool IsIdent(std::string_view name, size_t ahead = 0) const {
    return Is(Tok::kIdentifier, ahead) && tokens_[cur_ + ahead].value == name;
  }
  bool IsStatement(std::initializer_list<std::string_view> names) const {
    if (!Is(Tok::kOpenStatement) || !Is(Tok::kIdentifier, 1)) return false;
    for (auto n : names) {
      if (tokens_[cur_ + 1].value == n) return true;
    }
    return false;
  }
  Result<Token> Expect(Tok t, const std::string& what) {
    if (cur_ >= tokens_.size()) return Error("unexpected end of template: " + what);
    if (tokens_[cur_].type != t) return Error(what + ", got '" + tokens_[cur_].value + "'");
    return tokens_[cur_++];
  }
  Status ExpectIdent(std::string_view name) {
    if (!IsIdent(name)) return Error("Expected " + std::string(name));
    ++cur_;
    return Status::OK();
  }
  NodePtr Make(NodeKind k, uint32_t pos) { return std::make_unique<Node>(k, pos); }

  Result<NodePtr> ParseAny() {
    Guard g(this);
    MHUB_RETURN_IF_ERROR(CheckDepth());
    if (cur_ >= tokens_.size()) return Error("unexpected end of template (a block is not closed)");
    const Token& t = tokens_[cur_];
    switch (t.type) {
      case Tok::kComment: {
        ++cur_;
        return Make(NodeKind::kComment, t.pos);
      }
      case Tok::kText: {
        NodePtr n = Make(NodeKind::kText, t.pos);
        n->str = t.value;
        ++cur_;
        return n;
      }
      case Tok::kOpenStatement:
        return ParseStatement();
      case Tok::kOpenExpression: {
        ++cur_;
        MHUB_ASSIGN_OR_RETURN(NodePtr e, ParseExpression());
        MHUB_RETURN_IF_ERROR(Expect(Tok::kCloseExpression, "Expected closing expression token '}}'").status());
        return e;
      }
      default:
        return Error("Unexpected token '" + t.value + "'");
    }
  }

  // Parses statements until one of `ends` opens; fails at the end of input.
  Status ParseBodyUntil(std::initializer_list<std::string_view> ends, std::vector<NodePtr>& body) {
    while (!IsStatement(ends)) {
      if (cur_ >= tokens_.size()) {
        std::string want;
        for (auto e : ends) want += (want.empty() ? "" : "/") + std::string(e);
        return Error("unexpected end of template, expected {% " + want + " %}");
      }
      MHUB_ASSIGN_OR_RETURN(NodePtr n, ParseAny());
      body.push_back(std::move(n));
    }
    return Status::OK();
  }

  Status CloseBlock(std::string_view end) {
    MHUB_RETURN_IF_ERROR(Expect(Tok::kOpenStatement, "Expected {%").status());
    MHUB_RETURN_IF_ERROR(ExpectIdent(end));
    return Expect(Tok::kCloseStatement, "Expected %}").status();
  }

  Result<NodePtr> ParseStatement() {
    uint32_t pos = tokens_[cur_].pos;
    ++cur_;  // {%
    if (!Is(Tok::kIdentifier)) return Error("Unknown statement");
    std::string name = tokens_[cur_].value;
    ++cur_;
    NodePtr result;
    if (name == "set") {
      MHUB_ASSIGN_OR_RETURN(result, ParseSet(pos));
    } else if (name == "if") {
      MHUB_ASSIGN_OR_RETURN(result, ParseIf(pos));
      MHUB_RETURN_IF_ERROR(CloseBlock("endif"));
    } else if (name == "macro") {
      MHUB_ASSIGN_OR_RETURN(result, ParseMacro(pos));
      MHUB_RETURN_IF_ERROR(CloseBlock("endmacro"));
    } else if (name == "for") {
      MHUB_ASSIGN_OR_RETURN(result, ParseFor(pos));
      MHUB_RETURN_IF_ERROR(CloseBlock("endfor"));
    } else if (name == "call") {
      result = Make(NodeKind::kCallBlock, pos);
      if (Is(Tok::kOpenParen)) MHUB_RETURN_IF_ERROR(ParseArgs(true, result->list));
      MHUB_ASSIGN_OR_RETURN(NodePtr callee, ParsePrimary());
      if (callee->kind != NodeKind::kIdentifier) return ErrorAt(callee->pos, "Expected identifier following call");
      NodePtr call = Make(NodeKind::kCall, callee->pos);
      call->x = std::move(callee);
      MHUB_RETURN_IF_ERROR(ParseArgs(false, call->list));
      result->x = std::move(call);
      MHUB_RETURN_IF_ERROR(Expect(Tok::kCloseStatement, "Expected %}").status());
      MHUB_RETURN_IF_ERROR(ParseBodyUntil({"endcall"}, result->body));
      MHUB_RETURN_IF_ERROR(CloseBlock("endcall"));
    } else if (name == "break" || name == "continue") {
      MHUB_RETURN_IF_ERROR(Expect(Tok::kCloseStatement, "Expected %}").status());
      result = Make(name == "break" ? NodeKind::kBreak : NodeKind::kContinue, pos);
    } else if (name == "filter") {
      result = Make(NodeKind::kFilterBlock, pos);
      MHUB_ASSIGN_OR_RETURN(NodePtr f, ParsePrimary());
      if (f->kind == NodeKind::kIdentifier && Is(Tok::kOpenParen)) {
        MHUB_ASSIGN_OR_RETURN(f, ParseCall(std::move(f)));
      }
      result->x = std::move(f);
      MHUB_RETURN_IF_ERROR(Expect(Tok::kCloseStatement, "Expected %}").status());
      MHUB_RETURN_IF_ERROR(ParseBodyUntil({"endfilter"}, result->body));
      MHUB_RETURN_IF_ERROR(CloseBlock("endfilter"));
    } else {
      return ErrorAt(pos, "Unknown statement type: " + name);
    }
    return result;
  }

  Result<NodePtr> ParseSet(uint32_t pos) {
    NodePtr n = Make(NodeKind::kSet, pos);
    MHUB_ASSIGN_OR_RETURN(n->x, ParseExpressionSequence(false));
    if (Is(Tok::kEquals)) {
      ++cur_;
      MHUB_ASSIGN_OR_RETURN(n->y, ParseExpressionSequence(false));
    } else {
      MHUB_RETURN_IF_ERROR(Expect(Tok::kCloseStatement, "Expected %}").status());
      MHUB_RETURN_IF_ERROR(ParseBodyUntil({"endset"}, n->body));
      MHUB_RETURN_IF_ERROR(Expect(Tok::kOpenStatement, "Expected {%").status());
      MHUB_RETURN_IF_ERROR(ExpectIdent("endset"));
    }
    MHUB_RETURN_IF_ERROR(Expect(Tok::kCloseStatement, "Expected %}").status());
    return n;
  }

  Result<NodePtr> ParseIf(uint32_t pos) {
    Guard g(this);
    MHUB_RETURN_IF_ERROR(CheckDepth());
    NodePtr n = Make(NodeKind::kIf, pos);
    MHUB_ASSIGN_OR_RETURN(n->x, ParseExpression());
    MHUB_RETURN_IF_ERROR(Expect(Tok::kCloseStatement, "Expected %}").status());
    MHUB_RETURN_IF_ERROR(ParseBodyUntil({"elif", "else", "endif"}, n->body));
    if (IsStatement({"elif"})) {
      uint32_t elif_pos = tokens_[cur_].pos;
      cur_ += 2;
      MHUB_ASSIGN_OR_RETURN(NodePtr nested, ParseIf(elif_pos));
      n->alt.push_back(std::move(nested));
    } else if (IsStatement({"else"})) {
      cur_ += 2;
      MHUB_RETURN_IF_ERROR(Expect(Tok::kCloseStatement, "Expected %}").status());
      MHUB_RETURN_IF_ERROR(ParseBodyUntil({"endif"}, n->alt));
    }
    return n;
  }

  Result<NodePtr> ParseMacro(uint32_t pos) {
    NodePtr n = Make(NodeKind::kMacro, pos);
    MHUB_ASSIGN_OR_RETURN(NodePtr name, ParsePrimary());
    if (name->kind != NodeKind::kIdentifier) return ErrorAt(name->pos, "Expected identifier following macro");
    n->str = name->str;
    MHUB_RETURN_IF_ERROR(ParseArgs(true, n->list));
    MHUB_RETURN_IF_ERROR(Expect(Tok::kCloseStatement, "Expected %}").status());
    MHUB_RETURN_IF_ERROR(ParseBodyUntil({"endmacro"}, n->body));
    return n;
  }

  Result<NodePtr> ParseFor(uint32_t pos) {
    NodePtr n = Make(NodeKind::kFor, pos);
    MHUB_ASSIGN_OR_RETURN(n->x, ParseExpressionSequence(true));
    if (n->x->kind != NodeKind::kIdentifier && n->x->kind != NodeKind::kTuple) {
      return ErrorAt(n->x->pos, "Expected identifier/tuple for the loop variable");
    }
    if (!IsIdent("in")) return Error("Expected `in` keyword following loop variable");
    ++cur_;
    MHUB_ASSIGN_OR_RETURN(n->y, ParseExpression());
    MHUB_RETURN_IF_ERROR(Expect(Tok::kCloseStatement, "Expected %}").status());
    MHUB_RETURN_IF_ERROR(ParseBodyUntil({"endfor", "else"}, n->body));
    if (IsStatement({"else"})) {
      cur_ += 2;
      MHUB_RETURN_IF_ERROR(Expect(Tok::kCloseStatement, "Expected %}").status());
      MHUB_RETURN_IF_ERROR(ParseBodyUntil({"endfor"}, n->alt));
    }
    return n;
  }

  Result<NodePtr> ParseExpressionSequence(bool primary) {
    uint32_t pos = Pos();
    MHUB_ASSIGN_OR_RETURN(NodePtr first, primary ? ParsePrimary() : ParseExpression());
    if (!Is(Tok::kComma)) return first;
    NodePtr t = Make(NodeKind::kTuple, pos);
    t->list.push_back(std::move(first));
    while (Is(Tok::kComma)) {
      ++cur_;
      MHUB_ASSIGN_OR_RETURN(NodePtr e, primary ? ParsePrimary() : ParseExpression());
      t->list.push_back(std::move(e));
    }
    return t;
  }

  Result<NodePtr> ParseExpression() {
    Guard g(this);
    MHUB_RETURN_IF_ERROR(CheckDepth());
    uint32_t pos = Pos();
    MHUB_ASSIGN_OR_RETURN(NodePtr a, ParseOr());
    if (!IsIdent("if")) return a;
    ++cur_;
    MHUB_ASSIGN_OR_RETURN(NodePtr test, ParseOr());
    if (IsIdent("else")) {
      ++cur_;
      NodePtr t = Make(NodeKind::kTernary, pos);
      t->x = std::move(test);
      t->y = std::move(a);
      MHUB_ASSIGN_OR_RETURN(t->z, ParseExpression());
      return t;
    }
    NodePtr s = Make(NodeKind::kSelect, pos);
    s->x = std::move(a);
    s->y = std::move(test);
    return s;
  }

  NodePtr Binary(std::string op, uint32_t pos, NodePtr l, NodePtr r) {
    NodePtr n = Make(NodeKind::kBinary, pos);
    n->str = std::move(op);
    n->x = std::move(l);
    n->y = std::move(r);
    return n;
  }

  Result<NodePtr> ParseOr() {
    MHUB_ASSIGN_OR_RETURN(NodePtr left, ParseAnd());
    while (IsIdent("or")) {
      uint32_t pos = tokens_[cur_++].pos;
      MHUB_ASSIGN_OR_RETURN(NodePtr right, ParseAnd());
      left = Binary("or", pos, std::move(left), std::move(right));
    }
    return left;
  }

  Result<NodePtr> ParseAnd() {
    MHUB_ASSIGN_OR_RETURN(NodePtr left, ParseNot());
    while (IsIdent("and")) {
      uint32_t pos = tokens_[cur_++].pos;
      MHUB_ASSIGN_OR_RETURN(NodePtr right, ParseNot());
      left = Binary("and", pos, std::move(left), std::move(right));
    }
    return left;
  }

  Result<NodePtr> ParseNot() {
    Guard g(this);
    MHUB_RETURN_IF_ERROR(CheckDepth());
    // A loop, as in the reference: in `not a not b` the second operand replaces the first.
    NodePtr result;
    while (IsIdent("not")) {
      uint32_t pos = tokens_[cur_++].pos;
      NodePtr n = Make(NodeKind::kUnary, pos);
      n->str = "not";
      MHUB_ASSIGN_OR_RETURN(n->x, ParseNot());
      result = std::move(n);
    }
    if (result) return result;
    return ParseComparison();
  }

  Result<NodePtr> ParseComparison() {
    MHUB_ASSIGN_OR_RETURN(NodePtr left, ParseAdditive());
    while (true) {
      std::string op;
      uint32_t pos = Pos();
      if (IsIdent("not") && IsIdent("in", 1)) {
        op = "not in";
        cur_ += 2;
      } else if (IsIdent("in")) {
        op = "in";
        ++cur_;
      } else if (Is(Tok::kComparison)) {
        op = tokens_[cur_++].value;
      } else {
        break;
      }
      MHUB_ASSIGN_OR_RETURN(NodePtr right, ParseAdditive());
      left = Binary(op, pos, std::move(left), std::move(right));
    }
    return left;
  }

  Result<NodePtr> ParseAdditive() {
    MHUB_ASSIGN_OR_RETURN(NodePtr left, ParseMultiplicative());
    while (Is(Tok::kAdditive)) {
      const Token& t = tokens_[cur_++];
      MHUB_ASSIGN_OR_RETURN(NodePtr right, ParseMultiplicative());
      left = Binary(t.value, t.pos, std::move(left), std::move(right));
    }
    return left;
  }

  Result<NodePtr> ParseMultiplicative() {
    MHUB_ASSIGN_OR_RETURN(NodePtr left, ParsePower());
    while (Is(Tok::kMultiplicative)) {
      const Token& t = tokens_[cur_++];
      MHUB_ASSIGN_OR_RETURN(NodePtr right, ParsePower());
      left = Binary(t.value, t.pos, std::move(left), std::move(right));
    }
    return left;
  }

  Result<NodePtr> ParsePower() {
    MHUB_ASSIGN_OR_RETURN(NodePtr left, ParseTest());
    while (Is(Tok::kPower)) {
      const Token& t = tokens_[cur_++];
      MHUB_ASSIGN_OR_RETURN(NodePtr right, ParseTest());
      left = Binary("**", t.pos, std::move(left), std::move(right));
    }
    return left;
  }

  Result<NodePtr> ParseTest() {
    MHUB_ASSIGN_OR_RETURN(NodePtr operand, ParseFilter());
    while (IsIdent("is")) {
      uint32_t pos = tokens_[cur_++].pos;
      bool negate = IsIdent("not");
      if (negate) ++cur_;
      MHUB_ASSIGN_OR_RETURN(NodePtr name, ParsePrimary());
      if (name->kind != NodeKind::kIdentifier) return ErrorAt(name->pos, "Expected identifier for the test");
      NodePtr t = Make(NodeKind::kTest, pos);
      t->x = std::move(operand);
      t->str = name->str;
      t->flag = negate;
      operand = std::move(t);
    }
    return operand;
  }

  Result<NodePtr> ParseFilter() {
    MHUB_ASSIGN_OR_RETURN(NodePtr operand, ParseUnarySign());
    while (Is(Tok::kPipe)) {
      uint32_t pos = tokens_[cur_++].pos;
      MHUB_ASSIGN_OR_RETURN(NodePtr filter, ParsePrimary());
      if (filter->kind != NodeKind::kIdentifier) return ErrorAt(filter->pos, "Expected identifier for the filter");
      if (Is(Tok::kOpenParen)) {
        MHUB_ASSIGN_OR_RETURN(filter, ParseCall(std::move(filter)));
      }
      NodePtr f = Make(NodeKind::kFilter, pos);
      f->x = std::move(operand);
      f->y = std::move(filter);
      operand = std::move(f);
    }
    return operand;
  }

  Result<NodePtr> ParseUnarySign() {
    Guard g(this);
    MHUB_RETURN_IF_ERROR(CheckDepth());
    if ((Is(Tok::kUnary) || Is(Tok::kAdditive)) && (tokens_[cur_].value == "-" || tokens_[cur_].value == "+")) {
      const Token& t = tokens_[cur_++];
      NodePtr n = Make(NodeKind::kUnary, t.pos);
      n->str = t.value;
      MHUB_ASSIGN_OR_RETURN(n->x, ParseUnarySign());
      return n;
    }
    MHUB_ASSIGN_OR_RETURN(NodePtr primary, ParsePrimary());
    MHUB_ASSIGN_OR_RETURN(NodePtr member, ParseMember(std::move(primary)));
    if (Is(Tok::kOpenParen)) return ParseCall(std::move(member));
    return member;
  }

  Result<NodePtr> ParseCall(NodePtr callee) {
    Guard g(this);
    MHUB_RETURN_IF_ERROR(CheckDepth());
    NodePtr call = Make(NodeKind::kCall, callee->pos);
    call->x = std::move(callee);
    MHUB_RETURN_IF_ERROR(ParseArgs(false, call->list));
    MHUB_ASSIGN_OR_RETURN(NodePtr expr, ParseMember(std::move(call)));
    if (Is(Tok::kOpenParen)) return ParseCall(std::move(expr));
    return expr;
  }

  Status ParseArgs(bool parameters, std::vector<NodePtr>& args) {
    MHUB_RETURN_IF_ERROR(Expect(Tok::kOpenParen, "Expected '(' for arguments list").status());
    std::set<std::string> names;
    bool saw_keyword = false, saw_spread = false;
    while (!Is(Tok::kCloseParen)) {
      if (cur_ >= tokens_.size()) return Error("unexpected end of template in argument list");
      uint32_t pos = Pos();
      bool kw_spread = Is(Tok::kPower);
      bool pos_spread = Is(Tok::kMultiplicative) && tokens_[cur_].value == "*";
      if (parameters && (kw_spread || pos_spread)) return Error("Argument unpacking is not allowed in parameters");
      if (kw_spread) {
        ++cur_;
        NodePtr n = Make(NodeKind::kKwSpread, pos);
        MHUB_ASSIGN_OR_RETURN(n->x, ParseExpression());
        args.push_back(std::move(n));
        if (Is(Tok::kComma)) ++cur_;
        if (!Is(Tok::kCloseParen)) return Error("`**` must be applied to the final argument");
        break;
      }
      NodePtr arg;
      if (pos_spread) {
        if (saw_spread) return Error("Only one `*` argument unpacking is allowed");
        saw_spread = true;
        ++cur_;
        arg = Make(NodeKind::kSpread, pos);
        MHUB_ASSIGN_OR_RETURN(arg->x, ParseExpression());
      } else {
        MHUB_ASSIGN_OR_RETURN(arg, ParseExpression());
        if (Is(Tok::kEquals)) {
          ++cur_;
          if (arg->kind != NodeKind::kIdentifier) return ErrorAt(arg->pos, "Expected identifier for keyword argument");
          NodePtr kw = Make(NodeKind::kKeywordArg, arg->pos);
          kw->str = arg->str;
          MHUB_ASSIGN_OR_RETURN(kw->x, ParseExpression());
          arg = std::move(kw);
        }
        if (parameters) {
          if (arg->kind != NodeKind::kIdentifier && arg->kind != NodeKind::kKeywordArg) {
            return ErrorAt(arg->pos, "Expected identifier for parameter declaration");
          }
          if (!names.insert(arg->str).second) return ErrorAt(arg->pos, "Duplicate parameter name: " + arg->str);
        }
        if (arg->kind == NodeKind::kKeywordArg) {
          saw_keyword = true;
        } else if (saw_keyword) {
          return ErrorAt(arg->pos, parameters ? "Non-default argument follows default argument"
                                              : "Positional arguments must come before keyword arguments");
        } else if (saw_spread) {
          return ErrorAt(arg->pos, "Positional arguments must not follow `*` argument unpacking");
        }
      }
      args.push_back(std::move(arg));
      if (Is(Tok::kComma)) ++cur_;
    }
    ++cur_;  // )
    return Status::OK();
  }

  Result<NodePtr> ParseSubscript() {
    std::vector<NodePtr> slices;
    bool is_slice = false;
    uint32_t pos = Pos();
    while (!Is(Tok::kCloseSquare)) {
      if (cur_ >= tokens_.size()) return Error("unexpected end of template, expected ']'");
      if (Is(Tok::kColon)) {
        slices.push_back(nullptr);
        ++cur_;
        is_slice = true;
      } else {
        MHUB_ASSIGN_OR_RETURN(NodePtr e, ParseExpression());
        slices.push_back(std::move(e));
        if (Is(Tok::kColon)) {
          ++cur_;
          is_slice = true;
        }
      }
    }
    if (slices.empty()) return Error("Expected at least one argument for member/slice expression");
    if (!is_slice) return std::move(slices[0]);
    if (slices.size() > 3) return Error("Expected 0-3 arguments for slice expression");
    NodePtr s = Make(NodeKind::kSlice, pos);
    s->x = std::move(slices[0]);
    if (slices.size() > 1) s->y = std::move(slices[1]);
    if (slices.size() > 2) s->z = std::move(slices[2]);
    return s;
  }

  Result<NodePtr> ParseMember(NodePtr object) {
    while (Is(Tok::kDot) || Is(Tok::kOpenSquare)) {
      const Token& op = tokens_[cur_++];
      NodePtr m = Make(NodeKind::kMember, op.pos);
      m->flag = op.type == Tok::kOpenSquare;
      if (m->flag) {
        MHUB_ASSIGN_OR_RETURN(m->y, ParseSubscript());
        MHUB_RETURN_IF_ERROR(Expect(Tok::kCloseSquare, "Expected closing square bracket").status());
      } else {
        MHUB_ASSIGN_OR_RETURN(m->y, ParsePrimary());
        if (m->y->kind != NodeKind::kIdentifier && m->y->kind != NodeKind::kInt) {
          return ErrorAt(m->y->pos, "Expected identifier or integer following dot operator");
        }
      }
      m->x = std::move(object);
      object = std::move(m);
    }
    return object;
  }

  Result<NodePtr> ParsePrimary() {
    Guard g(this);
    MHUB_RETURN_IF_ERROR(CheckDepth());
    if (cur_ >= tokens_.size()) return Error("unexpected end of template in expression");
    const Token& t = tokens_[cur_++];
    switch (t.type) {
      case Tok::kNumber: {
        if (t.value.find('.') != std::string::npos) {
          NodePtr n = Make(NodeKind::kFloat, t.pos);
          n->f = std::strtod(t.value.c_str(), nullptr);
          return n;
        }
        double d = std::strtod(t.value.c_str(), nullptr);
        if (std::fabs(d) >= 9.2e18) {  // beyond int64: keep it as a (JS-like) float
          NodePtr n = Make(NodeKind::kFloat, t.pos);
          n->f = d;
          return n;
        }
        NodePtr n = Make(NodeKind::kInt, t.pos);
        n->i = std::strtoll(t.value.c_str(), nullptr, 10);
        return n;
      }
      case Tok::kString: {
        NodePtr n = Make(NodeKind::kString, t.pos);
        n->str = t.value;
        while (Is(Tok::kString)) n->str += tokens_[cur_++].value;  // adjacent literals concatenate
        return n;
      }
      case Tok::kIdentifier: {
        NodePtr n = Make(NodeKind::kIdentifier, t.pos);
        n->str = t.value;
        return n;
      }
      case Tok::kOpenParen: {
        MHUB_ASSIGN_OR_RETURN(NodePtr e, ParseExpressionSequence(false));
        MHUB_RETURN_IF_ERROR(Expect(Tok::kCloseParen, "Expected closing parenthesis").status());
        return e;
      }
      case Tok::kOpenSquare: {
        NodePtr n = Make(NodeKind::kArray, t.pos);
        while (!Is(Tok::kCloseSquare)) {
          if (cur_ >= tokens_.size()) return Error("unexpected end of template, expected ']'");
          MHUB_ASSIGN_OR_RETURN(NodePtr e, ParseExpression());
          n->list.push_back(std::move(e));
          if (Is(Tok::kComma)) ++cur_;
        }
        ++cur_;
        return n;
      }
      case Tok::kOpenCurly: {
        NodePtr n = Make(NodeKind::kObject, t.pos);
        while (!Is(Tok::kCloseCurly)) {
          if (cur_ >= tokens_.size()) return Error("unexpected end of template, expected '}'");
          MHUB_ASSIGN_OR_RETURN(NodePtr key, ParseExpression());
          MHUB_RETURN_IF_ERROR(Expect(Tok::kColon, "Expected colon between key and value in object literal").status());
          MHUB_ASSIGN_OR_RETURN(NodePtr value, ParseExpression());
          n->list.push_back(std::move(key));
          n->list.push_back(std::move(value));
          if (Is(Tok::kComma)) ++cur_;
        }
        ++cur_;
        return n;
      }
      default:
        return ErrorAt(t.pos, "Unexpected token '" + t.value + "'");
    }
  }

  std::string_view source_;
  std::vector<Token> tokens_;
  size_t max_depth_;
  size_t cur_ = 0;
  size_t depth_ = 0;
};

}  // namespace

Result<std::unique_ptr<Program>> ParseProgram(std::string_view source, ChatTemplateLimits limits) {
  MHUB_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(source));
  auto program = std::make_unique<Program>();
  program->source = std::string(source);
  program->limits = limits;
  Parser parser(program->source, std::move(tokens), limits.max_depth);
  MHUB_RETURN_IF_ERROR(parser.Run(program->body));
  return program;
}

}  // namespace mhub::tokenizers::jinja
