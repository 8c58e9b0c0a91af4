// Differential test of the Parquet reader: tests/datasets/oracle/pq_read_gen.mjs writes random
// tables (random schemas, nulls at every nesting level) with hyparquet-writer and re-encodes each
// with parquet-wasm (Apache Arrow's Rust writer) under every codec, v1/v2 pages, dictionary or not
// and every encoding a type allows. We read every file and compare each value with the JSON the
// generator dumped from the values it wrote; then row ranges, projections and streaming.
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

#include "datasets/parquet/metadata_decode.h"
#include "datasets/parquet_canonical.h"
#include "mhub/datasets/parquet.h"
#include "support/test_support.h"

namespace mhub::datasets {
namespace {

using mhub::testing::ReadFileOrDie;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::SourceDir;
using mhub::testing::TempDir;
using mhub::testing::WriteFileOrDie;
using testing::CanonicalValue;

class ParquetOracleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const char* seed = std::getenv("MHUB_PQ_SEED");
    std::string cmd = "cd " + ShellQuote(SourceDir()) + " && node tests/datasets/oracle/pq_read_gen.mjs " +
                      ShellQuote(dir_->path()) + " " + (seed ? seed : "20261207") + " 14";
    auto r = RunCommand(cmd);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    manifest_ = nlohmann::json::parse(ReadFileOrDie(*dir_ / "manifest.json"));
  }
  static void TearDownTestSuite() { delete dir_; }

  static nlohmann::json Expect(const std::string& name) {
    static std::map<std::string, nlohmann::json> cache;
    auto it = cache.find(name);
    if (it == cache.end()) it = cache.emplace(name, nlohmann::json::parse(ReadFileOrDie(*dir_ / name))).first;
    return it->second;
  }

  static TempDir* dir_;
  static nlohmann::json manifest_;
};
TempDir* ParquetOracleTest::dir_ = nullptr;
nlohmann::json ParquetOracleTest::manifest_;

// Rows [begin, end) of `t` against expected rows starting at `first`; cols maps table column ->
// expected column.
void ExpectRows(const Table& t, const nlohmann::json& rows, int64_t first, const std::vector<int>& cols,
                const std::string& what) {
  for (int64_t r = 0; r < t.num_rows; ++r) {
    for (size_t c = 0; c < cols.size(); ++c) {
      nlohmann::json got = CanonicalValue(*t.columns[c], r, testing::CanonicalForm::kReadOracle);
      const nlohmann::json& want = rows[first + r][cols[c]];
      if (got != want) {
        ADD_FAILURE() << what << ": row " << first + r << " column " << t.schema.fields[c].name << ": got "
                      << got.dump() << " want " << want.dump();
        return;
      }
    }
  }
}

TEST_F(ParquetOracleTest, EveryFileValueForValue) {
  ASSERT_GT(manifest_.size(), 100u);
  int failed = 0;
  for (const auto& m : manifest_) {
    std::string what =
        m["file"].get<std::string>() + " (" + m["writer"].get<std::string>() + " " + m["desc"].get<std::string>() + ")";
    int before = ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
    [&] {
      auto f = ParquetFile::Open(*dir_ / m["file"].get<std::string>());
      ASSERT_TRUE(f.ok()) << what << ": " << f.status();
      nlohmann::json e = Expect(m["expect"]);
      ASSERT_EQ(f->num_rows(), static_cast<int64_t>(e["rows"].size())) << what;
      ASSERT_EQ(f->schema().fields.size(), e["columns"].size()) << what;
      auto t = f->Read();
      ASSERT_TRUE(t.ok()) << what << ": " << t.status();
      ASSERT_TRUE(t->Validate().ok()) << what << ": " << t->Validate();
      ASSERT_EQ(t->num_rows, f->num_rows()) << what;
      std::vector<int> cols;
      for (size_t c = 0; c < e["columns"].size(); ++c) cols.push_back(static_cast<int>(c));
      ExpectRows(*t, e["rows"], 0, cols, what);
    }();
    if (::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count() != before) ++failed;
  }
  EXPECT_EQ(failed, 0) << "of " << manifest_.size() << " files";
}

