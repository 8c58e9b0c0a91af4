// Encoding of the Thrift structs in metadata.h (the writer's side of metadata_decode.h): appends the
// compact-protocol bytes to `out`. Optional fields are written only when set, as the spec's
// writers do.
#pragma once

#include <string>

#include "datasets/parquet/metadata.h"

namespace mhub::datasets::parquet {

void EncodeFileMetaData(const FileMetaData& m, std::string* out);
void EncodePageHeader(const PageHeader& h, std::string* out);
void EncodeOffsetIndex(const OffsetIndex& index, std::string* out);
void EncodeColumnIndex(const ColumnIndex& index, std::string* out);

}  // namespace mhub::datasets::parquet
