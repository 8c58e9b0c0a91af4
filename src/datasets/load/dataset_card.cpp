#include "datasets/load/dataset_card.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <regex>
#include <sstream>

#include "datasets/dataset/pyyaml_emit.h"
#include "datasets/load/card_configs.h"

namespace mhub::datasets::load {
namespace {

// yaml-cpp's tree as the emitter's nodes; plain integers stay unquoted.
YamlNode Convert(const YAML::Node& n) {
  if (n.IsMap()) {
    YamlNode m = YamlNode::Map();
    for (const auto& kv : n) m.Add(kv.first.as<std::string>(), Convert(kv.second));
    return m;
  }
  if (n.IsSequence()) {
    YamlNode s = YamlNode::Seq();
    for (const auto& item : n) s.seq.push_back(Convert(item));
    return s;
  }
  if (n.IsNull()) {
    YamlNode x = YamlNode::Str("null");
    x.raw = true;
    return x;
  }
  YamlNode x = YamlNode::Str(n.Scalar());
  static const std::regex plain(R"(-?[0-9]+(\.[0-9]+)?|true|false)");
  if (n.Tag() == "?" && std::regex_match(n.Scalar(), plain)) x.raw = true;
  return x;
}

const YamlNode* Find(const YamlNode& map, const std::string& key) {
  for (const auto& [k, v] : map.map)
    if (k == key) return &v;
  return nullptr;
}

void Set(YamlNode& map, const std::string& key, YamlNode value) {
  for (auto& [k, v] : map.map)
    if (k == key) {
      v = std::move(value);
      return;
    }
  map.Add(key, std::move(value));
}

std::string ScalarOf(const YamlNode* n) { return n && n->kind == YamlNode::Kind::kScalar ? n->scalar : ""; }

int64_t IntOf(const YamlNode* n) {
  try {
    return n ? std::stoll(ScalarOf(n)) : 0;
  } catch (...) {
    return 0;
  }
}

// {name -> entry} of a dataset_info or configs value (a map for one config, else a list).
std::vector<std::pair<std::string, YamlNode>> ByConfig(const YamlNode* value, const std::string& key) {
  std::vector<std::pair<std::string, YamlNode>> out;
  if (!value) return out;
  auto add = [&](const YamlNode& entry) {
    std::string name = ScalarOf(Find(entry, key));
    if (name.empty()) name = "default";
    out.emplace_back(name, entry);
  };
  if (value->kind == YamlNode::Kind::kMap) add(*value);
  if (value->kind == YamlNode::Kind::kSeq)
    for (const auto& e : value->seq)
      if (e.kind == YamlNode::Kind::kMap) add(e);
  return out;
}

YamlNode WithFirstKey(const std::string& key, const std::string& value, const YamlNode& entry) {
  YamlNode m = YamlNode::Map();
  m.Add(key, YamlNode::Str(value));
  for (const auto& [k, v] : entry.map)
    if (k != key) m.Add(k, v);
  return m;
}

}  // namespace

std::string ConfigDataDir(const std::string& config_name) { return config_name == "default" ? "data" : config_name; }

Result<std::string> UpdateDatasetCard(const std::string& existing_readme, const std::string& config_name,
                                      const Features& features, const std::vector<ExportedSplit>& splits) {
  YamlNode front = YamlNode::Map();
  std::string body;
  if (auto yaml = ReadmeFrontMatter(existing_readme)) {
    try {
      YAML::Node root = YAML::Load(*yaml);
      if (root.IsMap()) front = Convert(root);
    } catch (const YAML::Exception& e) {
      return Status::InvalidArgument(std::string("the repo's README.md YAML does not parse: ") + e.what());
    }
    // The body: what follows the closing "---" line.
    size_t first = existing_readme.find('\n');
    size_t close = existing_readme.find("\n---", first);
    size_t after = existing_readme.find('\n', close + 4);
    body = after == std::string::npos ? "" : existing_readme.substr(after + 1);
  } else {
    body = existing_readme;
  }

  // dataset_info of the pushed config: features, splits, sizes (DatasetInfo._to_yaml_dict order).
  auto infos = ByConfig(Find(front, "dataset_info"), "config_name");
  const YamlNode* old_info = nullptr;
  for (const auto& [name, e] : infos)
    if (name == config_name) old_info = &e;
  YamlNode split_list = YamlNode::Seq();
  int64_t dataset_size = 0, download_size = 0;
  std::vector<std::string> pushed;
  for (const auto& s : splits) pushed.push_back(s.split);
  if (old_info) {
    // Splits pushed before and not now are kept, with their share of the old download size.
    int64_t old_dataset = IntOf(Find(*old_info, "dataset_size")),
            old_download = IntOf(Find(*old_info, "download_size"));
    if (const YamlNode* old_splits = Find(*old_info, "splits"))
      for (const auto& s : old_splits->seq)
        if (std::find(pushed.begin(), pushed.end(), ScalarOf(Find(s, "name"))) == pushed.end()) {
          split_list.seq.push_back(s);
          int64_t b = IntOf(Find(s, "num_bytes"));
          dataset_size += b;
          if (old_dataset > 0) download_size += old_download * b / old_dataset;
        }
  }
  for (const auto& s : splits) {
    YamlNode e = YamlNode::Map();
    e.Add("name", YamlNode::Str(s.split));
    e.Add("num_bytes", YamlNode::Int(s.num_bytes));
    e.Add("num_examples", YamlNode::Int(s.num_examples));
    split_list.seq.push_back(std::move(e));
    dataset_size += s.num_bytes;
    download_size += s.download_size;
  }
  YamlNode info = YamlNode::Map();
  try {
    YAML::Node f = YAML::Load(features.ToYaml(0));
    info.Add("features", Convert(f));
  } catch (const YAML::Exception& e) {
    return Status::Internal(std::string("features YAML: ") + e.what());
  }
  info.Add("splits", std::move(split_list));
  info.Add("download_size", YamlNode::Int(download_size));
  info.Add("dataset_size", YamlNode::Int(dataset_size));
  bool replaced = false;
  for (auto& [name, e] : infos)
    if (name == config_name) e = info, replaced = true;
  if (!replaced) infos.emplace_back(config_name, info);
  if (infos.size() == 1) {
    Set(front, "dataset_info", config_name == "default" ? info : WithFirstKey("config_name", config_name, info));
  } else {
    std::sort(infos.begin(), infos.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    YamlNode list = YamlNode::Seq();
    for (const auto& [name, e] : infos) list.seq.push_back(WithFirstKey("config_name", name, e));
    Set(front, "dataset_info", std::move(list));
  }

  // configs: the pushed config's data_files ({split, path: <dir>/<split>-*}), earlier splits kept.
  auto configs = ByConfig(Find(front, "configs"), "config_name");
  YamlNode entry = YamlNode::Map();
  entry.Add("config_name", YamlNode::Str(config_name));
  YamlNode data_files = YamlNode::Seq();
  for (auto& [name, e] : configs) {
    if (name != config_name) continue;
    for (const auto& [k, v] : e.map)
      if (k != "config_name" && k != "data_files") entry.Add(k, v);
    if (const YamlNode* old = Find(e, "data_files"); old && old->kind == YamlNode::Kind::kSeq)
      for (const auto& item : old->seq)
        if (std::find(pushed.begin(), pushed.end(), ScalarOf(Find(item, "split"))) == pushed.end())
          data_files.seq.push_back(item);
  }
  for (const auto& s : splits) {
    YamlNode item = YamlNode::Map();
    item.Add("split", YamlNode::Str(s.split));
    item.Add("path", YamlNode::Str(ConfigDataDir(config_name) + "/" + s.split + "-*"));
    data_files.seq.push_back(std::move(item));
  }
  // data_files right after config_name, as datasets writes {"config_name": ..., **metadata}.
  YamlNode ordered = YamlNode::Map();
  ordered.Add("config_name", YamlNode::Str(config_name));
  ordered.Add("data_files", std::move(data_files));
  for (const auto& [k, v] : entry.map)
    if (k != "config_name") ordered.Add(k, v);
  replaced = false;
  for (auto& [name, e] : configs)
    if (name == config_name) e = ordered, replaced = true;
  if (!replaced) configs.emplace_back(config_name, ordered);
  std::sort(configs.begin(), configs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  YamlNode config_list = YamlNode::Seq();
  for (const auto& [name, e] : configs) config_list.seq.push_back(e);
  Set(front, "configs", std::move(config_list));

  return "---\n" + EmitYaml(front, 0) + "---\n" + body;
}

}  // namespace mhub::datasets::load
