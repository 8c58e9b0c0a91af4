// OpenDataFile: a data file as a stream of Tables, the reader chosen like `datasets` picks a builder.
#include <algorithm>
#include <filesystem>

#include "datasets/io/readers.h"
#include "datasets/load/builders.h"
#include "mhub/base/mmap_file.h"
#include "mhub/base/utf8.h"
#include "mhub/datasets/parquet.h"

namespace mhub::datasets {
namespace io {

Result<TextSource> MapTextFile(const std::string& path, std::string display_name) {
  auto file = MmapFile::Open(path);
  if (!file.ok()) return file.status();
  auto shared = std::make_shared<MmapFile>(std::move(*file));
  TextSource s;
  s.text = shared->view();
  s.owner = shared;
  s.name = display_name.empty() ? path : std::move(display_name);
  return s;
}

Status CheckUtf8(const TextSource& source) {
  size_t bad = FirstInvalidUtf8(source.text);
  if (bad >= source.text.size()) return Status::OK();
  int64_t line = 1 + std::count(source.text.begin(), source.text.begin() + static_cast<std::ptrdiff_t>(bad), '\n');
  return Status::InvalidArgument(source.name + ": line " + std::to_string(line) + ": not UTF-8 text (byte " +
                                 std::to_string(bad) + ")");
}

TextSource BorrowText(std::string_view text, std::string name) {
  TextSource s;
  s.text = text;
  s.name = std::move(name);
  return s;
}

namespace {

// Keeps the ParquetFile alive under its stream.
class ParquetStreamReader : public TableReader {
 public:
  ParquetStreamReader(std::shared_ptr<ParquetFile> file, std::unique_ptr<TableReader> inner)
      : file_(std::move(file)), inner_(std::move(inner)) {}
  const Schema& schema() const override { return inner_->schema(); }
  Result<std::optional<Table>> Next() override { return inner_->Next(); }

 private:
  std::shared_ptr<ParquetFile> file_;
  std::unique_ptr<TableReader> inner_;
};

}  // namespace

Result<std::unique_ptr<TableReader>> OpenParquetStream(const std::string& path, const std::string& name,
                                                       const TextReadOptions& options) {
  auto file = ParquetFile::Open(path, name);
  if (!file.ok()) return file.status();
  auto shared = std::make_shared<ParquetFile>(std::move(*file));
  ParquetReadOptions ro;
  if (options.batch_rows > 0) ro.batch_rows = options.batch_rows;
  MHUB_ASSIGN_OR_RETURN(auto inner, shared->Stream(ro));
  return std::unique_ptr<TableReader>(std::make_unique<ParquetStreamReader>(shared, std::move(inner)));
}

}  // namespace io

namespace {

// The builder for one path: the option, else its extensions (a ".gz" etc. after one is skipped).
std::string BuilderOf(const std::string& path, const TextReadOptions& options) {
  if (!options.builder.empty()) return options.builder;
  return load::InferBuilder({std::filesystem::path(path).filename().string()}).builder;
}

}  // namespace

Result<std::unique_ptr<TableReader>> OpenDataFile(const std::string& path, const TextReadOptions& options) {
  std::string builder = BuilderOf(path, options);
  if (builder == "parquet") return io::OpenParquetStream(path, path, options);
  if (builder != "csv" && builder != "json" && builder != "text")
    return Status::Unsupported(path + ": no reader for " +
                               (builder.empty() ? "this file type" : "'" + builder + "' files") +
                               " (mhub reads csv/tsv, json/jsonl, txt and parquet)");
  auto source = io::MapTextFile(path);
  if (!source.ok()) return source.status();
  MHUB_RETURN_IF_ERROR(io::CheckUtf8(*source));
  if (builder == "csv") return io::OpenCsv(std::move(*source), options);
  if (builder == "json") return io::OpenJson(std::move(*source), options);
  return io::OpenText(std::move(*source), options);
}

}  // namespace mhub::datasets
