// Helpers for the Dataset tests: generated tables/readers and a Python oracle runner.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mhub/datasets/dataset.h"
#include "support/test_support.h"

namespace mhub::datasets::testutil {

// Rows i = begin..end-1: id int64 = i, text string = "row <i>" (null every 7th), label int64 = i % 3,
// score float64 = i / 4.0.
inline Table MakeRows(int64_t begin, int64_t end) {
  Table t;
  t.schema.fields = {{"id", Int64()}, {"text", String()}, {"label", Int64()}, {"score", Float64()}};
  ArrayBuilder id(Int64()), text(String()), label(Int64()), score(Float64());
  for (int64_t i = begin; i < end; ++i) {
    id.AppendInt(i);
    if (i % 7 == 3)
      text.AppendNull();
    else
      text.AppendBytes("row " + std::to_string(i));
    label.AppendInt(i % 3);
    score.AppendDouble(static_cast<double>(i) / 4.0);
  }
  t.columns = {id.Finish(), text.Finish(), label.Finish(), score.Finish()};
  t.num_rows = end - begin;
  return t;
}

// MakeRows over [0, n) in batches of `batch` rows, generated on demand (nothing held).
class RowsReader : public TableReader {
 public:
  RowsReader(int64_t n, int64_t batch) : n_(n), batch_(batch) { schema_ = MakeRows(0, 0).schema; }
  const Schema& schema() const override { return schema_; }
  Result<std::optional<Table>> Next() override {
    if (at_ >= n_) return std::optional<Table>();
    int64_t e = std::min(n_, at_ + batch_);
    Table t = MakeRows(at_, e);
    at_ = e;
    return std::optional<Table>(std::move(t));
  }

 private:
  int64_t n_, batch_, at_ = 0;
  Schema schema_;
};

// Runs `script` with /usr/bin/python3 (numpy available) and `input` on stdin; the stdout lines.
inline std::vector<std::string> RunPython(const std::string& script, const std::string& input) {
  testing::TempDir dir;
  testing::WriteFileOrDie(dir / "oracle.py", script);
  auto r = testing::RunCommand(testing::Python() + " " + testing::ShellQuote(dir / "oracle.py"), input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return testing::NonEmptyLines(r.out);
}

inline std::vector<int64_t> Column(const Dataset& d, const std::string& name) {
  std::vector<int64_t> out;
  auto only = d.SelectColumns({name});
  EXPECT_TRUE(only.ok()) << only.status();
  EXPECT_TRUE(only->ForEachBatch(1000,
                                 [&](const Table& t) {
                                   for (int64_t i = 0; i < t.num_rows; ++i)
                                     out.push_back(GetValue(*t.columns[0], i).as_int());
                                   return Status::OK();
                                 })
                  .ok());
  return out;
}

inline std::string Join(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + std::to_string(v[i]);
  return s;
}

}  // namespace mhub::datasets::testutil
