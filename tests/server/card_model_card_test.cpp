// Model card front matter. Outside checks: huggingface_hub's own front-matter regex (run in
// Python) for the YAML/body split, and PyYAML's safe_load for the YAML -> JSON values.
#include "mhub/server/model_card.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace mhub::server {
namespace {

using mhub::testing::Python;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;
using mhub::testing::WriteFileOrDie;

// Runs a Python snippet with the file `path` as argv[1]; returns stdout.
std::string Py(const std::string& code, const std::string& path) {
  auto r = RunCommand(Python() + " -c " + ShellQuote(code) + " " + ShellQuote(path));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// huggingface_hub repocard.py's REGEX_YAML_BLOCK, applied by Python: prints the YAML part, a
// separator and the body, or "NOMATCH".
constexpr const char* kHubSplit = R"py(
import re, sys
text = open(sys.argv[1], encoding='utf-8', newline='').read()
m = re.compile(r"^(\s*---[\r\n]+)([\S\s]*?)([\r\n]+---(\r\n|\n|$))").search(text)
if m is None:
    sys.stdout.write("NOMATCH")
else:
    sys.stdout.write(m.group(2) + "\x00" + text[m.end():])
)py";

TEST(FrontMatterTest, SplitMatchesHuggingfaceHubRegex) {
  TempDir dir;
  const std::vector<std::string> readmes = {
      "---\nlicense: mit\n---\n# Title\nbody\n",
      "\n\n---\nlicense: mit\nlanguage: en\n---\nbody",
      "---\r\nlicense: mit\r\n---\r\nbody\r\n",
      "---\nlicense: mit\n---",
      "---\na: 1\n\n\n---\n\nbody after blank\n",
      "---\nkey: \"---\"\nother: x\n---\nbody --- text\n---\nmore\n",
      "# No front matter\n---\nlicense: mit\n---\n",
      "---\nunterminated: yes\n",
      "----\nnot: fence\n---\n",
      "---\nx: 1\n---- not the end\n---\nbody\n",
      "",
  };
  for (const std::string& readme : readmes) {
    WriteFileOrDie(dir / "README.md", readme);
    const std::string hub = Py(kHubSplit, dir / "README.md");
    auto card = ParseModelCard(readme);
    if (hub == "NOMATCH") {
      ASSERT_TRUE(card.ok()) << readme;
      EXPECT_FALSE(card->data.has_front_matter) << readme;
      EXPECT_EQ(card->body, readme);
      continue;
    }
    ASSERT_TRUE(card.ok()) << readme << card.status();
    EXPECT_TRUE(card->data.has_front_matter) << readme;
    const size_t sep = hub.find('\0');
    EXPECT_EQ(card->body, hub.substr(sep + 1)) << readme;
    // The YAML part parses to the same JSON as the Hub's split does.
    auto from_hub = YamlToJson(hub.substr(0, sep));
    ASSERT_TRUE(from_hub.ok());
    EXPECT_EQ(card->data.raw, from_hub->is_null() ? Json::object() : *from_hub) << readme;
  }
}

TEST(YamlToJsonTest, AgreesWithPyYamlSafeLoad) {
  TempDir dir;
  // Documents where YAML 1.1 (PyYAML) and 1.2 core agree (no yes/no, no 0777 octals).
  const std::vector<std::string> docs = {
      "license: mit\nlanguage:\n- en\n- fr\ntags: [a, b, 'c d']\n",
      "n: 12\nf: 1.5\ne: 1.0e+3\nneg: -7\nt: true\nf2: False\nz: null\ntilde: ~\nempty:\nq: '12'\ndq: \"true\"\n",
      "model-index:\n- name: m\n  results:\n  - task: {type: text-classification}\n    metrics:\n    - {type: "
      "accuracy, value: 0.91}\n",
      "base: &b {x: 1, y: [1, 2]}\ncopy: *b\n",
      "multi: |\n  line one\n  line two\nfolded: >\n  a\n  b\n",
      "unicode: \"\\u00e9t\\u00e9\"\nemoji: \xf0\x9f\x98\x80\n",
      "nested:\n  deeper:\n    deepest: [1, {k: v}]\n",
      "- just\n- a list\n",
      "plain string\n",
      "big: 123456789012345678901234567890\n",
      "hex: 0x1F\nver: 1.2.3\ndate_like: 2024-01-01x\n",
  };
  for (const std::string& doc : docs) {
    WriteFileOrDie(dir / "doc.yaml", doc);
    const std::string py =
        Py("import json, sys, yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1], encoding='utf-8').read())))",
           dir / "doc.yaml");
    auto expected = ParseJson(py);
    ASSERT_TRUE(expected.ok()) << py;
    auto ours = YamlToJson(doc);
    ASSERT_TRUE(ours.ok()) << doc << ours.status();
    if (expected->is_object() && expected->contains("big")) {
      // Python keeps big integers exact; JSON/double cannot: compare as numbers.
      EXPECT_DOUBLE_EQ((*ours)["big"].get<double>(), (*expected)["big"].get<double>());
      continue;
    }
    EXPECT_EQ(*ours, *expected) << doc;
  }
}

TEST(YamlToJsonTest, RefusesBadYamlAndBombs) {
  EXPECT_EQ(YamlToJson("a: [1, 2\nb: 3").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(YamlToJson("a: b: c").status().code(), StatusCode::kInvalidArgument);
  // Alias expansion "billion laughs": small text, exponential expansion.
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) bomb += std::string(k ? ", " : "") + "*a" + std::to_string(i - 1);
    bomb += "]\n";
  }
  EXPECT_EQ(YamlToJson(bomb).status().code(), StatusCode::kInvalidArgument);
  std::string deep;
  for (int i = 0; i < 150; ++i) deep += "[";
  for (int i = 0; i < 150; ++i) deep += "]";
  EXPECT_FALSE(YamlToJson(deep).ok());
}

