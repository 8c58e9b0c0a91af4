// Code-point level reading of UTF-8 text, for the writers that escape or measure text the way
// Python, pandas and PyYAML do (they see code points, not bytes).
#pragma once

#include <cstdint>
#include <cstdio>
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

// "\uXXXX" (lowercase hex; a surrogate pair above U+FFFF), as json.dumps and ujson escape.
inline void AppendUtf16Escape(uint32_t cp, std::string& out) {
  char buf[16];
  if (cp >= 0x10000) {
    cp -= 0x10000;
    std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
  } else {
    std::snprintf(buf, sizeof buf, "\\u%04x", cp);
  }
  out += buf;
}

}  // namespace mhub::datasets
