// The Parquet writer's parts and its contract: the RLE/bit-packed hybrid against the examples of
// the spec (Encodings.md), footer structs through the Thrift writer and back through the reader's
// decoder, the layout pyarrow gives each type, and the file contract (nothing visible before
// Close, no temp file left behind, clear errors for data the schema forbids).
#include <dirent.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "datasets/parquet/metadata_decode.h"
#include "datasets/parquet/metadata_encode.h"
#include "datasets/parquet/rle_hybrid_encoder.h"
#include "datasets/parquet/write_schema.h"
#include "datasets/pq_write_random.h"
#include "mhub/base/env.h"
#include "mhub/datasets/parquet.h"
#include "support/test_support.h"

namespace mhub::datasets {
namespace {

using mhub::testing::ReadFileOrDie;
using mhub::testing::TempDir;
using testing::VectorBuffer;

std::string Bytes(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s.push_back(static_cast<char>(b));
  return s;
}

std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) out.push_back(e->d_name);
  }
  closedir(d);
  return out;
}

// Encodings.md: "the numbers 0 through 7 using bit width 3" bit-pack to 10001000 11000110 11111010.
TEST(RleHybridEncoder, BitPackedRunMatchesTheSpecExample) {
  std::vector<uint32_t> v = {0, 1, 2, 3, 4, 5, 6, 7};
  std::string out;
  parquet::EncodeRleHybrid(v.data(), v.size(), 3, &out);
  EXPECT_EQ(out, Bytes({(1 << 1) | 1, 0b10001000, 0b11000110, 0b11111010}));
}

// An RLE run: header (count << 1), then the value in ceil(width / 8) little-endian bytes.
TEST(RleHybridEncoder, LongRepeatsBecomeRleRuns) {
  std::vector<uint32_t> v(100, 0x1234);
  std::string out;
  parquet::EncodeRleHybrid(v.data(), v.size(), 13, &out);
  EXPECT_EQ(out, Bytes({200, 1, 0x34, 0x12}));  // 100 << 1 = 200 as a ULEB128 varint
}

