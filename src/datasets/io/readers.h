// The text-format readers behind OpenDataFile, one per `datasets` builder (csv, json, text) plus the
// Parquet adapter. Each reads a whole file (memory-mapped) or bytes held by the caller; `name`
// prefixes every error ("data/train.csv: line 7: ...").
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "mhub/base/result.h"
#include "mhub/datasets/array.h"
#include "mhub/datasets/load.h"

namespace mhub::datasets::io {

// Bytes a reader reads from: a mapping or an owned string, kept alive by `owner`.
struct TextSource {
  std::shared_ptr<const void> owner;
  std::string_view text;
  std::string name;
};
Result<TextSource> MapTextFile(const std::string& path, std::string display_name = "");
// InvalidArgument naming the line of the first byte that is not UTF-8 (pandas/pyarrow refuse it too).
Status CheckUtf8(const TextSource& source);
TextSource BorrowText(std::string_view text, std::string name);  // the caller keeps `text` alive

Result<std::unique_ptr<TableReader>> OpenCsv(TextSource source, const TextReadOptions& options);
Result<std::unique_ptr<TableReader>> OpenJson(TextSource source, const TextReadOptions& options);
Result<std::unique_ptr<TableReader>> OpenText(TextSource source, const TextReadOptions& options);
Result<std::unique_ptr<TableReader>> OpenParquetStream(const std::string& path, const std::string& name,
                                                       const TextReadOptions& options);

}  // namespace mhub::datasets::io
