// LoadDataset over a local folder (splits resolved as datasets does, several files per split cast
// to the first file's columns, the `huggingface` features of Parquet files kept), and the dataset
// card push_to_hub writes merged into an existing card, read back with PyYAML.
#include <gtest/gtest.h>

#include <filesystem>

#include "datasets/load/dataset_card.h"
#include "mhub/base/json.h"
#include "mhub/datasets/load.h"
#include "mhub/datasets/value.h"
#include "support/test_support.h"

namespace mhub::datasets {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::WriteFileOrDie;

TEST(LoadDataset, LocalFolderSplitsAndFiles) {
  TempDir dir;
  fs::create_directories(dir / "data");
  WriteFileOrDie(dir / "data/train_0.csv", "x,y\n1,a\n2,b\n");
  WriteFileOrDie(dir / "data/train_1.csv", "x,y\n3.5,c\n");
  WriteFileOrDie(dir / "data/test.csv", "x,y\n9,z\n");
  LoadOptions o;
  o.cache_dir = dir / "cache";
  auto dd = LoadDataset(dir.path(), o);
  // datasets casts later files to the first file's schema; 3.5 does not fit int64 -> an error naming both files.
  ASSERT_FALSE(dd.ok());
  EXPECT_NE(dd.status().message().find("data/train_1.csv"), std::string::npos) << dd.status();

  WriteFileOrDie(dir / "data/train_1.csv", "x,y\n3,c\n4,\n");
  dd = LoadDataset(dir.path(), o);
  ASSERT_TRUE(dd.ok()) << dd.status();
  ASSERT_EQ(dd->splits.size(), 2u);
  EXPECT_EQ(dd->splits[0].first, "train");
  EXPECT_EQ(dd->splits[1].first, "test");
  const Dataset& train = dd->splits[0].second;
  EXPECT_EQ(train.num_rows(), 4);
  auto row = train.Row(3);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->ToJson(), R"({"x":4,"y":null})");
  o.split = "test";
  auto test = LoadDataset(dir.path(), o);
  ASSERT_TRUE(test.ok()) << test.status();
  ASSERT_EQ(test->splits.size(), 1u);
  EXPECT_EQ(test->splits[0].second.num_rows(), 1);
  o.split = "nope";
  EXPECT_EQ(LoadDataset(dir.path(), o).status().code(), StatusCode::kNotFound);
}

Json CardYaml(const std::string& card) {
  TempDir dir;
  WriteFileOrDie(dir / "README.md", card);
  auto r = testing::RunCommand(testing::ShellQuote(testing::Python()) +
                               " -c \"import json,sys,yaml; t=open(sys.argv[1]).read().split('---\\n'); "
                               "print(json.dumps(yaml.safe_load(t[1])))\" " +
                               testing::ShellQuote(dir / "README.md"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return Json::parse(r.out);
}

// DatasetInfosDict.to_dataset_card_data / MetadataConfigs.to_dataset_card_data: pushing config "b"
// into a card that has config "a" gives lists sorted by config name, other keys and the body kept.
TEST(DatasetCard, MergedIntoAnExistingCard) {
  Features f;
  Feature text;
  text.dtype = "string";
  f.columns.emplace_back("text", text);
  ExportedSplit train{"train", {"b/train-00000-of-00001.parquet"}, 2, 30, 500};
  std::string existing =
      "---\nlicense: mit\ndataset_info:\n  config_name: a\n  features:\n  - name: text\n    dtype: string\n"
      "  splits:\n  - name: train\n    num_bytes: 10\n    num_examples: 1\n  download_size: 100\n  dataset_size: 10\n"
      "configs:\n- config_name: a\n  data_files:\n  - split: train\n    path: a/train-*\n---\n# Title\n\nBody text.\n";
  auto card = load::UpdateDatasetCard(existing, "b", f, {train});
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_NE(card->find("---\n# Title\n\nBody text.\n"), std::string::npos) << *card;
  Json y = CardYaml(*card);
  EXPECT_EQ(y["license"], "mit");
  ASSERT_EQ(y["dataset_info"].size(), 2u);
  EXPECT_EQ(y["dataset_info"][0]["config_name"], "a");
  EXPECT_EQ(y["dataset_info"][1]["config_name"], "b");
  EXPECT_EQ(y["dataset_info"][1]["splits"], Json::parse(R"([{"name":"train","num_bytes":30,"num_examples":2}])"));
  EXPECT_EQ(y["dataset_info"][1]["download_size"], 500);
  EXPECT_EQ(y["dataset_info"][1]["dataset_size"], 30);
  EXPECT_EQ(y["configs"], Json::parse(R"([{"config_name":"a","data_files":[{"split":"train","path":"a/train-*"}]},)"
                                      R"({"config_name":"b","data_files":[{"split":"train","path":"b/train-*"}]}])"));
  // A fresh card for the default config: one dataset_info mapping without config_name, data/ paths.
  ExportedSplit t2{"test", {"data/test-00000-of-00001.parquet"}, 1, 7, 90};
  auto fresh = load::UpdateDatasetCard("", "default", f, {train, t2});
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  Json z = CardYaml(*fresh);
  EXPECT_FALSE(z["dataset_info"].contains("config_name"));
  EXPECT_EQ(z["dataset_info"]["dataset_size"], 37);
  EXPECT_EQ(z["dataset_info"]["features"], Json::parse(R"([{"name":"text","dtype":"string"}])"));
  EXPECT_EQ(z["configs"][0]["data_files"][1], Json::parse(R"({"split":"test","path":"data/test-*"})"));
}

}  // namespace
}  // namespace mhub::datasets
