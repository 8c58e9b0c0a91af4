// The Parquet writer against outside readers: random tables (random schemas over every types.h
// type, lists and structs with nulls at every level) written with every codec, data page v1 and v2,
// with and without dictionaries, with small pages, small dictionary limits (PLAIN fallback) and
// small row groups; hyparquet and parquet-wasm (Apache Arrow's Rust reader) must read back every
// value, and the footer's statistics must equal the min/max/null counts computed from what
// hyparquet read.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>

#include <nlohmann/json.hpp>

#include "datasets/parquet_canonical.h"
#include "datasets/pq_write_random.h"
#include "mhub/datasets/parquet.h"
#include "support/test_support.h"

namespace mhub::datasets {
namespace {

using mhub::testing::ReadFileOrDie;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::SourceDir;
using mhub::testing::TempDir;
using testing::RandomTableMaker;
using testing::RandomTableSpec;

nlohmann::json WriteCanonicalRow(const Table& t, int64_t row) {
  return testing::CanonicalRow(t, row, testing::CanonicalForm::kWriteOracle);
}

struct Written {
  std::string path;
  std::string desc;
  std::vector<nlohmann::json> rows;  // expected, canonical
  std::vector<std::pair<std::string, std::string>> metadata;
  Schema schema;
};

nlohmann::json RunOracle(const TempDir& dir, const std::vector<Written>& files) {
  std::string cmd = "cd " + ShellQuote(SourceDir()) + " && node tests/datasets/oracle/pq_write_read.mjs " +
                    ShellQuote(dir / "oracle.json");
  for (const Written& w : files) cmd += " " + ShellQuote(w.path);
  auto r = RunCommand(cmd);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (const char* keep = std::getenv("MHUB_PQ_WRITE_KEEP"))
    RunCommand("cp " + ShellQuote(dir / "oracle.json") + " " + ShellQuote(keep));
  return nlohmann::json::parse(ReadFileOrDie(dir / "oracle.json"));
}

const char* CodecName(ParquetCodec c) {
  switch (c) {
    case ParquetCodec::kUncompressed:
      return "none";
    case ParquetCodec::kSnappy:
      return "snappy";
    case ParquetCodec::kGzip:
      return "gzip";
    case ParquetCodec::kBrotli:
      return "brotli";
    case ParquetCodec::kZstd:
      return "zstd";
    case ParquetCodec::kLz4Raw:
      return "lz4_raw";
  }
  return "?";
}

void CheckRows(const Written& w, const nlohmann::json& reader, const std::string& name) {
  ASSERT_FALSE(reader.contains("error")) << name << " failed on " << w.desc << ":\n"
                                         << reader["error"].get<std::string>() << "\nschema:\n"
                                         << w.schema.ToString();
  const nlohmann::json& rows = reader["rows"];
  ASSERT_EQ(rows.size(), w.rows.size()) << name << " " << w.desc;
  for (size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i], w.rows[i]) << name << " row " << i << " of " << w.desc << "\nschema:\n" << w.schema.ToString();
  }
  for (const auto& [k, v] : w.metadata) EXPECT_EQ(reader["kv"].value(k, ""), v) << name << " " << w.desc;
}

// Random files over a grid of writer options; each file gets its own random schema.
std::vector<Written> WriteRandomFiles(const TempDir& dir) {
  RandomTableMaker maker(20261207);
  const ParquetCodec codecs[] = {ParquetCodec::kUncompressed, ParquetCodec::kSnappy, ParquetCodec::kGzip,
                                 ParquetCodec::kBrotli,       ParquetCodec::kZstd,   ParquetCodec::kLz4Raw};
  std::vector<Written> files;
  int k = 0;
  for (ParquetCodec codec : codecs) {
    for (int variant = 0; variant < 4; ++variant, ++k) {
      RandomTableSpec spec;
      spec.columns = 7;
      spec.null_rate = variant == 3 ? 0.5 : 0.15;
      Written w;
      w.schema = maker.RandomSchema(spec);
      w.schema.metadata = {{"huggingface", R"({"info": {"features": {}}})"}, {"k" + std::to_string(k), "v"}};
      w.metadata = w.schema.metadata;
      ParquetWriteOptions o;
      o.codec = codec;
      o.data_page_v2 = variant % 2 == 1;
      o.dictionary = variant != 2;
      o.row_group_rows = variant == 0 ? 1000 : 37 + variant;
      if (variant >= 1) o.data_page_bytes = 300;        // many pages per chunk
      if (variant == 3) o.dictionary_page_bytes = 120;  // dictionary fallback to PLAIN mid-chunk
      w.path = dir / ("t" + std::to_string(k) + ".parquet");
      w.desc = w.path + " (" + CodecName(codec) + ", v" + (o.data_page_v2 ? "2" : "1") +
               (o.dictionary ? ", dict" : ", plain") + ", row groups of " + std::to_string(o.row_group_rows) + ")";
      auto writer = ParquetWriter::Create(w.path, w.schema, o);
      EXPECT_TRUE(writer.ok()) << writer.status();
      if (!writer.ok()) return {};
      // Several batches per file, so row groups straddle Write() calls.
      for (int batch = 0; batch < 3; ++batch) {
        Table t = maker.RandomRows(w.schema, 40 + 30 * batch, spec.null_rate);
        for (int64_t r = 0; r < t.num_rows; ++r) w.rows.push_back(WriteCanonicalRow(t, r));
        Status st = writer->Write(t);
        EXPECT_TRUE(st.ok()) << w.desc << ": " << st;
      }
      Status st = writer->Close();
      EXPECT_TRUE(st.ok()) << w.desc << ": " << st;
      files.push_back(std::move(w));
    }
  }
  return files;
}

