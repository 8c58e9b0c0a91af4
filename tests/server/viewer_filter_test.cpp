// The viewer's where/orderby parser and evaluator, and its /statistics, on random columns with nulls:
//  - every where expression is also written as a plain C++ predicate over the test's own rows (SQL
//    three-valued logic spelled out by hand), and both must keep the same rows;
//  - orderby against std::stable_sort of the test's rows;
//  - statistics against numpy (python3), following the public viewer's statistics_utils.py rules.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/datasets/array.h"
#include "server/viewer/column_stats.h"
#include "server/viewer/filter_expr.h"
#include "support/test_support.h"

namespace mhub::server::viewer {
namespace {

namespace ds = mhub::datasets;

struct Row {
  std::optional<int64_t> age;
  std::optional<std::string> name;
  std::optional<bool> flag;
  std::optional<double> score;
};

struct Fixture {
  std::vector<Row> rows;
  ds::Table table;
};

Fixture MakeRows(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  const char* names[] = {"Simone", "simone", "Ana", "it's", "caf\xc3\xa9", "", "Bob Smith", "bob"};
  Fixture f;
  ds::ArrayBuilder age(ds::Int64()), name(ds::String()), flag(ds::Bool()), score(ds::Float64());
  for (int i = 0; i < n; ++i) {
    Row r;
    if (rng() % 10) r.age = static_cast<int64_t>(rng() % 100) - 10;
    if (rng() % 10) r.name = names[rng() % 8];
    if (rng() % 10) r.flag = rng() % 2 == 0;
    if (rng() % 10) r.score = static_cast<double>(rng() % 1000) / 37.0;
    r.age ? age.AppendInt(*r.age) : age.AppendNull();
    r.name ? name.AppendBytes(*r.name) : name.AppendNull();
    r.flag ? flag.AppendBool(*r.flag) : flag.AppendNull();
    r.score ? score.AppendDouble(*r.score) : score.AppendNull();
    f.rows.push_back(std::move(r));
  }
  f.table.schema.fields = {
      {"age", ds::Int64()}, {"name", ds::String()}, {"flag", ds::Bool()}, {"score", ds::Float64()}};
  f.table.columns = {age.Finish(), name.Finish(), flag.Finish(), score.Finish()};
  f.table.num_rows = n;
  return f;
}

// SQL three-valued logic by hand: nullopt = unknown.
using Tri = std::optional<bool>;
Tri And(Tri a, Tri b) {
  if (a == false || b == false) return false;
  if (!a || !b) return std::nullopt;
  return true;
}
Tri Or(Tri a, Tri b) {
  if (a == true || b == true) return true;
  if (!a || !b) return std::nullopt;
  return false;
}
Tri NotT(Tri a) { return a ? Tri(!*a) : std::nullopt; }
template <typename T, typename F>
Tri Cmp(const std::optional<T>& v, F f) {
  return v ? Tri(f(*v)) : std::nullopt;
}

struct Case {
  std::string where;
  std::function<Tri(const Row&)> expect;
};

TEST(ViewerFilterTest, WhereKeepsTheRowsABruteForcePredicateKeeps) {
  Fixture f = MakeRows(5000, 7);
  std::vector<Case> cases = {
      {R"("age">30 AND ("name"='Simone' OR "flag"=true))",
       [](const Row& r) {
         return And(Cmp(r.age, [](int64_t a) { return a > 30; }),
                    Or(Cmp(r.name, [](const std::string& s) { return s == "Simone"; }),
                       Cmp(r.flag, [](bool b) { return b; })));
       }},
      {R"(NOT "age" <= 5)", [](const Row& r) { return NotT(Cmp(r.age, [](int64_t a) { return a <= 5; })); }},
      {R"("score" IS NULL OR "score" >= 20.5)",
       [](const Row& r) { return Or(Tri(!r.score), Cmp(r.score, [](double s) { return s >= 20.5; })); }},
      {R"("name" <> 'it''s' AND age IS NOT NULL)",
       [](const Row& r) {
         return And(Cmp(r.name, [](const std::string& s) { return s != "it's"; }), Tri(bool(r.age)));
       }},
      {R"("name" LIKE '%mo_e')",
       [](const Row& r) { return Cmp(r.name, [](const std::string& s) { return s == "Simone" || s == "simone"; }); }},
      {R"("name" ILIKE 'BOB%')",
       [](const Row& r) { return Cmp(r.name, [](const std::string& s) { return s == "Bob Smith" || s == "bob"; }); }},
      {R"("age" IN (1, 2, 3) OR "score" < '1.5')",
       [](const Row& r) {
         return Or(Cmp(r.age, [](int64_t a) { return a >= 1 && a <= 3; }),
                   Cmp(r.score, [](double s) { return s < 1.5; }));
       }},
      {R"("age" NOT IN (1, NULL))",
       [](const Row& r) {
         // x NOT IN (1, NULL): false when x = 1, else unknown.
         return r.age && *r.age == 1 ? Tri(false) : std::nullopt;
       }},
      {R"(("flag" = false) = ("age" > 50))", nullptr},  // comparing predicates is not in the grammar
  };
  for (const auto& c : cases) {
    auto ast = ParseWhere(c.where);
    if (!c.expect) {
      EXPECT_FALSE(ast.ok()) << c.where;
      continue;
    }
    ASSERT_TRUE(ast.ok()) << c.where << ": " << ast.status();
    auto bound = BoundFilter::Bind(**ast, f.table.schema);
    ASSERT_TRUE(bound.ok()) << c.where << ": " << bound.status();
    int64_t kept = 0;
    for (size_t i = 0; i < f.rows.size(); ++i) {
      const bool want = c.expect(f.rows[i]) == true;
      ASSERT_EQ(bound->Matches(f.table, static_cast<int64_t>(i)), want) << c.where << " at row " << i;
      kept += want;
    }
    // Each case keeps something (else it proves little), except NOT IN with a NULL, which never holds.
    if (c.where.find("NULL)") == std::string::npos) {
      EXPECT_GT(kept, 0) << c.where;
    }
  }
}

TEST(ViewerFilterTest, BadInputIsRefusedWithAReason) {
  Fixture f = MakeRows(10, 1);
  for (const char* bad : {"", "\"age\" >", "'open", "\"age\" = 1 AND", "(\"age\" = 1", "\"age\" == = 2",
                          "age > 1) OR (1 = 1", "\"\" = 1", "SELECT 1", "\"age\" LIKE 3", "1e = 2", "\"a\" ! 2"}) {
    auto ast = ParseWhere(bad);
    EXPECT_FALSE(ast.ok()) << bad;
    if (!ast.ok()) {
      EXPECT_FALSE(ast.status().message().empty());
    }
  }
  for (const char* unbindable :
       {"\"nope\" = 1", "\"name\" = 3", "\"age\" = 'abc'", "\"flag\" = 'maybe'", "\"age\" LIKE 'x%'"}) {
    auto ast = ParseWhere(unbindable);
    ASSERT_TRUE(ast.ok()) << unbindable << ": " << ast.status();
    EXPECT_FALSE(BoundFilter::Bind(**ast, f.table.schema).ok()) << unbindable;
  }
  EXPECT_TRUE(HasForbiddenSqlSymbols("\"age\" = 1; DROP TABLE x"));
  EXPECT_TRUE(HasForbiddenSqlSymbols("\"age\" = 1 -- comment"));
  EXPECT_FALSE(HasForbiddenSqlSymbols("\"age\" = 1"));
  std::string deep(200, '(');
  EXPECT_FALSE(ParseWhere(deep + "1=1" + std::string(200, ')')).ok());
}

TEST(ViewerFilterTest, OrderByMatchesAStableSortWithNullsLast) {
  Fixture f = MakeRows(3000, 3);
  auto keys = ParseOrderBy(R"("flag" DESC, age ASC, "score")");
  ASSERT_TRUE(keys.ok()) << keys.status();
  std::vector<int64_t> got(f.rows.size());
  for (size_t i = 0; i < got.size(); ++i) got[i] = static_cast<int64_t>(i);
  std::vector<int64_t> want = got;
  ASSERT_TRUE(SortRows(f.table, *keys, got).ok());
  auto cmp_opt = [](const auto& a, const auto& b, bool desc) -> int {
    if (!a && !b) return 0;
    if (!a) return 1;  // nulls last either way
    if (!b) return -1;
    if (*a == *b) return 0;
    return ((*a < *b) != desc) ? -1 : 1;
  };
  std::stable_sort(want.begin(), want.end(), [&](int64_t x, int64_t y) {
    const Row& a = f.rows[static_cast<size_t>(x)];
    const Row& b = f.rows[static_cast<size_t>(y)];
    if (int c = cmp_opt(a.flag, b.flag, true)) return c < 0;
    if (int c = cmp_opt(a.age, b.age, false)) return c < 0;
    if (int c = cmp_opt(a.score, b.score, false)) return c < 0;
    return false;
  });
  EXPECT_EQ(got, want);
  EXPECT_FALSE(ParseOrderBy("\"age\" SIDEWAYS").ok());
  EXPECT_FALSE(ParseOrderBy("\"age\",").ok());
}

// The viewer's statistics computed by numpy from the same values (statistics_utils.py's rules).
constexpr const char* kNumpyOracle = R"py(
import json, sys, numpy as np
cols = json.load(open(sys.argv[1]))
def numeric(vals, n, is_int):
    nulls = sum(v is None or (isinstance(v, float) and np.isnan(v)) for v in vals)
    xs = np.array([v for v in vals if v is not None and not (isinstance(v, float) and np.isnan(v))], dtype=float)
    prop = float(np.round(nulls / n, 5)) if nulls else 0.0
    mn, mx, mean, med, std = np.round([xs.min(), xs.max(), xs.mean(), np.median(xs), xs.std(ddof=1)], 5).tolist()
    if is_int:
        mn, mx = int(mn), int(mx)
        bs = int(np.ceil((mx - mn + 1) / 10))
        edges = np.arange(mn, mx + 1, bs).astype(int).tolist() + [mx]
        hist = np.histogram(xs, bins=edges)[0].tolist() if len(edges) > 2 else [len(xs)]
    else:
        if mn == mx:
            edges, hist = [mn, mx], [len(xs)]
        else:
            raw = np.arange(mn, mx, (mx - mn) / 10).astype(float).tolist() + [mx]
            clipped = np.clip(xs, mn, mx)
            hist = np.histogram(clipped, bins=raw)[0].tolist()
            edges = np.round(raw, 5).tolist()
    return {"nan_count": nulls, "nan_proportion": prop, "min": mn, "max": mx, "mean": mean, "median": med,
            "std": std, "histogram": {"hist": hist, "bin_edges": edges}}
out = {}
n = len(cols["age"])
out["age"] = numeric(cols["age"], n, True)
out["score"] = numeric(cols["score"], n, False)
lens = [None if s is None else len(s) for s in cols["text"]]
out["text"] = numeric(lens, n, True)
labels = [s for s in cols["name"] if s is not None]
u, c = np.unique(labels, return_counts=True)
out["name"] = {"n_unique": len(u), "frequencies": {k: int(v) for k, v in zip(u.tolist(), c.tolist())},
               "nan_count": n - len(labels)}
flags = [f for f in cols["flag"] if f is not None]
out["flag"] = {"False": flags.count(False), "True": flags.count(True)}
print(json.dumps(out, default=lambda o: o.item()))
)py";

TEST(ViewerStatisticsTest, NumbersStringsAndBoolsMatchNumpy) {
  std::mt19937 rng(11);
  const int n = 20000;
  Fixture f = MakeRows(n, 5);
  ds::ArrayBuilder text(ds::String());
  Json cols{{"age", Json::array()},
            {"score", Json::array()},
            {"text", Json::array()},
            {"name", Json::array()},
            {"flag", Json::array()}};
  for (int i = 0; i < n; ++i) {
    const Row& r = f.rows[static_cast<size_t>(i)];
    cols["age"].push_back(r.age ? Json(*r.age) : Json(nullptr));
    cols["score"].push_back(r.score ? Json(*r.score) : Json(nullptr));
    cols["name"].push_back(r.name ? Json(*r.name) : Json(nullptr));
    cols["flag"].push_back(r.flag ? Json(*r.flag) : Json(nullptr));
    if (rng() % 20 == 0) {
      text.AppendNull();
      cols["text"].push_back(nullptr);
    } else {
      std::string s(rng() % 300, 'a');
      for (auto& c : s) c = static_cast<char>('a' + rng() % 26);
      if (!s.empty() && rng() % 3 == 0) s += "\xc3\xa9\xe2\x82\xac";  // two code points, five bytes
      text.AppendBytes(s);
      cols["text"].push_back(s);
    }
  }
  testing::TempDir tmp;
  testing::WriteFileOrDie(tmp / "cols.json", DumpJson(cols));
  testing::WriteFileOrDie(tmp / "oracle.py", kNumpyOracle);
  auto run = testing::RunCommand(testing::Python() + " " + testing::ShellQuote(tmp / "oracle.py") + " " +
                                 testing::ShellQuote(tmp / "cols.json"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Json want = *ParseJson(run.out);

  auto feature = [](const char* dtype) {
    ds::Feature ft;
    ft.kind = ds::Feature::Kind::kValue;
    ft.dtype = dtype;
    return ft;
  };
  auto stats = [&](const std::string& name, const ds::Feature& ft, ds::ArrayPtr col) {
    auto item = ColumnStatistics(name, ft, {col});
    EXPECT_TRUE(item.has_value()) << name;
    return item ? *ParseJson(item->dump()) : Json();
  };
  auto close = [](const Json& a, const Json& b) { return std::fabs(a.get<double>() - b.get<double>()) < 1e-9; };
  auto check_numeric = [&](const std::string& name, const Json& got, const Json& exp) {
    const Json& s = got["column_statistics"];
    EXPECT_EQ(s["nan_count"], exp["nan_count"]) << name;
    for (const char* k : {"nan_proportion", "min", "max", "mean", "median", "std"}) {
      EXPECT_TRUE(close(s[k], exp[k])) << name << "." << k << ": " << s[k] << " vs numpy " << exp[k];
    }
    EXPECT_EQ(s["histogram"]["hist"], exp["histogram"]["hist"]) << name;
    ASSERT_EQ(s["histogram"]["bin_edges"].size(), exp["histogram"]["bin_edges"].size()) << name;
    for (size_t i = 0; i < exp["histogram"]["bin_edges"].size(); ++i) {
      EXPECT_TRUE(close(s["histogram"]["bin_edges"][i], exp["histogram"]["bin_edges"][i])) << name << " edge " << i;
    }
  };
  Json age = stats("age", feature("int64"), f.table.columns[0]);
  EXPECT_EQ(age["column_type"], "int");
  check_numeric("age", age, want["age"]);
  Json score = stats("score", feature("float64"), f.table.columns[3]);
  EXPECT_EQ(score["column_type"], "float");
  check_numeric("score", score, want["score"]);
  Json txt = stats("text", feature("string"), text.Finish());
  EXPECT_EQ(txt["column_type"], "string_text");
  check_numeric("text", txt, want["text"]);
  Json name = stats("name", feature("string"), f.table.columns[1]);
  EXPECT_EQ(name["column_type"], "string_label");
  EXPECT_EQ(name["column_statistics"]["n_unique"], want["name"]["n_unique"]);
  EXPECT_EQ(name["column_statistics"]["frequencies"], want["name"]["frequencies"]);
  EXPECT_EQ(name["column_statistics"]["nan_count"], want["name"]["nan_count"]);
  Json flag = stats("flag", feature("bool"), f.table.columns[2]);
  EXPECT_EQ(flag["column_type"], "bool");
  EXPECT_EQ(flag["column_statistics"]["frequencies"], want["flag"]);
}

TEST(ViewerStatisticsTest, ClassLabelsListEveryName) {
  ds::Feature ft;
  ft.kind = ds::Feature::Kind::kClassLabel;
  ft.names = {"neg", "neu", "pos"};
  ds::ArrayBuilder b(ds::Int64());
  std::vector<int64_t> ids = {0, 2, 2, -1, 0, 2};
  for (int64_t id : ids) b.AppendInt(id);
  b.AppendNull();
  auto item = ColumnStatistics("label", ft, {b.Finish()});
  ASSERT_TRUE(item.has_value());
  Json j = *ParseJson(item->dump());
  EXPECT_EQ(j["column_type"], "class_label");
  const Json& s = j["column_statistics"];
  EXPECT_EQ(s["frequencies"], (Json{{"neg", 2}, {"neu", 0}, {"pos", 3}}));
  EXPECT_EQ(s["no_label_count"], 1);
  EXPECT_EQ(s["nan_count"], 1);
  EXPECT_EQ(s["n_unique"], 3);
  EXPECT_DOUBLE_EQ(s["nan_proportion"].get<double>(), std::round(1.0 / 7 * 1e5) / 1e5);
}

}  // namespace
}  // namespace mhub::server::viewer
