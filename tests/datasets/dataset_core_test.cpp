// Dataset storage and row access: column files in the cache, batches, the indices mapping, caching
// by fingerprint, damaged cache files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "datasets/dataset_test_util.h"

namespace mhub::datasets {
namespace {

using testutil::MakeRows;
using testutil::RowsReader;

TEST(DatasetCore, FromReaderStoresBatchesAndReadsThemBack) {
  testing::TempDir cache;
  RowsReader reader(2500, 700);
  auto ds = Dataset::FromReader(reader, std::nullopt, "", cache.path());
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(ds->num_rows(), 2500);
  EXPECT_EQ(ds->column_names(), (std::vector<std::string>{"id", "text", "label", "score"}));
  Table all = MakeRows(0, 2500);
  // Slices across batch boundaries, whole batches, empty ranges.
  for (auto [b, e] : std::vector<std::pair<int64_t, int64_t>>{{0, 2500}, {0, 700}, {690, 1410}, {2499, 2500}, {5, 5}}) {
    auto t = ds->Slice(b, e);
    ASSERT_TRUE(t.ok()) << t.status();
    ASSERT_TRUE(t->Validate().ok()) << t->Validate();
    ASSERT_EQ(t->num_rows, e - b);
    for (int64_t i = 0; i < e - b; ++i) EXPECT_EQ(RowToJson(*t, i), RowToJson(all, b + i));
  }
  auto row = ds->Row(10);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->ToJson(), R"({"id":10,"text":null,"label":1,"score":2.5})");
  EXPECT_FALSE(ds->Row(2500).ok());
  int64_t seen = 0;
  ASSERT_TRUE(ds->ForEachBatch(333, [&](const Table& t) {
                  EXPECT_LE(t.num_rows, 333);
                  for (int64_t i = 0; i < t.num_rows; ++i) EXPECT_EQ(RowToJson(t, i), RowToJson(all, seen + i));
                  seen += t.num_rows;
                  return Status::OK();
                }).ok());
  EXPECT_EQ(seen, 2500);
  // The column files are in the cache folder, under the dataset's fingerprint.
  EXPECT_TRUE(std::filesystem::exists(cache / ("mhub-column-store/" + ds->fingerprint() + "/data.bin")));
}

TEST(DatasetCore, SameSourceFingerprintReusesTheFiles) {
  testing::TempDir cache;
  RowsReader a(100, 30);
  auto first = Dataset::FromReader(a, std::nullopt, "source-v1", cache.path());
  ASSERT_TRUE(first.ok());
  // A reader that would fail if read: the cached files answer instead.
  class Failing : public TableReader {
   public:
    const Schema& schema() const override { return s_; }
    Result<std::optional<Table>> Next() override { return Status::IOError("must not be read"); }
    Schema s_ = MakeRows(0, 0).schema;
  } failing;
  auto again = Dataset::FromReader(failing, std::nullopt, "source-v1", cache.path());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->num_rows(), 100);
  EXPECT_EQ(again->fingerprint(), "source-v1");
}

TEST(DatasetCore, FailedWriteLeavesNothingBehind) {
  testing::TempDir cache;
  class Breaks : public TableReader {
   public:
    const Schema& schema() const override { return s_; }
    Result<std::optional<Table>> Next() override {
      if (n_++ == 0) return std::optional<Table>(MakeRows(0, 10));
      return Status::Corruption("x.jsonl line 11: bad");
    }
    Schema s_ = MakeRows(0, 0).schema;
    int n_ = 0;
  } breaks;
  auto ds = Dataset::FromReader(breaks, std::nullopt, "fp-broken", cache.path());
  EXPECT_EQ(ds.status().code(), StatusCode::kCorruption);
  std::string root = cache / "mhub-column-store";
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(root)) {
    ++entries;
    ADD_FAILURE() << "left behind: " << e.path();
  }
  EXPECT_EQ(entries, 0);
}

TEST(DatasetCore, DamagedCacheFilesAreCorruptionNotACrash) {
  testing::TempDir cache;
  RowsReader r(50, 50);
  auto ds = Dataset::FromReader(r, std::nullopt, "to-damage", cache.path());
  ASSERT_TRUE(ds.ok());
  std::string dir = cache / "mhub-column-store/to-damage";
  // Truncate the data file: every buffer past the end is refused.
  std::filesystem::resize_file(dir + "/data.bin", 100);
  RowsReader r2(50, 50);
  auto truncated = Dataset::FromReader(r2, std::nullopt, "to-damage", cache.path());
  EXPECT_EQ(truncated.status().code(), StatusCode::kCorruption) << truncated.status();
  // A manifest that is not one.
  testing::WriteFileOrDie(dir + "/manifest.json", "{\"format\": 1}");
  RowsReader r3(50, 50);
  EXPECT_EQ(Dataset::FromReader(r3, std::nullopt, "to-damage", cache.path()).status().code(), StatusCode::kCorruption);
}

TEST(DatasetCore, FeaturesGivenAreAppliedAndKept) {
  testing::TempDir cache;
  Features f = Features::FromSchema(MakeRows(0, 0).schema);
  for (auto& [n, feat] : f.columns)
    if (n == "label") feat = Feature::MakeClassLabel({"a", "b", "c"});
  RowsReader r(20, 20);
  auto ds = Dataset::FromReader(r, f, "", cache.path());
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_TRUE(ds->features() == f);
  // A label past the names is refused as datasets refuses it.
  f.columns[2].second = Feature::MakeClassLabel({"a", "b"});
  RowsReader r2(20, 20);
  EXPECT_EQ(Dataset::FromReader(r2, f, "", cache.path()).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mhub::datasets
