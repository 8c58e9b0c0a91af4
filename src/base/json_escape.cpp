#include "mhub/base/json_escape.h"

#include <cstdio>

#include "mhub/base/utf8.h"

namespace mhub {
namespace {

void AppendUtf16Escape(uint32_t cp, std::string& out) {
  char buf[16];
  if (cp >= 0x10000) {
    cp -= 0x10000;
    std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
  } else {
    std::snprintf(buf, sizeof buf, "\\u%04x", cp);
  }
  out += buf;
}

}  // namespace

void AppendJsonString(std::string_view s, std::string& out, const JsonStringStyle& style) {
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      switch (c) {
        case '"':
          out += "\\\"";
          continue;
        case '\\':
          out += "\\\\";
          continue;
        case '\b':
          out += "\\b";
          continue;
        case '\f':
          out += "\\f";
          continue;
        case '\n':
          out += "\\n";
          continue;
        case '\r':
          out += "\\r";
          continue;
        case '\t':
          out += "\\t";
          continue;
        case '/':
          out += style.escape_slash ? "\\/" : "/";
          continue;
        default:
          break;
      }
      if (c < 0x20 || c >= style.escape_from)
        AppendUtf16Escape(c, out);
      else
        out += static_cast<char>(c);
      continue;
    }
    size_t len = Utf8SequenceLength(s, i);
    uint32_t cp = 0xfffd;
    if (len != 0) {
      cp = c & (0x7f >> len);
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    }
    size_t step = len != 0 ? len : 1;
    if (cp >= style.escape_from)
      AppendUtf16Escape(cp, out);
    else
      out.append(s.substr(i, step));
    i += step;
  }
  out += '"';
}

}  // namespace mhub
