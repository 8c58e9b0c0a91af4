// JSON Lines / JSON documents / text files: values read back equal what was written (random rows
// with random nulls, nesting and missing keys), types unified as pyarrow's JSON reader unifies them
// (int + float -> double, null -> any, objects -> structs with the union of keys), conflicts an
// error naming the file, the line and the column. Text files against Python's str.splitlines.
#include <gtest/gtest.h>

#include <random>

#include "mhub/base/json.h"
#include "mhub/datasets/load.h"
#include "mhub/datasets/value.h"
#include "support/test_support.h"

namespace mhub::datasets {
namespace {

using testing::TempDir;
using testing::WriteFileOrDie;

struct Read {
  Schema schema;
  std::vector<Json> rows;  // one object per row, from Value::ToJson
};

Result<Read> ReadAll(const std::string& path, TextReadOptions o = {}) {
  o.batch_rows = 7;
  MHUB_ASSIGN_OR_RETURN(auto reader, OpenDataFile(path, o));
  Read out;
  out.schema = reader->schema();
  for (;;) {
    MHUB_ASSIGN_OR_RETURN(auto batch, reader->Next());
    if (!batch) break;
    EXPECT_TRUE(batch->Validate().ok()) << batch->Validate();
    for (int64_t i = 0; i < batch->num_rows; ++i) out.rows.push_back(Json::parse(RowToJson(*batch, i)));
  }
  return out;
}

// `written` with every missing key of the schema as null (what a struct column holds for it).
Json WithNulls(const Json& written, const Schema& schema) {
  Json out = Json::object();
  for (const auto& f : schema.fields) out[f.name] = written.contains(f.name) ? written[f.name] : Json(nullptr);
  return out;
}

Json RandomValue(std::mt19937& rng, int kind, int depth) {
  if (rng() % 6 == 0) return nullptr;
  switch (kind) {
    case 0:
      return static_cast<int64_t>(rng()) - (1LL << 31);
    case 1:
      return static_cast<double>(rng() % 100000) / 8.0;
    case 2:
      return rng() % 2 == 0;
    case 3:
      return "s\"\\\n" + std::to_string(rng() % 1000) + "é";
    case 4: {
      Json list = Json::array();
      int n = static_cast<int>(rng() % 4);
      for (int i = 0; i < n; ++i) list.push_back(depth > 0 ? RandomValue(rng, 0, depth - 1) : Json(1));
      return list;
    }
    default: {
      Json obj = Json::object();
      if (rng() % 2) obj["x"] = RandomValue(rng, 0, depth - 1);
      obj["y"] = RandomValue(rng, 3, depth - 1);
      return obj;
    }
  }
}

TEST(JsonLines, RandomRowsRoundTrip) {
  TempDir dir;
  std::mt19937 rng(7);
  for (int file = 0; file < 8; ++file) {
    int cols = 1 + static_cast<int>(rng() % 6);
    std::vector<int> kinds(cols);
    for (auto& k : kinds) k = static_cast<int>(rng() % 6);
    std::vector<Json> rows;
    std::string text;
    int n = 1 + static_cast<int>(rng() % 50);
    for (int r = 0; r < n; ++r) {
      Json row = Json::object();
      for (int c = 0; c < cols; ++c)
        if (rng() % 9 != 0) row["c" + std::to_string(c)] = RandomValue(rng, kinds[c], 2);
      rows.push_back(row);
      text += row.dump() + (rng() % 5 == 0 ? "\n\n" : "\n");
    }
    std::string path = dir / ("f" + std::to_string(file) + ".jsonl");
    WriteFileOrDie(path, text);
    auto got = ReadAll(path);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->rows.size(), rows.size());
    for (size_t r = 0; r < rows.size(); ++r) {
      Json want = WithNulls(rows[r], got->schema);
      // Struct values carry every key of the unified struct (missing -> null): compare key by key.
      for (auto& [k, v] : want.items()) {
        const Json& g = got->rows[r][k];
        if (v.is_object()) {
          for (auto& [sk, sv] : v.items()) EXPECT_EQ(g[sk], sv) << path << " row " << r << " " << k << "." << sk;
        } else {
          EXPECT_EQ(g, v) << path << " row " << r << " column " << k;
        }
      }
    }
  }
}

TEST(JsonLines, TypesUnifiedOverRows) {
  TempDir dir;
  WriteFileOrDie(dir / "u.jsonl",
                 "{\"a\": 1, \"b\": null, \"c\": [1]}\n{\"a\": 2.5, \"d\": {\"x\": 1}, \"c\": [2.5, null]}\n"
                 "{\"b\": \"s\", \"d\": {\"y\": true}, \"c\": []}\n");
  auto got = ReadAll(dir / "u.jsonl");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->schema.ToString(), "a: double\nb: string\nc: list<item: double>\nd: struct<x: int64, y: bool>\n")
      << got->schema.ToString();
  EXPECT_EQ(got->rows[0], Json::parse(R"({"a":1.0,"b":null,"c":[1.0],"d":null})"));
  EXPECT_EQ(got->rows[2], Json::parse(R"({"a":null,"b":"s","c":[],"d":{"x":null,"y":true}})"));
}

