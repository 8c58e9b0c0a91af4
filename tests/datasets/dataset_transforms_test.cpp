// Dataset transforms against numpy and datasets' own algorithms run in Python: shuffle (numpy
// default_rng(seed).permutation), train_test_split (datasets' size rules, random and stratified),
// sort (stable, nulls last); map/filter caching counted by calls.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <sstream>

#include "datasets/dataset_test_util.h"

namespace mhub::datasets {
namespace {

using testutil::Column;
using testutil::Join;
using testutil::MakeRows;
using testutil::RowsReader;

Dataset Rows(const testing::TempDir& cache, int64_t n, int64_t batch = 1000) {
  RowsReader r(n, batch);
  auto ds = Dataset::FromReader(r, std::nullopt, "", cache.path());
  EXPECT_TRUE(ds.ok()) << ds.status();
  return *ds;
}

TEST(DatasetShuffle, BitExactWithNumpyPermutation) {
  testing::TempDir cache;
  std::vector<std::pair<uint64_t, int64_t>> cases = {{0, 0},
                                                     {0, 1},
                                                     {42, 2},
                                                     {42, 10},
                                                     {1, 1000},
                                                     {7, 4097},
                                                     {123456789, 100003},
                                                     {18446744073709551615ULL, 77},
                                                     {4294967296ULL, 300}};
  std::string in;
  for (auto [seed, n] : cases) in += std::to_string(seed) + " " + std::to_string(n) + "\n";
  auto want = testutil::RunPython(
      "import sys, numpy as np\nfor l in sys.stdin:\n  s, n = map(int, l.split())\n"
      "  print(' '.join(map(str, np.random.default_rng(s).permutation(n))) or '-')\n",
      in);
  ASSERT_EQ(want.size(), cases.size());
  Dataset big = Rows(cache, 100003, 4096);
  for (size_t c = 0; c < cases.size(); ++c) {
    auto [seed, n] = cases[c];
    auto base = big.Select([&] {
      std::vector<int64_t> v;
      for (int64_t i = 0; i < n; ++i) v.push_back(i);
      return v;
    }());
    ASSERT_TRUE(base.ok());
    auto shuffled = base->Shuffle(seed);
    ASSERT_TRUE(shuffled.ok()) << shuffled.status();
    std::string got = Join(Column(*shuffled, "id"));
    EXPECT_EQ(got.empty() ? "-" : got, want[c]) << "seed " << seed << " n " << n;
  }
}

// datasets' train_test_split size rules and index choice, transcribed (arrow_dataset.py), with
// numpy doing the permutation; stratified: datasets/utils/stratify.py.
const char* kSplitOracle = R"PY(
import sys, json
import numpy as np
from math import ceil, floor
def approximate_mode(class_counts, n_draws, rng):
    continuous = n_draws * class_counts / class_counts.sum()
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    if need_to_add > 0:
        remainder = continuous - floored
        values = np.sort(np.unique(remainder))[::-1]
        for value in values:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need_to_add)
            inds = rng.choice(inds, size=add_now, replace=False)
            floored[inds] += 1
            need_to_add -= add_now
            if need_to_add == 0:
                break
    return floored.astype(np.int64)
def stratified(y, n_train, n_test, rng):
    classes, y_indices = np.unique(y, return_inverse=True)
    n_classes = classes.shape[0]
    class_counts = np.bincount(y_indices)
    if np.min(class_counts) < 2: raise ValueError("min")
    if n_train < n_classes or n_test < n_classes: raise ValueError("classes")
    class_indices = np.split(np.argsort(y_indices, kind="mergesort"), np.cumsum(class_counts)[:-1])
    n_i = approximate_mode(class_counts, n_train, rng)
    class_counts_remaining = class_counts - n_i
    t_i = approximate_mode(class_counts_remaining, n_test, rng)
    train, test = [], []
    for i in range(n_classes):
        permutation = rng.permutation(class_counts[i])
        perm_indices_class_i = class_indices[i].take(permutation, mode="clip")
        train.extend(perm_indices_class_i[: n_i[i]])
        test.extend(perm_indices_class_i[n_i[i] : n_i[i] + t_i[i]])
    return rng.permutation(train), rng.permutation(test)
for line in sys.stdin:
    c = json.loads(line)
    n, test_size, train_size = c["n"], c["test"], c["train"]
    try:
        if test_size is None and train_size is None: test_size = 0.25
        for s in (test_size, train_size):
            if (isinstance(s, int) and (s >= n or s <= 0)) or (isinstance(s, float) and (s <= 0 or s >= 1)): raise ValueError("size")
        if isinstance(train_size, float) and isinstance(test_size, float) and train_size + test_size > 1: raise ValueError("sum")
        if isinstance(test_size, float): n_test = ceil(test_size * n)
        elif isinstance(test_size, int): n_test = float(test_size)
        if isinstance(train_size, float): n_train = floor(train_size * n)
        elif isinstance(train_size, int): n_train = float(train_size)
        if train_size is None: n_train = n - n_test
        elif test_size is None: n_test = n - n_train
        if n_train + n_test > n: raise ValueError("too many")
        n_train, n_test = int(n_train), int(n_test)
        if n_train == 0: raise ValueError("empty train")
        rng = np.random.default_rng(c["seed"])
        if c.get("labels") is None:
            perm = rng.permutation(n)
            test_idx, train_idx = perm[:n_test], perm[n_test:n_test + n_train]
        else:
            train_idx, test_idx = stratified(np.array(c["labels"]), n_train, n_test, rng)
        print(" ".join(map(str, train_idx)) + " | " + " ".join(map(str, test_idx)))
    except ValueError as e:
        print("error")
)PY";

