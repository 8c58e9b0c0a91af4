// Decoding of the Thrift structs in metadata.h from untrusted bytes. Corruption on any malformed
// input (the Thrift reader's message, with the byte position); unknown fields are skipped as the
// spec requires. Nothing here checks meaning (offsets against the file, schema shape): that is the
// caller's job (parquet_file.cpp, schema_build.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "datasets/parquet/metadata.h"
#include "mhub/base/result.h"

namespace mhub::datasets::parquet {

Result<FileMetaData> DecodeFileMetaData(const uint8_t* data, size_t size);
// A page header at `data`; *header_size is set to the bytes it took.
Result<PageHeader> DecodePageHeader(const uint8_t* data, size_t size, size_t* header_size);
Result<OffsetIndex> DecodeOffsetIndex(const uint8_t* data, size_t size);
Result<ColumnIndex> DecodeColumnIndex(const uint8_t* data, size_t size);

}  // namespace mhub::datasets::parquet
