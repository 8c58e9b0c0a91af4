// Turning rows of Arrays into what a Parquet column chunk stores: per leaf, the repetition and
// definition levels (Dremel shredding, as the spec's LIST/struct nesting rules say) and the
// physical values of the non-null leaves. Chunks accumulate across calls until the writer cuts a
// row group, so one row group may take rows from several input Tables.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "datasets/parquet/write_schema.h"
#include "mhub/base/status.h"
#include "mhub/datasets/array.h"

namespace mhub::datasets::parquet {

// One leaf column's pending data. Values are stored physically (already converted: int8 sign-
// extended to INT32, decimals cut, timestamp[s] in millis), `width` bytes each, or as bytes with
// offsets for BYTE_ARRAY.
struct LeafChunk {
  std::vector<int16_t> def;  // empty when max_def == 0
  std::vector<int16_t> rep;  // empty when max_rep == 0
  int64_t num_levels = 0;    // = values + nulls/empties (the chunk's num_values)
  int64_t num_values = 0;    // non-null leaf values
  int64_t num_rows = 0;
  std::vector<uint8_t> fixed;          // width bytes per value
  std::vector<uint8_t> bytes;          // BYTE_ARRAY values, concatenated
  std::vector<int64_t> offsets = {0};  // BYTE_ARRAY: num_values + 1
  int width = 0;                       // copied from the WriteLeaf

  std::string_view Value(int64_t i) const {
    if (width > 0) return {reinterpret_cast<const char*>(fixed.data()) + i * width, static_cast<size_t>(width)};
    return {reinterpret_cast<const char*>(bytes.data()) + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i])};
  }
  void Clear();
};

// Appends rows [begin, end) of `array` (a top-level column laid out as `node`) to `chunks` (one per
// leaf of the layout). InvalidArgument when a non-nullable field holds a null, or the array does not
// match the node's type.
Status ShredColumn(const ShredNode& node, const std::vector<WriteLeaf>& leaves, const Array& array, int64_t begin,
                   int64_t end, std::vector<LeafChunk>* chunks);

}  // namespace mhub::datasets::parquet
