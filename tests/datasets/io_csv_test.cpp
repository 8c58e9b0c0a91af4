// The CSV/TSV reader against pandas.read_csv (what `datasets`' csv builder calls), through
// tests/datasets/oracle/dsload_pandas_csv.py: column names, types and every value, on hand-written
// files for each rule (quoting, embedded newlines, NA strings, headers) and on random files.
#include <gtest/gtest.h>

#include <random>

#include "mhub/base/json.h"
#include "mhub/datasets/load.h"
#include "mhub/datasets/value.h"
#include "support/test_support.h"

namespace mhub::datasets {
namespace {

using testing::ReadFileOrDie;
using testing::RunCommand;
using testing::ShellQuote;
using testing::TempDir;
using testing::WriteFileOrDie;

struct Read {
  Json columns = Json::array();
  Json rows = Json::array();
};

Result<Read> ReadWithMhub(const std::string& path, int64_t batch_rows = 3) {
  TextReadOptions o;
  o.batch_rows = batch_rows;
  MHUB_ASSIGN_OR_RETURN(auto reader, OpenDataFile(path, o));
  Read out;
  for (const auto& f : reader->schema().fields) out.columns.push_back({{"name", f.name}, {"type", f.type->ToString()}});
  for (;;) {
    MHUB_ASSIGN_OR_RETURN(auto batch, reader->Next());
    if (!batch) break;
    EXPECT_TRUE(batch->Validate().ok()) << batch->Validate();
    for (int64_t i = 0; i < batch->num_rows; ++i) {
      Json row = Json::array();
      for (const auto& col : batch->columns) row.push_back(Json::parse(GetValue(*col, i).ToJson()));
      out.rows.push_back(row);
    }
  }
  return out;
}

std::vector<Json> Pandas(const std::vector<std::string>& paths) {
  std::string cmd = ShellQuote(testing::Python()) + " " +
                    ShellQuote(testing::SourceDir() + "/tests/datasets/oracle/dsload_pandas_csv.py");
  for (const auto& p : paths) cmd += " " + ShellQuote(p);
  auto r = RunCommand(cmd);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<Json> out;
  for (const auto& line : testing::NonEmptyLines(r.out)) out.push_back(Json::parse(line));
  EXPECT_EQ(out.size(), paths.size()) << r.err;
  return out;
}

void ExpectSameAsPandas(const std::string& path, const Json& want) {
  SCOPED_TRACE(path + ":\n" + ReadFileOrDie(path));
  ASSERT_FALSE(want.contains("error")) << want.dump();
  auto got = ReadWithMhub(path);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->columns, want["columns"]);
  ASSERT_EQ(got->rows.size(), want["rows"].size());
  for (size_t r = 0; r < got->rows.size(); ++r) {
    for (size_t c = 0; c < got->rows[r].size(); ++c) {
      const Json& g = got->rows[r][c];
      const Json& w = want["rows"][r][c];
      if (g.is_number() && w.is_number())
        EXPECT_EQ(g.get<double>(), w.get<double>()) << "row " << r << " column " << c;
      else
        EXPECT_EQ(g, w) << "row " << r << " column " << c;
    }
  }
}

class CsvVsPandas : public ::testing::Test {
 protected:
  void Check(const std::vector<std::pair<std::string, std::string>>& files) {
    std::vector<std::string> paths;
    for (const auto& [name, text] : files) {
      paths.push_back(dir_ / name);
      WriteFileOrDie(paths.back(), text);
    }
    auto want = Pandas(paths);
    for (size_t i = 0; i < paths.size() && i < want.size(); ++i) ExpectSameAsPandas(paths[i], want[i]);
  }
  TempDir dir_;
};

TEST_F(CsvVsPandas, TypeInferenceRules) {
  Check({
      {"ints.csv", "a,b\n1,-2\n3,+4\n10000000000,0\n"},
      {"ints_with_missing.csv", "a,b\n1,x\n,y\n3,\n"},  // int column with a gap becomes double
      {"floats.csv", "a,b\n1.5,1\n-2e3,2.0\n.5,inf\n"},
      {"bools.csv", "a,b,c\nTrue,true,TRUE\nFalse,false,FALSE\n"},
      {"bools_missing.csv", "a\ntrue\n\nfalse\nNA\n"},
      {"strings.csv", "a,b\nx,1\ny,two\n,3.5\n"},
      {"na_words.csv", "a,b,c\nNA,null,NULL\nN/A,NaN,n/a\n1,2,3\n"},
      {"all_missing.csv", "a,b\n,1\n,2\n"},
      {"mixed_bool_int.csv", "a\n1\ntrue\n"},
  });
}

TEST_F(CsvVsPandas, QuotingAndLines) {
  Check({
      {"quoted.csv", "a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"multi\nline\",2\n"},
      {"crlf.csv", "a,b\r\n1,x\r\n2,y\r\n"},
      {"no_final_newline.csv", "a,b\n1,2\n3,4"},
      {"blank_lines.csv", "a,b\n\n1,2\n\n\n3,4\n"},
      {"quote_inside.csv", "a,b\nab\"c,1\n\"q\"tail,2\n"},
      {"short_rows.csv", "a,b,c\n1,2\n3,4,5\n"},
      {"numbers_quoted.csv", "a\n\"1\"\n\"2\"\n"},
      {"unicode.csv", "name,v\nnaïve,1\n日本語,2\n"},
      {"tabs.tsv", "a\tb\n1\tx,y\n2\tz\n"},
  });
}

TEST_F(CsvVsPandas, HeaderNames) {
  Check({
      {"dupes.csv", "a,a,b,a\n1,2,3,4\n"},
      {"empty_name.csv", "a,,c\n1,2,3\n"},
      {"header_only.csv", "a,b\n"},
  });
}

// Random files: random column kinds, random missing values, random quoting.
TEST_F(CsvVsPandas, RandomFiles) {
  std::mt19937 rng(12345);
  std::vector<std::pair<std::string, std::string>> files;
  for (int f = 0; f < 12; ++f) {
    int cols = 1 + static_cast<int>(rng() % 5);
    int rows = 1 + static_cast<int>(rng() % 40);
    std::vector<int> kind(cols);
    for (auto& k : kind) k = static_cast<int>(rng() % 5);
    std::string text;
    for (int c = 0; c < cols; ++c) text += (c ? "," : "") + std::string("col") + std::to_string(c);
    text += "\n";
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c) {
        if (c) text += ",";
        if (rng() % 7 == 0) continue;  // missing
        switch (kind[c]) {
          case 0:
            text += std::to_string(static_cast<int64_t>(rng()) - (1LL << 31));
            break;
          case 1:
            text += std::to_string(static_cast<double>(rng() % 100000) / 64.0 - 500.0);
            break;
          case 2:
            text += rng() % 2 ? "true" : "False";
            break;
          case 3: {
            std::string s = "s" + std::to_string(rng() % 1000);
            if (rng() % 3 == 0) s += ", with \"quotes\"\nand a newline";
            std::string q = "\"";
            for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
            text += s.find_first_of(",\"\n") != std::string::npos ? q + "\"" : s;
            break;
          }
          default:
            text += rng() % 2 ? std::to_string(rng() % 100) : "word";
        }
      }
      text += "\n";
    }
    files.emplace_back("random" + std::to_string(f) + ".csv", text);
  }
  Check(files);
}

