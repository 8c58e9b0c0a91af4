// `mhub datasets rows|head|info|convert|push` through the real binary and a real `mhub server`:
// a dataset repo uploaded to the hub is read back by config and split as `datasets` resolves it
// (README configs), a pushed dataset has the files and card `datasets` push_to_hub writes (checked
// with hyparquet and PyYAML, not with our own reader), and bad input is one error line.
#include <gtest/gtest.h>

#include <filesystem>

#include "integration/hub_cli_fixture.h"
#include "mhub/base/json.h"

namespace {

namespace fs = std::filesystem;
using mhub::Json;
using mhub::testing::HubCliTest;
using mhub::testing::Lines;
using mhub::testing::OneErrorLine;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::WriteFileOrDie;

std::vector<Json> JsonLines(const std::string& out) {
  std::vector<Json> rows;
  for (const auto& l : Lines(out)) rows.push_back(Json::parse(l));
  return rows;
}

class DatasetsCliTest : public HubCliTest {
 protected:
  std::string Q(const std::string& s) { return ShellQuote(s); }
};

TEST_F(DatasetsCliTest, RowsOfALocalFileWithOffsetAndLength) {
  std::string csv = work_ / "d.csv";
  WriteFileOrDie(csv, "id,text\n1,a\n2,\"b, c\"\n3,\n4,d\n");
  auto r = Mhub("datasets rows " + Q(csv) + " --offset 1 --length 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(JsonLines(r.out),
            (std::vector<Json>{Json::parse(R"({"id":2,"text":"b, c"})"), Json::parse(R"({"id":3,"text":null})")}));
  auto all = Mhub("datasets rows " + Q(csv));
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(Lines(all.out).size(), 4u);
  auto head = Mhub("datasets head " + Q(csv) + " -n 2");
  ASSERT_EQ(head.exit_code, 0) << head.err;
  EXPECT_EQ(Lines(head.out).size(), 3u) << head.out;  // header + 2 rows
}

// A repo with a README `configs:` (two configs, split {split, path} items), uploaded with the hub
// CLI; rows and info read it through the server as `datasets` would resolve it.
TEST_F(DatasetsCliTest, ReadsAHubRepoByConfigAndSplit) {
  std::string folder = work_ / "repo";
  fs::create_directories(folder + "/data");
  fs::create_directories(folder + "/extra");
  WriteFileOrDie(folder + "/README.md",
                 "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train.jsonl\n"
                 "  - split: test\n    path: data/test.jsonl\n- config_name: extra\n  data_files: extra/*.jsonl\n"
                 "---\n# A test dataset\n");
  WriteFileOrDie(folder + "/data/train.jsonl", "{\"t\": \"a\", \"n\": 1}\n{\"t\": \"b\", \"n\": 2}\n");
  WriteFileOrDie(folder + "/data/test.jsonl", "{\"t\": \"z\", \"n\": 2.5}\n");
  WriteFileOrDie(folder + "/extra/x.jsonl", "{\"other\": [1, 2]}\n");
  ASSERT_EQ(Mhub("repo create bob/ds --repo-type dataset").exit_code, 0);
  auto up = Mhub("upload bob/ds " + Q(folder) + " . --repo-type dataset");
  ASSERT_EQ(up.exit_code, 0) << up.err;

  auto test = Mhub("datasets rows bob/ds --split test");
  ASSERT_EQ(test.exit_code, 0) << test.err;
  EXPECT_EQ(JsonLines(test.out), std::vector<Json>{Json::parse(R"({"t":"z","n":2.5})")});
  auto train = Mhub("datasets rows bob/ds");  // the default config's first split
  ASSERT_EQ(train.exit_code, 0) << train.err;
  EXPECT_EQ(JsonLines(train.out),
            (std::vector<Json>{Json::parse(R"({"t":"a","n":1})"), Json::parse(R"({"t":"b","n":2})")}));
  auto extra = Mhub("datasets rows bob/ds --config extra");
  ASSERT_EQ(extra.exit_code, 0) << extra.err;
  EXPECT_EQ(JsonLines(extra.out), std::vector<Json>{Json::parse(R"({"other":[1,2]})")});

  auto info = Mhub("datasets info bob/ds --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  Json j = Json::parse(info.out);
  ASSERT_EQ(j["configs"].size(), 2u);
  EXPECT_EQ(j["configs"][0]["config_name"], "default");
  EXPECT_EQ(j["configs"][0]["default"], true);
  EXPECT_EQ(j["configs"][0]["splits"][1]["name"], "test");
  EXPECT_EQ(j["configs"][1]["splits"][0]["files"], Json::parse(R"(["extra/x.jsonl"])"));

  auto missing = Mhub("datasets rows bob/ds --split validation");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(OneErrorLine(missing.err)) << missing.err;
  EXPECT_NE(missing.err.find("'train', 'test'"), std::string::npos) << missing.err;
  auto private_miss = Mhub("datasets rows bob/nope");
  EXPECT_EQ(private_miss.exit_code, 1);
  EXPECT_TRUE(OneErrorLine(private_miss.err)) << private_miss.err;
}

// push writes data/train-00000-of-00001.parquet and a README whose YAML is what push_to_hub writes;
// the Parquet file is read with hyparquet and the card with PyYAML.
TEST_F(DatasetsCliTest, PushWritesShardsAndCardAsDatasetsDoes) {
  std::string csv = work_ / "src.csv";
  WriteFileOrDie(csv, "id,score,name\n1,0.5,ann\n2,1.25,\n3,-2,\"c, d\"\n");
  auto push = Mhub("datasets push " + Q(csv) + " bob/pushed --json");
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_EQ(Json::parse(push.out)["repo"], "bob/pushed");

  auto ls = Mhub("ls bob/pushed -R --json --repo-type dataset");
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  std::map<std::string, int64_t> files;
  for (const auto& e : Json::parse(ls.out))
    if (e["type"] == "file") files[e["path"]] = e["size"];
  ASSERT_TRUE(files.count("data/train-00000-of-00001.parquet")) << ls.out;
  ASSERT_TRUE(files.count("README.md")) << ls.out;

  auto dl = Mhub("download bob/pushed data/train-00000-of-00001.parquet README.md --repo-type dataset --local-dir " +
                 Q(work_ / "dl"));
  ASSERT_EQ(dl.exit_code, 0) << dl.err;
  auto node =
      RunCommand("cd " + Q(mhub::testing::SourceDir()) + " && node tests/datasets/oracle/dsload_hyparquet_rows.mjs " +
                 Q(work_ / "dl/data/train-00000-of-00001.parquet"));
  ASSERT_EQ(node.exit_code, 0) << node.err;
  auto rows = JsonLines(node.out);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], Json::parse(R"({"id":1,"score":0.5,"name":"ann"})"));
  EXPECT_EQ(rows[1], Json::parse(R"({"id":2,"score":1.25,"name":null})"));
  EXPECT_EQ(rows[2], Json::parse(R"({"id":3,"score":-2,"name":"c, d"})"));
  Json hf = Json::parse(rows[3]["kv"]["huggingface"].get<std::string>());
  EXPECT_EQ(hf["info"]["features"],
            Json::parse(R"({"id":{"dtype":"int64","_type":"Value"},"score":{"dtype":"float64","_type":"Value"},)"
                        R"("name":{"dtype":"string","_type":"Value"}})"));

