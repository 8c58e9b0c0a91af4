#include "datasets/load/folder_reader.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>

#include "datasets/load/builders.h"
#include "mhub/base/json.h"
#include "mhub/datasets/features.h"
#include "mhub/datasets/load.h"
#include "mhub/datasets/value.h"

namespace mhub::datasets::load {
namespace {

constexpr int64_t kFilesPerBatch = 64;
constexpr uint64_t kMaxMediaBytes = uint64_t{1} << 31;  // one file in one binary cell

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string Dir(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}
std::string Base(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}
std::string Extension(const std::string& path) {
  const std::string b = Base(path);
  size_t dot = b.rfind('.');
  return dot == std::string::npos ? "" : Lower(b.substr(dot));
}

// One metadata row: the metadata table and its row.
struct MetaRow {
  std::shared_ptr<const Table> table;
  int64_t row = 0;
};

class FolderReader : public TableReader {
 public:
  FolderReader(DataSource source, std::vector<std::string> media, std::string media_column)
      : source_(std::move(source)), media_(std::move(media)), media_column_(std::move(media_column)) {}

  // Reads the metadata files and builds the schema.
  Status Start(const std::vector<std::string>& metadata_files, const std::vector<std::string>& all_media, bool audio) {
    std::set<std::string> labels;
    std::set<size_t> depths;
    for (const auto& m : all_media) {
      labels.insert(Base(Dir(m)));
      depths.insert(static_cast<size_t>(std::count(m.begin(), m.end(), '/')));
    }
    Features features;
    features.columns.emplace_back(media_column_, audio ? Feature::MakeAudio() : Feature::MakeImage());
    Schema meta_schema;
    for (const std::string& rel : metadata_files) {
      MHUB_ASSIGN_OR_RETURN(std::string local, source_.fetch(rel));
      MHUB_ASSIGN_OR_RETURN(std::unique_ptr<TableReader> reader, OpenDataFile(local));
      auto table = std::make_shared<Table>();
      table->schema = reader->schema();
      // Small by design (one row per file): read whole, then index by file_name.
      std::vector<Table> parts;
      while (true) {
        auto b = reader->Next();
        if (!b.ok()) return b.status().WithContext(rel);
        if (!*b) break;
        parts.push_back(std::move(**b));
      }
      const int fi = table->schema.FieldIndex("file_name");
      if (fi < 0) return Status::InvalidArgument(rel + ": a metadata file needs a 'file_name' column");
      if (meta_schema.fields.empty()) {
        meta_schema = table->schema;
      } else if (!(meta_schema.fields.size() == table->schema.fields.size())) {
        return Status::InvalidArgument(rel + ": its columns differ from " + metadata_files.front() + "'s");
      }
      std::vector<ArrayBuilder> builders;
      for (const auto& f : meta_schema.fields) builders.emplace_back(f.type);
      int64_t rows = 0;
      for (const Table& p : parts) {
        for (size_t c = 0; c < builders.size(); ++c) builders[c].AppendRange(*p.columns[c], 0, p.num_rows);
        rows += p.num_rows;
      }
      table->num_rows = rows;
      for (auto& b : builders) table->columns.push_back(b.Finish());
      const Array& names = *table->columns[static_cast<size_t>(fi)];
      if (names.type->id != TypeId::kString) return Status::InvalidArgument(rel + ": 'file_name' is not a string");
      const std::string dir = Dir(rel);
      for (int64_t r = 0; r < rows; ++r) {
        if (names.IsNull(r)) return Status::InvalidArgument(rel + ": row " + std::to_string(r) + " has no file_name");
        std::string name(names.Bytes(r));
        while (name.rfind("./", 0) == 0) name = name.substr(2);
        const std::string key = dir.empty() ? name : dir + "/" + name;
        meta_[key] = MetaRow{table, r};
      }
    }
    if (!metadata_files.empty()) {
      for (size_t c = 0; c < meta_schema.fields.size(); ++c) {
        if (meta_schema.fields[c].name == "file_name") continue;
        meta_columns_.push_back(c);
        features.columns.emplace_back(meta_schema.fields[c].name, Feature::FromType(*meta_schema.fields[c].type));
      }
      meta_schema_ = meta_schema;
    } else if (labels.size() > 1 && depths.size() == 1) {
      // datasets infers labels from the folders only without metadata (drop_labels=None).
      label_names_.assign(labels.begin(), labels.end());
      features.columns.emplace_back("label", Feature::MakeClassLabel(label_names_));
    }
    schema_ = features.ToSchema();
    schema_.metadata.emplace_back("huggingface", "{\"info\": {\"features\": " + features.ToJson() + "}}");
    for (const auto& m : media_) {
      if (!metadata_files.empty() && !meta_.count(m)) {
        return Status::InvalidArgument(m + ": no row of the metadata files names this file (file_name)");
      }
    }
    return Status::OK();
  }

