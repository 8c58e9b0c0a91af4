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
  std::string dtype;                     // kValue: "int64", "string", "float32", "bool", "timestamp[us]", ...
  std::vector<std::string> names;        // kClassLabel
  int64_t length = -1;                   // kList: fixed length or -1
  std::vector<std::pair<std::string, std::shared_ptr<Feature>>> fields;  // kStruct; kList: one ("", element)

  // ClassLabel: str2int as `datasets` does (exact, then stripped, then an integer in [-1, n)).
  Result<int64_t> Str2Int(const std::string& name) const;
  Result<std::string> Int2Str(int64_t id) const;
  DataTypePtr StorageType() const;
};

struct Features {
  std::vector<std::pair<std::string, Feature>> columns;

  // Plain Value/List/struct features for a schema (what `datasets` infers from Arrow types).
  static Features FromSchema(const Schema& schema);
  // The schema the features are stored as.
  Schema ToSchema() const;
  const Feature* Find(const std::string& column) const;

  std::string ToJson() const;  // the `features` object (not the huggingface wrapper)
  static Result<Features> FromJson(const std::string& json);
  std::string ToYaml(int indent) const;  // the dataset_info.features list
  static Result<Features> FromYaml(const std::string& yaml_features_node_text);
};

}  // namespace mhub::datasets
