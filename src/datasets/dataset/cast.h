// Converting a column from one feature to another (Dataset::Cast, FromReader with given features).
// Same storage layout: the buffers are shared. Otherwise value by value: integer widths and signs
// (range-checked), integers <-> floats (a float becomes an integer only when it is integral),
// numbers <-> strings (parsed / Python-spelled), strings -> ClassLabel through str2int, ClassLabel
// -> string through the names (int2str; datasets' own cast would print the digits), integers ->
// ClassLabel when in [-1, num_classes), lists and structs element by element / field by field.
#pragma once

#include "mhub/base/result.h"
#include "mhub/datasets/array.h"
#include "mhub/datasets/features.h"

namespace mhub::datasets {

Result<ArrayPtr> CastColumnArray(const ArrayPtr& array, const Feature& from, const Feature& to);

}  // namespace mhub::datasets
