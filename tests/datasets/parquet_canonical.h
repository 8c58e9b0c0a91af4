// Canonical JSON of one array value, the form tests/datasets/oracle/pq_read_gen.mjs dumps: integers
// (any width, dates, timestamps, decimal unscaled values) as decimal strings, floats as numbers,
// binary as lowercase hex, lists as arrays, structs as objects (maps: arrays of {key, value}).
#pragma once

#include <nlohmann/json.hpp>

#include "mhub/datasets/array.h"

namespace mhub::datasets::testing {

nlohmann::json CanonicalValue(const Array& a, int64_t i);

}  // namespace mhub::datasets::testing