TEST_F(ParquetOracleTest, RowRangesProjectionsAndStreams) {
  std::mt19937 rng(7);
  int checked = 0;
  for (const auto& m : manifest_) {
    nlohmann::json e = Expect(m["expect"]);
    int64_t n = static_cast<int64_t>(e["rows"].size());
    if (n < 50) continue;
    std::string what = m["file"].get<std::string>() + " (" + m["desc"].get<std::string>() + ")";
    SCOPED_TRACE(what);
    auto f = ParquetFile::Open(*dir_ / m["file"].get<std::string>());
    ASSERT_TRUE(f.ok()) << f.status();
    for (int k = 0; k < 3; ++k) {
      ParquetReadOptions o;
      o.row_begin = std::uniform_int_distribution<int64_t>(0, n - 1)(rng);
      o.row_end = std::uniform_int_distribution<int64_t>(o.row_begin, n)(rng);
      std::vector<int> cols;
      int ncols = static_cast<int>(e["columns"].size());
      for (int c = ncols - 1; c >= 0; --c) {
        if (rng() % 2 || (c == 0 && cols.empty())) {
          cols.push_back(c);
          o.columns.push_back(e["columns"][c]);
        }
      }
      auto t = f->Read(o);
      ASSERT_TRUE(t.ok()) << t.status();
      ASSERT_TRUE(t->Validate().ok()) << t->Validate();
      ASSERT_EQ(t->num_rows, o.row_end - o.row_begin);
      ExpectRows(*t, e["rows"], o.row_begin, cols, what + " range");
      // The same range streamed in small batches.
      o.batch_rows = 1 + rng() % 300;
      auto s = f->Stream(o);
      ASSERT_TRUE(s.ok()) << s.status();
      int64_t at = o.row_begin;
      while (true) {
        auto b = (*s)->Next();
        ASSERT_TRUE(b.ok()) << b.status();
        if (!*b) break;
        ASSERT_LE((*b)->num_rows, o.batch_rows);
        ASSERT_GT((*b)->num_rows, 0);
        ExpectRows(**b, e["rows"], at, cols, what + " stream");
        at += (*b)->num_rows;
      }
      EXPECT_EQ(at, o.row_end);
    }
    ++checked;
  }
  EXPECT_GT(checked, 20);
}

// Page skipping, shown by damage: the last page of a flat column is overwritten with garbage; a
// range that ends before it still reads (its pages are never decoded), the whole file does not.
TEST_F(ParquetOracleTest, RangesNeverTouchPagesOutsideThem) {
  int tested = 0;
  for (const auto& m : manifest_) {
    if (tested >= 6) break;
    std::string path = *dir_ / m["file"].get<std::string>();
    std::string bytes = ReadFileOrDie(path);
    uint32_t flen;
    std::memcpy(&flen, bytes.data() + bytes.size() - 8, 4);
    auto meta =
        parquet::DecodeFileMetaData(reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size() - 8 - flen, flen);
    ASSERT_TRUE(meta.ok()) << meta.status();
    if (meta->row_groups.empty() || meta->schema.size() < 2 || meta->schema[1].num_children) continue;
    const parquet::ColumnChunk& cc = meta->row_groups[0].columns[0];
    if (!cc.offset_index_offset || !cc.offset_index_length) continue;
    auto oi = parquet::DecodeOffsetIndex(reinterpret_cast<const uint8_t*>(bytes.data()) + *cc.offset_index_offset,
                                         *cc.offset_index_length);
    ASSERT_TRUE(oi.ok()) << oi.status();
    if (oi->page_locations.size() < 3) continue;
    const parquet::PageLocation& last = oi->page_locations.back();
    std::string what = m["file"].get<std::string>() + " (" + m["desc"].get<std::string>() + ")";
    std::memset(bytes.data() + last.offset, 0xff, last.compressed_page_size);
    std::string damaged = *dir_ / ("damaged_" + m["file"].get<std::string>());
    WriteFileOrDie(damaged, bytes);
    auto f = ParquetFile::Open(damaged);
    ASSERT_TRUE(f.ok()) << what << ": " << f.status();
    ParquetReadOptions o;
    o.row_end = last.first_row_index;
    o.columns = {meta->schema[1].name};
    auto t = f->Read(o);
    ASSERT_TRUE(t.ok()) << what << ": " << t.status();
    nlohmann::json e = Expect(m["expect"]);
    ExpectRows(*t, e["rows"], 0, {0}, what + " before the damaged page");
    o.row_end = -1;
    EXPECT_FALSE(f->Read(o).ok()) << what << ": the damaged page was not read";
    ++tested;
  }
  EXPECT_GT(tested, 0);
}

}  // namespace
}  // namespace mhub::datasets
