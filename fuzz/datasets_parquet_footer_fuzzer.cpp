// Fuzzes the Parquet footer path on arbitrary bytes: the Thrift compact decoding of FileMetaData,
// page headers and the page index, then the schema conversion (levels, logical types) of any
// footer that decodes.
#include <cstddef>
#include <cstdint>

#include "datasets/parquet/metadata_decode.h"
#include "datasets/parquet/schema_build.h"

using namespace mhub::datasets::parquet;  // NOLINT

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto meta = DecodeFileMetaData(data, size);
  if (meta.ok()) {
    auto schema = BuildSchema(*meta);
    if (schema.ok()) {
      // Every leaf's levels are consistent with the tree above it.
      for (const auto& leaf : schema->leaves) {
        if (leaf.max_rep > leaf.max_def || leaf.max_def < 0 || leaf.type == nullptr) __builtin_trap();
      }
      if (schema->arrow.fields.size() != schema->top.size()) __builtin_trap();
    }
  }
  size_t header_size = 0;
  auto page = DecodePageHeader(data, size, &header_size);
  if (page.ok() && header_size > size) __builtin_trap();
  (void)DecodeOffsetIndex(data, size);
  (void)DecodeColumnIndex(data, size);
  return 0;
}