// "None" is a missing value since pandas 2.0 (whatsnew 2.0.0: "None" added to the default na_values of
// read_csv), which current `datasets` installs get; the pandas 1.5 oracle here predates it.
TEST(CsvNa, NoneIsMissingAsInPandas2) {
  TempDir dir;
  WriteFileOrDie(dir / "none.csv", "a,b\nNone,x\n2,None\n");
  auto got = ReadWithMhub(dir / "none.csv");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->columns, Json::parse(R"([{"name":"a","type":"double"},{"name":"b","type":"string"}])"));
  EXPECT_EQ(got->rows, Json::parse(R"([[null,"x"],[2.0,null]])"));
}

// A row with more fields than the header: pandas refuses it; so do we, naming the file and the line.
TEST(CsvErrors, RaggedRowNamesTheLine) {
  TempDir dir;
  std::string path = dir / "ragged.csv";
  WriteFileOrDie(path, "a,b\n1,2\n\"x\ny\",3\n4,5,6\n");
  auto want = Pandas({path});
  ASSERT_EQ(want.size(), 1u);
  EXPECT_TRUE(want[0].contains("error"));  // pandas: "Expected 2 fields in line 5, saw 3"
  auto got = ReadWithMhub(path);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), path + ": line 5: expected 2 fields, saw 3");
}

TEST(CsvErrors, UnterminatedQuoteAndBadUtf8) {
  TempDir dir;
  WriteFileOrDie(dir / "open.csv", "a,b\n1,\"never closed\n2,3\n");
  auto open = ReadWithMhub(dir / "open.csv");
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.status().message().find("open.csv: line 2: unterminated quoted field"), std::string::npos)
      << open.status();
  WriteFileOrDie(dir / "latin1.csv", "a\nok\ncaf\xe9\n");
  auto bad = ReadWithMhub(dir / "latin1.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("latin1.csv: line 3: not UTF-8"), std::string::npos) << bad.status();
  WriteFileOrDie(dir / "empty.csv", "");
  EXPECT_FALSE(ReadWithMhub(dir / "empty.csv").ok());
}

}  // namespace
}  // namespace mhub::datasets
