// Features <-> JSON, as datasets' Features.to_dict / from_dict and json.dumps write and read it.
#include <cstdio>

#include "datasets/dataset/dtype_names.h"
#include "datasets/dataset/features_internal.h"
#include "mhub/base/json.h"
#include "mhub/base/json_escape.h"
#include "mhub/datasets/features.h"

namespace mhub::datasets {
namespace {

// json.dumps(ensure_ascii=True) escapes from DEL (0x7f) up.
void DumpString(const std::string& s, std::string& out) { AppendJsonString(s, out, {0x7f, false}); }

void DumpFeature(const Feature& f, std::string& out) {
  switch (f.kind) {
    case Feature::Kind::kValue:
      out += "{\"dtype\": ";
      DumpString(f.dtype, out);
      out += ", \"_type\": \"Value\"}";
      return;
    case Feature::Kind::kClassLabel:
      out += "{\"names\": [";
      for (size_t i = 0; i < f.names.size(); ++i) {
        if (i) out += ", ";
        DumpString(f.names[i], out);
      }
      out += "], \"_type\": \"ClassLabel\"}";
      return;
    case Feature::Kind::kList:
      out += "{\"feature\": ";
      DumpFeature(f.element(), out);
      if (f.length != -1) out += ", \"length\": " + std::to_string(f.length);
      out += ", \"_type\": \"List\"}";
      return;
    case Feature::Kind::kStruct: {
      out += '{';
      bool first = true;
      for (const auto& [name, c] : f.fields) {
        if (!first) out += ", ";
        first = false;
        DumpString(name, out);
        out += ": ";
        DumpFeature(*c, out);
      }
      out += '}';
      return;
    }
    case Feature::Kind::kImage:
      out += "{\"_type\": \"Image\"}";
      return;
    case Feature::Kind::kAudio:
      out += '{';
      if (f.sampling_rate >= 0) out += "\"sampling_rate\": " + std::to_string(f.sampling_rate) + ", ";
      out += "\"_type\": \"Audio\"}";
      return;
  }
}

}  // namespace

namespace {

Result<int64_t> IntOr(const OrderedJson& j, const char* key, const std::string& path, int64_t fallback) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_number_integer()) return Status::InvalidArgument(path + "." + key + ": expected an integer");
  return j[key].get<int64_t>();
}

}  // namespace

Result<Feature> FeatureFromJson(const OrderedJson& j, const std::string& path) {
  if (j.is_array()) {  // legacy: [feature] is a list of feature
    if (j.size() != 1) return Status::InvalidArgument(path + ": a list feature holds exactly one feature");
    MHUB_ASSIGN_OR_RETURN(Feature e, FeatureFromJson(j[0], path + "[0]"));
    return Feature::MakeList(std::move(e));
  }
  if (!j.is_object()) return Status::InvalidArgument(path + ": expected an object");
  if (!j.contains("_type")) {  // a dict of features: a struct
    std::vector<std::pair<std::string, Feature>> fields;
    for (auto it = j.begin(); it != j.end(); ++it) {
      MHUB_ASSIGN_OR_RETURN(Feature c, FeatureFromJson(it.value(), path + "." + it.key()));
      fields.emplace_back(it.key(), std::move(c));
    }
    return Feature::MakeStruct(std::move(fields));
  }
  if (!j["_type"].is_string()) return Status::InvalidArgument(path + "._type: expected a string");
  std::string type = j["_type"].get<std::string>();
  if (type == "Value") {
    if (!j.contains("dtype") || !j["dtype"].is_string())
      return Status::InvalidArgument(path + ".dtype: expected a string");
    std::string dtype = j["dtype"].get<std::string>();
    MHUB_RETURN_IF_ERROR(DtypeToType(dtype).status().WithContext(path));
    return Feature::MakeValue(dtype);
  }
  if (type == "ClassLabel") {
    std::vector<std::string> names;
    if (j.contains("names") && !j["names"].is_null()) {
      if (!j["names"].is_array()) return Status::InvalidArgument(path + ".names: expected a list");
      for (const OrderedJson& n : j["names"]) {
        if (!n.is_string()) return Status::InvalidArgument(path + ".names: expected strings");
        names.push_back(n.get<std::string>());
      }
    } else {
      MHUB_ASSIGN_OR_RETURN(int64_t n, IntOr(j, "num_classes", path, -1));
      if (n < 0 || n > (1 << 24)) return Status::InvalidArgument(path + ": ClassLabel needs names or num_classes");
      for (int64_t i = 0; i < n; ++i) names.push_back(std::to_string(i));
    }
    return Feature::MakeClassLabel(std::move(names));
  }
  if (type == "List" || type == "LargeList" || type == "Sequence") {
    if (!j.contains("feature")) return Status::InvalidArgument(path + ": " + type + " without a feature");
    MHUB_ASSIGN_OR_RETURN(int64_t length, IntOr(j, "length", path, -1));
    if (length < -1) return Status::InvalidArgument(path + ".length: must be -1 or a length");
    const OrderedJson& inner = j["feature"];
    if (type == "Sequence" && inner.is_object() && !inner.contains("_type")) {
      // Sequence({"a": x, "b": y}) is {"a": List(x), "b": List(y)} (the TFDS convention).
      std::vector<std::pair<std::string, Feature>> fields;
      for (auto it = inner.begin(); it != inner.end(); ++it) {
        MHUB_ASSIGN_OR_RETURN(Feature e, FeatureFromJson(it.value(), path + ".feature." + it.key()));
        fields.emplace_back(it.key(), Feature::MakeList(std::move(e), length));
      }
      return Feature::MakeStruct(std::move(fields));
    }
    MHUB_ASSIGN_OR_RETURN(Feature e, FeatureFromJson(inner, path + ".feature"));
    return Feature::MakeList(std::move(e), length);
  }
  if (type == "Image") {
    Feature f;
    f.kind = Feature::Kind::kImage;
    return f;
  }
  if (type == "Audio") {
    Feature f;
    f.kind = Feature::Kind::kAudio;
    MHUB_ASSIGN_OR_RETURN(f.sampling_rate, IntOr(j, "sampling_rate", path, -1));
    return f;
  }
  return Status::Unsupported(path + ": feature type '" + type + "' is not supported");
}

Result<Features> FeaturesFromOrderedJson(const OrderedJson& j) {
  if (!j.is_object()) return Status::InvalidArgument("features: expected an object");
  Features out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    MHUB_ASSIGN_OR_RETURN(Feature f, FeatureFromJson(it.value(), "features." + it.key()));
    out.columns.emplace_back(it.key(), std::move(f));
  }
  return out;
}

std::string Features::ToJson() const {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, f] : columns) {
    if (!first) out += ", ";
    first = false;
    DumpString(name, out);
    out += ": ";
    DumpFeature(f, out);
  }
  return out + "}";
}

std::string Features::ToHuggingfaceMetadata() const { return "{\"info\": {\"features\": " + ToJson() + "}}"; }

Result<Features> Features::FromJson(const std::string& json) {
  MHUB_ASSIGN_OR_RETURN(OrderedJson j, ParseOrderedJson(json, "features"));
  return FeaturesFromOrderedJson(j);
}

}  // namespace mhub::datasets
