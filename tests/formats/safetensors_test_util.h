// Helpers for building safetensors bytes by hand in tests.
#pragma once

#include <cstdint>
#include <string>

namespace mhub::formats::testing {

// 8-byte little-endian `n` (the header length field).
inline std::string LengthPrefix(uint64_t n) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return out;
}

// A file with `header` as its JSON (not padded) followed by `data`.
inline std::string RawSafetensors(const std::string& header, const std::string& data) {
  return LengthPrefix(header.size()) + header + data;
}

}  // namespace mhub::formats::testing
