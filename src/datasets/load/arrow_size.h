// The bytes a column takes in Apache Arrow's memory layout (pyarrow's Table.nbytes), which is what
// `datasets` reports as a split's num_bytes and a dataset's dataset_size: 32-bit offsets for
// string/binary/list, bit-packed bools, a validity bitmap only when there are nulls.
#pragma once

#include <cstdint>

#include "mhub/datasets/array.h"

namespace mhub::datasets::load {

int64_t ArrowNbytes(const Array& array);
int64_t ArrowNbytes(const Table& table);

}  // namespace mhub::datasets::load
