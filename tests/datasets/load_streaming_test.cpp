// LoadIterableDataset (streaming=True): a folder with a train split larger than the memory bound
// (Parquet, ~64 MB of incompressible strings) and a small test split (Parquet, 1000-row groups). Streaming yields the
// rows LoadDataset materialises, lazily taken/skipped/filtered/mapped as datasets' IterableDataset
// does, and iterating the large split raises the process's peak RSS (VmHWM, reset through
// /proc/self/clear_refs) by far less than the file's size.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "mhub/datasets/iterable_dataset.h"
#include "mhub/datasets/load.h"
#include "mhub/datasets/parquet.h"
#include "mhub/datasets/value.h"

namespace mhub::datasets {
namespace {

int64_t ProcStatusKb(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stoll(line.substr(key.size()));
  }
  return -1;
}

bool ResetPeakRss() {  // "5" resets VmHWM to the current RSS (Linux 4.0+, proc(5))
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  return static_cast<bool>(out);
}

class LoadStreaming : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(
        (std::filesystem::temp_directory_path() / ("mhub_stream_" + std::to_string(getpid()))).string());
    std::filesystem::create_directories(*dir_ + "/data");
    // train: 64k rows of 1000 random letters (snappy keeps ~all of it), row groups of 4000 rows.
    Schema schema;
    schema.fields = {{"id", Int64()}, {"text", String()}};
    ParquetWriteOptions w;
    w.row_group_rows = 4000;
    auto writer = ParquetWriter::Create(*dir_ + "/data/train-00000-of-00001.parquet", schema, w);
    ASSERT_TRUE(writer.ok()) << writer.status();
    std::mt19937_64 rng(1);
    for (int64_t at = 0; at < kTrainRows; at += 4000) {
      ArrayBuilder id(Int64()), text(String());
      std::string s(1000, 'a');
      for (int64_t r = at; r < at + 4000; ++r) {
        for (char& c : s) c = static_cast<char>('a' + rng() % 26);
        id.AppendInt(r);
        text.AppendBytes(s);
      }
      Table t;
      t.schema = schema;
      t.num_rows = 4000;
      t.columns = {id.Finish(), text.Finish()};
      ASSERT_TRUE(writer->Write(t).ok());
    }
    ASSERT_TRUE(writer->Close().ok());
    // test: 250 small rows with nulls, written in one row group.
    Schema small;
    small.fields = {{"id", Int64()}, {"text", String()}, {"x", Float64()}};
    ArrayBuilder id(Int64()), text(String()), x(Float64());
    for (int i = 0; i < 250; ++i) {
      id.AppendInt(i);
      text.AppendBytes("row " + std::to_string(i));
      if (i % 7 == 0) {
        x.AppendNull();
      } else {
        x.AppendDouble(1.5 * i);
      }
    }
    Table t;
    t.schema = small;
    t.num_rows = 250;
    t.columns = {id.Finish(), text.Finish(), x.Finish()};
    ASSERT_TRUE(WriteParquet(*dir_ + "/data/test-00000-of-00001.parquet", t).ok());
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static constexpr int64_t kTrainRows = 64000;
  static std::string* dir_;
};
std::string* LoadStreaming::dir_ = nullptr;

std::vector<std::string> Rows(const IterableDataset& ds, int64_t batch_rows = 1000) {
  std::vector<std::string> out;
  auto reader = ds.Iter(batch_rows);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return out;
  while (true) {
    auto b = (*reader)->Next();
    EXPECT_TRUE(b.ok()) << b.status();
    if (!b.ok() || !*b) break;
    EXPECT_LE((*b)->num_rows, batch_rows);
    for (int64_t i = 0; i < (*b)->num_rows; ++i) out.push_back(RowToJson(**b, i));
  }
  return out;
}

