// The RLE / bit-packed hybrid encoding (Parquet Encodings.md) for levels, dictionary indices and
// booleans: runs of 8 or more equal values become RLE runs, the rest bit-packed groups of 8
// (LSB first). No length prefix here; callers add the 4-byte prefix where the format wants one
// (v1 page levels).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace mhub::datasets::parquet {

// Bits needed for values up to `max_value` (0 for 0).
int BitWidthFor(uint64_t max_value);

// Appends the hybrid encoding of values[0..n) (each < 2^bit_width, bit_width <= 32) to `out`.
void EncodeRleHybrid(const uint32_t* values, size_t n, int bit_width, std::string* out);
void EncodeRleHybrid(const int16_t* values, size_t n, int bit_width, std::string* out);

// Bit-packs values LSB first, `bit_width` bits each, padded to a whole byte (booleans in PLAIN,
// the bodies of bit-packed runs).
void BitPack(const uint32_t* values, size_t n, int bit_width, std::string* out);

}  // namespace mhub::datasets::parquet
