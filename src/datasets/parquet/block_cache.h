// A process-wide cache of large freed buffers for the reader's column buffers. Scanning a file
// allocates the same column-sized buffers for every row group and frees them when the caller drops
// the batch; without reuse each one comes back from the kernel as fresh zeroed pages (page faults
// were ~40% of a full scan's CPU). Blocks >= 64 KiB are kept (a streamed 64k-row batch's buffers), up to
// 256 MiB in all; smaller ones go
// straight to free(). Thread-safe.
#pragma once

#include <cstddef>

namespace mhub::datasets::parquet {

// A cached block of at least `bytes` (its capacity in *capacity), or nullptr.
void* AcquireBlock(size_t bytes, size_t* capacity);
// Gives a malloc'd block of `capacity` bytes back (kept or freed).
void ReleaseBlock(void* block, size_t capacity);

}  // namespace mhub::datasets::parquet
