// Unicode helpers for the tokenizer pipeline: UTF-8 decoding, the character classes the Rust
// `tokenizers` crate uses (char::is_whitespace, regex \w, P*, Nd/Nl/No ...) and the GPT-2
// byte-to-unicode table. Tables come from utf8proc.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mhub::tokenizers::unicode {

// True when `s` is well-formed UTF-8 (no surrogates, no overlongs, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Byte offset of the first invalid sequence (or s.size()).
size_t FirstInvalidUtf8(std::string_view s);

// Decodes the code point at s[i] (s must be valid UTF-8) and advances i.
inline char32_t NextChar(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  if (c < 0xE0) {
    char32_t cp = ((c & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F);
    i += 2;
    return cp;
  }
  if (c < 0xF0) {
    char32_t cp = ((c & 0x0F) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3F) << 6) |
                  (static_cast<unsigned char>(s[i + 2]) & 0x3F);
    i += 3;
    return cp;
  }
  char32_t cp = ((c & 0x07) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3F) << 12) |
                ((static_cast<unsigned char>(s[i + 2]) & 0x3F) << 6) | (static_cast<unsigned char>(s[i + 3]) & 0x3F);
  i += 4;
  return cp;
}
// Byte length of the UTF-8 sequence starting with lead byte `c`.
inline size_t CharLen(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }
inline size_t Utf8Len(char32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }
void AppendUtf8(std::string& out, char32_t cp);
std::string ToUtf8(char32_t cp);
// Number of code points in valid UTF-8.
size_t CountChars(std::string_view s);
// The code point that ends at byte `end` (exclusive) and its start.
char32_t PrevChar(std::string_view s, size_t end, size_t& start);

// Rust char::is_whitespace (the White_Space property).
bool IsWhitespace(char32_t c);
// Rust regex \w (Alphabetic, M*, Nd, Pc, Join_Control).
bool IsWordChar(char32_t c);
// Letters L*, numbers N* (Nd, Nl, No) as in \p{L} / \p{N} and Rust char::is_numeric.
bool IsLetter(char32_t c);
bool IsNumeric(char32_t c);
// Unicode P* (unicode_categories is_punctuation).
bool IsPunctuation(char32_t c);
// ASCII punctuation or P* (BertPreTokenizer, Punctuation pre-tokenizer).
bool IsBertPunctuation(char32_t c);
// General category C* (Cc, Cf, Cn, Co, Cs).
bool IsOther(char32_t c);
bool IsMarkNonspacing(char32_t c);  // Mn
bool IsCombiningMark(char32_t c);   // Mn, Mc, Me
bool IsChineseChar(char32_t c);     // the CJK blocks of BertNormalizer
// Rust char::to_lowercase: writes 1 or 2 code points into out, returns the count.
int ToLower(char32_t c, char32_t out[2]);

// Unicode script id for the UnicodeScripts pre-tokenizer (0 = "Any").
int ScriptOf(char32_t c);

// GPT-2 byte-level alphabet: byte -> code point, and back (-1 when not in the alphabet).
const std::array<char32_t, 256>& ByteToChar();
int CharToByte(char32_t c);
// UTF-8 of the byte-level char of every byte, precomputed.
const std::array<std::string, 256>& ByteToUtf8();

// Canonical combining class and whether `c` may start a fresh normalization segment
// (nothing before it can reorder or compose with it).
int CombiningClass(char32_t c);
bool IsNormalizationBoundary(char32_t c);

}  // namespace mhub::tokenizers::unicode
