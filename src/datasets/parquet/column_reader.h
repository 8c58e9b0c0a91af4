// Reads one column chunk of one row group: walks its pages (dictionary, data v1/v2), decompresses
// them and decodes levels and values into a LeafData. Only the pages that hold rows of the requested
// range are decompressed: pages are skipped by the offset index when the file has one, else by the
// row counts of the page headers (flat columns and v2 pages). Inside a page, decoding resumes where
// the last read stopped: rows before the range are passed over without being copied, and a read
// that ends mid-page leaves the page's decoder where it is for the next read.
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
  PodVector<int16_t> def;  // one per entry; empty when max_def == 0
  PodVector<int16_t> rep;  // one per entry; empty when max_rep == 0
  int64_t entries = 0;     // level entries (== rows for a flat column)
  DenseValues values;      // the non-null values (def == max_def), physical layout
  // Flat nullable columns (max_rep == 0, max_def > 0): `values` holds one slot per entry instead,
  // null entries as zero bytes (fixed width) or empty (byte arrays): the Arrow layout, so assembly
  // does not move the values again.
  bool spread = false;
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

// Streams the rows [row_begin, row_end) of one column chunk in pieces, page by page: a Read
// decodes only what it returns (the open page's decoder resumes where the last Read stopped), so
// memory stays one batch plus one page, whatever the chunk's size. The request's file bytes must
// outlive the cursor; the offset index is copied.
class ChunkCursor {
 public:
  ChunkCursor(const ChunkRequest& request, const OffsetIndex* offset_index);
  ~ChunkCursor();
  ChunkCursor(ChunkCursor&&) noexcept;
  ChunkCursor& operator=(ChunkCursor&&) noexcept;

  // The next `rows` rows of the range (fewer at its end) into *out (replaced).
  Status Read(int64_t rows, LeafData* out);

  // What the reads so far cost (tests check that nothing before the range is decoded twice).
  struct Counters {
    int64_t pages_opened = 0;    // data pages decompressed and their levels decoded
    int64_t entries_passed = 0;  // level entries of opened pages before the range (not copied out)
    int64_t entries_read = 0;    // level entries handed out
  };
  const Counters& counters() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace mhub::datasets::parquet
