// The Thrift structs of the Parquet format (apache/parquet-format parquet.thrift) that mhub reads and
// writes: the file footer (FileMetaData), page headers and the page index. Field comments give the
// Thrift field id; std::optional marks fields the spec declares optional (absent = not written /
// not in the file). Enum values are the spec's numbers, so an unknown number from a file stays
// representable (a cast) and is rejected where it is used, not while decoding.
//
// The reader decodes these in metadata_decode.cpp; the writer encodes them (pqwrite). Shared by both:
// change only additively.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mhub::datasets::parquet {

enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32 = 17,
  kInt64 = 18,
  kJson = 19,
  kBson = 20,
  kInterval = 21,
};

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

enum class CompressionCodec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,  // Hadoop-framed LZ4 (deprecated)
  kZstd = 6,
  kLz4Raw = 7,
};

enum class PageType : int32_t { kDataPage = 0, kIndexPage = 1, kDictionaryPage = 2, kDataPageV2 = 3 };

enum class BoundaryOrder : int32_t { kUnordered = 0, kAscending = 1, kDescending = 2 };

// LogicalType is a Thrift union; `kind` is the id of the member that is set (0 = none). The
// parameters of DECIMAL, TIME, TIMESTAMP and INTEGER sit beside it.
struct LogicalType {
  enum Kind : int16_t {
    kNone = 0,
    kString = 1,
    kMap = 2,
    kList = 3,
    kEnum = 4,
    kDecimal = 5,  // DecimalType {1: scale, 2: precision}
    kDate = 6,
    kTime = 7,       // TimeType {1: isAdjustedToUTC, 2: unit}
    kTimestamp = 8,  // TimestampType {1: isAdjustedToUTC, 2: unit}
    kInteger = 10,   // IntType {1: bitWidth (i8), 2: isSigned}
    kUnknown = 11,   // always null
    kJson = 12,
    kBson = 13,
    kUuid = 14,
    kFloat16 = 15,
    kVariant = 16,
    kGeometry = 17,
    kGeography = 18,
  };
  // TimeUnit is a union too: 1 MILLIS, 2 MICROS, 3 NANOS.
  enum Unit : int16_t { kMillis = 1, kMicros = 2, kNanos = 3 };

  Kind kind = kNone;
  int32_t scale = 0;                // kDecimal
  int32_t precision = 0;            // kDecimal
  bool is_adjusted_to_utc = false;  // kTime, kTimestamp
  Unit unit = kMicros;              // kTime, kTimestamp
  int8_t bit_width = 0;             // kInteger: 8, 16, 32, 64
  bool is_signed = true;            // kInteger
};

struct Statistics {
  std::optional<std::string> max;          // 1 (deprecated: signed order only)
  std::optional<std::string> min;          // 2 (deprecated)
  std::optional<int64_t> null_count;       // 3
  std::optional<int64_t> distinct_count;   // 4
  std::optional<std::string> max_value;    // 5
  std::optional<std::string> min_value;    // 6
  std::optional<bool> is_max_value_exact;  // 7
  std::optional<bool> is_min_value_exact;  // 8
};

struct SchemaElement {
  std::optional<PhysicalType> type;             // 1 (absent for groups)
  std::optional<int32_t> type_length;           // 2 (FIXED_LEN_BYTE_ARRAY)
  std::optional<Repetition> repetition_type;    // 3 (absent for the root)
  std::string name;                             // 4
  std::optional<int32_t> num_children;          // 5 (groups)
  std::optional<ConvertedType> converted_type;  // 6
  std::optional<int32_t> scale;                 // 7
  std::optional<int32_t> precision;             // 8
  std::optional<int32_t> field_id;              // 9
  std::optional<LogicalType> logical_type;      // 10
};

struct KeyValue {
  std::string key;                   // 1
  std::optional<std::string> value;  // 2
};

struct DataPageHeader {
  int32_t num_values = 0;                               // 1 (nulls included)
  Encoding encoding = Encoding::kPlain;                 // 2
  Encoding definition_level_encoding = Encoding::kRle;  // 3
  Encoding repetition_level_encoding = Encoding::kRle;  // 4
  std::optional<Statistics> statistics;                 // 5
};

struct DictionaryPageHeader {
  int32_t num_values = 0;                // 1
  Encoding encoding = Encoding::kPlain;  // 2
  std::optional<bool> is_sorted;         // 3
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;                     // 1 (nulls included)
  int32_t num_nulls = 0;                      // 2
  int32_t num_rows = 0;                       // 3
  Encoding encoding = Encoding::kPlain;       // 4
  int32_t definition_levels_byte_length = 0;  // 5
  int32_t repetition_levels_byte_length = 0;  // 6
  std::optional<bool> is_compressed;          // 7 (absent = true)
  std::optional<Statistics> statistics;       // 8
};

