// One column chunk of one row group, encoded: an optional dictionary page, then data pages (v1 or
// v2) cut at record boundaries every ~data_page_bytes or data_page_rows rows, each compressed with
// the codec. Values are dictionary-encoded (RLE_DICTIONARY) until the dictionary's PLAIN size
// passes its limit, then the chunk's remaining pages fall back to PLAIN, as Arrow's writer does.
#pragma once

#include <cstdint>
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
  bool statistics = true;
  bool data_page_v2 = false;
};

struct EncodedChunk {
  // The chunk is dictionary_page then data_pages, back to back.
  std::string dictionary_page;  // header + body; empty without a dictionary
  std::string data_pages;
  ColumnMetaData meta;  // offsets in it are relative to the start of the chunk
  // Per data page, for the page index: where it starts (relative), its size with header, first row.
  std::vector<PageLocation> pages;
};

Result<EncodedChunk> EncodeColumnChunk(const LeafColumn& leaf, const LeafChunk& chunk,
                                       const ChunkWriteOptions& options);

}  // namespace mhub::datasets::parquet
