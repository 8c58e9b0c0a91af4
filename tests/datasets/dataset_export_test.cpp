// ToJsonl / ToCsv against pandas itself: the oracle builds each 1000-row batch's DataFrame the way
// pyarrow's to_pandas() hands it to pandas (int columns with a null become float64, bool columns
// with a null become object, list cells numpy arrays cut from the batch's child column, structs
// dicts) and calls to_json(orient="records", lines=True) / to_csv(index=False) as datasets does.
#include <gtest/gtest.h>

#include <cmath>

#include "datasets/dataset_test_util.h"

namespace mhub::datasets {
namespace {

Table ExportRows(int64_t n) {
  Table t;
  auto st = Struct({{"a", Int64()}, {"b", String()}});
  t.schema.fields = {{"i", Int64()},        {"f", Float64()},       {"b", Bool()}, {"s", String()},
                     {"li", List(Int64())}, {"ls", List(String())}, {"st", st},    {"f32", Float32()}};
  ArrayBuilder i(Int64()), f(Float64()), b(Bool()), s(String()), li(List(Int64())), ls(List(String())), sb(st),
      f32(Float32());
  static const char* kStrings[] = {"plain", "x/y",    "é 日本 🙂", "a\"b",        "comma, here", "line\nbreak",
                                   "",      "tab\tq", "\x01ctl",        "back\\slash", " lead",       "<&>"};
  for (int64_t r = 0; r < n; ++r) {
    if (r >= 1000 && r < 2000 && r % 97 == 5)
      i.AppendNull();  // only the second batch has null ints
    else
      i.AppendInt(r * 7 - 3000);
    if (r % 11 == 0)
      f.AppendNull();
    else if (r % 13 == 0)
      f.AppendDouble(NAN);
    else
      f.AppendDouble(std::pow(-1.7, static_cast<double>(r % 40)) / 3.0 + static_cast<double>(r) * 1e-7);
    if (r < 1000 && r % 50 == 1)
      b.AppendNull();  // only the first batch has null bools
    else
      b.AppendBool(r % 3 == 0);
    if (r % 17 == 0)
      s.AppendNull();
    else
      s.AppendBytes(kStrings[r % 12]);
    if (r % 23 == 0) {
      li.AppendNull();
    } else {
      li.StartList();
      for (int64_t k = 0; k < r % 4; ++k) {
        if (r >= 2000 && k == 2)
          li.Child(0).AppendNull();  // third batch: null elements
        else
          li.Child(0).AppendInt(r + k);
      }
    }
    ls.StartList();
    for (int64_t k = 0; k < r % 3; ++k) ls.Child(0).AppendBytes(kStrings[(r + k) % 12]);
    if (r % 19 == 0) {
      sb.AppendNull();
    } else {
      sb.AppendStructValid();
      sb.Child(0).AppendInt(r);
      if (r % 2)
        sb.Child(1).AppendNull();
      else
        sb.Child(1).AppendBytes(kStrings[r % 12]);
    }
    f32.AppendDouble(static_cast<double>(r) / 10.0);
  }
  t.columns = {i.Finish(), f.Finish(), b.Finish(), s.Finish(), li.Finish(), ls.Finish(), sb.Finish(), f32.Finish()};
  t.num_rows = n;
  return t;
}

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
  Table t = ExportRows(2600);
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