TEST_F(LoadStreaming, YieldsWhatLoadDatasetMaterialisesLazily) {
  auto streamed = LoadIterableDataset(*dir_);
  ASSERT_TRUE(streamed.ok()) << streamed.status();
  ASSERT_EQ(streamed->splits.size(), 2u);
  EXPECT_EQ(streamed->splits[0].first, "train");
  EXPECT_EQ(streamed->splits[1].first, "test");
  LoadOptions o;
  o.split = "test";
  o.cache_dir = *dir_ + "/cache";
  auto loaded = LoadDataset(*dir_, o);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const Dataset& test = loaded->splits[0].second;
  std::vector<std::string> want;
  for (int64_t i = 0; i < test.num_rows(); ++i) want.push_back(RowToJson(*test.Slice(i, i + 1), 0));
  const IterableDataset& it = *streamed->Find("test");
  EXPECT_EQ(Rows(it, 7), want);
  EXPECT_EQ(Rows(it, 1000), want);  // a second iteration re-reads from the start
  // take / skip / filter / map, lazily, in the order given.
  std::vector<std::string> sub(want.begin() + 10, want.begin() + 40);
  EXPECT_EQ(Rows(it.Skip(10).Take(30), 4), sub);
  std::vector<std::string> even;
  for (size_t i = 0; i < want.size(); i += 2) even.push_back(want[i]);
  EXPECT_EQ(Rows(it.Filter([](const Table& t, int64_t r) { return GetValue(*t.columns[0], r).as_int() % 2 == 0; })),
            even);
  auto mapped = Rows(it.Map([](const Table& t) -> Result<Table> {
                         Table out;
                         out.schema.fields = {t.schema.fields[0]};
                         out.columns = {t.columns[0]};
                         out.num_rows = t.num_rows;
                         return out;
                       }).Take(3));
  EXPECT_EQ(mapped, (std::vector<std::string>{"{\"id\":0}", "{\"id\":1}", "{\"id\":2}"}));
  int64_t n = 0;
  ASSERT_TRUE(it.Take(5)
                  .ForEachRow([&](const Value& row) {
                    EXPECT_EQ(row.Get("id")->as_int(), n++);
                    return Status::OK();
                  })
                  .ok());
  EXPECT_EQ(n, 5);
  // LoadDataset refuses streaming (it builds column files) and names the streaming call.
  LoadOptions s;
  s.streaming = true;
  auto refused = LoadDataset(*dir_, s);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadIterableDataset(*dir_,
                                [] {
                                  LoadOptions x;
                                  x.split = "nope";
                                  return x;
                                }())
                .status()
                .code(),
            StatusCode::kNotFound);
}

TEST_F(LoadStreaming, MemoryStaysBoundedOnASplitLargerThanTheBound) {
  const std::string file = *dir_ + "/data/train-00000-of-00001.parquet";
  const int64_t file_mb = static_cast<int64_t>(std::filesystem::file_size(file) >> 20);
  ASSERT_GE(file_mb, 60);
  auto streamed = LoadIterableDataset(*dir_, [] {
    LoadOptions x;
    x.split = "train";
    return x;
  }());
  ASSERT_TRUE(streamed.ok()) << streamed.status();
  ASSERT_TRUE(ResetPeakRss());
  const int64_t base_kb = ProcStatusKb("VmHWM:");
  auto reader = streamed->splits[0].second.Iter(1000);
  ASSERT_TRUE(reader.ok()) << reader.status();
  int64_t rows = 0, bytes = 0;
  while (true) {
    auto b = (*reader)->Next();
    ASSERT_TRUE(b.ok()) << b.status();
    if (!*b) break;
    const Array& text = *(*b)->columns[1];
    for (int64_t i = 0; i < text.length; ++i) bytes += static_cast<int64_t>(text.Bytes(i).size());
    ASSERT_EQ(GetValue(*(*b)->columns[0], 0).as_int(), rows);
    rows += (*b)->num_rows;
  }
  const int64_t grew_mb = (ProcStatusKb("VmHWM:") - base_kb) >> 10;
  EXPECT_EQ(rows, kTrainRows);
  EXPECT_EQ(bytes, kTrainRows * 1000);
  std::printf("streamed %lld MB file: peak RSS grew %lld MB\n", static_cast<long long>(file_mb),
              static_cast<long long>(grew_mb));
  // The bound: a row group's pages and a few batches, well under half the file.
  EXPECT_LT(grew_mb, 24) << "file " << file_mb << " MB";
}

}  // namespace
}  // namespace mhub::datasets