TEST(ParquetWriteOracle, RandomTablesEveryCodecPageVersionAndEncoding) {
  TempDir dir;
  std::vector<Written> files = WriteRandomFiles(dir);
  ASSERT_EQ(files.size(), 24u);
  {  // No rows at all (an empty Write, then Close): a file with a schema and no row groups.
    RandomTableMaker maker(7);
    Written w;
    w.schema = maker.RandomSchema(RandomTableSpec{});
    w.path = dir / "empty.parquet";
    w.desc = w.path + " (no rows)";
    auto writer = ParquetWriter::Create(w.path, w.schema);
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE(writer->Write(maker.RandomRows(w.schema, 0, 0.1)).ok());
    ASSERT_TRUE(writer->Close().ok());
    files.push_back(std::move(w));
  }
  nlohmann::json out = RunOracle(dir, files);
  int fallback_chunks = 0, indexed_pages = 0;
  for (const Written& w : files) {
    const nlohmann::json& r = out[w.path];
    CheckRows(w, r["hyparquet"], "hyparquet");
    CheckRows(w, r["parquet_wasm"], "parquet-wasm");
    for (const nlohmann::json& s : r["hyparquet"].value("stats", nlohmann::json::array())) {
      std::string where = w.desc + " row group " + s["row_group"].dump() + " column " + s["path"].get<std::string>();
      EXPECT_EQ(s["null_count"], s["computed_null_count"]) << where;
      EXPECT_EQ(s["min"], s["computed_min"]) << where;
      EXPECT_EQ(s["max"], s["computed_max"]) << where;
      // The page index: pages cover the chunk's rows, and each page's column index entry equals what
      // the oracle computes from the rows the offset index says the page holds.
      ASSERT_TRUE(s.contains("pages")) << where << ": no page index";
      EXPECT_EQ(s["first_page_offset"], s["data_page_offset"]) << where;
      for (size_t p = 0; p < s["pages"].size(); ++p) {
        const nlohmann::json& page = s["pages"][p];
        std::string at = where + " page " + std::to_string(p);
        EXPECT_GT(page["rows"].get<int>(), 0) << at;
        if (!page.contains("null_page")) continue;  // no column index (e.g. an all-NaN page)
        ++indexed_pages;
        EXPECT_EQ(page["null_page"], page["computed_null_page"]) << at;
        EXPECT_EQ(page["null_count"], page["computed_null_count"]) << at;
        EXPECT_EQ(page.value("min", nlohmann::json()), page.value("computed_min", nlohmann::json())) << at;
        EXPECT_EQ(page.value("max", nlohmann::json()), page.value("computed_max", nlohmann::json())) << at;
      }
      const nlohmann::json& enc = s["data_page_encodings"];
      auto has = [&](const char* e) { return std::count(enc.begin(), enc.end(), e) > 0; };
      if (has("RLE_DICTIONARY") && has("PLAIN")) ++fallback_chunks;
    }
  }
  // The small dictionary limit must have made chunks switch from dictionary indices to PLAIN.
  EXPECT_GT(fallback_chunks, 10);
  EXPECT_GT(indexed_pages, 1000);
}

