// Features: the `datasets` library's column semantics over the storage types of types.h
// (datasets/features/features.py). Value(dtype), ClassLabel(names), List(feature) (also what
// Sequence(x) means), a struct (dict of features), Image / Audio (struct<bytes: binary, path: string>).
//
// Serialized two ways, both exactly as `datasets` writes them:
//   JSON, in Parquet key/value metadata `huggingface` = {"info": {"features": {...}}}:
//     {"text": {"dtype": "string", "_type": "Value"}, "label": {"names": ["neg","pos"], "_type": "ClassLabel"},
//      "tokens": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "List"}}
//   YAML, in a dataset card's dataset_info.features:
//     - name: text\n  dtype: string / - name: label\n  dtype:\n    class_label:\n      names:\n        '0': neg ...
//     / - name: tokens\n  list: string  (and `sequence:` read as a list)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/datasets/types.h"

namespace mhub::datasets {

struct Feature {
  enum class Kind : uint8_t { kValue, kClassLabel, kList, kStruct, kImage, kAudio };
  Kind kind = Kind::kValue;
  std::string dtype;               // kValue: "int64", "string", "float32", "bool", "timestamp[us]", ...
  std::vector<std::string> names;  // kClassLabel
  int64_t length = -1;             // kList: fixed length or -1
  int64_t sampling_rate = -1;      // kAudio: -1 = not set
  std::vector<std::pair<std::string, std::shared_ptr<Feature>>> fields;  // kStruct; kList: one ("", element)

  static Feature MakeValue(std::string dtype);
  static Feature MakeClassLabel(std::vector<std::string> names);
  static Feature MakeList(Feature element, int64_t length = -1);
  static Feature MakeStruct(std::vector<std::pair<std::string, Feature>> fields);
  static Feature MakeImage();
  static Feature MakeAudio(int64_t sampling_rate = -1);
  // The plain Value/List/struct feature of a storage type (datasets' generate_from_arrow_type).
  static Feature FromType(const DataType& type);
  const Feature& element() const { return *fields.at(0).second; }  // kList
  bool operator==(const Feature& other) const;

  // ClassLabel: str2int as `datasets` does (exact, then stripped, then an integer in [-1, n)).
  Result<int64_t> Str2Int(const std::string& name) const;
  Result<std::string> Int2Str(int64_t id) const;
  DataTypePtr StorageType() const;
};

struct Features {
  std::vector<std::pair<std::string, Feature>> columns;

  // The features of a schema as datasets' Features.from_arrow_schema finds them: the `huggingface`
  // metadata's info.features when present and matching the columns, else plain Value/List/struct
  // features inferred from the types.
  static Features FromSchema(const Schema& schema);
  // The schema the features are stored as.
  Schema ToSchema() const;
  const Feature* Find(const std::string& column) const;

  bool operator==(const Features& other) const { return columns == other.columns; }

  // The `features` object (not the huggingface wrapper), spelled as Python's json.dumps writes it
  // (", " and ": " separators, non-ASCII as \uXXXX). FromJson also reads the older forms: "Sequence"
  // (of a dict: a dict of lists), "LargeList", a bare [feature] list, ClassLabel with num_classes.
  std::string ToJson() const;
  static Result<Features> FromJson(const std::string& json);
  // The Parquet key/value metadata value `datasets` writes under the key "huggingface":
  // {"info": {"features": {...}}}.
  std::string ToHuggingfaceMetadata() const;
  std::string ToYaml(int indent) const;  // the dataset_info.features list
  static Result<Features> FromYaml(const std::string& yaml_features_node_text);
};

}  // namespace mhub::datasets
