// Reads one column chunk of one row group: walks its pages (dictionary, data v1/v2), decompresses
// and decodes levels and values into a LeafData. Only the pages that hold rows of the requested
// range are decompressed: pages are skipped by the offset index when the file has one, else by the
// row counts of the page headers (flat columns and v2 pages); the result is trimmed to the range.
#pragma once

#include <cstddef>
#include <cstdint>

#include "datasets/parquet/metadata.h"
#include "datasets/parquet/pod_vector.h"
#include "datasets/parquet/schema_build.h"
#include "datasets/parquet/value_decoders.h"
#include "mhub/base/status.h"

namespace mhub::datasets::parquet {

// One leaf's levels and dense values for a range of rows.
struct LeafData {
  PodVector<int16_t> def;     // one per entry; empty when max_def == 0
  PodVector<int16_t> rep;     // one per entry; empty when max_rep == 0
  int64_t entries = 0;        // level entries (== rows for a flat column)
  DenseValues values;         // the non-null values (def == max_def), physical layout
  bool utf8_checked = false;  // every value came from a dictionary whose strings were checked
};

struct ChunkRequest {
  const uint8_t* file = nullptr;
  size_t data_end = 0;  // bytes of the file that may hold pages (the footer starts here)
  const ColumnChunk* chunk = nullptr;
  const LeafColumn* leaf = nullptr;
  int64_t row_group_rows = 0;
  int64_t row_begin = 0;  // rows of the row group to return: [row_begin, row_end)
  int64_t row_end = 0;
  const OffsetIndex* offset_index = nullptr;  // optional
};

// Corruption/Unsupported messages name the page ("page at byte N: ..."); the caller adds file,
// row group and column.
Status ReadColumnChunk(const ChunkRequest& request, LeafData* out);

}  // namespace mhub::datasets::parquet
