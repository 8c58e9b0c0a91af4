// Features <-> a dataset card's dataset_info.features YAML list, following datasets'
// Features._to_yaml_list / _from_yaml_list (the simplified forms `list: string`, `struct:`,
// `dtype: class_label: names: {'0': a}`).
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "datasets/dataset/dtype_names.h"
#include "datasets/dataset/features_internal.h"
#include "datasets/dataset/pyyaml_emit.h"
#include "mhub/base/utf8.h"
#include "mhub/datasets/features.h"

namespace mhub::datasets {
namespace {

YamlNode ToYamlInner(const Feature& f);

YamlNode StructList(const std::vector<std::pair<std::string, std::shared_ptr<Feature>>>& fields) {
  YamlNode seq = YamlNode::Seq();
  for (const auto& [name, c] : fields) {
    YamlNode item = YamlNode::Map();
    item.Add("name", YamlNode::Str(name));
    for (auto& kv : ToYamlInner(*c).map) item.map.push_back(std::move(kv));
    seq.seq.push_back(std::move(item));
  }
  return seq;
}

YamlNode ToYamlInner(const Feature& f) {
  YamlNode m = YamlNode::Map();
  switch (f.kind) {
    case Feature::Kind::kValue:
      m.Add("dtype", YamlNode::Str(f.dtype));
      break;
    case Feature::Kind::kClassLabel: {
      YamlNode names = YamlNode::Map();
      for (size_t i = 0; i < f.names.size(); ++i) names.Add(std::to_string(i), YamlNode::Str(f.names[i]));
      YamlNode cl = YamlNode::Map();
      cl.Add("names", std::move(names));
      YamlNode dt = YamlNode::Map();
      dt.Add("class_label", std::move(cl));
      m.Add("dtype", std::move(dt));
      break;
    }
    case Feature::Kind::kImage:
      m.Add("dtype", YamlNode::Str("image"));
      break;
    case Feature::Kind::kAudio:
      if (f.sampling_rate < 0) {
        m.Add("dtype", YamlNode::Str("audio"));
      } else {
        YamlNode a = YamlNode::Map();
        a.Add("sampling_rate", YamlNode::Int(f.sampling_rate));
        YamlNode dt = YamlNode::Map();
        dt.Add("audio", std::move(a));
        m.Add("dtype", std::move(dt));
      }
      break;
    case Feature::Kind::kStruct:
      m.Add("struct", StructList(f.fields));
      break;
    case Feature::Kind::kList: {
      YamlNode inner = ToYamlInner(f.element());
      // simplify(): {list: {dtype: X}} -> {list: X}; {list: {struct: [...]}} -> {list: [...]}.
      if (inner.map.size() == 1 && inner.map[0].first == "dtype") {
        YamlNode x = std::move(inner.map[0].second);
        inner = std::move(x);
      }
      if (inner.kind == YamlNode::Kind::kMap && inner.map.size() == 1 && inner.map[0].first == "struct") {
        YamlNode x = std::move(inner.map[0].second);
        inner = std::move(x);
      }
      m.Add("list", std::move(inner));
      if (f.length != -1) m.Add("length", YamlNode::Int(f.length));
      break;
    }
  }
  return m;
}

// --- reading: YAML -> the to_dict JSON form -> FeatureFromJson ---

Result<OrderedJson> FromYamlInner(const YAML::Node& n, const std::string& path);

OrderedJson Scalar(const YAML::Node& n) { return n.Scalar(); }

// unsimplify() for the list keys: `list: int32` means `list: {dtype: int32}`.
Result<OrderedJson> ListFeature(const YAML::Node& v, const std::string& path) {
  if (v.IsScalar()) {
    YAML::Node wrapped;
    wrapped["dtype"] = v.Scalar();
    return FromYamlInner(wrapped, path);
  }
  return FromYamlInner(v, path);
}

Result<OrderedJson> FromYamlInner(const YAML::Node& n, const std::string& path) {
  if (n.IsSequence()) {  // a struct: a list of {name: ..., <feature>}
    OrderedJson obj = OrderedJson::object();
    for (size_t i = 0; i < n.size(); ++i) {
      const YAML::Node& item = n[i];
      std::string where = path + "[" + std::to_string(i) + "]";
      if (!item.IsMap() || !item["name"] || !item["name"].IsScalar())
        return Status::InvalidArgument(where + ": expected a mapping with a name");
      std::string name = item["name"].Scalar();
      YAML::Node rest(YAML::NodeType::Map);
      for (auto it = item.begin(); it != item.end(); ++it)
        if (it->first.Scalar() != "name") rest[it->first.Scalar()] = it->second;
      MHUB_ASSIGN_OR_RETURN(obj[name], FromYamlInner(rest, where));
    }
    return obj;
  }
  if (!n.IsMap()) return Status::InvalidArgument(path + ": expected a mapping");
  if (n.size() == 0) return OrderedJson::object();
  std::string first = n.begin()->first.Scalar();
  auto extras = [&](OrderedJson& out) -> Status {  // **obj: the other keys (length, id)
    for (auto it = n.begin(); it != n.end(); ++it) {
      std::string k = it->first.Scalar();
      if (k == first) continue;
      if (k == "length") {
        try {
          out["length"] = it->second.as<int64_t>();
        } catch (const YAML::Exception&) {
          return Status::InvalidArgument(path + ".length: expected an integer");
        }
      }
    }
    return Status::OK();
  };
  if (first == "list" || first == "large_list" || first == "sequence") {
    OrderedJson out = OrderedJson::object();
    MHUB_ASSIGN_OR_RETURN(out["feature"], ListFeature(n[first], path + "." + first));
    MHUB_RETURN_IF_ERROR(extras(out));
    out["_type"] = first == "list" ? "List" : first == "large_list" ? "LargeList" : "Sequence";
    return out;
  }
  if (first == "struct") return FromYamlInner(n["struct"], path + ".struct");
  if (first == "dtype") {
    const YAML::Node& d = n["dtype"];
    if (d.IsScalar()) {
      std::string dtype = d.Scalar();
      if (DtypeToType(dtype).ok()) return OrderedJson{{"dtype", dtype}, {"_type", "Value"}};
      if (dtype == "image") return OrderedJson{{"_type", "Image"}};
      if (dtype == "audio") return OrderedJson{{"_type", "Audio"}};
      return Status::Unsupported(path + ": dtype '" + dtype + "' is not supported");
    }
    return FromYamlInner(d, path + ".dtype");
  }
  if (first == "class_label") {
    const YAML::Node& cl = n["class_label"];
    OrderedJson out = OrderedJson::object();
    if (cl.IsMap() && cl["names"]) {
      const YAML::Node& names = cl["names"];
      OrderedJson list = OrderedJson::array();
      if (names.IsSequence()) {
        for (const auto& x : names) list.push_back(Scalar(x));
      } else if (names.IsMap()) {
        // {'0': a, '1': b}: sorted by int(id); every id 0..max must be there (datasets raises).
        std::vector<std::pair<int64_t, std::string>> ids;
        for (auto it = names.begin(); it != names.end(); ++it) {
          int64_t id;
          try {
            id = std::stoll(it->first.Scalar());
          } catch (...) {
            return Status::InvalidArgument(path + ".class_label.names: label id '" + it->first.Scalar() +
                                           "' is not an integer");
          }
          ids.emplace_back(id, it->second.Scalar());
        }
        std::sort(ids.begin(), ids.end());
        for (size_t i = 0; i < ids.size(); ++i) {
          if (ids[i].first != static_cast<int64_t>(i))
            return Status::InvalidArgument(path + ": ClassLabel expected a value for all label ids [0:" +
                                           std::to_string(ids.back().first + 1) + "] but some ids are missing.");
          list.push_back(ids[i].second);
        }
      } else {
        return Status::InvalidArgument(path + ".class_label.names: expected a mapping or a list");
      }
      out["names"] = list;
    } else if (cl.IsMap() && cl["num_classes"]) {
      out["num_classes"] = cl["num_classes"].as<int64_t>(-1);
    }
    out["_type"] = "ClassLabel";
    return out;
  }
  if (first == "image") return OrderedJson{{"_type", "Image"}};
  if (first == "audio") {
    OrderedJson out = OrderedJson::object();
    const YAML::Node& a = n["audio"];
    if (a.IsMap() && a["sampling_rate"]) out["sampling_rate"] = a["sampling_rate"].as<int64_t>(-1);
    out["_type"] = "Audio";
    return out;
  }
  return Status::Unsupported(path + ": feature '" + first + "' is not supported");
}

// Offset of the first character YAML does not allow in a stream (PyYAML's Reader refuses these with
// "special characters are not allowed"; yaml-cpp instead mangles them: a NUL came out as other
// bytes), or npos. `text` is valid UTF-8.
size_t FirstNonPrintable(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return i;
    if (c == 0x7f) return i;
    // U+0080..U+009F (C1 controls) but U+0085; U+FFFE and U+FFFF.
    if (c == 0xc2 && i + 1 < text.size()) {
      const auto d = static_cast<unsigned char>(text[i + 1]);
      if (d >= 0x80 && d <= 0x9f && d != 0x85) return i;
    }
    if (c == 0xef && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xbf &&
        static_cast<unsigned char>(text[i + 2]) >= 0xbe)
      return i;
  }
  return std::string::npos;
}

// yaml-cpp can turn valid input into invalid UTF-8 (a NUL inside a plain scalar came out as a lone
// 0x85 byte), which the JSON writer would then replace: every parsed key and string is checked again.
Status CheckParsedUtf8(const OrderedJson& j) {
  if (j.is_string()) {
    if (FirstInvalidUtf8(j.get_ref<const std::string&>()) != std::string::npos)
      return Status::InvalidArgument("dataset_info.features: a name or label is not valid UTF-8 text");
    return Status::OK();
  }
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (FirstInvalidUtf8(key) != std::string::npos)
        return Status::InvalidArgument("dataset_info.features: a name or label is not valid UTF-8 text");
      if (Status st = CheckParsedUtf8(value); !st.ok()) return st;
    }
  } else if (j.is_array()) {
    for (const auto& value : j)
      if (Status st = CheckParsedUtf8(value); !st.ok()) return st;
  }
  return Status::OK();
}

}  // namespace

