// Dataset::ToParquet: a mapped, cast and shuffled dataset written through the ParquetWriter, read back
// with the ParquetFile reader value for value, its Features recovered from the `huggingface` metadata.
#include <gtest/gtest.h>

#include "datasets/dataset_test_util.h"
#include "datasets/export_test_support.h"
#include "mhub/base/json.h"
#include "mhub/datasets/parquet.h"

namespace mhub::datasets {
namespace {

TEST(DatasetExport, ParquetCarriesFeaturesAndReadsBack) {
  testing::TempDir dir;
  Table t = testutil::ExportRows(2100);
  Features f = Features::FromSchema(t.schema);
  auto ds = Dataset::FromTable(t, f, dir / "cache");
  ASSERT_TRUE(ds.ok());
  Dataset::MapOptions batched;
  batched.batched = true;
  auto labeled = ds->Map(
      [](const Table& in) -> Result<Table> {
        ArrayBuilder b(Int64());
        for (int64_t r = 0; r < in.num_rows; ++r) b.AppendInt(GetValue(*in.columns[0], r).as_int() % 2 == 0 ? 1 : 0);
        Table out;
        out.schema.fields = {{"label", Int64()}};
        out.columns = {b.Finish()};
        out.num_rows = in.num_rows;
        return out;
      },
      batched);
  ASSERT_TRUE(labeled.ok()) << labeled.status();
  auto cl = labeled->CastColumn("label", Feature::MakeClassLabel({"odd", "even"}));
  ASSERT_TRUE(cl.ok()) << cl.status();
  auto shuffled = cl->Shuffle(5);
  ASSERT_TRUE(shuffled.ok());
  ASSERT_TRUE(shuffled->ToParquet(dir / "out.parquet").ok());
  auto file = ParquetFile::Open(dir / "out.parquet");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->num_rows(), 2100);
  EXPECT_EQ(file->num_row_groups(), 3);  // 1000-row groups
  EXPECT_TRUE(Features::FromSchema(file->schema()) == shuffled->features())
      << Features::FromSchema(file->schema()).ToJson();
  auto back = file->Read();
  ASSERT_TRUE(back.ok()) << back.status();
  auto mine = shuffled->Slice(0, 2100);
  ASSERT_TRUE(mine.ok());
  for (int64_t r = 0; r < 2100; ++r) ASSERT_EQ(RowToJson(*back, r), RowToJson(*mine, r)) << r;
}

// An outside reader (hyparquet) sees the same rows and the `huggingface` metadata datasets reads.
TEST(DatasetExport, ParquetReadByHyparquet) {
  testing::TempDir dir;
  auto ds = Dataset::FromTable(testutil::MakeRows(0, 1500), std::nullopt, dir / "cache");
  ASSERT_TRUE(ds.ok());
  auto labeled = ds->CastColumn("label", Feature::MakeClassLabel({"a", "b", "c"}));
  ASSERT_TRUE(labeled.ok());
  auto picked = labeled->SelectColumns({"id", "text", "label"});
  ASSERT_TRUE(picked.ok());
  auto sorted = picked->Sort("id", true);
  ASSERT_TRUE(sorted.ok());
  ASSERT_TRUE(sorted->ToParquet(dir / "out.parquet").ok());
  auto r = testing::RunCommand(
      "node " + testing::ShellQuote(testing::SourceDir() + "/tests/datasets/oracle/dsload_hyparquet_rows.mjs") + " " +
      testing::ShellQuote(dir / "out.parquet"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = testing::NonEmptyLines(r.out);
  ASSERT_EQ(lines.size(), 1501u);
  auto mine = sorted->Slice(0, 1500);
  ASSERT_TRUE(mine.ok());
  for (int64_t i = 0; i < 1500; ++i) ASSERT_EQ(lines[static_cast<size_t>(i)], RowToJson(*mine, i)) << i;
  auto kv = nlohmann::json::parse(lines.back());
  EXPECT_EQ(kv["kv"]["huggingface"].get<std::string>(), sorted->features().ToHuggingfaceMetadata());
  EXPECT_EQ(kv["kv"]["huggingface"].get<std::string>(),
            R"({"info": {"features": {"id": {"dtype": "int64", "_type": "Value"}, "text": {"dtype": "string", )"
            R"("_type": "Value"}, "label": {"names": ["a", "b", "c"], "_type": "ClassLabel"}}}})");
}

}  // namespace
}  // namespace mhub::datasets
