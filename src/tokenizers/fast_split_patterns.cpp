#include "tokenizers/fast_split_patterns.h"

#include <array>

#include "tokenizers/unicode.h"

namespace mhub::tokenizers {

const char kGpt2Pattern[] = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
static const char kLlama3Pattern[] =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
static const char kQwenPattern[] =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

namespace {

enum CharClass : uint8_t { kLetter, kNumber, kSpace, kOther };

// Classes of the ASCII chars, by the ASCII rules of unicode::IsLetter / IsNumeric / IsWhitespace.
constexpr std::array<uint8_t, 128> kAsciiClasses = [] {
  std::array<uint8_t, 128> t{};
  for (int c = 0; c < 128; ++c) {
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
      t[c] = kLetter;
    } else if (c >= '0' && c <= '9') {
      t[c] = kNumber;
    } else if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
      t[c] = kSpace;
    } else {
      t[c] = kOther;
    }
  }
  return t;
}();

// Class of the char at `pos`; sets `len` to its byte length.
inline CharClass ClassAt(std::string_view s, size_t pos, size_t& len) {
  unsigned char b = static_cast<unsigned char>(s[pos]);
  if (b < 0x80) {
    len = 1;
    return static_cast<CharClass>(kAsciiClasses[b]);
  }
  size_t i = pos;
  char32_t c = unicode::NextChar(s, i);
  len = i - pos;
  if (unicode::IsLetter(c)) return kLetter;
  if (unicode::IsNumeric(c)) return kNumber;
  if (unicode::IsWhitespace(c)) return kSpace;
  return kOther;
}

// End of the run of chars of class `cls` starting at `pos` (at most `max` chars).
inline size_t RunOf(std::string_view s, size_t pos, CharClass cls, size_t max = SIZE_MAX) {
  size_t count = 0;
  while (pos < s.size() && count < max) {
    size_t len;
    if (ClassAt(s, pos, len) != cls) break;
    pos += len;
    ++count;
  }
  return pos;
}

// Whitespace run handling shared by both patterns: \s+(?!\S)|\s+ on a run [pos, end) of
// `chars` chars followed by non-space (or the end of text).
inline size_t TrailingSpaceRule(std::string_view s, size_t pos, size_t end, size_t chars, size_t last_start) {
  if (end == s.size()) return end;
  if (chars >= 2) return last_start;
  return end;
}

size_t Gpt2MatchAt(std::string_view s, size_t pos) {
  const size_t n = s.size();
  size_t len;
  if (s[pos] == '\'' && pos + 1 < n) {
    char a = s[pos + 1];
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return pos + 2;
    if (pos + 2 < n) {
      char b = s[pos + 2];
      if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return pos + 3;
    }
  }
  if (s[pos] == ' ' && pos + 1 < n) {
    CharClass next = ClassAt(s, pos + 1, len);
    if (next != kSpace) return RunOf(s, pos + 1, next);
  }
  CharClass cls = ClassAt(s, pos, len);
  if (cls != kSpace) return RunOf(s, pos, cls);
  size_t end = pos;
  size_t chars = 0;
  size_t last_start = pos;
  while (end < n && ClassAt(s, end, len) == kSpace) {
    last_start = end;
    end += len;
    ++chars;
  }
  return TrailingSpaceRule(s, pos, end, chars, last_start);
}

inline bool IsContractionS(std::string_view s, size_t pos, size_t& len) {
  unsigned char a = static_cast<unsigned char>(s[pos]);
  if (a == 's' || a == 'S' || a == 't' || a == 'T' || a == 'm' || a == 'M' || a == 'd' || a == 'D') {
    len = 1;
    return true;
  }
  // U+017F LATIN SMALL LETTER LONG S folds to 's' under Unicode caseless matching.
  if (a == 0xC5 && pos + 1 < s.size() && static_cast<unsigned char>(s[pos + 1]) == 0xBF) {
    len = 2;
    return true;
  }
  return false;
}

template <size_t kMaxDigits>
size_t LlamaMatchAt(std::string_view s, size_t pos) {
  const size_t n = s.size();
  size_t len;
  size_t clen;
  if (s[pos] == '\'' && pos + 1 < n) {
    if (IsContractionS(s, pos + 1, clen)) return pos + 1 + clen;
    if (pos + 2 < n) {
      char a = static_cast<char>(s[pos + 1] | 0x20);
      char b = static_cast<char>(s[pos + 2] | 0x20);
      bool ascii = static_cast<unsigned char>(s[pos + 1]) < 0x80 && static_cast<unsigned char>(s[pos + 2]) < 0x80;
      if (ascii && ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))) return pos + 3;
    }
  }
  CharClass cls = ClassAt(s, pos, len);
  if (cls == kLetter) return RunOf(s, pos, kLetter);
  // [^\r\n\p{L}\p{N}]?\p{L}+
  if (cls != kNumber && s[pos] != '\r' && s[pos] != '\n' && pos + len < n) {
    size_t nlen;
    if (ClassAt(s, pos + len, nlen) == kLetter) return RunOf(s, pos + len, kLetter);
  }
  if (cls == kNumber) return RunOf(s, pos, kNumber, kMaxDigits);
  // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
  size_t other_start = SIZE_MAX;
  if (cls == kOther) {
    other_start = pos;
  } else if (s[pos] == ' ' && pos + 1 < n) {
    size_t nlen;
    if (ClassAt(s, pos + 1, nlen) == kOther) other_start = pos + 1;
  }
  if (other_start != SIZE_MAX) {
    size_t end = RunOf(s, other_start, kOther);
    while (end < n && (s[end] == '\r' || s[end] == '\n')) ++end;
    return end;
  }
  // Whitespace: \s*[\r\n]+ | \s+(?!\S) | \s+
  size_t end = pos;
  size_t chars = 0;
  size_t last_start = pos;
  size_t after_last_newline = SIZE_MAX;
  while (end < n && ClassAt(s, end, len) == kSpace) {
    if (s[end] == '\r' || s[end] == '\n') after_last_newline = end + 1;
    last_start = end;
    end += len;
    ++chars;
  }
  if (after_last_newline != SIZE_MAX) return after_last_newline;
  return TrailingSpaceRule(s, pos, end, chars, last_start);
}

template <size_t (*MatchAt)(std::string_view, size_t)>
void FindAllWith(std::string_view text, std::vector<MatchRange>& out) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = MatchAt(text, pos);
    out.push_back({static_cast<uint32_t>(pos), static_cast<uint32_t>(end)});
    pos = end;
  }
}

}  // namespace

void FindGpt2Matches(std::string_view text, std::vector<MatchRange>& out) { FindAllWith<Gpt2MatchAt>(text, out); }

FastSplitFn FindFastSplitPattern(std::string_view pattern) {
  if (pattern == kGpt2Pattern) return &FindGpt2Matches;
  if (pattern == kLlama3Pattern) return &FindAllWith<LlamaMatchAt<3>>;
  if (pattern == kQwenPattern) return &FindAllWith<LlamaMatchAt<1>>;
  return nullptr;
}

}  // namespace mhub::tokenizers
