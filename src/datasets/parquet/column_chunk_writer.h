// One column chunk of one row group, encoded: an optional dictionary page, then data pages (v1 or
// v2) cut at record boundaries every ~data_page_bytes or data_page_rows rows, each compressed with
// the codec. Values are dictionary-encoded (RLE_DICTIONARY) until the dictionary's PLAIN size
// passes its limit, then the chunk's remaining pages fall back to PLAIN, as Arrow's writer does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "datasets/parquet/column_shredder.h"
#include "datasets/parquet/metadata.h"
#include "datasets/parquet/write_schema.h"
#include "mhub/base/result.h"

namespace mhub::datasets::parquet {

struct ChunkWriteOptions {
  CompressionCodec codec = CompressionCodec::kSnappy;
  int compression_level = 0;
  int64_t data_page_bytes = 1 << 20;
  int64_t data_page_rows = 20000;  // Arrow's data_page_row_count_limit
  bool dictionary = true;
  int64_t dictionary_page_bytes = 1 << 20;
  bool statistics = true;  // chunk and page-header min/max/null_count
  bool page_index = true;  // fill EncodedChunk::column_index / offset_index
  bool data_page_v2 = false;
};

struct EncodedChunk {
  // The chunk is dictionary_page then data_pages, back to back.
  std::string dictionary_page;  // header + body; empty without a dictionary
  std::string data_pages;
  ColumnMetaData meta;  // offsets in it are relative to the start of the chunk
  // The page index: page offsets relative to the chunk start. column_index is absent when statistics
  // are off or a page with values has no min/max (all NaN, or values past the statistics size cap).
  OffsetIndex offset_index;
  std::optional<ColumnIndex> column_index;
};

Result<EncodedChunk> EncodeColumnChunk(const WriteLeaf& leaf, const LeafChunk& chunk, const ChunkWriteOptions& options);

}  // namespace mhub::datasets::parquet