TEST(ModelCardTest, FieldsLanguageAsStringOrList) {
  auto a = ParseModelCard("---\nlanguage: en\nlicense: apache-2.0\nbase_model: org/base\ndatasets: squad\n---\n");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->data.languages, std::vector<std::string>{"en"});
  EXPECT_EQ(a->data.license, "apache-2.0");
  EXPECT_EQ(a->data.base_models, std::vector<std::string>{"org/base"});
  EXPECT_EQ(a->data.datasets, std::vector<std::string>{"squad"});
  auto b = ParseModelCard(
      "---\nlanguage:\n- en\n- de\ntags:\n- text\n- 12\npipeline_tag: text-generation\nlibrary_name: transformers\n"
      "model-index:\n- name: x\n  results: []\n---\nbody\n");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->data.languages, (std::vector<std::string>{"en", "de"}));
  EXPECT_EQ(b->data.tags, std::vector<std::string>{"text"});  // the non-string tag is skipped
  EXPECT_EQ(b->data.pipeline_tag, "text-generation");
  EXPECT_EQ(b->data.library_name, "transformers");
  EXPECT_TRUE(b->data.model_index.is_array());
  EXPECT_EQ(b->body, "body\n");
  // Wrong types are left empty rather than failing the parse.
  auto c = ParseModelCard("---\nlicense: [1, 2]\nlanguage: {a: b}\n---\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->data.license, "");
  EXPECT_TRUE(c->data.languages.empty());
  // No front matter / empty front matter / bad YAML / not a mapping.
  auto none = ParseModelCard("# Just markdown\n");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->data.has_front_matter);
  EXPECT_TRUE(none->data.raw.empty());
  auto empty = ParseModelCard("---\n---\nbody");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->data.has_front_matter);
  EXPECT_EQ(empty->body, "body");
  EXPECT_EQ(ParseModelCard("---\nlicense: [mit\n---\n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseModelCard("---\n- a\n- b\n---\n").status().code(), StatusCode::kInvalidArgument);
}

TEST(ModelCardTest, DerivedTags) {
  auto card = ParseModelCard(
      "---\ntags: [safetensors, custom]\nlibrary_name: transformers\ndatasets: [squad, glue]\n"
      "base_model: org/base\npipeline_tag: fill-mask\nlanguage: [en, fr]\nlicense: mit\n---\n");
  ASSERT_TRUE(card.ok());
  EXPECT_EQ(DeriveSearchTags(card->data, RepoType::kModel),
            (std::vector<std::string>{"safetensors", "custom", "transformers", "dataset:squad", "dataset:glue",
                                      "base_model:org/base", "fill-mask", "en", "fr", "license:mit"}));
  auto ds = ParseModelCard("---\nlanguage: en\ntask_categories: [text-classification]\nlicense: cc-by-4.0\n---\n");
  ASSERT_TRUE(ds.ok());
  EXPECT_EQ(DeriveSearchTags(ds->data, RepoType::kDataset),
            (std::vector<std::string>{"task_categories:text-classification", "language:en", "license:cc-by-4.0"}));
  // Duplicates collapse.
  auto dup = ParseModelCard("---\ntags: [transformers, en]\nlibrary_name: transformers\nlanguage: en\n---\n");
  EXPECT_EQ(DeriveSearchTags(dup->data, RepoType::kModel), (std::vector<std::string>{"transformers", "en"}));
}

TEST(ValidateCardYamlTest, ErrorsAndWarnings) {
  auto ok = ValidateCardYaml("---\nlicense: mit\nlanguage: [en]\ntags: [a]\npipeline_tag: fill-mask\n---\n# x\n",
                             RepoType::kModel);
  EXPECT_TRUE(ok.ok());
  EXPECT_TRUE(ok.warnings.empty());
  auto none = ValidateCardYaml("# just text\n", RepoType::kModel);
  EXPECT_TRUE(none.ok());
  EXPECT_EQ(none.warnings.size(), 1u);
  auto bad = ValidateCardYaml("---\nlicense: [mit\n---\n", RepoType::kModel);
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_NE(bad.errors[0].find("invalid YAML"), std::string::npos);
  auto types =
      ValidateCardYaml("---\nlicense: 3\nlanguage: {a: 1}\ntags: [1]\nlibrary_name: [x]\n---\n", RepoType::kModel);
  EXPECT_EQ(types.errors.size(), 4u);
  auto list = ValidateCardYaml("---\n- a\n---\n", RepoType::kModel);
  EXPECT_EQ(list.errors.size(), 1u);
  auto unknown = ValidateCardYaml("---\nlicense: my-own\npipeline_tag: dancing\n---\n", RepoType::kModel);
  EXPECT_TRUE(unknown.ok());
  EXPECT_EQ(unknown.warnings.size(), 2u);
  auto mi = ValidateCardYaml("---\nmodel-index:\n- name: m\n  results:\n  - metrics: []\n---\n", RepoType::kModel);
  EXPECT_EQ(mi.errors.size(), 1u);  // results[0].task.type missing
  auto mi_ok =
      ValidateCardYaml("---\nmodel-index:\n- name: m\n  results:\n  - task: {type: fill-mask}\n    metrics: []\n---\n",
                       RepoType::kModel);
  EXPECT_TRUE(mi_ok.ok());
  EXPECT_TRUE(ValidateCardYaml("---\nlicense: [mit, apache-2.0]\n---\n", RepoType::kDataset).ok());
  EXPECT_FALSE(ValidateCardYaml("---\nlicense: [mit, apache-2.0]\n---\n", RepoType::kModel).ok());
}

}  // namespace
}  // namespace mhub::server
