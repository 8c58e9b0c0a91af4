// ToJsonl / ToCsv against pandas itself: the oracle builds each 1000-row batch's DataFrame the way
// pyarrow's to_pandas() hands it to pandas (int columns with a null become float64, bool columns
// with a null become object, list cells numpy arrays cut from the batch's child column, structs
// dicts) and calls to_json(orient="records", lines=True) / to_csv(index=False) as datasets does.
#include <gtest/gtest.h>

#include "datasets/dataset_test_util.h"
#include "datasets/export_test_support.h"

namespace mhub::datasets {
namespace {

const char* kPandasOracle = R"PY(
import sys, json
import numpy as np, pandas as pd
rows = [json.loads(l) for l in open(sys.argv[1])]
def fl(v):
    return float("nan") if v == "NaN" or v is None else v
out_json, out_csv = [], []
for start in range(0, len(rows), 1000):
    batch = rows[start:start + 1000]
    cols = {}
    ints = [r["i"] for r in batch]
    cols["i"] = pd.Series([fl(v) for v in ints], dtype="float64") if None in ints else pd.Series(ints, dtype="int64")
    cols["f"] = pd.Series([fl(r["f"]) for r in batch], dtype="float64")
    bools = [r["b"] for r in batch]
    cols["b"] = pd.Series(bools, dtype=object) if None in bools else pd.Series(bools, dtype=bool)
    cols["s"] = pd.Series([r["s"] for r in batch], dtype=object)
    child_null = any(e is None for r in batch if r["li"] is not None for e in r["li"])
    cols["li"] = pd.Series([None if r["li"] is None else
                            np.array([fl(e) for e in r["li"]], dtype="float64") if child_null else np.array(r["li"], dtype="int64")
                            for r in batch], dtype=object)
    cols["ls"] = pd.Series([None if r["ls"] is None else np.array(r["ls"], dtype=object) for r in batch], dtype=object)
    cols["st"] = pd.Series([r["st"] for r in batch], dtype=object)
    cols["f32"] = pd.Series([r["f32"] for r in batch], dtype="float32")
    df = pd.DataFrame(cols)
    j = df.to_json(orient="records", lines=True)
    out_json.append(j if j.endswith("\n") else j + "\n")
    out_csv.append(df.drop(columns=["li", "ls"]).to_csv(index=False, header=(start == 0)))
open(sys.argv[2], "w").write("".join(out_json))
open(sys.argv[3], "w").write("".join(out_csv))
)PY";

TEST(DatasetExport, JsonlAndCsvMatchPandas) {
  testing::TempDir dir;
  Table t = testutil::ExportRows(2600);
  auto ds = Dataset::FromTable(t, std::nullopt, dir / "cache");
  ASSERT_TRUE(ds.ok()) << ds.status();
  std::string rows;
  for (int64_t r = 0; r < t.num_rows; ++r) rows += RowToJson(t, r) + "\n";
  testing::WriteFileOrDie(dir / "rows.jsonl", rows);
  testing::WriteFileOrDie(dir / "oracle.py", kPandasOracle);
  auto res = testing::RunCommand(testing::Python() + " " + testing::ShellQuote(dir / "oracle.py") + " " +
                                 testing::ShellQuote(dir / "rows.jsonl") + " " +
                                 testing::ShellQuote(dir / "want.jsonl") + " " + testing::ShellQuote(dir / "want.csv"));
  ASSERT_EQ(res.exit_code, 0) << res.err;

  ASSERT_TRUE(ds->ToJsonl(dir / "got.jsonl").ok());
  auto got = testing::NonEmptyLines(testing::ReadFileOrDie(dir / "got.jsonl"));
  auto want = testing::NonEmptyLines(testing::ReadFileOrDie(dir / "want.jsonl"));
  ASSERT_EQ(got.size(), want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i)
    if (got[i] != want[i]) {
      ++bad;
      ADD_FAILURE() << "row " << i << "\n ours:   " << got[i] << "\n pandas: " << want[i];
    }
  EXPECT_EQ(testing::ReadFileOrDie(dir / "got.jsonl"), testing::ReadFileOrDie(dir / "want.jsonl"));

  auto no_lists = ds->RemoveColumns({"li", "ls"});
  ASSERT_TRUE(no_lists.ok());
  ASSERT_TRUE(no_lists->ToCsv(dir / "got.csv").ok());
  std::string got_csv = testing::ReadFileOrDie(dir / "got.csv"), want_csv = testing::ReadFileOrDie(dir / "want.csv");
  if (got_csv != want_csv) {
    size_t at = 0;
    while (at < got_csv.size() && at < want_csv.size() && got_csv[at] == want_csv[at]) ++at;
    ADD_FAILURE() << "CSV differs at byte " << at << "\n ours:   " << got_csv.substr(at > 80 ? at - 80 : 0, 200)
                  << "\n pandas: " << want_csv.substr(at > 80 ? at - 80 : 0, 200);
  }
  // A single column: an empty field is quoted ("") as Python's csv writes it.
  auto one = ds->SelectColumns({"s"});
  ASSERT_TRUE(one.ok());
  auto first = one->Select({6, 17, 1});  // "", null, "x/y"
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->ToCsv(dir / "one.csv").ok());
  EXPECT_EQ(testing::ReadFileOrDie(dir / "one.csv"), "s\n\"\"\n\"\"\nx/y\n");
}

}  // namespace
}  // namespace mhub::datasets