ArrayPtr Column(DataTypePtr type, int64_t n, std::vector<uint8_t> values, std::vector<int64_t> offsets = {}) {
  auto a = std::make_shared<Array>();
  a->type = std::move(type);
  a->length = n;
  a->values = testing::VectorBuffer(std::move(values));
  if (!offsets.empty()) {
    std::vector<uint8_t> bytes(offsets.size() * 8);
    std::memcpy(bytes.data(), offsets.data(), bytes.size());
    a->offsets = testing::VectorBuffer(std::move(bytes));
  }
  return a;
}

// Statistics say nothing rather than something wrong: no min/max over NaNs only, none for values past
// the 4 KiB cap (Arrow's max_statistics_size), ordinary bounds beside them.
TEST(ParquetWriteOracle, StatisticsLeaveOutNaNOnlyAndHugeValues) {
  TempDir dir;
  std::string joined = "a" + std::string(5000, 'z');  // "a", then one value of 5000 bytes
  std::vector<uint8_t> text(joined.begin(), joined.end());
  double nan = std::nan("");
  std::vector<uint8_t> nans(16);
  std::memcpy(nans.data(), &nan, 8);
  std::memcpy(nans.data() + 8, &nan, 8);
  std::vector<uint8_t> ints(8);
  int32_t iv[2] = {3, -1};
  std::memcpy(ints.data(), iv, 8);
  Written w;
  w.schema.fields = {{"big", String()}, {"nan", Float64()}, {"ok", Int32()}};
  Table t;
  t.schema = w.schema;
  t.num_rows = 2;
  t.columns = {Column(String(), 2, text, {0, 1, 5001}), Column(Float64(), 2, nans), Column(Int32(), 2, ints)};
  for (int64_t r = 0; r < 2; ++r) w.rows.push_back(WriteCanonicalRow(t, r));
  w.path = dir / "stats.parquet";
  w.desc = w.path;
  ASSERT_TRUE(WriteParquet(w.path, t).ok());
  nlohmann::json out = RunOracle(dir, {w});
  const nlohmann::json& r = out[w.path];
  CheckRows(w, r["hyparquet"], "hyparquet");
  CheckRows(w, r["parquet_wasm"], "parquet-wasm");
  std::map<std::string, nlohmann::json> by_path;
  for (const nlohmann::json& s : r["hyparquet"]["stats"]) by_path[s["path"].get<std::string>()] = s;
  ASSERT_EQ(by_path.size(), 3u);
  EXPECT_EQ(by_path["big"]["computed_min"], "a");
  EXPECT_TRUE(by_path["big"]["min"].is_null());
  EXPECT_TRUE(by_path["big"]["max"].is_null());
  EXPECT_TRUE(by_path["nan"]["computed_min"].is_null());
  EXPECT_TRUE(by_path["nan"]["min"].is_null());
  EXPECT_EQ(by_path["ok"]["min"], "-1");
  EXPECT_EQ(by_path["ok"]["max"], "3");
  for (const auto& [path, s] : by_path) EXPECT_EQ(s["null_count"], "0") << path;
}

// The same files through mhub's own reader: every value back, the schema back (timestamp[s] comes
// back as timestamp[ms], the unit Parquet stores it in), the key/value metadata back.
TEST(ParquetWriteOracle, RandomTablesRoundTripThroughTheReader) {
  TempDir dir;
  std::vector<Written> files = WriteRandomFiles(dir);
  ASSERT_EQ(files.size(), 24u);
  for (const Written& w : files) {
    auto file = ParquetFile::Open(w.path);
    ASSERT_TRUE(file.ok()) << w.desc << ": " << file.status();
    auto table = file->Read();
    ASSERT_TRUE(table.ok()) << w.desc << ": " << table.status();
    ASSERT_EQ(table->num_rows, static_cast<int64_t>(w.rows.size())) << w.desc;
    for (int64_t r = 0; r < table->num_rows; ++r) {
      ASSERT_EQ(WriteCanonicalRow(*table, r), w.rows[static_cast<size_t>(r)])
          << "row " << r << " of " << w.desc << "\nschema:\n"
          << w.schema.ToString();
    }
    EXPECT_EQ(file->schema().metadata, w.metadata) << w.desc;
    std::string expected = w.schema.ToString(), got = file->schema().ToString();
    for (const char* tz : {"", ", tz=UTC"}) {  // seconds are stored as milliseconds
      std::string from = std::string("timestamp[s") + tz + "]", to = std::string("timestamp[ms") + tz + "]";
      for (size_t at; (at = expected.find(from)) != std::string::npos;) expected.replace(at, from.size(), to);
    }
    EXPECT_EQ(got, expected) << w.desc;
  }
}

}  // namespace
}  // namespace mhub::datasets