std::string Features::ToYaml(int indent) const {
  Feature top;
  top.kind = Feature::Kind::kStruct;
  for (const auto& [name, f] : columns) top.fields.emplace_back(name, std::make_shared<Feature>(f));
  YamlNode list = StructList(top.fields);
  if (list.seq.empty()) return std::string(static_cast<size_t>(indent), ' ') + "[]\n";
  return EmitYaml(list, indent);
}

Result<Features> Features::FromYaml(const std::string& text) {
  // Names and labels must be UTF-8 (they are written back as JSON and YAML text); yaml-cpp would
  // pass other bytes through.
  if (size_t bad = FirstInvalidUtf8(text); bad != std::string::npos)
    return Status::InvalidArgument("dataset_info.features: not UTF-8 (byte " + std::to_string(bad) + ")");
  if (size_t bad = FirstNonPrintable(text); bad != std::string::npos)
    return Status::InvalidArgument("dataset_info.features: a special character is not allowed in YAML (byte " +
                                   std::to_string(bad) + ")");
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("dataset_info.features: bad YAML: ") + e.what());
  }
  if (root.IsNull()) return Features{};
  if (!root.IsSequence()) return Status::InvalidArgument("dataset_info.features: expected a list");
  Result<OrderedJson> dict = Status::Internal("unset");
  try {
    dict = FromYamlInner(root, "features");
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("dataset_info.features: ") + e.what());
  }
  if (!dict.ok()) return dict.status();
  if (Status st = CheckParsedUtf8(*dict); !st.ok()) return st;
  return FeaturesFromOrderedJson(*dict);
}

}  // namespace mhub::datasets
