// Text helpers shared by the decoders: literal replace, WordPiece cleanup, lossy UTF-8.
#include <algorithm>
#include <string>

#include "tokenizers/decoders/decoder_types.h"

namespace mhub::tokenizers::decoders {

std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  if (from.empty()) {  // Rust str::replace("", to) inserts `to` at every char boundary
    for (size_t i = 0; i < s.size();) {
      size_t n = std::min(Utf8SeqLen(static_cast<unsigned char>(s[i])), s.size() - i);
      out.append(to);
      out.append(s.substr(i, n));
      i += n;
    }
    out.append(to);
    return out;
  }
  out.reserve(s.size());
  size_t pos = 0;
  while (true) {
    size_t hit = s.find(from, pos);
    if (hit == std::string_view::npos) break;
    out.append(s.substr(pos, hit - pos));
    out.append(to);
    pos = hit + from.size();
  }
  out.append(s.substr(pos));
  return out;
}

std::string WordPieceCleanup(std::string_view s) {
  // Same replacements, same order as tokenizers/src/decoders/wordpiece.rs (cleanup).
  static constexpr std::string_view kRules[][2] = {
      {" .", "."},   {" ?", "?"},           {" !", "!"},   {" ,", ","},     {" ' ", "'"},    {" n't", "n't"},
      {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
  };
  std::string out(s);
  for (const auto& rule : kRules) out = ReplaceAll(out, rule[0], rule[1]);
  return out;
}

size_t Utf8SeqLen(unsigned char c) {
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return 2;
  if (c >= 0xE0 && c <= 0xEF) return 3;
  if (c >= 0xF0 && c <= 0xF4) return 4;
  return 1;
}

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when invalid; `*bad_len` gets the length of the
// maximal subpart of a valid sequence (at least 1) to replace by one U+FFFD.
size_t ValidSeqAt(std::string_view s, size_t i, size_t* bad_len) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  *bad_len = 1;
  if (c < 0x80) return 1;
  size_t need = Utf8SeqLen(c);
  if (need == 1) return 0;  // continuation byte or invalid lead (C0, C1, F5..FF)
  // Allowed range of the second byte (Unicode Table 3-7).
  unsigned char lo = 0x80, hi = 0xBF;
  if (c == 0xE0) lo = 0xA0;
  if (c == 0xED) hi = 0x9F;
  if (c == 0xF0) lo = 0x90;
  if (c == 0xF4) hi = 0x8F;
  for (size_t k = 1; k < need; ++k) {
    if (i + k >= s.size()) return 0;
    unsigned char x = b(i + k);
    unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (x < l || x > h) return 0;
    *bad_len = k + 1;
  }
  return need;
}

}  // namespace

std::string Utf8Lossy(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    size_t bad = 1;
    size_t n = ValidSeqAt(bytes, i, &bad);
    if (n) {
      out.append(bytes.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      i += bad;
    }
  }
  return out;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t bad = 1;
    size_t n = ValidSeqAt(s, i, &bad);
    if (!n) return false;
    i += n;
  }
  return true;
}

}  // namespace mhub::tokenizers::decoders
