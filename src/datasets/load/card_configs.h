// The `configs:` of a dataset card, as datasets reads them (datasets/utils/metadata.py
// MetadataConfigs.from_dataset_card_data, _raise_if_data_files_field_not_valid,
// get_default_config_name; data_files.py sanitize_patterns): the README.md YAML front matter with a
// root `.huggingface.yaml` merged over it (load.py HubDatasetModuleFactory.get_module).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mhub/base/result.h"

namespace mhub::datasets::load {

// split -> patterns, in the order the card lists them.
using SplitPatterns = std::vector<std::pair<std::string, std::vector<std::string>>>;

struct MetadataConfig {
  std::string name;
  std::optional<SplitPatterns> data_files;  // absent: the automatic patterns under data_dir
  std::string data_dir;
  bool default_flag = false;                          // `default: true`
  std::map<std::string, std::string> builder_kwargs;  // other scalar keys (sep, ...)
};

// The YAML block between a first line "---" and the next "---" line (_split_yaml_from_readme);
// nullopt when the text has no front matter.
std::optional<std::string> ReadmeFrontMatter(const std::string& readme);

// The configs in card order. InvalidArgument with datasets' reasons: `configs` not a list, an item
// without config_name, data_files not a string / list of strings / list of {split, path} (split
// matching ^\w+(\.\w+)*$), duplicated splits, YAML that does not parse.
Result<std::vector<MetadataConfig>> ParseMetadataConfigs(const std::string& readme,
                                                         const std::string& huggingface_yaml);

// sanitize_patterns for a user's data_files: a string or list means one "train" split.
SplitPatterns SanitizeSplitPatterns(const std::map<std::string, std::vector<std::string>>& by_split);

// get_default_config_name: the only config, else the one named "default" or marked default: true;
// InvalidArgument when two qualify; "" when none does.
Result<std::string> DefaultConfigName(const std::vector<MetadataConfig>& configs);

}  // namespace mhub::datasets::load
