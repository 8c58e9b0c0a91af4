#include "datasets/load/split_reader.h"

#include <cmath>

#include "datasets/load/folder_reader.h"

namespace mhub::datasets::load {
namespace {

bool SameColumns(const Schema& a, const Schema& b) {
  if (a.fields.size() != b.fields.size()) return false;
  for (size_t i = 0; i < a.fields.size(); ++i)
    if (a.fields[i].name != b.fields[i].name) return false;
  return true;
}

std::string ColumnList(const Schema& s) {
  std::string out;
  for (const auto& f : s.fields) out += (out.empty() ? "" : ", ") + f.name + ": " + f.type->ToString();
  return out;
}

Result<ArrayPtr> CastColumn(const Array& src, const DataTypePtr& to) {
  if (src.type->Equals(*to)) return std::make_shared<const Array>(src);
  ArrayBuilder b(to);
  b.Reserve(src.length);
  TypeId from = src.type->id;
  for (int64_t i = 0; i < src.length; ++i) {
    if (src.IsNull(i)) {
      b.AppendNull();
      continue;
    }
    if (from == TypeId::kInt64 && to->id == TypeId::kFloat64) {
      b.AppendDouble(static_cast<double>(src.Value<int64_t>(i)));
    } else if (from == TypeId::kFloat64 && to->id == TypeId::kInt64) {
      double d = src.Value<double>(i);
      if (d != std::trunc(d) || !(std::fabs(d) < 9.2e18))
        return Status::InvalidArgument("value " + std::to_string(d) + " does not fit int64");
      b.AppendInt(static_cast<int64_t>(d));
    } else {
      return Status::InvalidArgument("cannot cast " + src.type->ToString() + " to " + to->ToString());
    }
  }
  return b.Finish();
}

class SplitFilesReader : public TableReader {
 public:
  SplitFilesReader(const DataSource& source, TextReadOptions options, std::vector<std::string> files)
      : source_(source), options_(std::move(options)), files_(std::move(files)) {}

  Status Start() {
    MHUB_RETURN_IF_ERROR(OpenNext());
    schema_ = current_->schema();
    return Status::OK();
  }
  const Schema& schema() const override { return schema_; }

  Result<std::optional<Table>> Next() override {
    for (;;) {
      if (!current_) {
        if (next_file_ >= files_.size()) return std::optional<Table>();
        MHUB_RETURN_IF_ERROR(OpenNext());
        if (!SameColumns(current_->schema(), schema_))
          return Status::InvalidArgument(files_[next_file_ - 1] + " has the columns [" +
                                         ColumnList(current_->schema()) + "], " + files_[0] + " has [" +
                                         ColumnList(schema_) + "]: the files of a split must share their columns");
      }
      auto batch = current_->Next();
      if (!batch.ok()) return batch.status();
      if (!*batch) {
        current_.reset();
        continue;
      }
      if (current_->schema().Equals(schema_)) {
        (*batch)->schema = schema_;
        return batch;
      }
      auto cast = CastBatchTo(**batch, schema_);
      if (!cast.ok())
        return cast.status().WithContext(files_[next_file_ - 1] + " (read as the columns of " + files_[0] + ")");
      return std::optional<Table>(std::move(*cast));
    }
  }

 private:
  Status OpenNext() {
    const std::string& rel = files_[next_file_++];
    MHUB_ASSIGN_OR_RETURN(std::string local, source_.fetch(rel));
    auto reader = OpenDataFile(local, options_);
    if (!reader.ok()) {
      // Name the file as the user knows it (repo path), not the cache path.
      std::string msg = reader.status().message();
      if (msg.rfind(local, 0) == 0) msg = rel + msg.substr(local.size());
      return Status(reader.status().code(), msg);
    }
    current_ = std::move(*reader);
    return Status::OK();
  }

  DataSource source_;
  TextReadOptions options_;
  std::vector<std::string> files_;
  size_t next_file_ = 0;
  std::unique_ptr<TableReader> current_;
  Schema schema_;
};

}  // namespace

TextReadOptions ReadOptionsFor(const DatasetConfig& config) {
  TextReadOptions o;
  o.builder = config.builder;
  for (const auto& key : {"sep", "delimiter"}) {
    auto it = config.builder_kwargs.find(key);
    if (it != config.builder_kwargs.end() && it->second.size() == 1) o.delimiter = it->second[0];
  }
  if (auto it = config.builder_kwargs.find("field"); it != config.builder_kwargs.end()) o.field = it->second;
  return o;
}

Result<std::unique_ptr<TableReader>> OpenSplitFiles(const DataSource& source, const DatasetConfig& config,
                                                    const std::vector<std::string>& files) {
  if (files.empty()) return Status::NotFound("the split has no data files");
  if (config.builder == "imagefolder" || config.builder == "audiofolder") return OpenFolderSplit(source, config, files);
  if (config.builder != "csv" && config.builder != "json" && config.builder != "text" && config.builder != "parquet")
    return Status::Unsupported("config '" + config.name + "' needs the '" + config.builder +
                               "' builder; mhub reads csv/tsv, json/jsonl, txt and parquet files");
  auto reader = std::make_unique<SplitFilesReader>(source, ReadOptionsFor(config), files);
  MHUB_RETURN_IF_ERROR(reader->Start());
  return std::unique_ptr<TableReader>(std::move(reader));
}

Result<Table> CastBatchTo(const Table& batch, const Schema& target) {
  Table out;
  out.schema = target;
  out.num_rows = batch.num_rows;
  for (size_t c = 0; c < target.fields.size(); ++c) {
    auto col = CastColumn(*batch.columns[c], target.fields[c].type);
    if (!col.ok()) return col.status().WithContext("column '" + target.fields[c].name + "'");
    out.columns.push_back(std::move(*col));
  }
  return out;
}

}  // namespace mhub::datasets::load
