// Shared by the JSON and YAML forms of Features: the datasets to_dict/from_dict shape as JSON.
#pragma once

#include <string>

#include "mhub/base/json.h"
#include "mhub/datasets/features.h"

namespace mhub::datasets {

// One feature from its to_dict form; `path` names it in errors ("features.tokens.feature").
Result<Feature> FeatureFromJson(const OrderedJson& j, const std::string& path);
Result<Features> FeaturesFromOrderedJson(const OrderedJson& j);

}  // namespace mhub::datasets
