// Config and split resolution, one test per rule, each checked against what `datasets` documents
// (docs/source/repository_structure.mdx, "Structure your repository") or what its code does
// (src/datasets/data_files.py, load.py, packaged_modules/__init__.py, utils/metadata.py at
// huggingface/datasets b7cb10b). The expected results are the docs' examples, not our output.
#include <gtest/gtest.h>

#include "datasets/load/builders.h"
#include "datasets/load/data_files_glob.h"
#include "mhub/datasets/load.h"

namespace mhub::datasets {
namespace {

using Splits = std::vector<std::pair<std::string, std::vector<std::string>>>;

Splits SplitsOf(const DatasetConfig& c) {
  Splits out;
  for (const auto& s : c.splits) out.emplace_back(s.split, s.files);
  return out;
}

DatasetConfig One(const std::vector<std::string>& files, const std::string& readme = "") {
  auto r = ResolveConfigs(files, readme);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok() || r->size() != 1) return {};
  return r->front();
}

// repository_structure.mdx "Single split": no pattern found -> all files are one train split.
TEST(ResolveConfigs, SingleSplitWhenNoPatternMatches) {
  DatasetConfig c = One({"README.md", "bees.csv", "more/bees2.csv"});
  EXPECT_EQ(c.name, "default");
  EXPECT_TRUE(c.is_default);
  EXPECT_EQ(c.builder, "csv");
  EXPECT_EQ(SplitsOf(c), (Splits{{"train", {"bees.csv", "more/bees2.csv"}}}));
}

// "Directory name": data/{train,test,validation}/*.csv; splits in datasets' order train, validation, test.
TEST(ResolveConfigs, SplitFromDirectoryName) {
  DatasetConfig c =
      One({"README.md", "data/train/bees.csv", "data/test/more_bees.csv", "data/validation/even_more_bees.csv"});
  EXPECT_EQ(SplitsOf(c), (Splits{{"train", {"data/train/bees.csv"}},
                                 {"validation", {"data/validation/even_more_bees.csv"}},
                                 {"test", {"data/test/more_bees.csv"}}}));
}

// "Filename splits": train.csv, my_train_file.csv, train1.csv are train; testfile.csv is not a test
// file (the keyword must be delimited by -._ space or digits; data_files.py NON_WORDS_CHARS). Files
// come pattern by pattern (DataFilesList.from_patterns): "**/train[sep]*" before "**/*[sep]train[sep]*".
TEST(ResolveConfigs, SplitFromFileNameWithDelimiters) {
  DatasetConfig c = One({"train.csv", "my_train_file.csv", "train1.csv", "my_validation_file.csv", "test1.csv",
                         "testfile.csv", "pretrained.csv"});
  EXPECT_EQ(SplitsOf(c), (Splits{{"train", {"train.csv", "train1.csv", "my_train_file.csv"}},
                                 {"validation", {"my_validation_file.csv"}},
                                 {"test", {"test1.csv"}}}));
}

// "Split name keywords": training/eval/valid map to train/test/validation (data_files.py SPLIT_KEYWORDS).
TEST(ResolveConfigs, SplitKeywordSynonyms) {
  DatasetConfig c = One({"README.md", "data/training.csv", "data/eval.csv", "data/valid.csv"});
  EXPECT_EQ(
      SplitsOf(c),
      (Splits{{"train", {"data/training.csv"}}, {"validation", {"data/valid.csv"}}, {"test", {"data/eval.csv"}}}));
  DatasetConfig d = One({"dev.jsonl", "testing.jsonl", "train.jsonl"});
  EXPECT_EQ(SplitsOf(d),
            (Splits{{"train", {"train.jsonl"}}, {"validation", {"dev.jsonl"}}, {"test", {"testing.jsonl"}}}));
}

// "Custom filename split": data/<split>-xxxxx-of-xxxxx.csv, any split name; known ones first, then sorted.
TEST(ResolveConfigs, ShardedSplitPattern) {
  DatasetConfig c =
      One({"README.md", "data/train-00000-of-00003.csv", "data/train-00001-of-00003.csv",
           "data/train-00002-of-00003.csv", "data/test-00000-of-00001.csv", "data/random-00000-of-00003.csv",
           "data/random-00001-of-00003.csv", "data/random-00002-of-00003.csv"});
  EXPECT_EQ(
      SplitsOf(c),
      (Splits{
          {"train",
           {"data/train-00000-of-00003.csv", "data/train-00001-of-00003.csv", "data/train-00002-of-00003.csv"}},
          {"test", {"data/test-00000-of-00001.csv"}},
          {"random",
           {"data/random-00000-of-00003.csv", "data/random-00001-of-00003.csv", "data/random-00002-of-00003.csv"}}}));
}

// The sharded pattern wins over keywords: data/train-... plus a test/ folder still gives the shard splits
// (data_files.py _get_data_files_patterns checks ALL_SPLIT_PATTERNS first).
TEST(ResolveConfigs, ShardedPatternTakesPrecedence) {
  DatasetConfig c = One({"data/train-00000-of-00001.parquet", "test/x.parquet"});
  EXPECT_EQ(SplitsOf(c), (Splits{{"train", {"data/train-00000-of-00001.parquet"}}}));
  EXPECT_EQ(c.builder, "parquet");
}

// A sharded split name must match ^\w+(\.\w+)*$ (naming.py _split_re) or datasets raises.
TEST(ResolveConfigs, ShardedSplitNameMustBeAWord) {
  auto r = ResolveConfigs({"data/my split-00000-of-00001.csv"}, "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("split name should match"), std::string::npos) << r.status();
}

// Directory keywords beat file-name keywords (ALL_DEFAULT_PATTERNS order): data/train/test_x.csv is train,
// and "**/test[sep]*/**" needs a folder: its last "**" is ".*" after a '/' (fsspec glob_translate).
TEST(ResolveConfigs, DirectoryKeywordBeforeFileNameKeyword) {
  DatasetConfig c = One({"data/train/test_a.csv", "data/train/b.csv"});
  EXPECT_EQ(SplitsOf(c), (Splits{{"train", {"data/train/b.csv", "data/train/test_a.csv"}}}));
  EXPECT_FALSE(load::DataFilesGlobMatch("**/test[-._ 0-9]*/**", "data/train/test_a.csv"));
  EXPECT_TRUE(load::DataFilesGlobMatch("**/test[-._ 0-9]*/**", "test_1/a.csv"));
  EXPECT_TRUE(load::DataFilesGlobMatch("**", "a.csv"));
}

// "Multiple files per split": train_0..3.csv and test_0..1.csv.
TEST(ResolveConfigs, MultipleFilesPerSplit) {
  DatasetConfig c =
      One({"README.md", "train_0.csv", "train_1.csv", "train_2.csv", "train_3.csv", "test_0.csv", "test_1.csv"});
  EXPECT_EQ(SplitsOf(c), (Splits{{"train", {"train_0.csv", "train_1.csv", "train_2.csv", "train_3.csv"}},
                                 {"test", {"test_0.csv", "test_1.csv"}}}));
}

// .eval files form a "logs" split (DEFAULT_PATTERNS_LOGS).
TEST(ResolveConfigs, EvalFilesAreLogs) {
  DatasetConfig c = One({"runs/a.eval", "runs/b.eval"});
  EXPECT_EQ(SplitsOf(c), (Splits{{"logs", {"runs/a.eval", "runs/b.eval"}}}));
  EXPECT_EQ(c.builder, "eval");
}

// Ignored: FILES_TO_IGNORE (README.md, config.json, dataset_info(s).json, dummy_data.zip,
// dataset_dict.json), hidden files/folders and __special__ folders unless the pattern names them.
TEST(ResolveConfigs, IgnoredFilesHiddenAndSpecialFolders) {
  DatasetConfig c = One({"README.md", "config.json", "dataset_info.json", "dataset_infos.json", "dummy_data.zip",
                         "dataset_dict.json", ".hidden.jsonl", ".git/x.jsonl", "__pycache__/y.jsonl", "rows.jsonl"});
  EXPECT_EQ(SplitsOf(c), (Splits{{"train", {"rows.jsonl"}}}));
  // Named explicitly, they are found (data_files.py doctests of the two _is_unrequested_* helpers).
  std::vector<std::string> files = {".hidden_dir/a.txt", ".hidden_dir/.hidden_file.txt", "__pycache__/b.txt"};
  EXPECT_EQ(load::ResolvePattern("**", files), std::vector<std::string>{});
  EXPECT_EQ(load::ResolvePattern(".hidden_dir/*", files), std::vector<std::string>{".hidden_dir/a.txt"});
  EXPECT_EQ(load::ResolvePattern(".*/.*", files), std::vector<std::string>{".hidden_dir/.hidden_file.txt"});
  EXPECT_EQ(load::ResolvePattern("__*/*", files), std::vector<std::string>{"__pycache__/b.txt"});
  EXPECT_EQ(load::ResolvePattern("*/b.txt", files), std::vector<std::string>{});
  EXPECT_EQ(load::ResolvePattern("README.md", {"README.md"}), std::vector<std::string>{"README.md"});
}

// Glob: '*' stays in one folder, a '**' segment spans folders (fsspec >= 2023.12, resolve_pattern docstring).
TEST(ResolveConfigs, GlobSemantics) {
  std::vector<std::string> files = {"a.csv", "data/b.csv", "data/sub/c.csv", "data/sub/d.json"};
  EXPECT_EQ(load::ResolvePattern("*.csv", files), std::vector<std::string>{"a.csv"});
  EXPECT_EQ(load::ResolvePattern("data/*", files), std::vector<std::string>{"data/b.csv"});
  EXPECT_EQ(load::ResolvePattern("data/**", files),
            (std::vector<std::string>{"data/b.csv", "data/sub/c.csv", "data/sub/d.json"}));
  EXPECT_EQ(load::ResolvePattern("**/*.csv", files),
            (std::vector<std::string>{"a.csv", "data/b.csv", "data/sub/c.csv"}));
}

// Builder = most common extension; ties: .parquet > .lance > .arrow > .jsonl > .json > .csv > the rest
// in reverse alphabetical order (load.py infer_module_for_data_files_list sort_key, reverse=True).
TEST(ResolveConfigs, BuilderByMostCommonExtensionAndTieOrder) {
  EXPECT_EQ(load::InferBuilder({"a.csv", "b.csv", "c.parquet"}).builder, "csv");
  EXPECT_EQ(load::InferBuilder({"a.csv", "c.parquet"}).builder, "parquet");
  EXPECT_EQ(load::InferBuilder({"a.csv", "c.jsonl"}).builder, "json");
  EXPECT_EQ(load::InferBuilder({"a.csv", "c.txt"}).builder, "csv");
  EXPECT_EQ(load::InferBuilder({"a.tsv", "c.txt"}).builder, "text");  // ".txt" > ".tsv" reversed
  auto tsv = load::InferBuilder({"a.tsv"});
  EXPECT_EQ(tsv.builder, "csv");
  EXPECT_EQ(tsv.kwargs.at("sep"), "\t");
  EXPECT_EQ(load::InferBuilder({"a.csv.gz"}).builder, "csv");  // every suffix counts; .gz has no builder
  EXPECT_EQ(load::InferBuilder({"IMG.PNG", "b.jpg"}).builder, "imagefolder");
  // imagefolder's metadata.csv ranks below the images (is_metadata sorts last).
  EXPECT_EQ(load::InferBuilder({"metadata.csv", "a.png"}).builder, "imagefolder");
  // Later `.update`s win: .h5 is listed by hdf5 and imagefolder; .mp4 by audiofolder and videofolder.
  EXPECT_EQ(load::BuilderForExtension(".h5").builder, "imagefolder");
  EXPECT_EQ(load::BuilderForExtension(".mp4").builder, "videofolder");
}

// A split keeps only its builder's files (DataFilesDict.filter with _MODULE_TO_EXTENSIONS), and all
// splits must agree on the builder (infer_module_for_data_files raises otherwise).
TEST(ResolveConfigs, OneBuilderForAllSplits) {
  DatasetConfig c = One({"train.csv", "train_notes.txt", "train_more.csv"});
  EXPECT_EQ(SplitsOf(c), (Splits{{"train", {"train.csv", "train_more.csv"}}}));
  auto r = ResolveConfigs({"train.csv", "test.jsonl"}, "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("same data file format"), std::string::npos) << r.status();
}

TEST(ResolveConfigs, NoDataFilesIsNotFound) {
  auto r = ResolveConfigs({"README.md", ".gitattributes"}, "---\nlicense: mit\n---\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

// "Splits": configs with data_files as a list of {split, path}; the YAML's split order is kept.
TEST(ResolveConfigs, YamlDataFilesSplitPathItems) {
  std::string readme =
      "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: \"data.csv\"\n"
      "  - split: test\n    path: \"holdout.csv\"\n---\n# card\n";
  DatasetConfig c = One({"README.md", "data.csv", "holdout.csv"}, readme);
  EXPECT_EQ(c.name, "default");
  EXPECT_TRUE(c.is_default);
  EXPECT_EQ(SplitsOf(c), (Splits{{"train", {"data.csv"}}, {"test", {"holdout.csv"}}}));
}

// A path list per split, and glob patterns ("data/*.csv").
TEST(ResolveConfigs, YamlPathListsAndGlobs) {
  std::vector<std::string> files = {"README.md", "data/abc.csv", "data/def.csv", "holdout/ghi.csv"};
  std::string list =
      "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path:\n    - \"data/abc.csv\"\n"
      "    - \"data/def.csv\"\n  - split: test\n    path: \"holdout/ghi.csv\"\n---\n";
  std::string globs =
      "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: \"data/*.csv\"\n"
      "  - split: test\n    path: \"holdout/*.csv\"\n---\n";
  Splits want = {{"train", {"data/abc.csv", "data/def.csv"}}, {"test", {"holdout/ghi.csv"}}};
  EXPECT_EQ(SplitsOf(One(files, list)), want);
  EXPECT_EQ(SplitsOf(One(files, globs)), want);
}

// "Configurations": data_files as a plain string is one train split; several configs, none default.
TEST(ResolveConfigs, YamlSeveralConfigsStringDataFiles) {
  std::string readme =
      "---\nconfigs:\n- config_name: main_data\n  data_files: \"main_data.csv\"\n"
      "- config_name: additional_data\n  data_files: \"additional_data.csv\"\n---\n";
  auto r = ResolveConfigs({"README.md", "main_data.csv", "additional_data.csv"}, readme);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "main_data");
  EXPECT_EQ(SplitsOf((*r)[0]), (Splits{{"train", {"main_data.csv"}}}));
  EXPECT_EQ(SplitsOf((*r)[1]), (Splits{{"train", {"additional_data.csv"}}}));
  EXPECT_FALSE((*r)[0].is_default || (*r)[1].is_default);
  // load_dataset(repo) without a name then asks for one (BuilderConfig "Config name is missing").
  auto pick = PickConfig(*r, "");
  ASSERT_FALSE(pick.ok());
  EXPECT_NE(pick.status().message().find("'main_data', 'additional_data'"), std::string::npos) << pick.status();
  EXPECT_EQ(PickConfig(*r, "additional_data")->name, "additional_data");
  EXPECT_EQ(PickConfig(*r, "nope").status().code(), StatusCode::kNotFound);
}

// "Builder parameters": other keys (sep) are builder kwargs; default: true marks the default config.
TEST(ResolveConfigs, YamlBuilderKwargsAndDefaultTrue) {
  std::string readme =
      "---\nconfigs:\n- config_name: tab\n  data_files: \"main_data.csv\"\n  sep: \"\\t\"\n"
      "- config_name: comma\n  data_files: \"additional_data.csv\"\n  sep: \",\"\n  default: true\n---\n";
  auto r = ResolveConfigs({"main_data.csv", "additional_data.csv"}, readme);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0].builder_kwargs.at("sep"), "\t");
  EXPECT_EQ((*r)[1].builder_kwargs.at("sep"), ",");
  EXPECT_EQ(PickConfig(*r, "")->name, "comma");
}

// get_default_config_name: a config named "default" is the default; two defaults are an error.
TEST(ResolveConfigs, DefaultConfigRules) {
  std::vector<std::string> files = {"a.csv", "b.csv"};
  auto named = ResolveConfigs(
      files,
      "---\nconfigs:\n- config_name: x\n  data_files: a.csv\n- config_name: default\n  data_files: b.csv\n---\n");
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(PickConfig(*named, "")->name, "default");
  auto two = ResolveConfigs(files,
                            "---\nconfigs:\n- config_name: x\n  data_files: a.csv\n  default: true\n"
                            "- config_name: default\n  data_files: b.csv\n---\n");
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.status().message().find("several default configs"), std::string::npos) << two.status();
}

// A config without data_files uses the automatic patterns under its data_dir.
TEST(ResolveConfigs, YamlDataDir) {
  auto r = ResolveConfigs({"en/train.csv", "en/test.csv", "fr/train.csv"},
                          "---\nconfigs:\n- config_name: en\n  data_dir: en\n- config_name: fr\n  data_dir: fr\n---\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(SplitsOf((*r)[0]), (Splits{{"train", {"en/train.csv"}}, {"test", {"en/test.csv"}}}));
  EXPECT_EQ(SplitsOf((*r)[1]), (Splits{{"train", {"fr/train.csv"}}}));
}

// _raise_if_data_files_field_not_valid and from_dataset_card_data errors.
TEST(ResolveConfigs, YamlErrors) {
  std::vector<std::string> files = {"a.csv"};
  EXPECT_FALSE(ResolveConfigs(files, "---\nconfigs:\n  name: x\n---\n").ok());            // not a list
  EXPECT_FALSE(ResolveConfigs(files, "---\nconfigs:\n- data_files: a.csv\n---\n").ok());  // no config_name
  EXPECT_FALSE(ResolveConfigs(files, "---\nconfigs:\n- config_name: x\n  data_files:\n    a: b\n---\n").ok());
  EXPECT_FALSE(ResolveConfigs(files,
                              "---\nconfigs:\n- config_name: x\n  data_files:\n  - split: my-split\n    path: a.csv\n"
                              "---\n")
                   .ok());  // '-' is not allowed in split names
  EXPECT_FALSE(ResolveConfigs(files, "---\nconfigs: [unclosed\n---\n").ok());
  // A pattern without wildcards that matches nothing is an error; a glob that matches nothing is not.
  EXPECT_FALSE(ResolveConfigs(files, "---\nconfigs:\n- config_name: x\n  data_files: missing.csv\n---\n").ok());
}

// A root .huggingface.yaml is merged over the README's YAML (its `configs` win).
TEST(ResolveConfigs, HuggingfaceYamlOverridesCard) {
  ResolveOptions o;
  o.readme = "---\nconfigs:\n- config_name: a\n  data_files: a.csv\n---\n";
  o.huggingface_yaml = "configs:\n- config_name: b\n  data_files: b.csv\n";
  auto r = ResolveConfigs({"a.csv", "b.csv"}, o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].name, "b");
  EXPECT_EQ(SplitsOf((*r)[0]), (Splits{{"train", {"b.csv"}}}));
}

// The caller's data_files override the card (load_dataset(..., data_files=...)); a bare list is train.
TEST(ResolveConfigs, CallerDataFilesOverride) {
  ResolveOptions o;
  o.readme = "---\nconfigs:\n- config_name: a\n  data_files: a.csv\n---\n";
  o.data_files = {{"test", {"b*.csv"}}};
  auto r = ResolveConfigs({"a.csv", "b1.csv", "b2.csv"}, o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(SplitsOf((*r)[0]), (Splits{{"test", {"b1.csv", "b2.csv"}}}));
}

}  // namespace
}  // namespace mhub::datasets
