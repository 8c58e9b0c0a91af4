// The RLE / bit-packed hybrid encoding (Parquet Encodings.md): repetition and definition levels,
// dictionary indices and RLE booleans. Runs: ULEB128 header h; h & 1 -> (h >> 1) groups of 8
// bit-packed values (LSB first); else a value repeated h >> 1 times in ceil(width / 8) bytes.
// The decoder is bounded by its input: a run that claims more bytes than there are yields only the
// values that are present (the caller then sees fewer values than it asked for).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mhub::datasets::parquet {

class RleBitPackedDecoder {
 public:
  RleBitPackedDecoder() = default;
  // bit_width 0..32 (0: every value is 0).
  RleBitPackedDecoder(const uint8_t* data, size_t size, int bit_width)
      : p_(data), end_(data + size), bit_width_(bit_width) {}

  // Decodes up to n values; answers how many were decoded (fewer only at the end of the data).
  int64_t Get(uint32_t* out, int64_t n);
  int64_t Get(int16_t* out, int64_t n);
  int64_t Get(uint8_t* out, int64_t n);

  // Decodes up to n values and answers the largest one seen (dictionary indices: one range check
  // per page instead of per value); *count is set to the values decoded.
  uint32_t GetWithMax(uint32_t* out, int64_t n, int64_t* count);

 private:
  template <typename T>
  int64_t GetImpl(T* out, int64_t n, uint32_t* max_seen);
  bool NextRun();

  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  int bit_width_ = 0;
  // Current run: RLE (repeat_left_ copies of repeat_value_) or bit-packed (packed_left_ values
  // starting at bit packed_bit_ of packed_).
  int64_t repeat_left_ = 0;
  uint32_t repeat_value_ = 0;
  int64_t packed_left_ = 0;
  const uint8_t* packed_ = nullptr;
  const uint8_t* packed_end_ = nullptr;
  uint64_t packed_bit_ = 0;
};

// Unpacks n values of `bit_width` bits (LSB first) starting at bit `first_bit` of in[0, in_size).
// The caller guarantees (first_bit + n * bit_width) / 8 <= in_size (rounded up).
void UnpackBits(const uint8_t* in, size_t in_size, int bit_width, uint64_t first_bit, int64_t n, uint32_t* out);

// Reads a ULEB128 varint; false when it runs past `end` or past 10 bytes.
bool ReadUleb128(const uint8_t** p, const uint8_t* end, uint64_t* out);

}  // namespace mhub::datasets::parquet