TEST(JsonLines, ConflictNamesFileLineAndColumn) {
  TempDir dir;
  WriteFileOrDie(dir / "bad.jsonl", "{\"a\": {\"b\": 1}}\n\n{\"a\": {\"b\": \"x\"}}\n");
  auto got = ReadAll(dir / "bad.jsonl");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), dir / "bad.jsonl" + ": line 3: column 'a.b' changed from integer to string");
  WriteFileOrDie(dir / "syntax.jsonl", "{\"a\": 1}\n{\"a\": }\n");
  auto syntax = ReadAll(dir / "syntax.jsonl");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("syntax.jsonl: line 2"), std::string::npos) << syntax.status();
  WriteFileOrDie(dir / "scalar.jsonl", "{\"a\": 1}\n[1, 2]\n");
  EXPECT_FALSE(ReadAll(dir / "scalar.jsonl").ok());
}

TEST(JsonDocument, ArrayColumnsAndField) {
  TempDir dir;
  Json want = Json::parse(R"([{"a":1,"b":"x"},{"a":2,"b":null}])");
  WriteFileOrDie(dir / "array.json", "[\n {\"a\": 1, \"b\": \"x\"},\n {\"a\": 2}\n]\n");
  // Pretty-printed, so not JSON Lines: read whole as an object of columns (pandas.read_json's fallback).
  WriteFileOrDie(dir / "columns.json", "{\n  \"a\": [1, 2],\n  \"b\": [\"x\", null]\n}\n");
  WriteFileOrDie(dir / "field.json", "{\"version\": 1, \"data\": [{\"a\": 1, \"b\": \"x\"}, {\"a\": 2}]}");
  for (const char* name : {"array.json", "columns.json"}) {
    auto got = ReadAll(dir / name);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(Json(got->rows), want) << name;
  }
  TextReadOptions o;
  o.field = "data";
  auto got = ReadAll(dir / "field.json", o);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(Json(got->rows), want);
  o.field = "nope";
  EXPECT_FALSE(ReadAll(dir / "field.json", o).ok());
  WriteFileOrDie(dir / "ragged.json", "{\n\"a\": [1, 2], \"b\": [1]}");
  EXPECT_FALSE(ReadAll(dir / "ragged.json").ok());
  // On one line the same object is one JSON Lines row (pyarrow reads it first).
  WriteFileOrDie(dir / "one_line.json", "{\"a\": [1, 2], \"b\": [\"x\", null]}");
  auto one = ReadAll(dir / "one_line.json");
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(Json(one->rows), Json::parse(R"([{"a":[1,2],"b":["x",null]}])"));
  WriteFileOrDie(dir / "strings.json", "[\"first\", \"second\"]");
  auto strings = ReadAll(dir / "strings.json");
  ASSERT_TRUE(strings.ok()) << strings.status();
  EXPECT_EQ(Json(strings->rows), Json::parse(R"([{"text":"first"},{"text":"second"}])"));
}

// datasets' text builder: one row per line (keep_linebreaks=False); compared with Python's splitlines
// on text whose only line breaks are \n and \r\n.
TEST(TextFiles, OneRowPerLineAsPython) {
  TempDir dir;
  std::string text = "first line\r\n\nthird, with comma\nlast without newline";
  WriteFileOrDie(dir / "t.txt", text);
  auto py = testing::RunCommand(testing::ShellQuote(testing::Python()) +
                                " -c \"import json,sys; print(json.dumps(open(sys.argv[1], newline='').read()"
                                ".splitlines()))\" " +
                                testing::ShellQuote(dir / "t.txt"));
  ASSERT_EQ(py.exit_code, 0) << py.err;
  Json want = Json::parse(py.out);
  auto got = ReadAll(dir / "t.txt");
  ASSERT_TRUE(got.ok()) << got.status();
  Json texts = Json::array();
  for (const auto& r : got->rows) texts.push_back(r["text"]);
  EXPECT_EQ(texts, want);
  EXPECT_EQ(got->schema.ToString(), "text: string\n");
}

}  // namespace
}  // namespace mhub::datasets
