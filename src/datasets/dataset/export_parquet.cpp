// Dataset::ToParquet: through the ParquetWriter, with the Features in the `huggingface` metadata as
// datasets writes them, one row group per 1000 rows (datasets' writer_batch_size; 100 when the
// features hold images or audio).
#include "mhub/datasets/dataset.h"
#include "mhub/datasets/parquet.h"

namespace mhub::datasets {
namespace {
bool HasMedia(const Feature& f) {
  if (f.kind == Feature::Kind::kImage || f.kind == Feature::Kind::kAudio) return true;
  for (const auto& [n, c] : f.fields)
    if (c && HasMedia(*c)) return true;
  return false;
}
}  // namespace

Status Dataset::ToParquet(const std::string& path) const {
  Schema s = schema();
  s.metadata = {{"huggingface", features().ToHuggingfaceMetadata()}};
  ParquetWriteOptions o;
  o.row_group_rows = 1000;
  for (const auto& [n, f] : features().columns)
    if (HasMedia(f)) o.row_group_rows = 100;
  MHUB_ASSIGN_OR_RETURN(ParquetWriter w, ParquetWriter::Create(path, s, o));
  MHUB_RETURN_IF_ERROR(ForEachBatch(o.row_group_rows, [&](const Table& t) {
    Table named = t;
    named.schema = s;
    return w.Write(named);
  }));
  return w.Close().WithContext("to_parquet " + path);
}

}  // namespace mhub::datasets