  auto yaml = RunCommand(ShellQuote(mhub::testing::Python()) +
                         " -c \"import json,sys,yaml; t=open(sys.argv[1]).read().split('---\\n'); "
                         "print(json.dumps(yaml.safe_load(t[1])))\" " +
                         Q(work_ / "dl/README.md"));
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  Json card = Json::parse(yaml.out);
  EXPECT_EQ(card["configs"],
            Json::parse(R"([{"config_name":"default","data_files":[{"split":"train","path":"data/train-*"}]}])"));
  const Json& info = card["dataset_info"];
  EXPECT_EQ(info["features"], Json::parse(R"([{"name":"id","dtype":"int64"},{"name":"score","dtype":"float64"},)"
                                          R"({"name":"name","dtype":"string"}])"));
  EXPECT_EQ(info["splits"][0]["name"], "train");
  EXPECT_EQ(info["splits"][0]["num_examples"], 3);
  EXPECT_EQ(info["dataset_size"], info["splits"][0]["num_bytes"]);
  EXPECT_EQ(info["download_size"], files["data/train-00000-of-00001.parquet"]);

  // Read back through the hub: the sharded file pattern gives the train split.
  auto back = Mhub("datasets rows bob/pushed");
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(Lines(back.out).size(), 3u);

  // Pushed again in small shards: the earlier single shard is deleted in the same commit.
  auto again = Mhub("datasets push " + Q(csv) + " bob/pushed --max-shard-bytes 20");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto ls2 = Mhub("ls bob/pushed -R --repo-type dataset");
  ASSERT_EQ(ls2.exit_code, 0) << ls2.err;
  auto names = Lines(ls2.out);
  EXPECT_EQ(std::count(names.begin(), names.end(), "data/train-00000-of-00001.parquet"), 0) << ls2.out;
  EXPECT_GE(std::count_if(names.begin(), names.end(),
                          [](const std::string& n) { return n.rfind("data/train-00001-of-", 0) == 0; }),
            1)
      << ls2.out;
  auto back2 = Mhub("datasets rows bob/pushed");
  ASSERT_EQ(back2.exit_code, 0) << back2.err;
  EXPECT_EQ(JsonLines(back2.out), JsonLines(back.out));
}

