// The rows the export tests write (JSONL/CSV against pandas, Parquet read back): every common column
// kind with nulls at each level, strings that need escaping, NaN, and null patterns that differ per
// 1000-row batch (only batch 2 has null ints, only batch 1 null bools, only batch 3 null list
// elements), since datasets exports batch by batch and pandas' dtypes follow each batch.
#pragma once

#include "mhub/datasets/array.h"

namespace mhub::datasets::testutil {

Table ExportRows(int64_t n);

}  // namespace mhub::datasets::testutil