TEST(DatasetSplit, TrainTestSplitMatchesDatasetsRulesAndNumpy) {
  testing::TempDir cache;
  Dataset ds = Rows(cache, 1003, 100);
  struct Case {
    std::optional<double> test, train;
    bool test_int, train_int;
    uint64_t seed;
  };
  std::vector<Case> cases = {{std::nullopt, std::nullopt, false, false, 42},
                             {0.1, std::nullopt, false, false, 1},
                             {0.333, std::nullopt, false, false, 2},
                             {100, std::nullopt, true, false, 3},
                             {std::nullopt, 0.5, false, false, 4},
                             {std::nullopt, 10, false, true, 5},
                             {0.2, 0.3, false, false, 6},
                             {50, 60, true, true, 7},
                             {0.7, 0.4, false, false, 8},            // sum > 1: error
                             {1003, std::nullopt, true, false, 9},   // >= n: error
                             {1.5, std::nullopt, false, false, 10},  // neither: error
                             {1002, std::nullopt, true, false, 11}};
  std::string in;
  auto num = [](std::optional<double> v, bool is_int) {
    if (!v) return std::string("null");
    if (is_int) return std::to_string(static_cast<int64_t>(*v));
    return FormatDouble(*v);
  };
  for (const Case& c : cases)
    in += "{\"n\": 1003, \"seed\": " + std::to_string(c.seed) + ", \"test\": " + num(c.test, c.test_int) +
          ", \"train\": " + num(c.train, c.train_int) + "}\n";
  auto want = testutil::RunPython(kSplitOracle, in);
  ASSERT_EQ(want.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    TrainTestSplitOptions o;
    o.test_size = cases[i].test;
    o.train_size = cases[i].train;
    o.seed = cases[i].seed;
    auto split = TrainTestSplit(ds, o);
    if (want[i] == "error") {
      EXPECT_EQ(split.status().code(), StatusCode::kInvalidArgument) << i;
      continue;
    }
    ASSERT_TRUE(split.ok()) << i << ": " << split.status();
    ASSERT_EQ(split->splits.size(), 2u);
    EXPECT_EQ(split->splits[0].first, "train");
    std::string got = Join(Column(*split->Find("train"), "id")) + " | " + Join(Column(*split->Find("test"), "id"));
    EXPECT_EQ(got, want[i]) << "case " << i;
  }
  // shuffle=false: the first n_train rows, then the next n_test.
  TrainTestSplitOptions ordered;
  ordered.test_size = 3;
  ordered.train_size = 4;
  ordered.shuffle = false;
  auto plain = TrainTestSplit(ds, ordered);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(Join(Column(*plain->Find("train"), "id")), "0 1 2 3");
  EXPECT_EQ(Join(Column(*plain->Find("test"), "id")), "4 5 6");
}