struct PageHeader {
  PageType type = PageType::kDataPage;                         // 1
  int32_t uncompressed_page_size = 0;                          // 2 (without the header)
  int32_t compressed_page_size = 0;                            // 3 (without the header)
  std::optional<int32_t> crc;                                  // 4
  std::optional<DataPageHeader> data_page_header;              // 5
  bool has_index_page_header = false;                          // 6 (an empty struct)
  std::optional<DictionaryPageHeader> dictionary_page_header;  // 7
  std::optional<DataPageHeaderV2> data_page_header_v2;         // 8
};

struct PageEncodingStats {
  PageType page_type = PageType::kDataPage;  // 1
  Encoding encoding = Encoding::kPlain;      // 2
  int32_t count = 0;                         // 3
};

struct ColumnMetaData {
  PhysicalType type = PhysicalType::kInt32;                  // 1
  std::vector<Encoding> encodings;                           // 2
  std::vector<std::string> path_in_schema;                   // 3
  CompressionCodec codec = CompressionCodec::kUncompressed;  // 4
  int64_t num_values = 0;                                    // 5
  int64_t total_uncompressed_size = 0;                       // 6
  int64_t total_compressed_size = 0;                         // 7
  std::vector<KeyValue> key_value_metadata;                  // 8
  int64_t data_page_offset = 0;                              // 9
  std::optional<int64_t> index_page_offset;                  // 10
  std::optional<int64_t> dictionary_page_offset;             // 11
  std::optional<Statistics> statistics;                      // 12
  std::vector<PageEncodingStats> encoding_stats;             // 13
  std::optional<int64_t> bloom_filter_offset;                // 14
  std::optional<int32_t> bloom_filter_length;                // 15
};

struct ColumnChunk {
  std::optional<std::string> file_path;        // 1 (another file: unsupported)
  int64_t file_offset = 0;                     // 2 (deprecated)
  std::optional<ColumnMetaData> meta_data;     // 3
  std::optional<int64_t> offset_index_offset;  // 4
  std::optional<int32_t> offset_index_length;  // 5
  std::optional<int64_t> column_index_offset;  // 6
  std::optional<int32_t> column_index_length;  // 7
  bool encrypted = false;                      // 8 / 9 present (encryption: unsupported)
};

struct SortingColumn {
  int32_t column_idx = 0;    // 1
  bool descending = false;   // 2
  bool nulls_first = false;  // 3
};

struct RowGroup {
  std::vector<ColumnChunk> columns;              // 1
  int64_t total_byte_size = 0;                   // 2 (uncompressed)
  int64_t num_rows = 0;                          // 3
  std::vector<SortingColumn> sorting_columns;    // 4
  std::optional<int64_t> file_offset;            // 5
  std::optional<int64_t> total_compressed_size;  // 6
  std::optional<int16_t> ordinal;                // 7
};

struct FileMetaData {
  int32_t version = 1;                       // 1
  std::vector<SchemaElement> schema;         // 2 (depth-first, root first)
  int64_t num_rows = 0;                      // 3
  std::vector<RowGroup> row_groups;          // 4
  std::vector<KeyValue> key_value_metadata;  // 5
  std::optional<std::string> created_by;     // 6
  // 7 column_orders: one per leaf; every writer in use writes TYPE_ORDER (union member 1), so only
  // the count is kept (0 = field absent).
  int32_t column_orders_type_defined = 0;
  bool encrypted = false;  // 8 encryption_algorithm present (unsupported)
};

// The page index (stored apart from the footer; ColumnChunk fields 4-7 point at it).
struct PageLocation {
  int64_t offset = 0;                // 1
  int32_t compressed_page_size = 0;  // 2 (header included)
  int64_t first_row_index = 0;       // 3
};

struct OffsetIndex {
  std::vector<PageLocation> page_locations;              // 1
  std::vector<int64_t> unencoded_byte_array_data_bytes;  // 2
};

struct ColumnIndex {
  std::vector<bool> null_pages;                              // 1
  std::vector<std::string> min_values;                       // 2
  std::vector<std::string> max_values;                       // 3
  BoundaryOrder boundary_order = BoundaryOrder::kUnordered;  // 4
  std::vector<int64_t> null_counts;                          // 5
};

}  // namespace mhub::datasets::parquet
