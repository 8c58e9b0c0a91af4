// A dataset of 2M rows (~260 MB of column data) goes through FromReader, a batched map and a filter
// while the process's anonymous memory stays flat: rows live in memory-mapped cache files, batches
// are streamed, indices are written to files. Measured as RssAnon (mapped file pages are the OS's
// page cache, reclaimable, and not counted there).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "mhub/datasets/dataset.h"
#include "support/test_support.h"

namespace mhub::datasets {
namespace {

int64_t RssAnonKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("RssAnon:", 0) == 0) return std::stoll(line.substr(8));
  return -1;
}

class WideRows : public TableReader {
 public:
  explicit WideRows(int64_t n) : n_(n) { schema_.fields = {{"id", Int64()}, {"text", String()}}; }
  const Schema& schema() const override { return schema_; }
  Result<std::optional<Table>> Next() override {
    if (at_ >= n_) return std::optional<Table>();
    int64_t e = std::min(n_, at_ + 8192);
    ArrayBuilder id(Int64()), text(String());
    std::string pad(100, 'x');
    for (int64_t i = at_; i < e; ++i) {
      id.AppendInt(i);
      text.AppendBytes(std::to_string(i) + pad);
    }
    Table t;
    t.schema = schema_;
    t.columns = {id.Finish(), text.Finish()};
    t.num_rows = e - at_;
    at_ = e;
    return std::optional<Table>(std::move(t));
  }

 private:
  int64_t n_, at_ = 0;
  Schema schema_;
};

// Anonymous memory growth (KiB) over load + map + filter + a full read of `n` rows.
int64_t Pipeline(int64_t n, const std::string& cache) {
  int64_t before = RssAnonKb();
  int64_t peak = before;
  WideRows reader(n);
  auto ds = Dataset::FromReader(reader, std::nullopt, "", cache);
  EXPECT_TRUE(ds.ok()) << ds.status();
  peak = std::max(peak, RssAnonKb());
  Dataset::MapOptions o;
  o.batched = true;
  o.batch_size = 10000;
  auto mapped = ds->Map(
      [](const Table& in) -> Result<Table> {
        ArrayBuilder len(Int64());
        for (int64_t i = 0; i < in.num_rows; ++i) len.AppendInt(static_cast<int64_t>(in.columns[1]->Bytes(i).size()));
        Table out;
        out.schema.fields = {{"len", Int64()}};
        out.columns = {len.Finish()};
        out.num_rows = in.num_rows;
        return out;
      },
      o);
  EXPECT_TRUE(mapped.ok()) << mapped.status();
  peak = std::max(peak, RssAnonKb());
  auto kept = mapped->Filter([](const Value& row) -> Result<bool> { return row.Get("id")->as_int() % 3 == 0; });
  EXPECT_TRUE(kept.ok()) << kept.status();
  peak = std::max(peak, RssAnonKb());
  EXPECT_EQ(kept->num_rows(), (n + 2) / 3);
  int64_t sum = 0;
  EXPECT_TRUE(kept->ForEachBatch(10000,
                                 [&](const Table& t) {
                                   for (int64_t i = 0; i < t.num_rows; ++i) sum += t.columns[2]->Value<int64_t>(i);
                                   return Status::OK();
                                 })
                  .ok());
  EXPECT_GT(sum, 0);
  peak = std::max(peak, RssAnonKb());
  return peak - before;
}

TEST(DatasetMemory, TwoMillionRowsThroughMapAndFilterWithFlatAnonymousMemory) {
  ASSERT_GT(RssAnonKb(), 0) << "needs /proc/self/status RssAnon";
  testing::TempDir cache;
  int64_t small = Pipeline(200000, cache.path());
  int64_t large = Pipeline(2000000, cache.path());
  std::printf("RssAnon growth: 200k rows %lld KiB, 2M rows %lld KiB (2M rows hold ~%d MiB of column data)\n",
              static_cast<long long>(small), static_cast<long long>(large), 2000000 * 123 / (1 << 20));
  // Ten times the rows may not cost more than a little more memory (the manifest of batch offsets).
  EXPECT_LT(large, small + 32 * 1024);
  EXPECT_LT(large, 96 * 1024);
}

}  // namespace
}  // namespace mhub::datasets
