// AppendJsonString against the writers whose bytes it must match: Python's json.dumps (ensure_ascii
// True and False) and pandas' ujson (to_json), on random strings over every kind of code point that
// is escaped differently (controls, DEL, "/", quotes, BMP, astral); and a property on broken UTF-8.
#include "mhub/base/json_escape.h"

#include <gtest/gtest.h>

#include <random>

#include "mhub/base/json.h"
#include "support/test_support.h"

namespace mhub {
namespace {

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string RandomText(std::mt19937_64& rng) {
  static const uint32_t kPicks[] = {0x00,  0x01,  0x08,   0x09,   0x0A,   0x0C,   0x0D,    0x1F,    ' ',
                                    '"',   '\\',  '/',    'a',    '~',    0x7F,   0x80,    0xA0,    0xE9,
                                    0x7FF, 0x800, 0x2028, 0xFEFF, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
  std::string s;
  for (int n = static_cast<int>(rng() % 12); n > 0; --n) {
    uint32_t cp = kPicks[rng() % (sizeof kPicks / sizeof *kPicks)];
    if (rng() % 4 == 0) cp = static_cast<uint32_t>(rng() % 0x110000);
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 'x';  // not representable in UTF-8
    AppendUtf8(cp, s);
  }
  return s;
}

std::string Hex(const std::string& s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

TEST(JsonEscape, MatchesPythonJsonDumpsAndPandasUjson) {
  std::mt19937_64 rng(7);
  std::vector<std::string> texts;
  std::string input;
  for (int i = 0; i < 400; ++i) {
    texts.push_back(RandomText(rng));
    input += DumpJson(Json(texts.back())) + "\n";
  }
  const char* script = R"PY(
import json, sys, pandas as pd
for line in sys.stdin:
    s = json.loads(line)
    print(json.dumps(s).encode().hex())
    print(json.dumps(s, ensure_ascii=False).encode().hex())
    # pandas writes the one cell of a one-row frame as {"a":<string>}
    print(pd.DataFrame({"a": [s]}).to_json(orient="records", lines=True).strip()[5:-1].encode().hex())
)PY";
  testing::TempDir dir;
  testing::WriteFileOrDie(dir / "oracle.py", script);
  auto r = testing::RunCommand(testing::Python() + " " + testing::ShellQuote(dir / "oracle.py"), input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = testing::NonEmptyLines(r.out);
  ASSERT_EQ(lines.size(), 3 * texts.size());
  const JsonStringStyle kPython{0x7f, false};
  const JsonStringStyle kPythonUnicode{JsonStringStyle::kKeepUtf8, false};
  const JsonStringStyle kPandas{0x80, true};
  for (size_t i = 0; i < texts.size(); ++i) {
    std::string py, py_unicode, pandas;
    AppendJsonString(texts[i], py, kPython);
    AppendJsonString(texts[i], py_unicode, kPythonUnicode);
    AppendJsonString(texts[i], pandas, kPandas);
    EXPECT_EQ(Hex(py), lines[3 * i]) << "json.dumps of " << DumpJson(Json(texts[i]));
    EXPECT_EQ(Hex(py_unicode), lines[3 * i + 1]) << "json.dumps(ensure_ascii=False) of " << DumpJson(Json(texts[i]));
    EXPECT_EQ(Hex(pandas), lines[3 * i + 2]) << "to_json of " << DumpJson(Json(texts[i]));
  }
}

// A broken sequence is one U+FFFD per bad byte and never swallows the quote or backslash after it
// (a lenient decoder that takes "\xC3" + "\"" as one code point would leave the string open).
TEST(JsonEscape, BrokenUtf8StaysInsideTheString) {
  const std::string kBroken[] = {"\xC3\"",    "\xE2\x82\\", "\xF0\x9F\x98\"x", "\x80\"", "\xED\xA0\x80",
                                 "\xC0\xAF/", "\xFF"};
  for (const auto& s : kBroken) {
    std::string escaped;
    AppendJsonString(s, escaped);
    auto parsed = ParseJson(escaped);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    std::string want;
    for (size_t i = 0; i < s.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c < 0x80)
        want += s[i];
      else
        want += "\xEF\xBF\xBD";
    }
    EXPECT_EQ(parsed->get<std::string>(), want) << Hex(s);
    // Kept as UTF-8, the bad bytes are copied as they were; only the ASCII specials change.
    std::string kept, want_kept = "\"";
    AppendJsonString(s, kept, {JsonStringStyle::kKeepUtf8, false});
    for (char c : s) {
      if (c == '"' || c == '\\') want_kept += '\\';
      want_kept += c;
    }
    EXPECT_EQ(kept, want_kept + "\"") << Hex(s);
  }
}

}  // namespace
}  // namespace mhub
