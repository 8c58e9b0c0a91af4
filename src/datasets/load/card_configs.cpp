#include "datasets/load/card_configs.h"

#include <yaml-cpp/yaml.h>

#include <regex>
#include <set>
#include <sstream>

namespace mhub::datasets::load {
namespace {

// datasets/naming.py _split_re.
bool ValidSplitName(const std::string& s) {
  static const std::regex re(R"(^\w+(\.\w+)*$)");
  return std::regex_match(s, re);
}

const char* kDataFilesHelp =
    "expected data_files to be a string, a list of strings, or a list of {split, path} items (path a string or a "
    "list of strings; split made of letters, digits, '_' and '.')";

Result<std::vector<std::string>> StringOrList(const YAML::Node& node) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.as<std::string>());
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (!item.IsScalar()) return Status::InvalidArgument(kDataFilesHelp);
      out.push_back(item.as<std::string>());
    }
  } else {
    return Status::InvalidArgument(kDataFilesHelp);
  }
  return out;
}

Result<SplitPatterns> ParseDataFiles(const YAML::Node& node) {
  if (node.IsScalar()) return SplitPatterns{{"train", {node.as<std::string>()}}};
  if (!node.IsSequence()) return Status::InvalidArgument(kDataFilesHelp);
  bool any_map = false;
  for (const auto& item : node) any_map = any_map || item.IsMap();
  if (!any_map) {
    MHUB_ASSIGN_OR_RETURN(auto list, StringOrList(node));
    return SplitPatterns{{"train", std::move(list)}};
  }
  SplitPatterns out;
  std::set<std::string> seen;
  for (const auto& item : node) {
    if (!item.IsMap() || item.size() != 2 || !item["split"] || !item["path"] || !item["split"].IsScalar())
      return Status::InvalidArgument(kDataFilesHelp);
    std::string split = item["split"].as<std::string>();
    if (!ValidSplitName(split))
      return Status::InvalidArgument("split name '" + split + "' is not valid: " + kDataFilesHelp);
    if (!seen.insert(split).second)
      return Status::InvalidArgument("split '" + split + "' is listed twice in data_files");
    MHUB_ASSIGN_OR_RETURN(auto paths, StringOrList(item["path"]));
    out.emplace_back(split, std::move(paths));
  }
  return out;
}

bool TruthyScalar(const YAML::Node& n) {
  if (!n.IsScalar()) return false;
  std::string s = n.as<std::string>();
  return s == "true" || s == "True" || s == "TRUE" || s == "yes" || s == "on";
}

}  // namespace

std::optional<std::string> ReadmeFrontMatter(const std::string& readme) {
  std::vector<std::string> lines;
  std::istringstream in(readme);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  if (lines.empty() || lines[0] != "---") return std::nullopt;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i] == "---") {
      std::string block;
      for (size_t k = 1; k < i; ++k) block += lines[k] + "\n";
      return block;
    }
  }
  return std::nullopt;
}

Result<std::vector<MetadataConfig>> ParseMetadataConfigs(const std::string& readme,
                                                         const std::string& huggingface_yaml) {
  YAML::Node configs;
  try {
    if (auto front = ReadmeFrontMatter(readme)) {
      YAML::Node card = YAML::Load(*front);
      if (card.IsMap() && card["configs"]) configs = card["configs"];
    }
    // .huggingface.yaml's top-level keys replace the card's (dict.update).
    if (!huggingface_yaml.empty()) {
      YAML::Node extra = YAML::Load(huggingface_yaml);
      if (extra.IsMap() && extra["configs"]) configs = extra["configs"];
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("dataset card YAML does not parse: ") + e.what());
  }
  std::vector<MetadataConfig> out;
  if (!configs || configs.IsNull()) return out;
  if (!configs.IsSequence()) return Status::InvalidArgument("dataset card: expected `configs` to be a list");
  std::set<std::string> names;
  for (const auto& item : configs) {
    if (!item.IsMap() || !item["config_name"] || !item["config_name"].IsScalar())
      return Status::InvalidArgument("dataset card: each config must include a `config_name` string");
    MetadataConfig c;
    c.name = item["config_name"].as<std::string>();
    for (const auto& kv : item) {
      std::string key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      if (key == "config_name" || key == "features") continue;
      if (key == "data_files") {
        auto df = ParseDataFiles(v);
        if (!df.ok()) return df.status().WithContext("dataset card config '" + c.name + "'");
        c.data_files = std::move(*df);
      } else if (key == "data_dir") {
        if (v.IsScalar()) c.data_dir = v.as<std::string>();
      } else if (key == "default") {
        c.default_flag = TruthyScalar(v);
      } else if (v.IsScalar()) {
        c.builder_kwargs[key] = v.as<std::string>();
      }
    }
    // Later items with the same name replace earlier ones (a dict comprehension in datasets).
    if (!names.insert(c.name).second) {
      for (auto& o : out)
        if (o.name == c.name) o = c;
      continue;
    }
    out.push_back(std::move(c));
  }
  return out;
}

SplitPatterns SanitizeSplitPatterns(const std::map<std::string, std::vector<std::string>>& by_split) {
  SplitPatterns out;
  for (const auto& [split, patterns] : by_split) out.emplace_back(split.empty() ? "train" : split, patterns);
  return out;
}

Result<std::string> DefaultConfigName(const std::vector<MetadataConfig>& configs) {
  std::string found;
  for (const auto& c : configs) {
    if (configs.size() == 1 || c.name == "default" || c.default_flag) {
      if (!found.empty())
        return Status::InvalidArgument("dataset has several default configs: '" + found + "' and '" + c.name + "'");
      found = c.name;
    }
  }
  return found;
}

}  // namespace mhub::datasets::load
