// datasets' automatic data-file patterns (data_files.py _get_data_files_patterns, get_data_patterns):
// the first rule that matches any file of the repo decides the splits.
#pragma once

#include <string>
#include <vector>

#include "datasets/load/card_configs.h"
#include "mhub/base/result.h"

namespace mhub::datasets::load {

// The split -> patterns datasets would use for `files` (repo-relative paths). NotFound when no rule
// matches a file ("doesn't contain any data files"); InvalidArgument when a sharded file names a
// split that is not ^\w+(\.\w+)*$.
Result<SplitPatterns> DefaultSplitPatterns(const std::vector<std::string>& files);

// Resolves each split's patterns over `files` with datasets' allowed extensions. A pattern without
// glob characters that matches nothing is NotFound (as from_patterns raises); with glob characters it
// just adds nothing. Splits keep their order; files within a pattern are sorted, patterns in order.
Result<std::vector<std::pair<std::string, std::vector<std::string>>>> ResolveSplitPatterns(
    const SplitPatterns& patterns, const std::vector<std::string>& files);

}  // namespace mhub::datasets::load
