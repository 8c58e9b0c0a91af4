// Parquet files: a reader (own code: Thrift compact footer, every encoding and codec of the spec in
// common use, nested columns) and a writer (what the Hub's Parquet converter writes). Spec:
// apache/parquet-format; notes in ../shared/reference/training.md §7.
//
// Mapping to types.h: BOOLEAN -> kBool; INT32/INT64 with INTEGER(bits, signed) or the legacy INT_8..
// UINT_64 converted types -> the matching kInt*/kUInt*; plain INT32 -> kInt32, INT64 -> kInt64;
// FLOAT/DOUBLE -> kFloat32/kFloat64; FLBA(2) FLOAT16 -> kFloat16; BYTE_ARRAY STRING/UTF8/JSON/ENUM
// -> kString, other BYTE_ARRAY -> kBinary; FLBA (other) -> kBinary; DATE -> kDate32; TIMESTAMP /
// TIMESTAMP_MILLIS/MICROS / INT96 -> kTimestamp; DECIMAL on INT32/INT64/FLBA/BYTE_ARRAY -> kDecimal128;
// LIST (3-level and legacy 2-level) and a bare repeated field -> kList; MAP -> list<struct<key, value>>;
// other groups -> kStruct.
//
// Errors: a file that breaks the format gets Corruption naming the file, the row group and the column
// path (and the page where there is one), e.g. "x.parquet: row group 2, column 'a.list.element':
// dictionary index 70 past the dictionary's 12 values". Sizes declared in the file are checked
// against the file size and against limits before anything is allocated.
//
// Thread safety: a ParquetFile is immutable after Open; Read* may run concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/datasets/array.h"
#include "mhub/datasets/value.h"

namespace mhub::datasets {

enum class ParquetCodec : uint8_t { kUncompressed, kSnappy, kGzip, kBrotli, kZstd, kLz4Raw };

struct ParquetColumnStats {  // what the footer says (absent values stay nullopt)
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  std::optional<std::string> min_value;  // PLAIN-encoded bytes, as in the file
  std::optional<std::string> max_value;
};

struct ParquetRowGroupInfo {
  int64_t num_rows = 0;
  int64_t total_byte_size = 0;  // uncompressed
  int64_t compressed_size = 0;
  std::vector<ParquetColumnStats> column_stats;  // one per leaf column
};

struct ParquetReadOptions {
  std::vector<std::string> columns;  // top-level column names to read; empty = all
  int64_t row_begin = 0;             // rows [row_begin, row_end) of the file
  int64_t row_end = -1;              // -1 = to the end
  int64_t batch_rows = 65536;        // TableReader batch size
  // Threads that decode the selected columns of a row group (or of a Stream batch) side by side;
  // 1 = the calling thread only. Only row groups of >= 256 KiB (compressed) are split.
  int threads = 1;
};

// A comparison of one column with constants, for reads that skip what cannot match
// (ParquetFile::CandidateRows / FilterRows). Values compare as the column's type does: integers,
// floats, dates (days) and timestamps (the column's unit) numerically with a kInt/kUInt/kDouble
// constant, NaN matching no comparison; strings and binary bytewise (unsigned) with a kString or
// kBinary constant; booleans false < true with a kBool (or 0/1) constant. A null cell matches only
// kIsNull. A constant of another kind is InvalidArgument.
struct ParquetPredicate {
  enum class Op : uint8_t { kEq, kLt, kLe, kGt, kGe, kBetween, kIsNull, kIsNotNull };
  std::string column;  // a top-level column of a flat (not list/struct) type
  Op op = Op::kEq;
  Value value;   // the constant; kBetween: the low end (inclusive)
  Value value2;  // kBetween: the high end (inclusive)
};

struct ParquetRowRange {
  int64_t begin = 0;  // rows [begin, end) of the file
  int64_t end = 0;
};

// What min/max skipping saved (accumulated over calls).
struct ParquetSkipCounters {
  int64_t row_groups = 0;
  int64_t row_groups_skipped = 0;  // by the column chunk's statistics
  int64_t pages = 0;               // data pages of the column in the row groups not skipped, by the column index
  int64_t pages_skipped = 0;       // by their min/max, null count or all-null flag
  int64_t rows_read = 0;           // rows FilterRows decoded and tested
};

class ParquetFile {
 public:
  ~ParquetFile();
  ParquetFile(ParquetFile&&) noexcept;
  ParquetFile& operator=(ParquetFile&&) noexcept;

