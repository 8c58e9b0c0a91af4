// `datasets` Value dtype strings <-> storage types ("int64", "string", "timestamp[us, tz=UTC]",
// "decimal128(10, 2)"), as datasets' Value(dtype) and _arrow_to_datasets_dtype spell them.
#pragma once

#include <string>

#include "mhub/base/result.h"
#include "mhub/datasets/types.h"

namespace mhub::datasets {

// Unsupported for dtypes without a storage type here (time64, duration, date64, ...).
Result<DataTypePtr> DtypeToType(const std::string& dtype);
// The dtype of a non-nested storage type ("" for list/struct).
std::string TypeToDtype(const DataType& type);

}  // namespace mhub::datasets
