// The README.md that `datasets` push_to_hub writes or updates (arrow_dataset.py push_to_hub,
// info.py DatasetInfosDict.to_dataset_card_data, utils/metadata.py MetadataConfigs
// .to_dataset_card_data): the YAML keys dataset_info and configs are rewritten for the pushed config,
// other configs' entries and every other key and the card body are kept.
#pragma once

#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/datasets/features.h"
#include "mhub/datasets/load.h"

namespace mhub::datasets::load {

// `splits` are the pushed splits of `config_name`; earlier splits of the same config that were not
// pushed again stay in its configs entry and dataset_info (datasets merges them the same way).
Result<std::string> UpdateDatasetCard(const std::string& existing_readme, const std::string& config_name,
                                      const Features& features, const std::vector<ExportedSplit>& splits);

// "data" for the default config, else the config name: where push_to_hub puts the shards.
std::string ConfigDataDir(const std::string& config_name);

}  // namespace mhub::datasets::load
