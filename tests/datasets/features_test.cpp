// Features JSON/YAML: our text equals what Python writes through datasets' own algorithm
// (Features.to_dict -> json.dumps for the Parquet metadata; _to_yaml_list -> huggingface_hub's
// yaml_dump = yaml.dump(sort_keys=False, allow_unicode=True) for the card), on random nested
// features with awkward names; both forms read back to the same features.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "mhub/base/json.h"
#include "mhub/datasets/features.h"
#include "support/test_support.h"

namespace mhub::datasets {
namespace {

// datasets/features/features.py Features._to_yaml_list, transcribed (to_dict input), then dumped as
// a dataset card does.
const char* kYamlOracle = R"PY(
import json, sys, yaml
def simplify(feature):
    for list_type in ["large_list", "list", "sequence"]:
        if isinstance(feature.get(list_type), dict) and list(feature[list_type]) == ["dtype"]:
            feature[list_type] = feature[list_type]["dtype"]
        if isinstance(feature.get(list_type), dict) and list(feature[list_type]) == ["struct"]:
            feature[list_type] = feature[list_type]["struct"]
    if isinstance(feature.get("class_label"), dict) and isinstance(feature["class_label"].get("names"), list):
        feature["class_label"]["names"] = {str(i): n for i, n in enumerate(feature["class_label"]["names"])}
    return feature
def snake(name):
    return {"ClassLabel": "class_label", "Image": "image", "Audio": "audio"}[name]
def to_yaml_inner(obj):
    if isinstance(obj, dict):
        _type = obj.pop("_type", None)
        if _type == "List":
            f = obj.pop("feature")
            return simplify({"list": to_yaml_inner(f), **obj})
        elif _type == "Value":
            return obj
        elif _type and not obj:
            return {"dtype": snake(_type)}
        elif _type:
            return {"dtype": simplify({snake(_type): obj})}
        else:
            return {"struct": [{"name": n, **to_yaml_inner(f)} for n, f in obj.items()]}
    raise TypeError(obj)
for line in sys.stdin:
    text = line.rstrip("\n")
    d = json.loads(text)
    print(json.dumps(json.dumps(d)))  # the Parquet metadata spelling, as one JSON string
    y = yaml.dump({"dataset_info": {"features": to_yaml_inner(d)["struct"]}}, sort_keys=False, allow_unicode=True)
    print(json.dumps(y))
)PY";

std::string RandomName(std::mt19937_64& rng) {
  static const char* kNames[] = {"text",
                                 "label",
                                 "0",
                                 "1.5",
                                 "yes",
                                 "null",
                                 "",
                                 "a b",
                                 "x: y",
                                 "#tag",
                                 "-",
                                 "- a",
                                 "é 日本",
                                 "emoji 🙂",
                                 "tab\there",
                                 "it's",
                                 "[x]",
                                 "a,b",
                                 "trailing ",
                                 " leading",
                                 "2024-01-02",
                                 "~",
                                 "0x1F",
                                 "on",
                                 "key:",
                                 "a #b",
                                 "?",
                                 "? q",
                                 "%p",
                                 "@at",
                                 "`bt`",
                                 "\"dq\"",
                                 "long label name with many words in it so that the line goes past eighty "
                                 "columns for sure and wraps",
                                 "new\nline",
                                 "multi  space  words that are long enough to reach the wrapping column "
                                 "of pyyaml's emitter here"};
  return kNames[rng() % (sizeof kNames / sizeof *kNames)];
}

Feature RandomFeature(std::mt19937_64& rng, int depth) {
  static const char* kDtypes[] = {"string",
                                  "int64",
                                  "int8",
                                  "uint32",
                                  "float32",
                                  "float64",
                                  "bool",
                                  "binary",
                                  "float16",
                                  "date32",
                                  "timestamp[us]",
                                  "timestamp[ns, tz=UTC]",
                                  "decimal128(10, 2)",
                                  "null",
                                  "large_string"};
  int pick = static_cast<int>(rng() % (depth > 2 ? 3 : 7));
  switch (pick) {
    case 0:
    case 1:
      return Feature::MakeValue(kDtypes[rng() % (sizeof kDtypes / sizeof *kDtypes)]);
    case 2: {
      std::vector<std::string> names;
      for (int i = static_cast<int>(rng() % 13); i > 0; --i) names.push_back(RandomName(rng));
      return Feature::MakeClassLabel(names);
    }
    case 3:
    case 4:
      return Feature::MakeList(RandomFeature(rng, depth + 1), rng() % 4 == 0 ? static_cast<int64_t>(rng() % 5) : -1);
    case 5: {
      std::vector<std::pair<std::string, Feature>> fields;
      for (int i = static_cast<int>(rng() % 4) + 1; i > 0; --i)
        fields.emplace_back(RandomName(rng) + std::to_string(i), RandomFeature(rng, depth + 1));
      return Feature::MakeStruct(std::move(fields));
    }
    default: {
      if (rng() % 2) return Feature::MakeImage();
      return Feature::MakeAudio(rng() % 2 ? 16000 : -1);
    }
  }
}

TEST(FeaturesOracle, JsonAndYamlMatchDatasetsAlgorithmThroughPython) {
  std::mt19937_64 rng(21);
  std::vector<Features> all;
  std::string input;
  for (int i = 0; i < 150; ++i) {
    Features fs;
    for (int c = static_cast<int>(rng() % 5) + 1; c > 0; --c)
      fs.columns.emplace_back(RandomName(rng) + "_" + std::to_string(c), RandomFeature(rng, 0));
    all.push_back(fs);
    input += fs.ToJson() + "\n";
  }
  testing::TempDir dir;
  testing::WriteFileOrDie(dir / "oracle.py", kYamlOracle);
  auto r = testing::RunCommand(testing::Python() + " " + testing::ShellQuote(dir / "oracle.py"), input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = testing::NonEmptyLines(r.out);
  ASSERT_EQ(lines.size(), 2 * all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    // Each oracle line is a JSON string literal; decode it with our JSON features reader's parser.
    auto unquote = [](const std::string& s) { return nlohmann::json::parse(s).get<std::string>(); };
    std::string want_json = unquote(lines[2 * i]);
    std::string want_yaml = unquote(lines[2 * i + 1]);
    EXPECT_EQ(all[i].ToJson(), want_json);
    std::string ours = "dataset_info:\n  features:\n" + all[i].ToYaml(2);
    EXPECT_EQ(ours, want_yaml);

    auto from_json = Features::FromJson(want_json);
    ASSERT_TRUE(from_json.ok()) << from_json.status();
    EXPECT_TRUE(*from_json == all[i]) << want_json;
    // The features node of Python's YAML, read back.
    std::string node = want_yaml.substr(want_yaml.find("features:\n") + 10);
    auto from_yaml = Features::FromYaml(node);
    ASSERT_TRUE(from_yaml.ok()) << from_yaml.status() << "\n" << node;
    EXPECT_TRUE(*from_yaml == all[i]) << node << "\n" << from_yaml->ToJson() << "\n" << want_json;
  }
}

TEST(Features, ReadsOlderForms) {
  // Sequence of a dict is a dict of lists; LargeList; a bare [feature]; num_classes.
  auto f = Features::FromJson(
      R"({"s": {"feature": {"a": {"dtype": "int32", "_type": "Value"}, "b": {"dtype": "string", "_type": "Value"}}, "_type": "Sequence"},
          "l": {"feature": {"dtype": "int64", "_type": "Value"}, "_type": "LargeList"},
          "bare": [{"dtype": "string", "_type": "Value"}],
          "c": {"num_classes": 3, "_type": "ClassLabel"}})");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->ToJson(), R"({"s": {"a": {"feature": {"dtype": "int32", "_type": "Value"}, "_type": "List"}, )"
                         R"("b": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "List"}}, )"
                         R"("l": {"feature": {"dtype": "int64", "_type": "Value"}, "_type": "List"}, )"
                         R"("bare": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "List"}, )"
                         R"("c": {"names": ["0", "1", "2"], "_type": "ClassLabel"}})");
  auto y = Features::FromYaml(
      "- name: tokens\n  sequence: string\n- name: tags\n  sequence:\n    class_label:\n"
      "      names:\n        '0': O\n        '1': B-PER\n");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->ToSchema().ToString(), "tokens: list<item: string>\ntags: list<item: int64>\n");
  EXPECT_EQ(y->Find("tags")->element().names, (std::vector<std::string>{"O", "B-PER"}));
  // Missing label ids are refused as datasets refuses them.
  auto gap =
      Features::FromYaml("- name: l\n  dtype:\n    class_label:\n      names:\n        '0': a\n        '2': c\n");
  EXPECT_EQ(gap.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Features::FromJson(R"({"x": {"_type": "Translation"}})").status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(Features::FromJson(R"({"x": {"dtype": "time64[us]", "_type": "Value"}})").status().code(),
            StatusCode::kUnsupported);
  EXPECT_FALSE(Features::FromJson("[1,").ok());
  // Not UTF-8 (found by the fuzzer: the name did not survive the JSON round trip).
  EXPECT_EQ(Features::FromYaml("- name: to\xff\xffkens\n  list: string\n").status().code(),
            StatusCode::kInvalidArgument);
  // Characters YAML does not allow (PyYAML refuses them): yaml-cpp mangled a NUL into other bytes,
  // "a\0b" read back as "a\x08", or as a lone 0x85 byte the JSON round trip then changed (the fuzzer).
  for (const std::string& name : {std::string("a\0b", 3), std::string("a\x7f"), std::string("a\x01"),
                                  std::string("a\xc2\x80"), std::string("a\xef\xbf\xbf")}) {
    EXPECT_EQ(Features::FromYaml("- name: " + name + "\n  dtype: string\n").status().code(),
              StatusCode::kInvalidArgument);
  }
  // Allowed: tab inside a quoted name, NEL (U+0085), non-ASCII letters; names come back unchanged.
  auto fine = Features::FromYaml("- name: \"a\tb\xc2\x85\xc3\xa9\"\n  dtype: string\n");
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  EXPECT_EQ(fine->columns.at(0).first, "a\tb\xc2\x85\xc3\xa9");
}

TEST(Features, SchemaAndHuggingfaceMetadata) {
  Features fs;
  fs.columns = {{"text", Feature::MakeValue("string")},
                {"label", Feature::MakeClassLabel({"neg", "pos"})},
                {"img", Feature::MakeImage()}};
  Schema s = fs.ToSchema();
  EXPECT_EQ(s.ToString(), "text: string\nlabel: int64\nimg: struct<bytes: binary, path: string>\n");
  EXPECT_EQ(
      fs.ToHuggingfaceMetadata(),
      R"({"info": {"features": {"text": {"dtype": "string", "_type": "Value"}, "label": {"names": ["neg", "pos"], )"
      R"("_type": "ClassLabel"}, "img": {"_type": "Image"}}}})");
  // Plain inference from types ...
  Features plain = Features::FromSchema(s);
  EXPECT_EQ(
      plain.ToJson(),
      R"({"text": {"dtype": "string", "_type": "Value"}, "label": {"dtype": "int64", "_type": "Value"}, )"
      R"("img": {"bytes": {"dtype": "binary", "_type": "Value"}, "path": {"dtype": "string", "_type": "Value"}}})");
  // ... unless the metadata says more and matches the columns.
  s.metadata.emplace_back("huggingface", fs.ToHuggingfaceMetadata());
  EXPECT_TRUE(Features::FromSchema(s) == fs);
  s.fields[1].type = Int32();  // stale metadata: ignored
  EXPECT_EQ(Features::FromSchema(s).Find("label")->kind, Feature::Kind::kValue);
}

// datasets' ClassLabel._strval2int, transcribed, against ours on awkward inputs.
TEST(FeaturesOracle, Str2IntMatchesDatasetsRules) {
  Feature cl = Feature::MakeClassLabel({"neg", "pos", " spaced ", "7"});
  std::vector<std::string> inputs = {"neg",  "pos", " neg ", "neg\n", "spaced", " spaced ", "7",    "0",
                                     "3",    "4",   "-1",    "-2",    "+1",     " 2 ",      "1_0",  "0_1",
                                     "1__0", "_1",  "x",     "",      " ",      "01",       "\t3\n"};
  std::string in;
  for (const auto& s : inputs) in += nlohmann::json(s).dump() + "\n";
  const char* script = R"PY(
import json, sys
names = ["neg", "pos", " spaced ", "7"]
s2i = {n: i for i, n in enumerate(names)}
for line in sys.stdin:
    value = json.loads(line)
    v = s2i.get(value)
    if v is None:
        v = s2i.get(value.strip())
        if v is None:
            try:
                v = int(value)
                if v < -1 or v >= len(names): v = "error"
            except ValueError:
                v = "error"
    print(v)
)PY";
  testing::TempDir dir;
  testing::WriteFileOrDie(dir / "s2i.py", script);
  auto r = testing::RunCommand(testing::Python() + " " + testing::ShellQuote(dir / "s2i.py"), in);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto want = testing::NonEmptyLines(r.out);
  ASSERT_EQ(want.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto got = cl.Str2Int(inputs[i]);
    if (want[i] == "error")
      EXPECT_FALSE(got.ok()) << "'" << inputs[i] << "' gave " << *got;
    else
      EXPECT_EQ(got.ok() ? std::to_string(*got) : got.status().ToString(), want[i]) << "'" << inputs[i] << "'";
  }
  EXPECT_EQ(*cl.Int2Str(1), "pos");
  EXPECT_FALSE(cl.Int2Str(-1).ok());
  EXPECT_FALSE(cl.Int2Str(4).ok());
}

}  // namespace
}  // namespace mhub::datasets