// Short runs stay bit-packed; the last group is padded to 8 values.
TEST(RleHybridEncoder, MixedRunsKeepGroupsOfEight) {
  std::vector<uint32_t> v = {1, 0, 1};  // one padded group of 8 at width 1: 0b00000101
  std::string out;
  parquet::EncodeRleHybrid(v.data(), v.size(), 1, &out);
  EXPECT_EQ(out, Bytes({3, 0b101}));
  // 3 singles then 16 repeats: the pending group is topped up from the run, the rest is RLE.
  std::vector<uint32_t> w = {1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  out.clear();
  parquet::EncodeRleHybrid(w.data(), w.size(), 1, &out);
  EXPECT_EQ(out, Bytes({3, 0b11111101, 11 << 1, 1}));
}

TEST(RleHybridEncoder, BitWidths) {
  EXPECT_EQ(parquet::BitWidthFor(0), 0);
  EXPECT_EQ(parquet::BitWidthFor(1), 1);
  EXPECT_EQ(parquet::BitWidthFor(2), 2);
  EXPECT_EQ(parquet::BitWidthFor(255), 8);
  EXPECT_EQ(parquet::BitWidthFor(256), 9);
}

// The footer the writer builds for a schema of every kind, back through the reader's decoder.
TEST(MetadataEncode, FooterRoundTripsThroughTheDecoder) {
  Schema s;
  s.fields = {{"i8", Int8()},
              {"u64", UInt64(), false},
              {"ts", Timestamp(TimeUnit::kNano, "UTC")},
              {"d", Decimal128(30, 4)},
              {"l", List(Struct({{"a", String()}, {"b", Float16(), false}}))}};
  auto layout = parquet::BuildWriteLayout(s);
  ASSERT_TRUE(layout.ok()) << layout.status();
  parquet::FileMetaData m;
  m.version = 2;
  m.schema = layout->elements;
  m.num_rows = 1LL << 40;
  m.key_value_metadata = {{"huggingface", std::string("{\"x\": 1}")}, {"empty", std::nullopt}};
  m.created_by = "mhub test";
  m.column_orders_type_defined = static_cast<int32_t>(layout->leaves.size());
  parquet::RowGroup g;
  g.num_rows = 3;
  g.total_byte_size = 99;
  g.ordinal = 0;
  parquet::ColumnChunk c;
  c.file_offset = 4;
  parquet::ColumnMetaData cm;
  cm.type = parquet::PhysicalType::kByteArray;
  cm.encodings = {parquet::Encoding::kPlain, parquet::Encoding::kRleDictionary};
  cm.path_in_schema = {"l", "list", "element", "a"};
  cm.codec = parquet::CompressionCodec::kZstd;
  cm.num_values = 17;
  cm.data_page_offset = 40;
  cm.dictionary_page_offset = 4;
  parquet::Statistics st;
  st.null_count = 2;
  st.min_value = "a";
  st.max_value = std::string("z\0z", 3);
  cm.statistics = st;
  c.meta_data = cm;
  g.columns.push_back(c);
  m.row_groups.push_back(g);
  std::string bytes;
  parquet::EncodeFileMetaData(m, &bytes);
  auto back = parquet::DecodeFileMetaData(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->version, 2);
  EXPECT_EQ(back->num_rows, 1LL << 40);
  ASSERT_EQ(back->schema.size(), m.schema.size());
  for (size_t i = 0; i < m.schema.size(); ++i) {
    const parquet::SchemaElement &a = m.schema[i], &b = back->schema[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.type, b.type) << a.name;
    EXPECT_EQ(a.repetition_type, b.repetition_type) << a.name;
    EXPECT_EQ(a.converted_type, b.converted_type) << a.name;
    EXPECT_EQ(a.type_length, b.type_length) << a.name;
    ASSERT_EQ(a.logical_type.has_value(), b.logical_type.has_value()) << a.name;
    if (a.logical_type) {
      EXPECT_EQ(a.logical_type->kind, b.logical_type->kind) << a.name;
      EXPECT_EQ(a.logical_type->unit, b.logical_type->unit) << a.name;
      EXPECT_EQ(a.logical_type->is_adjusted_to_utc, b.logical_type->is_adjusted_to_utc) << a.name;
      EXPECT_EQ(a.logical_type->bit_width, b.logical_type->bit_width) << a.name;
      EXPECT_EQ(a.logical_type->is_signed, b.logical_type->is_signed) << a.name;
      EXPECT_EQ(a.logical_type->precision, b.logical_type->precision) << a.name;
    }
  }
  ASSERT_EQ(back->key_value_metadata.size(), 2u);
  EXPECT_EQ(back->key_value_metadata[0].value, "{\"x\": 1}");
  EXPECT_FALSE(back->key_value_metadata[1].value.has_value());
  EXPECT_EQ(back->created_by, "mhub test");
  EXPECT_EQ(back->column_orders_type_defined, static_cast<int32_t>(layout->leaves.size()));
  const parquet::ColumnMetaData& bm = *back->row_groups.at(0).columns.at(0).meta_data;
  EXPECT_EQ(bm.path_in_schema, cm.path_in_schema);
  EXPECT_EQ(bm.codec, parquet::CompressionCodec::kZstd);
  EXPECT_EQ(bm.dictionary_page_offset, 4);
  EXPECT_EQ(bm.statistics->max_value, std::string("z\0z", 3));
  EXPECT_EQ(bm.statistics->null_count, 2);
}

// What pyarrow writes for each type (parquet-format LogicalTypes.md; Arrow's schema conversion).
TEST(WriteSchema, TypesLayOutAsPyarrowWritesThem) {
  Schema s;
  s.fields = {{"u8", UInt8()},
              {"d9", Decimal128(9, 2)},
              {"d18", Decimal128(18, 2)},
              {"d38", Decimal128(38, 0)},
              {"d19", Decimal128(19, 0)},
              {"sec", Timestamp(TimeUnit::kSecond)},
              {"l", List(Int32(), false), false}};
  auto layout = parquet::BuildWriteLayout(s);
  ASSERT_TRUE(layout.ok()) << layout.status();
  const auto& e = layout->elements;
  EXPECT_EQ(e[1].converted_type, parquet::ConvertedType::kUint8);
  EXPECT_EQ(e[2].type, parquet::PhysicalType::kInt32);
  EXPECT_EQ(e[3].type, parquet::PhysicalType::kInt64);
  EXPECT_EQ(e[4].type_length, 16);
  EXPECT_EQ(e[5].type_length, 9);  // 10^19 - 1 needs 64 bits plus a sign
  EXPECT_EQ(e[6].logical_type->unit, parquet::LogicalType::kMillis);
  EXPECT_FALSE(e[6].converted_type.has_value());  // naive timestamps: no legacy (UTC) converted type
  EXPECT_EQ(e[7].name, "l");
  EXPECT_EQ(e[7].repetition_type, parquet::Repetition::kRequired);
  EXPECT_EQ(e[8].name, "list");
  EXPECT_EQ(e[8].repetition_type, parquet::Repetition::kRepeated);
  EXPECT_EQ(e[9].name, "element");
  EXPECT_EQ(e[9].repetition_type, parquet::Repetition::kRequired);
  const parquet::WriteLeaf& leaf = layout->leaves.back();
  EXPECT_EQ(leaf.max_def, 1);
  EXPECT_EQ(leaf.max_rep, 1);
  EXPECT_EQ(leaf.path, (std::vector<std::string>{"l", "list", "element"}));
}

TEST(WriteSchema, RefusesWhatParquetCannotHold) {
  Schema empty_struct;
  empty_struct.fields = {{"s", Struct({})}};
  EXPECT_EQ(parquet::BuildWriteLayout(empty_struct).status().code(), StatusCode::kUnsupported);
  Schema wide_decimal;
  wide_decimal.fields = {{"d", Decimal128(39, 0)}};
  EXPECT_EQ(parquet::BuildWriteLayout(wide_decimal).status().code(), StatusCode::kInvalidArgument);
}

Table Int64Table(std::vector<int64_t> v, std::vector<uint8_t> validity, bool nullable) {
  auto a = std::make_shared<Array>();
  a->type = Int64();
  a->length = static_cast<int64_t>(v.size());
  std::vector<uint8_t> bytes(v.size() * 8);
  std::memcpy(bytes.data(), v.data(), bytes.size());
  a->values = VectorBuffer(std::move(bytes));
  if (!validity.empty()) {
    for (size_t i = 0; i < v.size(); ++i) a->null_count += ((validity[i >> 3] >> (i & 7)) & 1) ? 0 : 1;
    a->validity = VectorBuffer(std::move(validity));
  }
  Table t;
  t.schema.fields = {{"x", Int64(), nullable}};
  t.columns = {a};
  t.num_rows = a->length;
  return t;
}

TEST(ParquetWriter, NothingIsVisibleBeforeCloseAndNoTempFileStays) {
  TempDir dir;
  std::string path = dir / "out.parquet";
  Table t = Int64Table({1, 2, 3}, {}, true);
  {
    auto w = ParquetWriter::Create(path, t.schema);
    ASSERT_TRUE(w.ok()) << w.status();
    ASSERT_TRUE(w->Write(t).ok());
    EXPECT_EQ(Listing(dir.path()).size(), 1u);  // the temp file only
    EXPECT_FALSE(Env::Default()->FileExists(path));
  }  // destroyed without Close: the temp file goes
  EXPECT_TRUE(Listing(dir.path()).empty());

  auto w = ParquetWriter::Create(path, t.schema);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->Write(t).ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(Listing(dir.path()), std::vector<std::string>{"out.parquet"});
  std::string bytes = ReadFileOrDie(path);
  EXPECT_EQ(bytes.substr(0, 4), "PAR1");
  EXPECT_EQ(bytes.substr(bytes.size() - 4), "PAR1");
  EXPECT_EQ(w->rows_written(), 3);
  EXPECT_FALSE(w->Write(t).ok());  // after Close
}

TEST(ParquetWriter, ANullInARequiredColumnIsAnErrorAndLeavesNoFile) {
  TempDir dir;
  std::string path = dir / "bad.parquet";
  Table t = Int64Table({1, 2, 3}, {0b101}, /*nullable=*/false);
  Status st = WriteParquet(path, t);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st;
  EXPECT_NE(st.message().find("'x'"), std::string::npos) << st;
  EXPECT_TRUE(Listing(dir.path()).empty());
}

TEST(ParquetWriter, ATableOfAnotherSchemaIsRefused) {
  TempDir dir;
  Table t = Int64Table({1}, {}, true);
  {
    auto w = ParquetWriter::Create(dir / "a.parquet", t.schema);
    ASSERT_TRUE(w.ok());
    Table other = t;
    other.schema.fields[0].name = "y";
    EXPECT_EQ(w->Write(other).code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(w->Close().ok());  // the error sticks; nothing is published
    EXPECT_FALSE(Env::Default()->FileExists(dir / "a.parquet"));
  }
  EXPECT_TRUE(Listing(dir.path()).empty());
}

TEST(ParquetWriter, AMissingDirectoryIsAnIOError) {
  TempDir dir;
  Table t = Int64Table({1}, {}, true);
  EXPECT_EQ(WriteParquet(dir / "no/such/dir/a.parquet", t).code(), StatusCode::kIOError);
}

}  // namespace
}  // namespace mhub::datasets
