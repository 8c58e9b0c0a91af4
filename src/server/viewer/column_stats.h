// The viewer's /statistics, computed over a split's columns as the public viewer computes them
// (dataset-viewer services/worker statistics_utils.py, read for behaviour): 10-bin histograms
// (int bins of ceil((max-min+1)/10), float bins of (max-min)/10, the last edge = max, the last bin
// closed), values rounded to 5 decimals, sample standard deviation, interpolated median, NaN counted
// as null; string columns become labels when few distinct values (<= 10, or <= 20% of rows and
// <= 1000), otherwise length statistics; class labels list every name; lists give length
// statistics; booleans their frequencies.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/datasets/array.h"
#include "mhub/datasets/features.h"

namespace mhub::server::viewer {

// One /statistics item {column_name, column_type, column_statistics} for a column whose values are
// `chunks` (concatenated in order), or nullopt for a column type the viewer has no statistics for
// (structs, binary, images, audio).
std::optional<OrderedJson> ColumnStatistics(const std::string& name, const datasets::Feature& feature,
                                            const std::vector<datasets::ArrayPtr>& chunks);

// numpy.round(x, 5): x * 1e5 rounded half to even, divided back.
double Round5(double x);

}  // namespace mhub::server::viewer