  // Maps the file and decodes the footer. `display_name` names it in errors (defaults to the path).
  static Result<ParquetFile> Open(const std::string& path, std::string display_name = "");
  // Over bytes the caller keeps alive (fuzzers, in-memory files).
  static Result<ParquetFile> OpenBuffer(Buffer bytes, std::string display_name);

  const Schema& schema() const;  // Arrow-style schema + key/value metadata
  int64_t num_rows() const;
  int num_row_groups() const;
  const ParquetRowGroupInfo& row_group(int i) const;
  std::string created_by() const;

  // Reads rows of the selected columns; only the row groups (and with a page index, the pages) that
  // hold rows in range are decoded.
  Result<Table> Read(const ParquetReadOptions& options = {}) const;
  Result<Table> ReadRowGroup(int i, const std::vector<std::string>& columns = {}) const;
  // A stream of batches of at most options.batch_rows rows; a batch never spans two row groups.
  // Column chunks are decoded page by page as batches are asked for, so memory stays about one batch
  // plus one page per column whatever the row group's size; a mapped file's pages are handed back
  // to the kernel once their row group is done. The reader refers to this ParquetFile, which must
  // outlive it.
  Result<std::unique_ptr<TableReader>> Stream(const ParquetReadOptions& options = {}) const;

  // Min/max skipping. CandidateRows: ascending, disjoint row ranges outside which no row matches
  // `predicate`, from the row groups' column statistics and, where the file has a page index, the
  // pages' min/max, null counts and null flags (statistics the file does not give, or that cannot
  // be trusted for the column's sort order, skip nothing). FilterRows: the rows that match
  // (ascending file row numbers), decoding only the candidate ranges of the predicate's column.
  Result<std::vector<ParquetRowRange>> CandidateRows(const ParquetPredicate& predicate,
                                                     ParquetSkipCounters* counters = nullptr) const;
  Result<std::vector<int64_t>> FilterRows(const ParquetPredicate& predicate,
                                          ParquetSkipCounters* counters = nullptr) const;

  struct Impl;  // opaque outside the reader (src/datasets/parquet/parquet_file_impl.h)

 private:
  explicit ParquetFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct ParquetWriteOptions {
  ParquetCodec codec = ParquetCodec::kSnappy;
  int compression_level = 0;      // 0 = the codec's default
  int64_t row_group_rows = 1000;  // `datasets`' default writer_batch_size
  int64_t data_page_bytes = 1 << 20;
  bool dictionary = true;  // dictionary encoding, PLAIN fallback past dictionary_page_bytes
  int64_t dictionary_page_bytes = 1 << 20;
  bool statistics = true;  // min/max/null_count in the column metadata and page headers
  bool page_index = true;  // ColumnIndex + OffsetIndex, so readers can skip pages by row/value
  bool data_page_v2 = false;
  std::string created_by = "mhub";
};

// Writes a file atomically: everything goes to `path`.tmp-XXXX, renamed over `path` by Close().
// A writer destroyed without Close() removes its temp file.
class ParquetWriter {
 public:
  ~ParquetWriter();
  ParquetWriter(ParquetWriter&&) noexcept;
  ParquetWriter& operator=(ParquetWriter&&) noexcept;

  // schema.metadata is written as the file's key_value_metadata.
  static Result<ParquetWriter> Create(const std::string& path, Schema schema, ParquetWriteOptions options = {});
  // Appends rows (same schema); row groups are cut every options.row_group_rows rows.
  Status Write(const Table& table);
  Status Close();
  int64_t rows_written() const;

 private:
  struct Impl;
  explicit ParquetWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Convenience: the whole table into one file.
Status WriteParquet(const std::string& path, const Table& table, const ParquetWriteOptions& options = {});

}  // namespace mhub::datasets
