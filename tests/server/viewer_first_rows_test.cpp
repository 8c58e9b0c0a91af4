// /first-rows against the dataset viewer's truncation rules (dataset-viewer libcommon
// viewer_utils/truncate_rows.py; web.md §2.1), recomputed here from the rows the test generated:
// rows past the tenth are dropped once the rows' JSON reaches 1 MB minus the rest of the answer;
// when the first ten alone are over it, their cells longer than 100 JSON bytes become the string of
// their first 100 bytes (cut at a UTF-8 character start), last row first, each named in
// truncated_cells; "truncated" is true when the split has more than 100 rows or rows were dropped.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

constexpr int64_t kMaxBytes = 1000000;

std::string Auth(const std::string& token) { return "Authorization: Bearer " + token; }

struct Row {
  int64_t id;
  std::string text;
};

OrderedJson RowObject(const Row& r) { return OrderedJson{{"id", r.id}, {"text", r.text}}; }

std::string Jsonl(const std::vector<Row>& rows) {
  std::string out;
  for (const auto& r : rows) out += DumpJson(RowObject(r)) + "\n";
  return out;
}

// The row item as the viewer serializes it (orjson: compact, UTF-8 kept).
std::string Item(int64_t idx, const OrderedJson& row, const std::vector<std::string>& truncated) {
  OrderedJson cells = OrderedJson::array();
  for (const auto& c : truncated) cells.push_back(c);
  return DumpJson(OrderedJson{{"row_idx", idx}, {"row", row}, {"truncated_cells", cells}});
}

// The cell truncation: the JSON text cut to 100 bytes, backed up to a UTF-8 lead byte.
std::string Cut(const std::string& json) {
  size_t i = 100;
  while (i > 0 && (static_cast<unsigned char>(json[i]) & 0xC0) == 0x80) --i;
  return json.substr(0, i);
}

class ViewerFirstRowsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hub_ = new InProcessHub();
    token_ = hub_->CreateUser("alice");
  }
  static void TearDownTestSuite() { delete hub_; }

  // Pushes `rows` as data/train.jsonl of dataset alice/`name`, waits for the conversion, returns
  // /first-rows and the size of its answer without the rows.
  static Json FirstRows(const std::string& name, const std::vector<Row>& rows, int64_t* surrounding) {
    CurlReply r = ApiCall(hub_->url(), "POST", "/api/repos/create", Auth(token_),
                          DumpJson(Json{{"name", name}, {"type", "dataset"}}));
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string body =
        "{\"key\":\"header\",\"value\":{\"summary\":\"data\"}}\n" +
        DumpJson(
            Json{{"key", "file"},
                 {"value", {{"path", "data/train.jsonl"}, {"content", Base64(Jsonl(rows))}, {"encoding", "base64"}}}}) +
        "\n";
    r = ApiCall(hub_->url(), "POST", "/api/datasets/alice/" + name + "/commit/main", Auth(token_), body,
                "application/x-ndjson");
    EXPECT_EQ(r.status, 200) << r.body;
    for (int i = 0; i < 1200; ++i) {
      r = Curl("GET", hub_->url() + "/api/viewer/first-rows?dataset=alice/" + name + "&config=default&split=train");
      if (r.status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(r.status, 200) << r.body;
    Json j = ParseOrDie(r.body);
    OrderedJson empty{{"dataset", "alice/" + name},       {"config", "default"},          {"split", "train"},
                      {"features", OrderedJson::array()}, {"rows", OrderedJson::array()}, {"truncated", false}};
    std::string features = DumpJson(OrderedJson::parse(j["features"].dump()));
    *surrounding = static_cast<int64_t>(DumpJson(empty).size() - 2 + features.size());
    return j;
  }

  static inline InProcessHub* hub_ = nullptr;
  static inline std::string token_;
};

TEST_F(ViewerFirstRowsTest, TenHugeRowsHaveTheirCellsTruncatedLastRowFirst) {
  // 20 rows of ~200 KB (two-byte characters): the first ten alone are over 1 MB.
  std::vector<Row> rows;
  for (int64_t i = 0; i < 20; ++i) {
    std::string text = std::to_string(i) + " ";
    for (int k = 0; k < 100000; ++k) text += "\xC3\xA9";  // é
    rows.push_back({i, text});
  }
  int64_t surrounding = 0;
  Json j = FirstRows("huge", rows, &surrounding);
  const int64_t budget = kMaxBytes - surrounding;

  // The rule, over the test's own rows: ten rows kept, cells cut from the last row backwards.
  std::vector<std::string> full, cut;
  for (int64_t i = 0; i < 10; ++i) {
    const OrderedJson row = RowObject(rows[static_cast<size_t>(i)]);
    full.push_back(Item(i, row, {}));
    const std::string text_json = DumpJson(OrderedJson(rows[static_cast<size_t>(i)].text));
    cut.push_back(Item(i, OrderedJson{{"id", i}, {"text", Cut(text_json)}}, {"text"}));
  }
  int64_t bytes = 2 + 9;
  for (const auto& f : full) bytes += static_cast<int64_t>(f.size());
  size_t intact = 10;
  while (intact > 0 && bytes >= budget) {
    --intact;
    bytes += static_cast<int64_t>(cut[intact].size()) - static_cast<int64_t>(full[intact].size());
  }
  ASSERT_GT(intact, 0u);
  ASSERT_LT(intact, 10u);

  ASSERT_EQ(j["rows"].size(), 10u);
  EXPECT_EQ(j["truncated"], true);
  for (size_t i = 0; i < 10; ++i) {
    const Json& item = j["rows"][i];
    EXPECT_EQ(item["row_idx"], static_cast<int64_t>(i));
    EXPECT_EQ(item["row"]["id"], static_cast<int64_t>(i));  // short cells stay as they are
    if (i < intact) {
      EXPECT_EQ(item["row"]["text"], rows[i].text) << i;
      EXPECT_EQ(item["truncated_cells"], Json::array()) << i;
    } else {
      EXPECT_EQ(item["truncated_cells"], Json::array({"text"})) << i;
      const std::string text_json = DumpJson(Json(rows[i].text));
      EXPECT_EQ(item["row"]["text"], Cut(text_json)) << i;
      // "\"12 " then whole two-byte characters only: 99 or 100 bytes, never half a character.
      EXPECT_LE(item["row"]["text"].get<std::string>().size(), 100u);
      EXPECT_EQ(text_json.compare(0, item["row"]["text"].get<std::string>().size(), item["row"]["text"]), 0);
    }
  }
}

TEST_F(ViewerFirstRowsTest, RowsPastTheTenthAreDroppedAtTheSizeLimit) {
  // 100 rows of ~30 KB: the first ten fit, the limit falls around the 33rd row.
  std::vector<Row> rows;
  for (int64_t i = 0; i < 100; ++i) rows.push_back({i, std::to_string(i) + std::string(30000, 'a' + i % 26)});
  int64_t surrounding = 0;
  Json j = FirstRows("medium", rows, &surrounding);
  const int64_t budget = kMaxBytes - surrounding;
  int64_t bytes = 2;
  size_t kept = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    bytes += static_cast<int64_t>(Item(static_cast<int64_t>(i), RowObject(rows[i]), {}).size()) + 1;
    if (i >= 10 && bytes >= budget) break;
    kept = i + 1;
  }
  ASSERT_GT(kept, 10u);
  ASSERT_LT(kept, 100u);
  ASSERT_EQ(j["rows"].size(), kept);
  EXPECT_EQ(j["truncated"], true);
  for (size_t i = 0; i < kept; ++i) {
    EXPECT_EQ(j["rows"][i]["row"]["text"], rows[i].text) << i;
    EXPECT_EQ(j["rows"][i]["truncated_cells"], Json::array()) << i;
  }
}

TEST_F(ViewerFirstRowsTest, SmallSplitIsWholeAndNotTruncated) {
  std::vector<Row> rows;
  for (int64_t i = 0; i < 7; ++i) rows.push_back({i, "row " + std::to_string(i)});
  int64_t surrounding = 0;
  Json j = FirstRows("small", rows, &surrounding);
  ASSERT_EQ(j["rows"].size(), 7u);
  EXPECT_EQ(j["truncated"], false);
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(j["rows"][i]["row"]["text"], rows[i].text);
}

}  // namespace
}  // namespace mhub::testing
