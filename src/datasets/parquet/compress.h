// Page compression for the writer (pqread's decompress.cpp is the other direction). Every codec
// the spec names that Debian ships a library for: SNAPPY (raw block), GZIP (RFC 1952), BROTLI,
// ZSTD, LZ4_RAW (LZ4 block, no framing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "datasets/parquet/metadata.h"
#include "mhub/base/status.h"

namespace mhub::datasets::parquet {

// Appends the compressed form of data[0..n) to `out`. `level` 0 = the codec's default.
// kUncompressed appends the bytes as they are; LZO and Hadoop-framed LZ4 are Unsupported.
Status Compress(CompressionCodec codec, int level, const uint8_t* data, size_t n, std::string* out);

}  // namespace mhub::datasets::parquet
