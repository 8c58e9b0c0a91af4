// The one JSON string escaper: writers that must match another tool byte for byte (Python's
// json.dumps, pandas' ujson, the JS jinja's tojson) pick its style instead of keeping their own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mhub {

struct JsonStringStyle {
  // Code points at or above this are written as lowercase \uXXXX (a surrogate pair above U+FFFF).
  // 0x80 is json.dumps(ensure_ascii=True) and ujson; 0x7f is the JS jinja's tojson, which escapes DEL
  // too; kKeepUtf8 writes them as the UTF-8 they were (JSON.stringify).
  static constexpr uint32_t kKeepUtf8 = 0x110000;
  uint32_t escape_from = 0x80;
  // "/" as "\/", as pandas' ujson writes it.
  bool escape_slash = false;
};

// Appends `s` as a quoted JSON string: \" \\ \b \f \n \r \t, other control characters as \u00XX.
// Bytes that are not valid UTF-8 are read one at a time as U+FFFD (escaped as \ufffd when the style
// escapes non-ASCII, copied as they were otherwise), so a broken sequence never hides a quote.
void AppendJsonString(std::string_view s, std::string& out, const JsonStringStyle& style = {});

}  // namespace mhub
