// Page decompression for every codec the Parquet spec lists in common use. The caller passes the
// page's declared uncompressed size (already checked against limits); anything that does not
// decompress to exactly that many bytes is Corruption, an unknown or unsupported codec is
// Unsupported.
#pragma once

#include <cstddef>
#include <cstdint>

#include "datasets/parquet/metadata.h"
#include "mhub/base/status.h"

namespace mhub::datasets::parquet {

const char* CodecName(CompressionCodec codec);

// Decompresses src[0, src_size) into dst[0, dst_size); dst_size is the exact expected size.
Status Decompress(CompressionCodec codec, const uint8_t* src, size_t src_size, uint8_t* dst, size_t dst_size);

}  // namespace mhub::datasets::parquet
