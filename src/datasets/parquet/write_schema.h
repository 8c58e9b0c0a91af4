// How the writer lays a types.h Schema out in Parquet: the flattened SchemaElements of the footer
// (what pyarrow writes: INTEGER logical types on INT32/INT64, STRING, DATE, TIMESTAMP, DECIMAL on
// INT32/INT64/FLBA by precision, FLOAT16 on FLBA(2), 3-level LIST with `list`/`element`), one
// WriteLeaf per leaf with its physical type and max levels, and the shredding tree that
// column_shredder.cpp walks to turn rows into levels and values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/parquet/metadata.h"
#include "mhub/base/result.h"
#include "mhub/datasets/types.h"

namespace mhub::datasets::parquet {

// How a leaf's in-memory values become physical Parquet values.
enum class LeafKind : uint8_t {
  kNull,         // INT32 (UNKNOWN logical type): never a value
  kBool,         // BOOLEAN, one byte per value in memory
  kSignExtend8,  // int8 -> INT32
  kSignExtend16,
  kZeroExtend8,  // uint8 -> INT32
  kZeroExtend16,
  kCopy,             // same bytes: int32/uint32/date32 -> INT32, int64/uint64/timestamp -> INT64, floats, float16
  kSecondsToMillis,  // timestamp[s] -> TIMESTAMP(MILLIS) (Parquet has no seconds)
  kDecimalInt32,     // low 4 bytes of the 16-byte value
  kDecimalInt64,     // low 8 bytes
  kDecimalFlba,      // low type_length bytes, big-endian
  kBytes,            // string / binary -> BYTE_ARRAY
};

// The order min/max statistics follow (Parquet's ColumnOrder TYPE_ORDER for the logical type).
enum class StatsOrder : uint8_t { kNone, kBool, kSigned, kUnsigned, kFloat, kFloat16, kBytes, kSignedBigEndian };

struct WriteLeaf {
  std::vector<std::string> path;  // path_in_schema
  PhysicalType physical = PhysicalType::kInt32;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY
  int width = 0;            // bytes per value in the chunk buffers; 0 = BYTE_ARRAY
  int16_t max_def = 0;
  int16_t max_rep = 0;
  LeafKind kind = LeafKind::kCopy;
  StatsOrder order = StatsOrder::kNone;
};

// Mirrors the DataType tree of one column (a list has one child: its element).
struct ShredNode {
  TypeId type = TypeId::kNull;
  bool nullable = true;
  int leaf = -1;                     // leaves: index into WriteLayout::leaves
  int leaf_begin = 0, leaf_end = 0;  // the leaves below (depth-first, contiguous)
  int16_t def = 0;                   // def level when this node's value is present
  int16_t rep = 0;                   // lists: the rep level of their elements
  std::vector<ShredNode> children;
};

struct WriteLayout {
  std::vector<SchemaElement> elements;  // root first, depth-first
  std::vector<WriteLeaf> leaves;
  std::vector<ShredNode> columns;  // one per top-level field
};

// InvalidArgument / Unsupported for what Parquet cannot hold (an empty struct, a decimal past
// precision 38, an empty field name).
Result<WriteLayout> BuildWriteLayout(const Schema& schema);

}  // namespace mhub::datasets::parquet
