// Min/max skipping (ParquetFile::CandidateRows / FilterRows) against a full scan tested row by row
// (a plain evaluator over Values, written here), on random data and random predicates, with and
// without the page index and statistics; counters show that row groups and pages were skipped.
// And resuming a decoder mid-page: a row range that starts inside a page passes over only that
// page's earlier rows (counted by the cursor), and equals the same rows of a whole decode.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "datasets/parquet/column_reader.h"
#include "datasets/parquet/metadata_decode.h"
#include "datasets/parquet/schema_build.h"
#include "mhub/datasets/parquet.h"
#include "mhub/datasets/value.h"

namespace mhub::datasets {
namespace {

using Op = ParquetPredicate::Op;

std::string TempDir(const std::string& tag) {
  auto dir = std::filesystem::temp_directory_path() / ("mhub_pq_filter_" + tag + "_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

// Columns whose values drift with the row (so pages and row groups hold narrow ranges, as sorted or
// time-ordered data does) and columns of noise; nulls everywhere but the required one.
Table RandomTable(int64_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Schema schema;
  schema.fields = {{"ts", Int64(), false}, {"i", Int32()},  {"u", UInt64()},    {"d", Float64()},
                   {"f", Float32()},       {"s", String()}, {"noise", Int64()}, {"b", Bool()}};
  std::vector<ArrayBuilder> b;
  for (const auto& f : schema.fields) b.emplace_back(f.type);
  for (int64_t r = 0; r < rows; ++r) {
    b[0].AppendInt(r * 3 + static_cast<int64_t>(rng() % 5));
    if (rng() % 15 == 0) {
      b[1].AppendNull();
    } else {
      b[1].AppendInt(static_cast<int64_t>(r / 7) - 500 + static_cast<int64_t>(rng() % 40));
    }
    if (rng() % 20 == 0) {
      b[2].AppendNull();
    } else {
      // Above 2^63: only an unsigned order keeps these in range.
      b[2].AppendUInt((uint64_t{1} << 63) - 5000 + static_cast<uint64_t>(r) + rng() % 100);
    }
    if (rng() % 25 == 0) {
      b[3].AppendNull();
    } else if (rng() % 200 == 0) {
      b[3].AppendDouble(std::nan(""));
    } else {
      b[3].AppendDouble(static_cast<double>(r) / 10.0 - static_cast<double>(rng() % 1000) / 100.0);
    }
    if (r >= rows / 2 && r < rows / 2 + 700) {
      b[4].AppendNull();  // whole pages of nulls
    } else {
      b[4].AppendDouble(static_cast<float>(rng() % 100000) / 8.0f);
    }
    if (rng() % 30 == 0) {
      b[5].AppendNull();
    } else {
      // Drifting prefix, bytes above 0x7f in some values (an unsigned byte order matters).
      std::string s = std::to_string(100000 + r / 50);
      if (rng() % 3 == 0) s += "\xc3\xa9";
      s += std::string(rng() % 4, static_cast<char>('a' + rng() % 26));
      b[5].AppendBytes(s);
    }
    if (rng() % 10 == 0) {
      b[6].AppendNull();
    } else {
      b[6].AppendInt(static_cast<int64_t>(rng() % 2000001) - 1000000);
    }
    if (r % 1000 < 3) {
      b[7].AppendNull();
    } else {
      b[7].AppendBool(r < rows / 3 || rng() % 2 == 0);
    }
  }
  Table t;
  t.schema = schema;
  t.num_rows = rows;
  for (auto& x : b) t.columns.push_back(x.Finish());
  return t;
}

// The plain evaluator: one Value at a time.
bool Reference(const ParquetPredicate& p, const Value& v) {
  if (p.op == Op::kIsNull) return v.is_null();
  if (p.op == Op::kIsNotNull) return !v.is_null();
  if (v.is_null()) return false;
  int c1, c2 = 0;
  auto cmp = [&](const Value& k) -> int {
    if (v.kind() == Value::Kind::kString || v.kind() == Value::Kind::kBinary) {
      int c = v.as_string().compare(k.as_string());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    long double x = v.kind() == Value::Kind::kUInt   ? static_cast<long double>(v.as_uint())
                    : v.kind() == Value::Kind::kInt  ? static_cast<long double>(v.as_int())
                    : v.kind() == Value::Kind::kBool ? (v.as_bool() ? 1.0L : 0.0L)
                                                     : static_cast<long double>(v.as_double());
    long double y = k.kind() == Value::Kind::kUInt   ? static_cast<long double>(k.as_uint())
                    : k.kind() == Value::Kind::kInt  ? static_cast<long double>(k.as_int())
                    : k.kind() == Value::Kind::kBool ? (k.as_bool() ? 1.0L : 0.0L)
                                                     : static_cast<long double>(k.as_double());
    if (std::isnan(x) || std::isnan(y)) return 2;  // unordered
    return x < y ? -1 : x > y ? 1 : 0;
  };
  c1 = cmp(p.value);
  if (c1 == 2) return false;
  switch (p.op) {
    case Op::kEq:
      return c1 == 0;
    case Op::kLt:
      return c1 < 0;
    case Op::kLe:
      return c1 <= 0;
    case Op::kGt:
      return c1 > 0;
    case Op::kGe:
      return c1 >= 0;
    case Op::kBetween:
      c2 = cmp(p.value2);
      return c2 != 2 && c1 >= 0 && c2 <= 0;
    default:
      return false;
  }
}

// A constant for column `col`: usually a value of the table (so equality finds rows), sometimes
// one past its range.
Value RandomConstant(const Table& t, int col, std::mt19937_64& rng) {
  const Array& a = *t.columns[static_cast<size_t>(col)];
  for (int tries = 0; tries < 20; ++tries) {
    Value v = GetValue(a, static_cast<int64_t>(rng() % static_cast<uint64_t>(t.num_rows)));
    if (v.is_null()) continue;
    if (v.kind() == Value::Kind::kDouble && std::isnan(v.as_double())) continue;
    switch (rng() % 6) {
      case 0:
        if (v.kind() == Value::Kind::kInt) return Value::Int(v.as_int() + 1);
        if (v.kind() == Value::Kind::kDouble) return Value::Double(v.as_double() + 0.05);
        if (v.kind() == Value::Kind::kString) return Value::String(v.as_string() + "a");
        break;
      case 1:
        if (v.kind() == Value::Kind::kInt) return Value::Double(static_cast<double>(v.as_int()) - 0.5);
        break;
      default:
        break;
    }
    return v;
  }
  return Value::Int(0);
}

void ExpectFilterEqualsScan(const std::string& path, const Table& t, uint64_t seed, ParquetSkipCounters* total) {
  auto f = ParquetFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status();
  std::mt19937_64 rng(seed);
  const Op ops[] = {Op::kEq, Op::kLt, Op::kLe, Op::kGt, Op::kGe, Op::kBetween, Op::kIsNull, Op::kIsNotNull};
  for (int iter = 0; iter < 240; ++iter) {
    const int col = static_cast<int>(rng() % t.schema.fields.size());
    ParquetPredicate p;
    p.column = t.schema.fields[static_cast<size_t>(col)].name;
    p.op = ops[rng() % 8];
    p.value = RandomConstant(t, col, rng);
    p.value2 = RandomConstant(t, col, rng);
    if (p.op == Op::kBetween && rng() % 4 != 0 && Reference({p.column, Op::kGt, p.value2, {}}, p.value)) {
      std::swap(p.value, p.value2);  // mostly low <= high; sometimes an empty interval
    }
    std::vector<int64_t> want;
    const Array& a = *t.columns[static_cast<size_t>(col)];
    for (int64_t r = 0; r < t.num_rows; ++r) {
      if (Reference(p, GetValue(a, r))) want.push_back(r);
    }
    ParquetSkipCounters c;
    auto got = f->FilterRows(p, &c);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(*got, want) << p.column << " op " << static_cast<int>(p.op) << " " << p.value.ToJson() << " "
                          << p.value2.ToJson();
    // The ranges hold every match and count only what was read.
    auto ranges = f->CandidateRows(p);
    ASSERT_TRUE(ranges.ok());
    int64_t covered = 0;
    for (const auto& r : *ranges) covered += r.end - r.begin;
    EXPECT_EQ(covered, c.rows_read);
    total->row_groups += c.row_groups;
    total->row_groups_skipped += c.row_groups_skipped;
    total->pages += c.pages;
    total->pages_skipped += c.pages_skipped;
    total->rows_read += c.rows_read;
  }
}

struct FilterCase {
  bool page_index;
  bool statistics;
  bool v2;
};

class ParquetFilter : public ::testing::TestWithParam<FilterCase> {};

TEST_P(ParquetFilter, SkippingEqualsFullScanRowByRow) {
  const FilterCase fc = GetParam();
  const std::string dir = TempDir(std::to_string(fc.page_index) + std::to_string(fc.statistics));
  const std::string path = dir + "/t.parquet";
  Table t = RandomTable(20000, 11);
  ParquetWriteOptions w;
  w.row_group_rows = 4000;
  w.data_page_bytes = 2 << 10;  // many pages per column chunk
  w.page_index = fc.page_index;
  w.statistics = fc.statistics;
  w.data_page_v2 = fc.v2;
  ASSERT_TRUE(WriteParquet(path, t, w).ok());
  ParquetSkipCounters total;
  ExpectFilterEqualsScan(path, t, 5 + fc.page_index, &total);
  std::printf("row groups %lld (skipped %lld), pages %lld (skipped %lld), rows read %lld of %lld\n",
              static_cast<long long>(total.row_groups), static_cast<long long>(total.row_groups_skipped),
              static_cast<long long>(total.pages), static_cast<long long>(total.pages_skipped),
              static_cast<long long>(total.rows_read), static_cast<long long>(240 * t.num_rows));
  // Without statistics only `ts IS NULL` skips (ts is a required column).
  EXPECT_GT(total.row_groups_skipped, fc.statistics ? 100 : 0);
  if (fc.page_index) {
    EXPECT_GT(total.pages_skipped, total.pages / 10);
  } else {
    EXPECT_EQ(total.pages, 0);
  }
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Layouts, ParquetFilter,
                         ::testing::Values(FilterCase{true, true, false}, FilterCase{true, true, true},
                                           FilterCase{false, true, false}, FilterCase{false, false, true}));

TEST(ParquetFilter, ATimeRangeReadsOnlyItsPages) {
  const std::string dir = TempDir("range");
  const std::string path = dir + "/t.parquet";
  Table t = RandomTable(20000, 3);
  ParquetWriteOptions w;
  w.row_group_rows = 5000;
  w.data_page_bytes = 1 << 10;
  ASSERT_TRUE(WriteParquet(path, t, w).ok());
  auto f = ParquetFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status();
  ParquetPredicate p{"ts", Op::kBetween, Value::Int(30000), Value::Int(30300)};
  ParquetSkipCounters c;
  auto rows = f->FilterRows(p, &c);
  ASSERT_TRUE(rows.ok()) << rows.status();
  // ts = 3r + [0, 5): rows 9999..10100 or so; one row group of four, a page or two of it.
  ASSERT_FALSE(rows->empty());
  EXPECT_EQ(c.row_groups, 4);
  EXPECT_EQ(c.row_groups_skipped, 3);
  EXPECT_GT(c.pages, 5);
  EXPECT_LE(c.pages - c.pages_skipped, 3);
  EXPECT_LT(c.rows_read, 800);
  std::filesystem::remove_all(dir);
}

TEST(ParquetFilter, BadPredicatesAreRefused) {
  const std::string dir = TempDir("bad");
  const std::string path = dir + "/t.parquet";
  ASSERT_TRUE(WriteParquet(path, RandomTable(100, 1)).ok());
  auto f = ParquetFile::Open(path);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->FilterRows({"nope", Op::kEq, Value::Int(1), {}}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(f->FilterRows({"s", Op::kEq, Value::Int(1), {}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(f->FilterRows({"i", Op::kLt, Value::String("x"), {}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(f->FilterRows({"d", Op::kEq, Value::Double(std::nan("")), {}})->empty());
  std::filesystem::remove_all(dir);
}

// Resuming mid-page: the cursor of one column chunk, read with internal types.
struct Chunk {
  std::string bytes;
  parquet::FileMetaData meta;
  parquet::ParquetSchema schema;
};

Chunk LoadChunk(const std::string& path) {
  Chunk c;
  std::ifstream in(path, std::ios::binary);
  c.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  uint32_t len;
  std::memcpy(&len, c.bytes.data() + c.bytes.size() - 8, 4);
  auto m =
      parquet::DecodeFileMetaData(reinterpret_cast<const uint8_t*>(c.bytes.data()) + c.bytes.size() - 8 - len, len);
  EXPECT_TRUE(m.ok());
  c.meta = *m;
  auto s = parquet::BuildSchema(c.meta);
  EXPECT_TRUE(s.ok());
  c.schema = std::move(s).value();
  return c;
}

parquet::ChunkRequest RequestOf(const Chunk& c, int leaf, int64_t begin, int64_t end) {
  parquet::ChunkRequest r;
  r.file = reinterpret_cast<const uint8_t*>(c.bytes.data());
  uint32_t len;
  std::memcpy(&len, c.bytes.data() + c.bytes.size() - 8, 4);
  r.data_end = c.bytes.size() - 8 - len;
  r.chunk = &c.meta.row_groups[0].columns[static_cast<size_t>(leaf)];
  r.leaf = &c.schema.leaves[static_cast<size_t>(leaf)];
  r.row_group_rows = c.meta.row_groups[0].num_rows;
  r.row_begin = begin;
  r.row_end = end;
  return r;
}

TEST(ParquetResume, ARangeInsideAPagePassesOnlyThatPagesEarlierRows) {
  const std::string dir = TempDir("resume");
  for (bool v2 : {false, true}) {
    const std::string path = dir + "/t.parquet";
    Schema schema;
    schema.fields = {{"x", Int64()}, {"s", String()}, {"l", List(Int32())}};
    std::vector<ArrayBuilder> b;
    for (const auto& f : schema.fields) b.emplace_back(f.type);
    std::mt19937_64 rng(4);
    const int64_t rows = 20000;
    for (int64_t r = 0; r < rows; ++r) {
      if (r % 11 == 0) {
        b[0].AppendNull();
      } else {
        b[0].AppendInt(static_cast<int64_t>(rng()));
      }
      b[1].AppendBytes("w" + std::to_string(rng() % 50));
      b[2].StartList();
      for (uint64_t k = rng() % 4; k > 0; --k) b[2].Child(0).AppendInt(static_cast<int32_t>(rng() % 100));
    }
    Table t;
    t.schema = schema;
    t.num_rows = rows;
    for (auto& x : b) t.columns.push_back(x.Finish());
    ParquetWriteOptions w;
    w.row_group_rows = rows;
    w.data_page_bytes = 8 << 10;
    w.page_index = false;  // pages found by walking the headers
    w.data_page_v2 = v2;
    ASSERT_TRUE(WriteParquet(path, t, w).ok());
    Chunk c = LoadChunk(path);
    // Leaves: x, s, l.list.element. Nested v1 pages cannot be skipped by their headers (rows are
    // counted from the levels), so the list column is checked with v2 pages only.
    for (int leaf : {0, 1, 2}) {
      if (leaf == 2 && !v2) continue;
      parquet::LeafData whole;
      ASSERT_TRUE(parquet::ReadColumnChunk(RequestOf(c, leaf, 0, rows), &whole).ok());
      for (int64_t begin : {int64_t{7}, int64_t{4321}, int64_t{12345}, rows - 3}) {
        parquet::ChunkCursor cursor(RequestOf(c, leaf, begin, rows), nullptr);
        parquet::LeafData part;
        ASSERT_TRUE(cursor.Read(std::min<int64_t>(100, rows - begin), &part).ok());
        const auto& k = cursor.counters();
        // The page holding `begin` (and the next one when the 100 rows cross into it); none before.
        EXPECT_LE(k.pages_opened, 2) << "leaf " << leaf << " begin " << begin << " v2 " << v2;
        // Entries passed over are those of the opened page before `begin`: fewer than a page.
        EXPECT_LT(k.entries_passed, 3000) << "leaf " << leaf << " begin " << begin;
        // The rows read equal the same rows of the whole decode (levels and values).
        int64_t row = -1, e0 = -1, e1 = whole.entries;
        for (int64_t e = 0; e < whole.entries; ++e) {
          if (whole.rep.empty() || whole.rep[e] == 0) {
            ++row;
            if (row == begin) e0 = e;
            if (row == begin + std::min<int64_t>(100, rows - begin)) {
              e1 = e;
              break;
            }
          }
        }
        ASSERT_GE(e0, 0);
        ASSERT_EQ(part.entries, e1 - e0);
        int64_t v0 = 0, v1 = 0;
        for (int64_t e = 0; e < e1; ++e) {
          // A spread leaf (flat nullable) holds a value slot for every entry.
          bool present =
              whole.spread || whole.def.empty() || whole.def[e] == c.schema.leaves[static_cast<size_t>(leaf)].max_def;
          if (e < e0) v0 += present;
          v1 += present;
        }
        ASSERT_EQ(part.spread, whole.spread);
        ASSERT_EQ(part.values.count, v1 - v0);
        for (int64_t e = e0; e < e1; ++e) {
          if (!whole.def.empty()) {
            ASSERT_EQ(part.def[e - e0], whole.def[e]);
          }
          if (!whole.rep.empty()) {
            ASSERT_EQ(part.rep[e - e0], whole.rep[e]);
          }
        }
        if (part.values.is_byte_array()) {
          for (int64_t v = v0; v <= v1; ++v) {
            ASSERT_EQ(part.values.offsets[v - v0], whole.values.offsets[v] - whole.values.offsets[v0]);
          }
          ASSERT_EQ(0, std::memcmp(part.values.bytes.data(), whole.values.bytes.data() + whole.values.offsets[v0],
                                   part.values.bytes.size()));
        } else {
          const size_t wd = static_cast<size_t>(whole.values.width);
          ASSERT_EQ(part.values.fixed.size(), (v1 - v0) * wd);
          ASSERT_EQ(
              0, std::memcmp(part.values.fixed.data(), whole.values.fixed.data() + v0 * wd, part.values.fixed.size()));
        }
      }
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mhub::datasets