  const Schema& schema() const override { return schema_; }

  Result<std::optional<Table>> Next() override {
    if (next_ >= media_.size()) return std::optional<Table>();
    const size_t end = std::min(media_.size(), next_ + static_cast<size_t>(kFilesPerBatch));
    std::vector<ArrayBuilder> b;
    for (const auto& f : schema_.fields) b.emplace_back(f.type);
    for (size_t i = next_; i < end; ++i) {
      const std::string& rel = media_[i];
      MHUB_ASSIGN_OR_RETURN(std::string local, source_.fetch(rel));
      std::ifstream in(local, std::ios::binary);
      if (!in) return Status::IOError(rel + ": cannot read");
      in.seekg(0, std::ios::end);
      const auto size = static_cast<uint64_t>(std::max<std::streamoff>(in.tellg(), 0));
      if (size > kMaxMediaBytes) return Status::ResourceExhausted(rel + ": larger than 2 GiB");
      in.seekg(0);
      std::string bytes(size, '\0');
      in.read(bytes.data(), static_cast<std::streamsize>(size));
      if (!in) return Status::IOError(rel + ": short read");
      b[0].AppendStructValid();
      b[0].Child(0).AppendBytes(bytes);
      b[0].Child(1).AppendBytes(rel);
      size_t col = 1;
      if (!label_names_.empty()) {
        const std::string label = Base(Dir(rel));
        auto it = std::lower_bound(label_names_.begin(), label_names_.end(), label);
        b[col++].AppendInt(it - label_names_.begin());
      }
      if (!meta_columns_.empty()) {
        const MetaRow& m = meta_.at(rel);
        for (size_t c : meta_columns_) b[col++].AppendFrom(*m.table->columns[c], m.row);
      }
    }
    Table t;
    t.schema = schema_;
    t.num_rows = static_cast<int64_t>(end - next_);
    for (auto& x : b) t.columns.push_back(x.Finish());
    next_ = end;
    return std::optional<Table>(std::move(t));
  }

 private:
  DataSource source_;
  std::vector<std::string> media_;
  std::string media_column_;
  Schema schema_, meta_schema_;
  std::vector<std::string> label_names_;
  std::vector<size_t> meta_columns_;
  std::map<std::string, MetaRow> meta_;
  size_t next_ = 0;
};

}  // namespace

Result<std::unique_ptr<TableReader>> OpenFolderSplit(const DataSource& source, const DatasetConfig& config,
                                                     const std::vector<std::string>& files) {
  const bool audio = config.builder == "audiofolder";
  std::vector<std::string> exts = BuilderExtensions(config.builder);
  const std::vector<std::string> meta_names = BuilderMetadataFileNames(config.builder);
  std::vector<std::string> media, metadata;
  for (const auto& f : files) {
    if (std::find(meta_names.begin(), meta_names.end(), Base(f)) != meta_names.end()) {
      metadata.push_back(f);
    } else if (Extension(f) == ".zip") {
      return Status::Unsupported(f + ": zip archives in " + config.builder + " splits are not read yet");
    } else if (std::find(exts.begin(), exts.end(), Extension(f)) != exts.end()) {
      media.push_back(f);
    }
  }
  std::sort(media.begin(), media.end());
  if (media.empty()) return Status::NotFound("the split has no " + std::string(audio ? "audio" : "image") + " files");
  // Labels are collected over every split of the config, as datasets does, so all splits share them.
  std::vector<std::string> all_media;
  for (const SplitFiles& s : config.splits) {
    for (const auto& f : s.files) {
      if (std::find(exts.begin(), exts.end(), Extension(f)) != exts.end() && Extension(f) != ".zip") {
        all_media.push_back(f);
      }
    }
  }
  if (all_media.empty()) all_media = media;
  auto reader = std::make_unique<FolderReader>(source, std::move(media), audio ? "audio" : "image");
  MHUB_RETURN_IF_ERROR(reader->Start(metadata, all_media, audio));
  return std::unique_ptr<TableReader>(std::move(reader));
}

}  // namespace mhub::datasets::load
