#include "datasets/parquet/rle_hybrid_encoder.h"

#include <vector>

namespace mhub::datasets::parquet {

namespace {

void Varint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void RleRun(uint32_t value, size_t count, int bit_width, std::string* out) {
  Varint(static_cast<uint64_t>(count) << 1, out);
  for (int b = 0; b < (bit_width + 7) / 8; ++b) out->push_back(static_cast<char>((value >> (8 * b)) & 0xFF));
}

// One bit-packed run of `n` values (n a multiple of 8, except for the last run, which is padded).
void PackedRun(const uint32_t* values, size_t n, int bit_width, std::string* out) {
  size_t groups = (n + 7) / 8;
  Varint((static_cast<uint64_t>(groups) << 1) | 1, out);
  if (n % 8 == 0) {
    BitPack(values, n, bit_width, out);
    return;
  }
  std::vector<uint32_t> padded(values, values + n);
  padded.resize(groups * 8, 0);
  BitPack(padded.data(), padded.size(), bit_width, out);
}

template <typename T>
void Encode(const T* values, size_t n, int bit_width, std::string* out) {
  std::vector<uint32_t> packed;  // values waiting to go out as bit-packed groups
  size_t i = 0;
  while (i < n) {
    uint32_t v = static_cast<uint32_t>(values[i]);
    size_t run = 1;
    while (i + run < n && static_cast<uint32_t>(values[i + run]) == v) ++run;
    if (run >= 8) {
      // Bit-packed runs hold whole groups of 8: top up the pending group from this run first.
      size_t fill = (8 - packed.size() % 8) % 8;
      if (run - fill >= 8) {
        packed.insert(packed.end(), fill, v);
        if (!packed.empty()) PackedRun(packed.data(), packed.size(), bit_width, out);
        packed.clear();
        RleRun(v, run - fill, bit_width, out);
        i += run;
        continue;
      }
    }
    for (size_t k = 0; k < run; ++k) packed.push_back(v);
    i += run;
  }
  if (!packed.empty()) PackedRun(packed.data(), packed.size(), bit_width, out);
}

}  // namespace

int BitWidthFor(uint64_t max_value) {
  int w = 0;
  while (max_value > 0) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

void BitPack(const uint32_t* values, size_t n, int bit_width, std::string* out) {
  if (bit_width == 0) return;
  uint64_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    acc |= static_cast<uint64_t>(values[i]) << bits;
    bits += bit_width;
    while (bits >= 8) {
      out->push_back(static_cast<char>(acc & 0xFF));
      acc >>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out->push_back(static_cast<char>(acc & 0xFF));
}

void EncodeRleHybrid(const uint32_t* values, size_t n, int bit_width, std::string* out) {
  Encode(values, n, bit_width, out);
}

void EncodeRleHybrid(const int16_t* values, size_t n, int bit_width, std::string* out) {
  Encode(values, n, bit_width, out);
}

}  // namespace mhub::datasets::parquet
