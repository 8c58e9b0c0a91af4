// The dataset viewer end to end, through HTTP with curl: a 100k-row JSONL dataset committed with the
// Hub's commit API is converted to refs/convert/parquet by the server's job queue, and every viewer
// answer (rows, first-rows, search, filter + orderby, statistics, size, parquet) is checked against a
// brute-force computation over the rows the test generated (its own code, not the viewer's). Also:
// private datasets, bad parameters, a push that supersedes a conversion, a failing conversion that
// leaves the branch as it was.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

struct GenRow {
  int64_t id;
  std::string text;
  std::string category;  // few distinct values: a string_label column
  std::optional<double> score;
  bool flag;
};

const char* kWords[] = {"alpha", "Bravo", "charlie", "delta", "Echo", "foxtrot", "golf", "hotel", "india", "juliet"};

std::vector<GenRow> Generate(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<GenRow> rows;
  rows.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    GenRow r;
    r.id = i;
    int words = 1 + static_cast<int>(rng() % 4);
    for (int w = 0; w < words; ++w) {
      if (w) r.text += ' ';
      r.text += kWords[rng() % 10];
      if (rng() % 7 == 0) r.text += std::to_string(rng() % 100);
    }
    r.category = std::string("cat") + std::to_string(rng() % 5);
    if (rng() % 8) r.score = static_cast<double>(rng() % 100000) / 1000.0;
    r.flag = rng() % 3 == 0;
    rows.push_back(std::move(r));
  }
  return rows;
}

// Keys in this order (OrderedJson): the reader keeps the first row's key order as the column order.
OrderedJson RowJson(const GenRow& r) {
  return OrderedJson{{"id", r.id},
                     {"text", r.text},
                     {"category", r.category},
                     {"score", r.score ? OrderedJson(*r.score) : OrderedJson(nullptr)},
                     {"flag", r.flag}};
}

std::string Jsonl(const std::vector<GenRow>& rows) {
  std::string out;
  for (const auto& r : rows) out += DumpJson(RowJson(r)) + "\n";
  return out;
}

std::string Auth(const std::string& token) { return "Authorization: Bearer " + token; }

CurlReply Commit(const std::string& url, const std::string& token, const std::string& repo,
                 const std::vector<std::pair<std::string, std::string>>& files) {
  std::string body = "{\"key\":\"header\",\"value\":{\"summary\":\"data\"}}\n";
  for (const auto& [path, content] : files) {
    body += DumpJson(Json{{"key", "file"},
                          {"value", {{"path", path}, {"content", Base64(content)}, {"encoding", "base64"}}}}) +
            "\n";
  }
  return ApiCall(url, "POST", "/api/datasets/" + repo + "/commit/main", Auth(token), body, "application/x-ndjson");
}

CurlReply Viewer(const std::string& url, const std::string& route, const std::string& query,
                 const std::string& token = "") {
  return Curl("GET", url + "/api/viewer/" + route + "?" + query,
              token.empty() ? std::vector<std::string>{} : std::vector<std::string>{Auth(token)});
}