TEST(DatasetSplit, StratifiedMatchesDatasetsStratifyThroughNumpy) {
  testing::TempDir cache;
  // Labels with uneven class sizes (so approximate_mode draws with rng.choice) as a ClassLabel.
  Table t = MakeRows(0, 0);
  ArrayBuilder id(Int64()), text(String()), label(Int64()), score(Float64());
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < 517; ++i) {
    int64_t l = i % 11 == 0 ? 3 : (i % 5 == 0 ? 2 : (i % 3 == 0 ? 1 : 0));
    if (i == 7 || i == 8) l = 4;  // a class of exactly two
    labels.push_back(l);
    id.AppendInt(i);
    text.AppendBytes("t");
    label.AppendInt(l);
    score.AppendDouble(0);
  }
  t.columns = {id.Finish(), text.Finish(), label.Finish(), score.Finish()};
  t.num_rows = 517;
  Features f = Features::FromSchema(t.schema);
  f.columns[2].second = Feature::MakeClassLabel({"a", "b", "c", "d", "e"});
  auto ds = Dataset::FromTable(t, f, cache.path());
  ASSERT_TRUE(ds.ok()) << ds.status();
  std::string labels_json;
  for (size_t i = 0; i < labels.size(); ++i) labels_json += (i ? "," : "") + std::to_string(labels[i]);
  std::string in;
  std::vector<std::tuple<std::optional<double>, std::optional<double>, bool, uint64_t>> cases = {
      {0.2, std::nullopt, false, 0},
      {0.33, std::nullopt, false, 5},
      {17, std::nullopt, true, 9},
      {0.1, 0.6, false, 123},
      {0.005, std::nullopt, false, 1}};  // 3 test rows < 5 classes: error
  for (auto& [test, train, is_int, seed] : cases)
    in += "{\"n\": 517, \"seed\": " + std::to_string(seed) +
          ", \"test\": " + (is_int ? std::to_string(static_cast<int64_t>(*test)) : FormatDouble(*test)) +
          ", \"train\": " + (train ? FormatDouble(*train) : "null") + ", \"labels\": [" + labels_json + "]}\n";
  auto want = testutil::RunPython(kSplitOracle, in);
  ASSERT_EQ(want.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    auto& [test, train, is_int, seed] = cases[i];
    TrainTestSplitOptions o;
    o.test_size = test;
    o.train_size = train;
    o.seed = seed;
    o.stratify_by_column = "label";
    auto split = TrainTestSplit(*ds, o);
    if (want[i] == "error") {
      EXPECT_EQ(split.status().code(), StatusCode::kInvalidArgument) << i;
      continue;
    }
    ASSERT_TRUE(split.ok()) << split.status();
    std::string got = Join(Column(*split->Find("train"), "id")) + " | " + Join(Column(*split->Find("test"), "id"));
    EXPECT_EQ(got, want[i]) << "case " << i;
  }
  // Only ClassLabel columns stratify; a class of one member is refused.
  TrainTestSplitOptions bad;
  bad.stratify_by_column = "id";
  bad.seed = 1;
  EXPECT_EQ(TrainTestSplit(*ds, bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(DatasetSort, StableNullsLastAsPyarrow) {
  testing::TempDir cache;
  Table t;
  t.schema.fields = {{"k", Float64()}, {"s", String()}, {"pos", Int64()}};
  ArrayBuilder k(Float64()), s(String()), pos(Int64());
  std::vector<std::string> py_rows;
  for (int64_t i = 0; i < 300; ++i) {
    int kind = static_cast<int>((i * 7919) % 13);
    if (kind == 0)
      k.AppendNull();
    else if (kind == 1)
      k.AppendDouble(NAN);
    else
      k.AppendDouble(static_cast<double>((i * 31) % 17) - 8);
    if (kind == 2)
      s.AppendNull();
    else
      s.AppendBytes(std::string(1, static_cast<char>('a' + (i * 13) % 5)) + ((i % 4) ? "x" : ""));
    pos.AppendInt(i);
  }
  t.columns = {k.Finish(), s.Finish(), pos.Finish()};
  t.num_rows = 300;
  auto ds = Dataset::FromTable(t, std::nullopt, cache.path());
  ASSERT_TRUE(ds.ok());
  std::string in;
  for (int64_t i = 0; i < 300; ++i) in += RowToJson(t, i) + "\n";
  // Stable sort; NaN after numbers, nulls after NaN, in both directions (null_placement at_end).
  auto want = testutil::RunPython(R"PY(
import sys, json, math
rows = [json.loads(l) for l in sys.stdin]
def key_k(r):
    v = r["k"]
    if v is None: return (2, 0)
    if v == "NaN": return (1, 0)
    return (0, v)
def order(col, reverse):
    vals = [r for r in rows if (key_k(r)[0] == 0 if col == "k" else r[col] is not None)]
    vals = sorted(vals, key=lambda r: r[col], reverse=reverse)  # stable in both directions
    return vals + [r for r in rows if col == "k" and key_k(r)[0] == 1] + [r for r in rows if r[col] is None]
for col in ("k", "s"):
    print(" ".join(str(r["pos"]) for r in order(col, False)))
    print(" ".join(str(r["pos"]) for r in order(col, True)))
)PY",
                                  in);
  ASSERT_EQ(want.size(), 4u);
  int line = 0;
  for (const char* col : {"k", "s"}) {
    for (bool reverse : {false, true}) {
      auto sorted = ds->Sort(col, reverse);
      ASSERT_TRUE(sorted.ok()) << sorted.status();
      EXPECT_EQ(Join(Column(*sorted, "pos")), want[static_cast<size_t>(line++)]) << col << " reverse " << reverse;
    }
  }
  EXPECT_EQ(ds->Sort("missing").status().code(), StatusCode::kInvalidArgument);
}

TEST(DatasetMap, CachedByFingerprintASecondRunCallsNothing) {
  testing::TempDir cache;
  Dataset ds = Rows(cache, 5000, 1000);
  std::atomic<int> calls{0};
  auto fn = [&](const Table& in) -> Result<Table> {
    ++calls;
    Table out;
    out.schema.fields = {{"double_id", Int64()}};
    ArrayBuilder b(Int64());
    for (int64_t i = 0; i < in.num_rows; ++i) b.AppendInt(2 * GetValue(*in.columns[0], i).as_int());
    out.columns = {b.Finish()};
    out.num_rows = in.num_rows;
    return out;
  };
  Dataset::MapOptions o;
  o.batched = true;
  o.batch_size = 256;
  o.fingerprint = "double-id-v1";
  auto first = ds.Map(fn, o);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(calls.load(), 20);  // ceil(5000 / 256)
  EXPECT_EQ(first->column_names(), (std::vector<std::string>{"id", "text", "label", "score", "double_id"}));
  auto second = ds.Map(fn, o);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(calls.load(), 20) << "the second map must read the cache";
  EXPECT_EQ(second->fingerprint(), first->fingerprint());
  EXPECT_EQ(Column(*second, "double_id")[4999], 9998);
  o.load_from_cache_file = false;
  ASSERT_TRUE(ds.Map(fn, o).ok());
  EXPECT_EQ(calls.load(), 40);
  // Another function fingerprint, or another input, recomputes.
  o.load_from_cache_file = true;
  o.fingerprint = "double-id-v2";
  ASSERT_TRUE(ds.Map(fn, o).ok());
  EXPECT_EQ(calls.load(), 60);
  // Filter the same way.
  std::atomic<int> keeps{0};
  auto keep = [&](const Value& row) -> Result<bool> {
    ++keeps;
    return row.Get("label")->as_int() == 2;
  };
  auto f1 = ds.Filter(keep, "label-is-2");
  ASSERT_TRUE(f1.ok());
  EXPECT_EQ(keeps.load(), 5000);
  EXPECT_EQ(f1->num_rows(), 1666);
  auto f2 = ds.Filter(keep, "label-is-2");
  ASSERT_TRUE(f2.ok());
  EXPECT_EQ(keeps.load(), 5000);
  EXPECT_EQ(Column(*f2, "id"), Column(*f1, "id"));
}

TEST(DatasetMap, BatchedRowCountChangesThreadsAndErrors) {
  testing::TempDir cache;
  Dataset ds = Rows(cache, 3000, 500);
  // Each row becomes `label` rows (0..2): the row count changes, so input columns must go.
  auto explode = [](const Table& in) -> Result<Table> {
    ArrayBuilder b(Int64());
    int64_t n = 0;
    for (int64_t i = 0; i < in.num_rows; ++i) {
      int64_t id = GetValue(*in.columns[0], i).as_int();
      for (int64_t k = 0; k < id % 3; ++k, ++n) b.AppendInt(id * 10 + k);
    }
    Table out;
    out.schema.fields = {{"piece", Int64()}};
    out.columns = {b.Finish()};
    out.num_rows = n;
    return out;
  };
  Dataset::MapOptions o;
  o.batched = true;
  o.batch_size = 100;
  auto kept = ds.Map(explode, o);
  EXPECT_EQ(kept.status().code(), StatusCode::kInvalidArgument) << "input columns cannot be kept";
  o.remove_columns = {"id", "text", "label", "score"};
  auto one = ds.Map(explode, o);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->num_rows(), 3000);  // (0 + 1 + 2) per 3 rows
  o.num_threads = 3;
  auto threaded = ds.Map(explode, o);
  ASSERT_TRUE(threaded.ok()) << threaded.status();
  EXPECT_EQ(Column(*threaded, "piece"), Column(*one, "piece")) << "threads keep the order";
  // Row (not batched) functions see one row; an overwritten column keeps its place.
  Dataset::MapOptions rows;
  auto upper = ds.Map(
      [](const Table& in) -> Result<Table> {
        Table out;
        out.schema.fields = {{"text", String()}};
        ArrayBuilder b(String());
        Value v = GetValue(*in.columns[1], 0);
        if (v.is_null())
          b.AppendNull();
        else
          b.AppendBytes("<" + v.as_string() + ">");
        out.columns = {b.Finish()};
        out.num_rows = 1;
        return out;
      },
      rows);
  ASSERT_TRUE(upper.ok()) << upper.status();
  EXPECT_EQ(upper->column_names(), ds.column_names());
  EXPECT_EQ(upper->Row(4)->ToJson(), R"({"id":4,"text":"<row 4>","label":1,"score":1.0})");
  EXPECT_EQ(upper->Row(3)->ToJson(), R"({"id":3,"text":null,"label":0,"score":0.75})");
  // A failing function: its error, and no dataset left in the cache.
  auto failing = ds.Map([](const Table&) -> Result<Table> { return Status::InvalidArgument("boom"); }, o);
  EXPECT_EQ(failing.status().message(), "boom");
  o.remove_columns = {"nope"};
  EXPECT_EQ(ds.Map(explode, o).status().code(), StatusCode::kInvalidArgument);
}

