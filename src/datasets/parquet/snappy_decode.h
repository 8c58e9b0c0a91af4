// A raw Snappy block decoder (google/snappy format_description.txt), own code: Debian's libsnappy
// copies short literals and matches through out-of-line memmove calls, which were a third of a
// Parquet scan's time. libsnappy stays the reference (decompress_test) and the encoder.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mhub::datasets::parquet {

// The uncompressed length from the block's varint header; false when the header is malformed.
bool SnappyLength(const uint8_t* src, size_t size, size_t* length);
// Decodes the block into dst[0, dst_size), which must be its exact uncompressed length. False on
// any malformed input (a literal or copy past either end, a copy from before the output, a length
// other than dst_size); never reads or writes outside the two ranges.
bool SnappyDecode(const uint8_t* src, size_t size, uint8_t* dst, size_t dst_size);

}  // namespace mhub::datasets::parquet
