// Bad input for the Parquet reader: hand-made files with one defect each (parquet_handmade.h) and
// damaged copies of a real file. Each must give a clear Corruption/Unsupported that names the file
// (and where there is one, the row group and column), never a crash or an unbounded allocation.
#include <gtest/gtest.h>

#include <cstring>

#include "datasets/parquet_handmade.h"
#include "mhub/datasets/parquet.h"

namespace mhub::datasets {
namespace {

using testing::BuildHandmadeParquet;
using testing::HandmadeColumn;

Buffer Bytes(const std::string& s) { return Buffer::FromVector(std::vector<uint8_t>(s.begin(), s.end())); }

Result<Table> ReadAll(const std::string& bytes) {
  auto f = ParquetFile::OpenBuffer(Bytes(bytes), "bad.parquet");
  if (!f.ok()) return f.status();
  return f->Read();
}

std::vector<int32_t> Column(const Table& t) {
  std::vector<int32_t> out;
  for (int64_t i = 0; i < t.num_rows; ++i) out.push_back(t.columns[0]->Value<int32_t>(i));
  return out;
}

TEST(ParquetCorrupt, HandmadeFileReadsWhenIntact) {
  // The builder itself must make valid files, or the failures below prove nothing.
  HandmadeColumn plain;
  plain.values = {5, -7, 9};
  auto t = ReadAll(BuildHandmadeParquet(plain));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(Column(*t), (std::vector<int32_t>{5, -7, 9}));

  HandmadeColumn dict;
  dict.optional = true;
  dict.dictionary = {100, 200, 300};
  dict.indices = {2, 0, 1, 1, 2};
  t = ReadAll(BuildHandmadeParquet(dict));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(Column(*t), (std::vector<int32_t>{300, 100, 200, 200, 300}));
}

void ExpectError(const std::string& bytes, StatusCode code, const std::string& needle) {
  auto t = ReadAll(bytes);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), code) << t.status();
  EXPECT_NE(t.status().message().find("bad.parquet"), std::string::npos) << t.status();
  EXPECT_NE(t.status().message().find(needle), std::string::npos) << t.status();
}

TEST(ParquetCorrupt, BadDictionaryIndex) {
  HandmadeColumn c;
  c.dictionary = {1, 2, 3};
  c.indices = {0, 1, 70, 2};
  ExpectError(BuildHandmadeParquet(c), StatusCode::kCorruption, "row group 0, column 'x': page at byte");
  ExpectError(BuildHandmadeParquet(c), StatusCode::kCorruption, "dictionary index 70 past the dictionary's 3 values");
}

TEST(ParquetCorrupt, DictionaryPageMissing) {
  HandmadeColumn c;
  c.indices = {0, 1};
  ExpectError(BuildHandmadeParquet(c), StatusCode::kCorruption, "without a dictionary page");
}

TEST(ParquetCorrupt, PageSizePastTheEnd) {
  HandmadeColumn c;
  c.values = {1, 2, 3};
  c.page_size_delta = 1 << 20;
  ExpectError(BuildHandmadeParquet(c), StatusCode::kCorruption, "runs past its column chunk");
  c.page_size_delta = 0;
  c.chunk_size_delta = 1 << 30;
  ExpectError(BuildHandmadeParquet(c), StatusCode::kCorruption, "lies outside the file");
}

TEST(ParquetCorrupt, HugeDeclaredSizesAllocateNothing) {
  // Two billion values declared in a 12-byte page: refused before anything is reserved.
  HandmadeColumn c;
  c.values = {1, 2, 3};
  c.page_num_values = 2000000000;
  ExpectError(BuildHandmadeParquet(c), StatusCode::kCorruption, "page declares 2000000000 values");
  // A dictionary page claiming two billion entries.
  HandmadeColumn d;
  d.dictionary = {1, 2};
  d.indices = {0, 1};
  d.dictionary_num_values = 2000000000;
  ExpectError(BuildHandmadeParquet(d), StatusCode::kCorruption, "dictionary");
  // A row count the pages do not hold.
  HandmadeColumn r;
  r.values = {1, 2, 3};
  r.num_rows = int64_t{1} << 40;
  ExpectError(BuildHandmadeParquet(r), StatusCode::kCorruption, "row group 0");
}

TEST(ParquetCorrupt, UnknownCodec) {
  HandmadeColumn c;
  c.values = {1, 2, 3};
  c.codec = 42;
  ExpectError(BuildHandmadeParquet(c), StatusCode::kUnsupported, "unknown codec 42");
  c.codec = 1;  // SNAPPY over bytes that are not snappy
  ExpectError(BuildHandmadeParquet(c), StatusCode::kCorruption, "SNAPPY");
}

TEST(ParquetCorrupt, BadFooter) {
  HandmadeColumn c;
  c.values = {1, 2, 3};
  std::string good = BuildHandmadeParquet(c);
  // Not Parquet at all / too short.
  ExpectError("hello", StatusCode::kCorruption, "too small");
  ExpectError(std::string(64, 'x'), StatusCode::kCorruption, "PAR1");
  // Footer length larger than the file.
  std::string big = good;
  uint32_t len = 1u << 30;
  std::memcpy(&big[big.size() - 8], &len, 4);
  ExpectError(big, StatusCode::kCorruption, "footer of 1073741824 bytes");
  // Truncated: every prefix that keeps the tail magic off fails cleanly; cut footers too.
  for (size_t n = 0; n < good.size(); ++n) {
    auto t = ReadAll(good.substr(0, n));
    EXPECT_FALSE(t.ok()) << n;
  }
  // Every single-byte change of the footer: an error or a table, never a crash.
  uint32_t flen;
  std::memcpy(&flen, &good[good.size() - 8], 4);
  for (size_t at = good.size() - 8 - flen; at < good.size() - 8; ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string b = good;
      b[at] = static_cast<char>(b[at] ^ (1 << bit));
      auto t = ReadAll(b);
      if (t.ok()) {
        EXPECT_TRUE(t->Validate().ok());
      } else {
        EXPECT_NE(t.status().message().find("bad.parquet"), std::string::npos) << t.status();
      }
    }
  }
}

TEST(ParquetCorrupt, FooterRowCountDisagrees) {
  HandmadeColumn c;
  c.values = {1, 2, 3};
  c.num_rows = 5;
  ExpectError(BuildHandmadeParquet(c), StatusCode::kCorruption, "row group 0");
}

}  // namespace
}  // namespace mhub::datasets