TEST(DatasetTransforms, SelectFilterComposeAndColumnsOps) {
  testing::TempDir cache;
  Dataset ds = Rows(cache, 1000, 128);
  auto sel = ds.Select({5, 3, 999, -1, 3});
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(Join(Column(*sel, "id")), "5 3 999 999 3");
  EXPECT_FALSE(ds.Select({1000}).ok());
  auto evens = ds.Filter([](const Value& r) -> Result<bool> { return r.Get("id")->as_int() % 2 == 0; });
  ASSERT_TRUE(evens.ok());
  auto sel2 = evens->Select({0, 1, 499});
  ASSERT_TRUE(sel2.ok());
  EXPECT_EQ(Join(Column(*sel2, "id")), "0 2 998");
  auto shuffled = evens->Shuffle(3);
  ASSERT_TRUE(shuffled.ok());
  auto back = shuffled->Sort("id");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(Column(*back, "id"), Column(*evens, "id"));

  auto renamed = ds.RenameColumn("text", "sentence");
  ASSERT_TRUE(renamed.ok());
  EXPECT_EQ(renamed->column_names(), (std::vector<std::string>{"id", "sentence", "label", "score"}));
  EXPECT_EQ(renamed->Row(1)->ToJson(), R"({"id":1,"sentence":"row 1","label":1,"score":0.25})");
  EXPECT_EQ(ds.RenameColumn("nope", "x").status().message(),
            "Original column name nope not in the dataset. Current columns in the dataset: ['id', 'text', 'label', "
            "'score']");
  EXPECT_FALSE(ds.RenameColumn("id", "label").ok());
  auto removed = ds.RemoveColumns({"text", "score"});
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->Row(2)->ToJson(), R"({"id":2,"label":2})");
  EXPECT_FALSE(ds.RemoveColumns({"nope"}).ok());
  auto picked = evens->SelectColumns({"score", "id"});
  ASSERT_TRUE(picked.ok());
  EXPECT_EQ(picked->Row(1)->ToJson(), R"({"score":0.5,"id":2})");

  auto uniq = ds.Unique("label");
  ASSERT_TRUE(uniq.ok());
  ASSERT_EQ(uniq->size(), 3u);
  EXPECT_EQ((*uniq)[0], Value::Int(0));
  auto texts = ds.Select({3, 10, 0});
  ASSERT_TRUE(texts.ok());
  auto u2 = texts->Unique("text");
  ASSERT_TRUE(u2.ok());
  ASSERT_EQ(u2->size(), 2u);  // rows 3 and 10 are both null
  EXPECT_TRUE((*u2)[0].is_null());
}

