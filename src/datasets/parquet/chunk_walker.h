// The page walker under ChunkCursor (column_reader.h): finds the pages of a column chunk's row
// range, decompresses one page at a time, decodes its levels and hands out its entries in pieces
// (values decoded only as they are taken). Internal to chunk_walker.cpp and chunk_cursor.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "datasets/parquet/column_reader.h"
#include "datasets/parquet/rle_hybrid.h"

namespace mhub::datasets::parquet {

// How the open page hands out its values.
enum class ValueMode : uint8_t {
  kPlain,       // PLAIN (not booleans): a byte position that advances
  kDictionary,  // dictionary indices: a resumable hybrid decoder
  kDecoded,     // every other encoding: the page's values decoded at open, handed out by position
  kDelivered,   // the values went straight into the caller's output at open (a whole page)
};

class ChunkWalker {
 public:
  explicit ChunkWalker(const ChunkRequest& req) : req_(req), leaf_(*req.leaf) {}

  // Checks the chunk and finds the first page of the range (reading the dictionary on the way).
  Status Begin();
  // Opens the next data page of the range: decompresses it, decodes its levels and readies its
  // values. Sets done() instead after the last one. A flat column's page that lies inside rows
  // [direct_from, direct_to) and whose values can be decompressed straight into direct->values
  // (v2, PLAIN, fixed width) is: the caller then takes the whole page into `direct`.
  Status OpenPage(LeafData* direct, int64_t direct_from, int64_t direct_to);
  bool done() const { return done_; }
  // The row of the row group that the first opened page starts with; -1 before any page.
  int64_t first_row() const { return first_row_; }
  // Entries of the open page not taken yet, and its levels from the next one on.
  int64_t page_left() const { return page_entries_ - page_pos_entries_; }
  const int16_t* page_rep() const { return page_rep_.empty() ? nullptr : page_rep_.data() + page_pos_entries_; }
  // True when the open page is known to end a row (v2 pages, offset-index pages, flat columns), so
  // the next page cannot continue its last row.
  bool page_ends_row() const { return page_ends_row_; }
  // Appends the next k entries of the open page (levels and values) to *out; nullptr passes them.
  Status Take(int64_t k, LeafData* out);
  // Values the next reads are expected to take (a reservation hint).
  void set_values_hint(int64_t n) { values_hint_ = n; }
  int64_t reserve_budget() const { return reserve_budget_; }

 private:
  Status PageError(const std::string& msg) const {
    return Status::Corruption("page at byte " + std::to_string(page_pos_) + ": " + msg);
  }
  Status ReadDictionary(const PageHeader& h, const uint8_t* body);
  Status StartDataPage(const PageHeader& h, const uint8_t* body, LeafData* direct);
  Status DecodeLevels(const uint8_t* data, size_t size, int bit_width, int64_t n, int16_t max_level,
                      PodVector<int16_t>* out, const char* what);
  Status StartValues(Encoding enc, const uint8_t* data, size_t size, int64_t n);
  Status TakeValues(int64_t n, DenseValues* out);
  Status DecodeIndices(int64_t n);
  Status TakeSpread(int64_t k, const int16_t* def, int64_t nn, DenseValues* out);
  Status Decompressed(const uint8_t* src, size_t src_size, size_t dst_size, const uint8_t** result);

  const ChunkRequest& req_;
  const LeafColumn& leaf_;
  const ColumnMetaData* meta_ = nullptr;
  size_t page_pos_ = 0;  // byte position of the page being read (errors name it)
  bool has_dict_ = false;
  DenseValues dict_;
  PodVector<uint8_t> scratch_;  // the open page, decompressed
  PodVector<uint32_t> indices_;
  int64_t values_hint_ = 0;     // values expected by the current read (reservation hint)
  int64_t reserve_budget_ = 0;  // the most any reservation hint may ask for
  // Page walk state.
  size_t chunk_end_ = 0;
  bool flat_ = true;
  bool use_index_ = false;
  std::vector<std::pair<size_t, int64_t>> index_pages_;  // (offset, first row) from the offset index
  size_t next_index_page_ = 0;
  size_t pos_ = 0;
  int64_t rows_seen_ = 0;   // rows before the current page (when known)
  int64_t first_row_ = -1;  // first row held by the opened pages
  int64_t values_seen_ = 0;
  bool done_ = false;
  // The open data page.
  PodVector<int16_t> page_def_, page_rep_;
  int64_t page_entries_ = 0, page_pos_entries_ = 0;
  int64_t page_values_ = 0, page_pos_values_ = 0;  // non-null values in the page, and handed out
  bool page_ends_row_ = true;
  ValueMode mode_ = ValueMode::kPlain;
  Encoding enc_ = Encoding::kPlain;
  const uint8_t* vdata_ = nullptr;  // the values section
  size_t vsize_ = 0, vpos_ = 0;
  RleBitPackedDecoder index_decoder_;
  DenseValues decoded_;  // kDecoded: the page's values
  DenseValues passed_;   // values passed over (PLAIN BYTE_ARRAY) land here and are dropped
  DenseValues dense_;    // TakeSpread of other encodings: the dense values before they spread
};

}  // namespace mhub::datasets::parquet