std::string Enc(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// Polls /is-valid until the viewer is ready (true) or the conversion failed (/splits answers 500).
bool WaitConverted(const std::string& url, const std::string& repo, const std::string& token, int seconds = 240) {
  for (int i = 0; i < seconds * 5; ++i) {
    CurlReply r = Viewer(url, "is-valid", "dataset=" + repo, token);
    if (r.status == 200 && ParseOrDie(r.body).value("viewer", false)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

// The row_idx values of a /rows-shaped answer.
std::vector<int64_t> RowIdx(const Json& page) {
  std::vector<int64_t> out;
  for (const auto& r : page["rows"]) out.push_back(r["row_idx"].get<int64_t>());
  return out;
}

void ExpectRowEquals(const Json& got, const GenRow& want) {
  EXPECT_EQ(got["id"], want.id);
  EXPECT_EQ(got["text"], want.text);
  EXPECT_EQ(got["category"], want.category);
  EXPECT_EQ(got["flag"], want.flag);
  if (want.score) {
    EXPECT_DOUBLE_EQ(got["score"].get<double>(), *want.score);
  } else {
    EXPECT_TRUE(got["score"].is_null());
  }
}

class ViewerApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hub_ = new InProcessHub();
    alice_ = hub_->CreateUser("alice");
    bob_ = hub_->CreateUser("bob");
    for (const auto& [name, priv] : {std::pair<std::string, bool>{"big", false}, {"secret", true}}) {
      CurlReply r = ApiCall(hub_->url(), "POST", "/api/repos/create", Auth(alice_),
                            DumpJson(Json{{"name", name}, {"type", "dataset"}, {"private", priv}}));
      ASSERT_EQ(r.status, 200) << r.body;
    }
    rows_ = new std::vector<GenRow>(Generate(kRows, 42));
    CurlReply c = Commit(hub_->url(), alice_, "alice/big", {{"data/train.jsonl", Jsonl(*rows_)}});
    ASSERT_EQ(c.status, 200) << c.body;
    c = Commit(hub_->url(), alice_, "alice/secret", {{"train.jsonl", Jsonl(Generate(10, 1))}});
    ASSERT_EQ(c.status, 200) << c.body;
  }
  static void TearDownTestSuite() {
    delete hub_;
    delete rows_;
  }
  static constexpr int kRows = 100000;
  static inline InProcessHub* hub_ = nullptr;
  static inline std::string alice_, bob_;
  static inline std::vector<GenRow>* rows_ = nullptr;
};

TEST_F(ViewerApiTest, RowsSplitsAndParquetEqualTheGeneratedRows) {
  const std::string url = hub_->url();
  ASSERT_TRUE(WaitConverted(url, "alice/big", ""));
  Json splits = ParseOrDie(Viewer(url, "splits", "dataset=alice/big").body);
  ASSERT_EQ(splits["splits"].size(), 1u) << splits;
  EXPECT_EQ(splits["splits"][0], (Json{{"dataset", "alice/big"}, {"config", "default"}, {"split", "train"}}));

  const std::string base = "dataset=alice/big&config=default&split=train";
  CurlReply r = Viewer(url, "rows", base + "&offset=99950&length=100");
  ASSERT_EQ(r.status, 200) << r.body;
  Json page = ParseOrDie(r.body);
  EXPECT_EQ(page["num_rows_total"], kRows);
  EXPECT_EQ(page["num_rows_per_page"], 100);
  EXPECT_EQ(page["partial"], false);
  ASSERT_EQ(page["rows"].size(), 50u);
  for (size_t i = 0; i < 50; ++i) {
    EXPECT_EQ(page["rows"][i]["row_idx"], 99950 + static_cast<int64_t>(i));
    EXPECT_EQ(page["rows"][i]["truncated_cells"], Json::array());
    ExpectRowEquals(page["rows"][i]["row"], (*rows_)[99950 + i]);
  }
  std::vector<std::string> names;
  for (const auto& f : page["features"]) names.push_back(f["name"].get<std::string>());
  EXPECT_EQ(names, (std::vector<std::string>{"id", "text", "category", "score", "flag"}));
  EXPECT_EQ(page["features"][1]["type"], (Json{{"dtype", "string"}, {"_type", "Value"}}));
  EXPECT_EQ(page["features"][4]["feature_idx"], 4);

  Json first = ParseOrDie(Viewer(url, "first-rows", base).body);
  ASSERT_EQ(first["rows"].size(), 100u);
  EXPECT_EQ(first["truncated"], true);  // the viewer's rule: the split has more rows than the 100 shown
  for (size_t i = 0; i < 100; ++i) ExpectRowEquals(first["rows"][i]["row"], (*rows_)[i]);

  // Random pages across the whole split.
  std::mt19937 rng(9);
  for (int k = 0; k < 5; ++k) {
    const int64_t off = rng() % kRows;
    Json p = ParseOrDie(Viewer(url, "rows", base + "&offset=" + std::to_string(off) + "&length=37").body);
    const size_t want = static_cast<size_t>(std::min<int64_t>(37, kRows - off));
    ASSERT_EQ(p["rows"].size(), want);
    for (size_t i = 0; i < want; ++i) ExpectRowEquals(p["rows"][i]["row"], (*rows_)[static_cast<size_t>(off) + i]);
  }

  // The Parquet export: listed by both APIs, downloadable, a Parquet file.
  Json pq = ParseOrDie(Viewer(url, "parquet", "dataset=alice/big").body);
  ASSERT_GE(pq["parquet_files"].size(), 1u) << pq;
  EXPECT_EQ(pq["parquet_files"][0]["filename"], "0000.parquet");
  Json hub_list = ParseOrDie(Curl("GET", url + "/api/datasets/alice/big/parquet").body);
  ASSERT_TRUE(hub_list.contains("default")) << hub_list;
  ASSERT_EQ(hub_list["default"]["train"].size(), pq["parquet_files"].size());
  CurlReply file = Curl("GET", hub_list["default"]["train"][0].get<std::string>(), {}, "", false, "-L");
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.body.substr(0, 4), "PAR1");
  EXPECT_EQ(file.body.substr(file.body.size() - 4), "PAR1");
  Json refs = ParseOrDie(Curl("GET", url + "/api/datasets/alice/big/refs").body);
  ASSERT_EQ(refs["converts"].size(), 1u) << refs;
  EXPECT_EQ(refs["converts"][0]["ref"], "refs/convert/parquet");

  Json size = ParseOrDie(Viewer(url, "size", "dataset=alice/big").body);
  EXPECT_EQ(size["size"]["dataset"]["num_rows"], kRows);
  EXPECT_EQ(size["size"]["splits"][0]["num_columns"], 5);
  Json info = ParseOrDie(Viewer(url, "info", "dataset=alice/big&config=default").body);
  EXPECT_EQ(info["dataset_info"]["splits"]["train"]["num_examples"], kRows);
}

TEST_F(ViewerApiTest, SearchAndFilterEqualBruteForce) {
  const std::string url = hub_->url();
  ASSERT_TRUE(WaitConverted(url, "alice/big", ""));
  const std::string base = "dataset=alice/big&config=default&split=train";
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  // /search: a row matches when a query word is a word of a string cell (case-insensitive).
  for (const std::string query : {"bravo", "ECHO golf", "charlie7"}) {
    std::set<std::string> q;
    std::string w;
    for (char c : lower(query) + " ") {
      if (std::isalnum(static_cast<unsigned char>(c))) {
        w += c;
      } else if (!w.empty()) {
        q.insert(w);
        w.clear();
      }
    }
    std::vector<int64_t> want;
    for (const auto& r : *rows_) {
      bool hit = false;
      for (const std::string& cell : {r.text, r.category}) {
        std::string word;
        for (char c : lower(cell) + " ") {
          if (std::isalnum(static_cast<unsigned char>(c))) {
            word += c;
          } else if (!word.empty()) {
            hit = hit || q.count(word);
            word.clear();
          }
        }
      }
      if (hit) want.push_back(r.id);
    }
    ASSERT_GT(want.size(), 10u) << query;
    Json page = ParseOrDie(Viewer(url, "search", base + "&query=" + Enc(query) + "&offset=10&length=100").body);
    EXPECT_EQ(page["num_rows_total"], want.size()) << query;
    EXPECT_EQ(RowIdx(page), std::vector<int64_t>(want.begin() + 10, want.begin() + std::min<size_t>(110, want.size())))
        << query;
    for (const auto& r : page["rows"]) ExpectRowEquals(r["row"], (*rows_)[r["row_idx"].get<size_t>()]);
  }

  // /filter with where and orderby, against the same predicate and a stable sort written here.
  struct Case {
    std::string where, orderby;
    std::function<bool(const GenRow&)> keep;
    std::function<bool(const GenRow&, const GenRow&)> less;  // null: row order
  };
  std::vector<Case> cases = {
      {R"("score" > 50.5 AND ("category" = 'cat1' OR "flag" = true))", "",
       [](const GenRow& r) { return r.score && *r.score > 50.5 && (r.category == "cat1" || r.flag); }, nullptr},
      {R"("score" IS NULL)", "", [](const GenRow& r) { return !r.score; }, nullptr},
      {R"(NOT "id" < 99000 AND "text" LIKE '%golf%')", R"("score" DESC)",
       [](const GenRow& r) { return r.id >= 99000 && r.text.find("golf") != std::string::npos; },
       [](const GenRow& a, const GenRow& b) {
         if (!a.score || !b.score) return a.score.has_value() && !b.score.has_value();  // NULLs last
         return *a.score > *b.score;
       }},
      {R"("category" <> 'cat0')", R"("category", "id" DESC)", [](const GenRow& r) { return r.category != "cat0"; },
       [](const GenRow& a, const GenRow& b) {
         if (a.category != b.category) return a.category < b.category;
         return a.id > b.id;
       }},
      // One comparison, no order: answered through Parquet min/max skipping (filter_pushdown.h).
      {R"("id" >= 99000)", "", [](const GenRow& r) { return r.id >= 99000; }, nullptr},
      {R"(1234 > "id")", "", [](const GenRow& r) { return r.id < 1234; }, nullptr},
      {R"("id" = 54321)", "", [](const GenRow& r) { return r.id == 54321; }, nullptr},
      {R"("category" = 'cat3')", "", [](const GenRow& r) { return r.category == "cat3"; }, nullptr},
      {R"("text" < 'Echo')", "", [](const GenRow& r) { return r.text < std::string("Echo"); }, nullptr},
      {R"("score" <= 12.5)", "", [](const GenRow& r) { return r.score && *r.score <= 12.5; }, nullptr},
      {R"("score" IS NOT NULL)", "", [](const GenRow& r) { return r.score.has_value(); }, nullptr},
  };
  for (const auto& c : cases) {
    std::vector<GenRow> kept;
    for (const auto& r : *rows_) {
      if (c.keep(r)) kept.push_back(r);
    }
    if (c.less) std::stable_sort(kept.begin(), kept.end(), c.less);
    std::string q = base + "&where=" + Enc(c.where) + "&offset=10&length=100";
    if (!c.orderby.empty()) q += "&orderby=" + Enc(c.orderby);
    CurlReply r = Viewer(url, "filter", q);
    ASSERT_EQ(r.status, 200) << c.where << ": " << r.body;
    Json page = ParseOrDie(r.body);
    EXPECT_EQ(page["num_rows_total"], kept.size()) << c.where;
    std::vector<int64_t> want;
    for (size_t i = 10; i < kept.size() && i < 110; ++i) want.push_back(kept[i].id);
    EXPECT_EQ(RowIdx(page), want) << c.where;
    for (const auto& row : page["rows"]) ExpectRowEquals(row["row"], (*rows_)[row["row_idx"].get<size_t>()]);
  }

  // Bad parameters: the viewer's 422 InvalidParameter / MissingRequiredParameter.
  for (const std::string bad : {"\"score\" >", "\"nope\" = 1", "\"score\" = 'abc'", "1; DROP TABLE data"}) {
    CurlReply e = Viewer(url, "filter", base + "&where=" + Enc(bad));
    EXPECT_EQ(e.status, 422) << bad << ": " << e.body;
    EXPECT_EQ(e.Header("x-error-code"), "InvalidParameter") << bad;
    EXPECT_NE(ParseOrDie(e.body).value("error", "").find("Parameter 'where'"), std::string::npos) << e.body;
  }
  EXPECT_EQ(Viewer(url, "rows", base + "&length=101").status, 422);
  EXPECT_EQ(Viewer(url, "rows", base + "&offset=-1").status, 422);
  EXPECT_EQ(Viewer(url, "rows", "dataset=alice/big").Header("x-error-code"), "MissingRequiredParameter");
  CurlReply missing = Viewer(url, "rows", "dataset=alice/big&config=default&split=nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ParseOrDie(missing.body)["error"], "Not found.");
}

TEST_F(ViewerApiTest, StatisticsEqualBruteForce) {
  const std::string url = hub_->url();
  ASSERT_TRUE(WaitConverted(url, "alice/big", ""));
  CurlReply r = Viewer(url, "statistics", "dataset=alice/big&config=default&split=train");
  ASSERT_EQ(r.status, 200) << r.body;
  Json stats = ParseOrDie(r.body);
  EXPECT_EQ(stats["num_examples"], kRows);
  std::map<std::string, Json> by;
  for (const auto& s : stats["statistics"]) by[s["column_name"].get<std::string>()] = s;
  auto round5 = [](double x) { return std::nearbyint(x * 1e5) / 1e5; };
  // score: floats with nulls.
  std::vector<double> scores;
  for (const auto& g : *rows_) {
    if (g.score) scores.push_back(*g.score);
  }
  std::sort(scores.begin(), scores.end());
  double sum = 0;
  for (double x : scores) sum += x;
  const double mean = sum / static_cast<double>(scores.size());
  double sq = 0;
  for (double x : scores) sq += (x - mean) * (x - mean);
  const Json& s = by["score"]["column_statistics"];
  EXPECT_EQ(by["score"]["column_type"], "float");
  EXPECT_EQ(s["nan_count"], kRows - static_cast<int64_t>(scores.size()));
  EXPECT_DOUBLE_EQ(s["min"].get<double>(), round5(scores.front()));
  EXPECT_DOUBLE_EQ(s["max"].get<double>(), round5(scores.back()));
  EXPECT_NEAR(s["mean"].get<double>(), round5(mean), 1e-5);
  const size_t n = scores.size();
  EXPECT_DOUBLE_EQ(s["median"].get<double>(), round5(n % 2 ? scores[n / 2] : (scores[n / 2 - 1] + scores[n / 2]) / 2));
  EXPECT_NEAR(s["std"].get<double>(), round5(std::sqrt(sq / static_cast<double>(n - 1))), 1e-5);
  int64_t hist_sum = 0;
  for (const auto& h : s["histogram"]["hist"]) hist_sum += h.get<int64_t>();
  EXPECT_EQ(hist_sum, static_cast<int64_t>(n));
  EXPECT_EQ(s["histogram"]["bin_edges"].size(), 11u);
  // id: ints 0..n-1, ten equal bins.
  const Json& id = by["id"]["column_statistics"];
  EXPECT_EQ(by["id"]["column_type"], "int");
  EXPECT_EQ(id["min"], 0);
  EXPECT_EQ(id["max"], kRows - 1);
  EXPECT_EQ(id["histogram"]["hist"], Json(std::vector<int64_t>(10, kRows / 10)));
  // category: few distinct strings -> labels with their counts.
  std::map<std::string, int64_t> counts;
  for (const auto& g : *rows_) counts[g.category]++;
  EXPECT_EQ(by["category"]["column_type"], "string_label");
  EXPECT_EQ(by["category"]["column_statistics"]["frequencies"], Json(counts));
  // text: many distinct strings -> length statistics.
  EXPECT_EQ(by["text"]["column_type"], "string_text");
  int64_t min_len = 1 << 30, max_len = 0;
  for (const auto& g : *rows_) {
    min_len = std::min<int64_t>(min_len, static_cast<int64_t>(g.text.size()));
    max_len = std::max<int64_t>(max_len, static_cast<int64_t>(g.text.size()));
  }
  EXPECT_EQ(by["text"]["column_statistics"]["min"], min_len);
  EXPECT_EQ(by["text"]["column_statistics"]["max"], max_len);
  // flag: booleans.
  int64_t t = 0;
  for (const auto& g : *rows_) t += g.flag;
  EXPECT_EQ(by["flag"]["column_statistics"]["frequencies"], (Json{{"False", kRows - t}, {"True", t}}));
}

TEST_F(ViewerApiTest, PrivateDatasetsOnlyForTheirReaders) {
  const std::string url = hub_->url();
  ASSERT_TRUE(WaitConverted(url, "alice/secret", alice_));
  for (const std::string route : {"is-valid", "splits", "rows", "parquet", "statistics"}) {
    const std::string q = "dataset=alice/secret&config=default&split=train";
    CurlReply anon = Viewer(url, route, q);
    EXPECT_EQ(anon.status, 401) << route;
    EXPECT_EQ(anon.Header("x-error-code"), "RepoNotFound") << route;
    CurlReply other = Viewer(url, route, q, bob_);
    EXPECT_EQ(other.status, 404) << route;
    EXPECT_EQ(other.Header("x-error-code"), "RepoNotFound") << route;
    EXPECT_EQ(Viewer(url, route, q, alice_).status, 200) << route;
  }
  EXPECT_EQ(Curl("GET", url + "/api/datasets/alice/secret/parquet").status, 401);
  EXPECT_EQ(Curl("GET", url + "/api/datasets/alice/secret/parquet", {Auth(bob_)}).status, 404);
  EXPECT_EQ(Curl("GET", url + "/api/datasets/alice/secret/parquet", {Auth(alice_)}).status, 200);
}

// `viewer: false` in the card: /is-valid says no to everything, the other routes answer 404
// DisabledViewerError as dataset-viewer does; removing it turns the viewer back on.
TEST_F(ViewerApiTest, ViewerFalseInTheCardDisablesTheViewer) {
  const std::string url = hub_->url();
  CurlReply c =
      ApiCall(url, "POST", "/api/repos/create", Auth(alice_), DumpJson(Json{{"name", "hidden"}, {"type", "dataset"}}));
  ASSERT_EQ(c.status, 200) << c.body;
  ASSERT_EQ(Commit(url, alice_, "alice/hidden",
                   {{"train.jsonl", Jsonl(Generate(50, 3))}, {"README.md", "---\nviewer: false\n---\n# Hidden\n"}})
                .status,
            200);
  Json valid = ParseOrDie(Viewer(url, "is-valid", "dataset=alice/hidden").body);
  for (const char* k : {"preview", "viewer", "search", "filter", "statistics"}) EXPECT_EQ(valid[k], false) << k;
  for (const std::string route : {"splits", "first-rows", "rows", "size", "info", "parquet", "statistics"}) {
    CurlReply r = Viewer(url, route, "dataset=alice/hidden&config=default&split=train");
    EXPECT_EQ(r.status, 404) << route;
    EXPECT_EQ(r.Header("x-error-code"), "DisabledViewerError") << route;
    EXPECT_EQ(ParseOrDie(r.body)["error"], "The dataset viewer has been disabled on this dataset.") << route;
  }
  ASSERT_EQ(Commit(url, alice_, "alice/hidden", {{"README.md", "---\nviewer: true\n---\n# Shown\n"}}).status, 200);
  ASSERT_TRUE(WaitConverted(url, "alice/hidden", ""));
  EXPECT_EQ(Viewer(url, "rows", "dataset=alice/hidden&config=default&split=train").status, 200);
}

TEST_F(ViewerApiTest, NewPushSupersedesAndFailureKeepsTheBranch) {
  const std::string url = hub_->url();
  CurlReply c =
      ApiCall(url, "POST", "/api/repos/create", Auth(alice_), DumpJson(Json{{"name", "moving"}, {"type", "dataset"}}));
  ASSERT_EQ(c.status, 200) << c.body;
  // Two pushes back to back: the second one's rows are what ends up converted.
  ASSERT_EQ(Commit(url, alice_, "alice/moving", {{"train.jsonl", Jsonl(Generate(30000, 5))}}).status, 200);
  ASSERT_EQ(Commit(url, alice_, "alice/moving", {{"train.jsonl", Jsonl(Generate(777, 6))}}).status, 200);
  ASSERT_TRUE(WaitConverted(url, "alice/moving", ""));
  Json rows = ParseOrDie(Viewer(url, "rows", "dataset=alice/moving&config=default&split=train&length=1").body);
  EXPECT_EQ(rows["num_rows_total"], 777);
  Json refs = ParseOrDie(Curl("GET", url + "/api/datasets/alice/moving/refs").body);
  ASSERT_EQ(refs["converts"].size(), 1u);
  const std::string good = refs["converts"][0]["targetCommit"].get<std::string>();

  // A file whose rows cannot be read (a value of another type) fails the job visibly...
  ASSERT_EQ(Commit(url, alice_, "alice/moving", {{"train.jsonl", "{\"a\": 1}\n{\"a\": \"x\"}\n{\"a\": [\n"}}).status,
            200);
  bool failed = false;
  for (int i = 0; i < 600 && !failed; ++i) {
    CurlReply s = Viewer(url, "splits", "dataset=alice/moving");
    failed = s.status == 500 && s.Header("x-error-code") == "DatasetGenerationError";
    if (!failed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(failed);
  Json valid = ParseOrDie(Viewer(url, "is-valid", "dataset=alice/moving").body);
  EXPECT_EQ(valid["viewer"], false);
  // ...and leaves the branch at the last good conversion.
  refs = ParseOrDie(Curl("GET", url + "/api/datasets/alice/moving/refs").body);
  ASSERT_EQ(refs["converts"].size(), 1u);
  EXPECT_EQ(refs["converts"][0]["targetCommit"], good);
}

}  // namespace
}  // namespace mhub::testing
