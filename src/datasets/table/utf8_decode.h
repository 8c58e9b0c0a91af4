// Code-point level reading of UTF-8 text, for the writers that escape or measure text the way
// PyYAML does (it sees code points, not bytes). JSON strings: mhub/base/json_escape.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mhub::datasets {

// The code point starting at s[i]; advances i past it. A bad or truncated sequence reads as U+FFFD
// and consumes one byte (text is validated where it enters; this only keeps writers total).
inline uint32_t NextCodePoint(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xfffd;
  }
  uint32_t cp = c & (0x3f >> (len - 1));
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  i += len;
  return cp;
}

}  // namespace mhub::datasets
