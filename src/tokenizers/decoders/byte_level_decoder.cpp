// ByteLevel decoder (tokenizers/src/pre_tokenizers/byte_level.rs, impl Decoder): every char of a
// token is mapped back through the GPT-2 bytes-to-unicode table; a token holding any char outside
// the table contributes its raw UTF-8 bytes instead (added tokens such as "<|im_start|>" or CJK text).
// The concatenated bytes are decoded with from_utf8_lossy into ONE output piece.
#include <array>
#include <cstdint>

#include "tokenizers/decoders/decoder_types.h"

namespace mhub::tokenizers::decoders {

namespace {

// code point -> byte for the 256 chars of the byte-level alphabet; -1 elsewhere (index < 324).
struct CharToByte {
  std::array<int16_t, 324> table;
  CharToByte() {
    table.fill(-1);
    uint32_t next = 256;
    for (uint32_t b = 0; b < 256; ++b) {
      bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      uint32_t cp = printable ? b : next++;
      table[cp] = static_cast<int16_t>(b);
    }
  }
};

// Decodes one code point from valid UTF-8 at s[i]; advances i. Returns UINT32_MAX on invalid input.
uint32_t NextCodePoint(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = Utf8SeqLen(c);
  if (i + n > s.size()) {
    i = s.size();
    return UINT32_MAX;
  }
  uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += n;
  return cp;
}

}  // namespace

Json ByteLevelDecoder::ToJson() const {
  return Json{{"type", "ByteLevel"},
              {"add_prefix_space", add_prefix_space_},
              {"trim_offsets", trim_offsets_},
              {"use_regex", use_regex_}};
}

Result<std::vector<std::string>> ByteLevelDecoder::DecodeChain(std::vector<std::string> tokens) const {
  static const CharToByte kMap;
  std::string bytes;
  for (const std::string& token : tokens) {
    std::string mapped;
    mapped.reserve(token.size());
    bool all_mapped = true;
    size_t i = 0;
    while (i < token.size()) {
      uint32_t cp = NextCodePoint(token, i);
      if (cp >= kMap.table.size() || kMap.table[cp] < 0) {
        all_mapped = false;
        break;
      }
      mapped.push_back(static_cast<char>(kMap.table[cp]));
    }
    bytes += all_mapped ? mapped : token;
  }
  return std::vector<std::string>{Utf8Lossy(bytes)};
}

}  // namespace mhub::tokenizers::decoders