TEST(DatasetTransforms, CastAndConcatenate) {
  testing::TempDir cache;
  Dataset ds = Rows(cache, 30, 7);
  auto labeled = ds.CastColumn("label", Feature::MakeClassLabel({"neg", "neu", "pos"}));
  ASSERT_TRUE(labeled.ok()) << labeled.status();
  EXPECT_EQ(labeled->features().Find("label")->kind, Feature::Kind::kClassLabel);
  auto as_text = labeled->CastColumn("label", Feature::MakeValue("string"));
  ASSERT_TRUE(as_text.ok()) << as_text.status();
  EXPECT_EQ(as_text->Row(2)->Get("label")->as_string(), "pos");
  auto again = as_text->CastColumn("label", Feature::MakeClassLabel({"pos", "neg", "neu"}));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->Row(2)->Get("label")->as_int(), 0);
  auto narrow = ds.CastColumn("id", Feature::MakeValue("int8"));
  ASSERT_TRUE(narrow.ok());
  auto too_big = Rows(cache, 200, 50).CastColumn("id", Feature::MakeValue("int8"));
  EXPECT_EQ(too_big.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(ds.CastColumn("score", Feature::MakeValue("int64")).ok()) << "0.25 is not an integer";
  auto f32 = ds.CastColumn("score", Feature::MakeValue("float32"));
  ASSERT_TRUE(f32.ok());
  EXPECT_EQ(f32->schema().fields[3].type->id, TypeId::kFloat32);
  Features wrong = ds.features();
  wrong.columns.pop_back();
  EXPECT_FALSE(ds.Cast(wrong).ok());

  auto tail = Rows(cache, 40, 40).Select({35, 36});
  ASSERT_TRUE(tail.ok());
  auto joined = Dataset::Concatenate({ds, *tail, ds});
  ASSERT_TRUE(joined.ok()) << joined.status();
  EXPECT_EQ(joined->num_rows(), 62);
  auto ids = Column(*joined, "id");
  EXPECT_EQ(ids[29], 29);
  EXPECT_EQ(ids[30], 35);
  EXPECT_EQ(ids[32], 0);
  EXPECT_FALSE(Dataset::Concatenate({ds, *labeled}).ok()) << "features differ";
  EXPECT_FALSE(Dataset::Concatenate({}).ok());
}

}  // namespace
}  // namespace mhub::datasets
