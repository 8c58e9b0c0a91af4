// From decoded leaves (levels + dense values) to Arrow-layout arrays: converts physical values to
// the logical type's layout (narrow ints, decimals, INT96, FLBA), then rebuilds structs and lists
// from the definition/repetition levels (the slot rules are in schema_build.h). Flat columns take
// fast paths: a required column's values become the array without a copy.
#pragma once

#include <vector>

#include "datasets/parquet/column_reader.h"
#include "datasets/parquet/schema_build.h"
#include "mhub/base/result.h"
#include "mhub/datasets/array.h"

namespace mhub::datasets::parquet {

// `leaves` is indexed like ParquetSchema::leaves; only the leaves under `node` are read (and
// their values moved out).
Result<ArrayPtr> AssembleColumn(const ArrowNode& node, const ParquetSchema& schema, std::vector<LeafData>& leaves);

}  // namespace mhub::datasets::parquet
