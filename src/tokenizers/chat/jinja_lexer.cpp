// Template preprocessing and tokenization (behaviour of @huggingface/jinja src/lexer.ts).
#include "tokenizers/chat/jinja_lexer.h"

#include <cctype>

#include "tokenizers/chat/jinja_value.h"

namespace mhub::tokenizers::jinja {

namespace {

// Text plus, for every byte, the offset of the source byte it came from.
struct Mapped {
  std::string text;
  std::vector<uint32_t> origin;
  void Push(char c, uint32_t o) {
    text.push_back(c);
    origin.push_back(o);
  }
};

uint32_t CodePointAt(std::string_view s, size_t i, size_t* len) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (i + n > s.size()) n = s.size() - i;
  uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  *len = n;
  return cp;
}

bool IsWsAt(std::string_view s, size_t i, size_t* len) { return IsJsWhitespace(CodePointAt(s, i, len)); }

// JS multiline `^`: start of input or after \n, \r, U+2028, U+2029.
bool AtLineStart(const std::string& t, size_t i) {
  if (i == 0) return true;
  char p = t[i - 1];
  if (p == '\n' || p == '\r') return true;
  return i >= 3 && static_cast<unsigned char>(t[i - 3]) == 0xE2 && static_cast<unsigned char>(t[i - 2]) == 0x80 &&
         (static_cast<unsigned char>(t[i - 1]) == 0xA8 || static_cast<unsigned char>(t[i - 1]) == 0xA9);
}

Mapped Preprocess(std::string_view source) {
  Mapped m;
  size_t n = source.size();
  if (n > 0 && source[n - 1] == '\n') --n;  // a single trailing newline is dropped
  for (size_t i = 0; i < n; ++i) m.Push(source[i], static_cast<uint32_t>(i));

  // lstrip_blocks: /^[ \t]*({[#%-])/gm -> "$1"
  Mapped a;
  for (size_t i = 0; i < m.text.size();) {
    if (AtLineStart(m.text, i)) {
      size_t j = i;
      while (j < m.text.size() && (m.text[j] == ' ' || m.text[j] == '\t')) ++j;
      if (j + 1 < m.text.size() && m.text[j] == '{' &&
          (m.text[j + 1] == '#' || m.text[j + 1] == '%' || m.text[j + 1] == '-')) {
        i = j;  // drop the indentation
      }
    }
    a.Push(m.text[i], m.origin[i]);
    ++i;
  }

  // trim_blocks: /([#%-]})\n/g -> "$1"
  Mapped b;
  for (size_t i = 0; i < a.text.size();) {
    char c = a.text[i];
    if ((c == '#' || c == '%' || c == '-') && i + 2 < a.text.size() && a.text[i + 1] == '}' && a.text[i + 2] == '\n') {
      b.Push(a.text[i], a.origin[i]);
      b.Push(a.text[i + 1], a.origin[i + 1]);
      i += 3;
      continue;
    }
    b.Push(c, a.origin[i]);
    ++i;
  }

  // transformers' {% generation %} / {% endgeneration %} tags disappear, honouring their '-' markers:
  // /(\s*){%(-?)\s*(?:end)?generation\s*(-?)%}(\s*)/gs -> (lstrip ? "" : before) + (rstrip ? "" : after)
  Mapped c;
  const std::string& t = b.text;
  size_t copied = 0;  // t[copied..] not yet moved to c
  size_t i = 0;
  while (i + 1 < t.size()) {
    if (!(t[i] == '{' && t[i + 1] == '%')) {
      ++i;
      continue;
    }
    size_t j = i + 2, len = 0;
    bool lstrip = j < t.size() && t[j] == '-';
    if (lstrip) ++j;
    while (j < t.size() && IsWsAt(t, j, &len)) j += len;
    if (t.compare(j, 3, "end") == 0 && t.compare(j + 3, 10, "generation") == 0) j += 3;
    if (t.compare(j, 10, "generation") != 0) {
      ++i;
      continue;
    }
    j += 10;
    while (j < t.size() && IsWsAt(t, j, &len)) j += len;
    bool rstrip = j < t.size() && t[j] == '-';
    if (rstrip) ++j;
    if (t.compare(j, 2, "%}") != 0) {
      ++i;
      continue;
    }
    j += 2;
    // Whitespace run before the tag (not reaching into the previous replacement).
    size_t before = i;
    while (before > copied) {
      size_t k = before - 1;
      while (k > copied && (static_cast<unsigned char>(t[k]) & 0xC0) == 0x80) --k;
      if (!IsWsAt(t, k, &len)) break;
      before = k;
    }
    size_t after = j;
    while (after < t.size() && IsWsAt(t, after, &len)) after += len;
    for (size_t k = copied; k < before; ++k) c.Push(t[k], b.origin[k]);
    if (!lstrip) {
      for (size_t k = before; k < i; ++k) c.Push(t[k], b.origin[k]);
    }
    if (!rstrip) {
      for (size_t k = j; k < after; ++k) c.Push(t[k], b.origin[k]);
    }
    copied = after;
    i = after;
  }
  for (size_t k = copied; k < t.size(); ++k) c.Push(t[k], b.origin[k]);
  return c;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWord(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Lexer {
 public:
  Lexer(std::string_view source, Mapped m) : source_(source), m_(std::move(m)), src_(m_.text) {}

  Result<std::vector<Token>> Run() {
    while (cur_ < src_.size()) {
      Tok last = tokens_.empty() ? Tok::kText : tokens_.back().type;
      if (tokens_.empty() || last == Tok::kCloseStatement || last == Tok::kCloseExpression || last == Tok::kComment) {
        size_t start = cur_;
        while (cur_ < src_.size() && !(src_[cur_] == '{' && cur_ + 1 < src_.size() &&
                                       (src_[cur_ + 1] == '%' || src_[cur_ + 1] == '{' || src_[cur_ + 1] == '#'))) {
          ++cur_;
        }
        if (cur_ > start) {
          Push(Tok::kText, src_.substr(start, cur_ - start), start);
          continue;
        }
      }
      if (Starts("{#")) {
        MHUB_RETURN_IF_ERROR(Comment());
        continue;
      }
      if (Starts("{%-")) {
        StripTrailingWhitespace();
        Push(Tok::kOpenStatement, "{%", cur_);
        cur_ += 3;
        continue;
      }
      if (Starts("{{-")) {
        StripTrailingWhitespace();
        Push(Tok::kOpenExpression, "{{", cur_);
        curly_depth_ = 0;
        cur_ += 3;
        continue;
      }
      SkipWhitespace();
      if (cur_ >= src_.size()) break;
      if (Starts("-%}")) {
        Push(Tok::kCloseStatement, "%}", cur_);
        cur_ += 3;
        SkipWhitespace();
        continue;
      }
      if (Starts("-}}")) {
        Push(Tok::kCloseExpression, "}}", cur_);
        cur_ += 3;
        SkipWhitespace();
        continue;
      }
      char ch = src_[cur_];
      if (ch == '-' || ch == '+') {
        if (tokens_.empty() || tokens_.back().type == Tok::kText)
          return Error(cur_, std::string("Unexpected character: ") + ch);
        Tok lt = tokens_.back().type;
        bool binary = lt == Tok::kIdentifier || lt == Tok::kNumber || lt == Tok::kString || lt == Tok::kCloseParen ||
                      lt == Tok::kCloseSquare;
        if (!binary) {
          size_t start = cur_++;
          std::string num;
          while (cur_ < src_.size() && IsDigit(src_[cur_])) num += src_[cur_++];
          if (!num.empty() && cur_ + 1 < src_.size() && src_[cur_] == '.' && IsDigit(src_[cur_ + 1])) {
            ++cur_;
            num += '.';
            while (cur_ < src_.size() && IsDigit(src_[cur_])) num += src_[cur_++];
          }
          Push(num.empty() ? Tok::kUnary : Tok::kNumber, std::string(1, ch) + num, start);
          continue;
        }
      }
      if (MatchOperator()) continue;
      if (ch == '\'' || ch == '"') {
        MHUB_RETURN_IF_ERROR(StringLiteral(ch));
        continue;
      }
      if (IsDigit(ch)) {
        size_t start = cur_;
        std::string num;
        while (cur_ < src_.size() && IsDigit(src_[cur_])) num += src_[cur_++];
        if (!(tokens_.size() && tokens_.back().type == Tok::kDot) && cur_ + 1 < src_.size() && src_[cur_] == '.' &&
            IsDigit(src_[cur_ + 1])) {
          ++cur_;
          num += '.';
          while (cur_ < src_.size() && IsDigit(src_[cur_])) num += src_[cur_++];
        }
        Push(Tok::kNumber, num, start);
        continue;
      }
      if (IsWord(ch)) {
        size_t start = cur_;
        while (cur_ < src_.size() && IsWord(src_[cur_])) ++cur_;
        Push(Tok::kIdentifier, src_.substr(start, cur_ - start), start);
        continue;
      }
      size_t len = 1;
      CodePointAt(src_, cur_, &len);
      return Error(cur_, "Unexpected character: " + src_.substr(cur_, len));
    }
    return std::move(tokens_);
  }

 private:
  Status Error(size_t at, const std::string& msg) {
    uint32_t pos = at < m_.origin.size() ? m_.origin[at] : static_cast<uint32_t>(source_.size());
    return Status::InvalidArgument("chat template " + Where(source_, pos) + ": " + msg);
  }
  void Push(Tok t, std::string v, size_t at) {
    uint32_t pos = at < m_.origin.size() ? m_.origin[at] : static_cast<uint32_t>(source_.size());
    tokens_.push_back(Token{t, std::move(v), pos});
  }
  bool Starts(std::string_view s) const { return src_.compare(cur_, s.size(), s) == 0; }
  void SkipWhitespace() {
    size_t len = 0;
    while (cur_ < src_.size() && IsWsAt(src_, cur_, &len)) cur_ += len;
  }
  void StripTrailingWhitespace() {
    if (!tokens_.empty() && tokens_.back().type == Tok::kText) {
      tokens_.back().value = JsTrim(tokens_.back().value, false, true);
      if (tokens_.back().value.empty()) tokens_.pop_back();
    }
  }

  Status Comment() {
    size_t start = cur_;
    cur_ += 2;
    bool strip_before = cur_ < src_.size() && src_[cur_] == '-';
    if (strip_before) ++cur_;
    std::string comment;
    while (!(cur_ + 1 < src_.size() && src_[cur_] == '#' && src_[cur_ + 1] == '}')) {
      if (cur_ + 2 >= src_.size()) return Error(start, "Missing end of comment tag");
      comment += src_[cur_++];
    }
    bool strip_after = !comment.empty() && comment.back() == '-';
    if (strip_after) comment.pop_back();
    if (strip_before) StripTrailingWhitespace();
    Push(Tok::kComment, comment, start);
    cur_ += 2;
    if (strip_after) SkipWhitespace();
    return Status::OK();
  }

  bool MatchOperator() {
    struct Op {
      const char* seq;
      Tok type;
    };
    static constexpr Op kOps[] = {
        {"{%", Tok::kOpenStatement},  {"%}", Tok::kCloseStatement},
        {"{{", Tok::kOpenExpression}, {"}}", Tok::kCloseExpression},
        {"(", Tok::kOpenParen},       {")", Tok::kCloseParen},
        {"{", Tok::kOpenCurly},       {"}", Tok::kCloseCurly},
        {"[", Tok::kOpenSquare},      {"]", Tok::kCloseSquare},
        {",", Tok::kComma},           {".", Tok::kDot},
        {":", Tok::kColon},           {"|", Tok::kPipe},
        {"<=", Tok::kComparison},     {">=", Tok::kComparison},
        {"==", Tok::kComparison},     {"!=", Tok::kComparison},
        {"<", Tok::kComparison},      {">", Tok::kComparison},
        {"+", Tok::kAdditive},        {"-", Tok::kAdditive},
        {"~", Tok::kAdditive},        {"**", Tok::kPower},
        {"*", Tok::kMultiplicative},  {"//", Tok::kMultiplicative},
        {"/", Tok::kMultiplicative},  {"%", Tok::kMultiplicative},
        {"=", Tok::kEquals},
    };
    for (const Op& op : kOps) {
      std::string_view seq(op.seq);
      if (seq == "}}" && curly_depth_ > 0) continue;
      if (!Starts(seq)) continue;
      Push(op.type, std::string(seq), cur_);
      if (op.type == Tok::kOpenExpression) curly_depth_ = 0;
      if (op.type == Tok::kOpenCurly) ++curly_depth_;
      if (op.type == Tok::kCloseCurly) --curly_depth_;
      cur_ += seq.size();
      return true;
    }
    return false;
  }

  static int Hex(char c) {
    if (IsDigit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  static void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  Status StringLiteral(char quote) {
    size_t start = cur_++;
    std::string str;
    while (true) {
      if (cur_ >= src_.size()) return Error(start, "Unexpected end of input (unterminated string)");
      char c = src_[cur_];
      if (c == quote) break;
      if (c == '\\') {
        ++cur_;
        if (cur_ >= src_.size()) return Error(start, "Unexpected end of input");
        char e = src_[cur_++];
        if (e == 'x' || e == 'u') {
          size_t n = e == 'x' ? 2 : 4;
          uint32_t cp = 0;
          for (size_t k = 0; k < n; ++k) {
            int h = cur_ + k < src_.size() ? Hex(src_[cur_ + k]) : -1;
            if (h < 0) return Error(cur_ - 2, "Invalid hexadecimal escape sequence");
            cp = cp * 16 + static_cast<uint32_t>(h);
          }
          cur_ += n;
          AppendUtf8(str, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);  // no lone surrogates in UTF-8
          continue;
        }
        switch (e) {
          case 'n':
            str += '\n';
            break;
          case 't':
            str += '\t';
            break;
          case 'r':
            str += '\r';
            break;
          case 'b':
            str += '\b';
            break;
          case 'f':
            str += '\f';
            break;
          case 'v':
            str += '\v';
            break;
          case '\'':
            str += '\'';
            break;
          case '"':
            str += '"';
            break;
          case '\\':
            str += '\\';
            break;
          default:
            return Error(cur_ - 2, std::string("Unexpected escaped character: ") + e);
        }
        continue;
      }
      str += c;
      ++cur_;
      if (cur_ >= src_.size()) return Error(start, "Unexpected end of input (unterminated string)");
    }
    ++cur_;  // closing quote
    Push(Tok::kString, std::move(str), start);
    return Status::OK();
  }

  std::string_view source_;
  Mapped m_;
  const std::string& src_;
  size_t cur_ = 0;
  int curly_depth_ = 0;
  std::vector<Token> tokens_;
};

}  // namespace

std::string Where(std::string_view source, uint32_t pos) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos && i < source.size(); ++i) {
    if (source[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(source[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

Result<std::vector<Token>> Tokenize(std::string_view source) {
  if (source.size() > UINT32_MAX / 2) return Status::ResourceExhausted("chat template too large");
  Lexer lexer(source, Preprocess(source));
  return lexer.Run();
}

}  // namespace mhub::tokenizers::jinja
