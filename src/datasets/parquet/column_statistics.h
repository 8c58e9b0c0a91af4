// Min/max of a run of a leaf's physical values in the order Parquet's TYPE_ORDER gives its logical
// type (signed or unsigned integers, IEEE floats without NaN and with -0 as the min / +0 as the
// max, bytes compared unsigned, FLBA decimals as signed big-endian), encoded as the spec's
// min_value/max_value (PLAIN bytes; BYTE_ARRAY without the length prefix).
#pragma once

#include <cstdint>
#include <string>

#include "datasets/parquet/column_shredder.h"
#include "datasets/parquet/write_schema.h"

namespace mhub::datasets::parquet {

// Values above this many bytes get no min/max (Arrow's max_statistics_size).
inline constexpr size_t kMaxStatisticsValueBytes = 4096;

// Over values [begin, end) of `chunk`; false when there is no min/max to write (no values, only
// NaNs, a type without an order, or a value past kMaxStatisticsValueBytes).
bool ComputeMinMax(const WriteLeaf& leaf, const LeafChunk& chunk, int64_t begin, int64_t end, std::string* min,
                   std::string* max);

}  // namespace mhub::datasets::parquet
