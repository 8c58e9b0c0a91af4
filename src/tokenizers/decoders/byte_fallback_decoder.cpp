// ByteFallback decoder (tokenizers/src/decoders/byte_fallback.rs): consecutive "<0xHH>" tokens are
// gathered into bytes; a run that is valid UTF-8 becomes one piece, an invalid run becomes one
// U+FFFD piece per byte. Other tokens pass through unchanged.
#include <optional>

#include "tokenizers/decoders/decoder_types.h"

namespace mhub::tokenizers::decoders {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The byte named by a "<0xHH>" token. Mirrors Rust `u8::from_str_radix(&token[3..5], 16)`, which
// also accepts a leading '+' ("<0x+F>" is byte 0x0F).
std::optional<unsigned char> ByteToken(const std::string& t) {
  if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return std::nullopt;
  int hi = t[3] == '+' ? 0 : HexDigit(t[3]);
  int lo = HexDigit(t[4]);
  if (hi < 0 || lo < 0) return std::nullopt;
  return static_cast<unsigned char>(hi * 16 + lo);
}

void Flush(std::string& run, std::vector<std::string>& out) {
  if (run.empty()) return;
  if (IsValidUtf8(run)) {
    out.push_back(run);
  } else {
    for (size_t i = 0; i < run.size(); ++i) out.emplace_back("\xEF\xBF\xBD");
  }
  run.clear();
}

}  // namespace

Json ByteFallbackDecoder::ToJson() const { return Json{{"type", "ByteFallback"}}; }

Result<std::vector<std::string>> ByteFallbackDecoder::DecodeChain(std::vector<std::string> tokens) const {
  std::vector<std::string> out;
  out.reserve(tokens.size());
  std::string run;
  for (std::string& token : tokens) {
    if (auto byte = ByteToken(token)) {
      run.push_back(static_cast<char>(*byte));
      continue;
    }
    Flush(run, out);
    out.push_back(std::move(token));
  }
  Flush(run, out);
  return out;
}

}  // namespace mhub::tokenizers::decoders
