// Reads one column chunk of one row group: walks its pages (dictionary, data v1/v2), decompresses
// and decodes levels and values into a LeafData. Only the pages that hold rows of the requested
// range are decompressed: pages are skipped by the offset index when the file has one, else by the
// row counts of the page headers (flat columns and v2 pages); the result is trimmed to the range.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

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
  int64_t reserve_rows = -1;                  // rows to reserve room for (-1: the whole range)
};

// Corruption/Unsupported messages name the page ("page at byte N: ..."); the caller adds file,
// row group and column.
Status ReadColumnChunk(const ChunkRequest& request, LeafData* out);

// Keeps rows [row_begin, row_end) of `out` (counted from its first entry, which starts a row).
Status KeepRows(const LeafColumn& leaf, LeafData* out, int64_t row_begin, int64_t row_end);

// Streams the rows [row_begin, row_end) of one column chunk in pieces, page by page: a Read
// decodes only the pages it needs (plus what is left of the last one), so memory stays one batch
// plus one page, whatever the chunk's size. The request's file bytes must outlive the cursor; the
// offset index is copied.
class ChunkCursor {
 public:
  ChunkCursor(const ChunkRequest& request, const OffsetIndex* offset_index);
  ~ChunkCursor();
  ChunkCursor(ChunkCursor&&) noexcept;
  ChunkCursor& operator=(ChunkCursor&&) noexcept;

  // The next `rows` rows of the range (fewer at its end) into *out (replaced).
  Status Read(int64_t rows, LeafData* out);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace mhub::datasets::parquet