TEST_F(DatasetsCliTest, ConvertToFilesAndFolder) {
  std::string jsonl = work_ / "in.jsonl";
  WriteFileOrDie(jsonl, "{\"a\": 1, \"b\": [\"x\"]}\n{\"a\": null, \"b\": []}\n");
  auto pq = Mhub("datasets convert " + Q(jsonl) + " " + Q(work_ / "out.parquet"));
  ASSERT_EQ(pq.exit_code, 0) << pq.err;
  auto node = RunCommand("cd " + Q(mhub::testing::SourceDir()) +
                         " && node tests/datasets/oracle/dsload_hyparquet_rows.mjs " + Q(work_ / "out.parquet"));
  ASSERT_EQ(node.exit_code, 0) << node.err;
  auto rows = JsonLines(node.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], Json::parse(R"({"a":1,"b":["x"]})"));
  EXPECT_EQ(rows[1], Json::parse(R"({"a":null,"b":[]})"));
  auto csv = Mhub("datasets convert " + Q(jsonl) + " " + Q(work_ / "out.csv"));
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(mhub::testing::ReadFileOrDie(work_ / "out.csv"), "a,b\n1,\"[\"\"x\"\"]\"\n,[]\n");
  auto folder = Mhub("datasets convert " + Q(jsonl) + " " + Q(work_ / "outdir"));
  ASSERT_EQ(folder.exit_code, 0) << folder.err;
  EXPECT_TRUE(fs::exists(work_ / "outdir/data/train-00000-of-00001.parquet"));
  EXPECT_TRUE(fs::exists(work_ / "outdir/README.md"));
}

TEST_F(DatasetsCliTest, BadInputIsOneErrorLine) {
  std::string ragged = work_ / "ragged.csv";
  WriteFileOrDie(ragged, "a,b\n1,2\n3,4,5\n");
  auto r = Mhub("datasets rows " + Q(ragged));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(OneErrorLine(r.err)) << r.err;
  EXPECT_NE(r.err.find("line 3: expected 2 fields, saw 3"), std::string::npos) << r.err;
  std::string conflict = work_ / "c.jsonl";
  WriteFileOrDie(conflict, "{\"a\": 1}\n{\"a\": \"x\"}\n");
  auto c = Mhub("datasets rows " + Q(conflict));
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_TRUE(OneErrorLine(c.err)) << c.err;
  EXPECT_NE(c.err.find("line 2: column 'a' changed from integer to string"), std::string::npos) << c.err;
  auto missing = Mhub("datasets rows ./no-such-file.csv");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(OneErrorLine(missing.err)) << missing.err;
  auto usage = Mhub("datasets rows");
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_TRUE(OneErrorLine(usage.err)) << usage.err;
  // Nothing half-written: a failed convert leaves no output file.
  auto failed = Mhub("datasets convert " + Q(ragged) + " " + Q(work_ / "x.jsonl"));
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_FALSE(fs::exists(work_ / "x.jsonl"));
  EXPECT_FALSE(fs::exists(work_ / "x.jsonl.tmp"));
}

}  // namespace
