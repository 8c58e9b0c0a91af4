// Decoders of the value section of a data page (and of dictionary pages) into dense values: the
// non-null values of one leaf column, in the physical layout (fixed-width values little-endian,
// `width` bytes each, booleans one byte each; BYTE_ARRAY as int64 offsets + bytes). Conversion to
// the Arrow layout of the logical type happens once per column chunk (value_convert.h).
//
// Every decoder appends exactly n values or fails with Corruption; it never reads past `size`.
#pragma once

#include <cstddef>
#include <cstdint>

#include "datasets/parquet/metadata.h"
#include "datasets/parquet/pod_vector.h"
#include "mhub/base/status.h"

namespace mhub::datasets::parquet {

// Readable bytes a dictionary keeps past its last value, so gathers copy entries of up to this many
// bytes as one fixed-size move.
constexpr int64_t kDictionaryPad = 64;

struct DenseValues {
  PhysicalType type = PhysicalType::kInt32;
  int width = 0;  // bytes per fixed-width value (BOOLEAN 1, INT96 12, FLBA type_length); 0 for BYTE_ARRAY
  int64_t count = 0;
  PodVector<uint8_t> fixed;    // count * width bytes
  PodVector<int64_t> offsets;  // BYTE_ARRAY: count + 1 (offsets[0] = 0 once Init ran)
  PodVector<uint8_t> bytes;    // BYTE_ARRAY data
  bool padded = false;         // kDictionaryPad readable bytes follow `bytes` (a dictionary; see GatherDictionary)
  int64_t max_length = 0;      // longest BYTE_ARRAY value (set with `padded`)

  void Init(PhysicalType t, int type_length);
  bool is_byte_array() const { return type == PhysicalType::kByteArray; }
};

// Width in bytes of a fixed-width physical type (BYTE_ARRAY: 0).
int PhysicalWidth(PhysicalType t, int type_length);

// PLAIN. *consumed (optional) is set to the bytes used.
Status DecodePlain(const uint8_t* data, size_t size, int64_t n, DenseValues* out, size_t* consumed = nullptr);
// RLE booleans: 4-byte length prefix, then hybrid runs of width 1.
Status DecodeRleBooleans(const uint8_t* data, size_t size, int64_t n, DenseValues* out);
// DELTA_BINARY_PACKED for INT32 / INT64 columns (appends to out->fixed).
Status DecodeDeltaBinaryPacked(const uint8_t* data, size_t size, int64_t n, DenseValues* out,
                               size_t* consumed = nullptr);
Status DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, int64_t n, DenseValues* out);
Status DecodeDeltaByteArray(const uint8_t* data, size_t size, int64_t n, DenseValues* out);
// BYTE_STREAM_SPLIT for any fixed-width type (FLOAT, DOUBLE, INT32, INT64, FLBA).
Status DecodeByteStreamSplit(const uint8_t* data, size_t size, int64_t n, DenseValues* out);

// Appends dict[indices[i]] for i < n; the caller checked every index < dict.count.
void GatherDictionary(const DenseValues& dict, const uint32_t* indices, int64_t n, DenseValues* out);

// One slot per level entry (a flat nullable column laid out as its Arrow array will be): entry i
// with def[i] == max_def takes the next value, others an empty value (zero bytes / zero length).
// GatherDictionarySpread takes the values from a dictionary (indices: one per valid entry, checked
// by the caller); SpreadAppend from dense values (all of `dense`, which holds the valid entries').
void GatherDictionarySpread(const DenseValues& dict, const uint32_t* indices, const int16_t* def, int16_t max_def,
                            int64_t n, DenseValues* out);
void SpreadAppend(const DenseValues& dense, const int16_t* def, int16_t max_def, int64_t n, DenseValues* out);
// The fixed-width core of the spread: n slots of `width` bytes into dst, runs of valid entries
// copied from src (which holds only the valid ones) and null slots zeroed. Answers the bytes of src used.
size_t SpreadFixed(const uint8_t* src, const int16_t* def, int16_t max_def, int64_t n, size_t width, uint8_t* dst);

}  // namespace mhub::datasets::parquet
