#include "datasets/load/folder_reader.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>

#include "datasets/load/builders.h"
#include "datasets/load/zip_archive.h"
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

// One row's media file: a file of the split, or a member of a zip archive of the split.
struct Media {
  std::string key;         // the file's repo path (metadata joins on it); zip members: the fsspec URL
  std::string label_path;  // the path whose parent folder is the label (inside the archive for members)
  std::string path;        // what the path field holds: the repo path, or zip://member::archive
  int archive = -1;        // index into the reader's archives, or -1
  ZipArchive::Member member;
};

// One metadata row: the metadata table and its row.
struct MetaRow {
  std::shared_ptr<const Table> table;
  int64_t row = 0;
};

class FolderReader : public TableReader {
 public:
  FolderReader(DataSource source, std::vector<Media> media, std::vector<std::unique_ptr<ZipArchive>> archives,
               std::string media_column)
      : source_(std::move(source)),
        media_(std::move(media)),
        archives_(std::move(archives)),
        media_column_(std::move(media_column)) {}

  // Reads the metadata files and builds the schema.
  Status Start(const std::vector<std::string>& metadata_files, const std::vector<std::string>& all_label_paths,
               bool audio) {
    std::set<std::string> labels;
    std::set<size_t> depths;
    for (const auto& m : all_label_paths) {
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
      if (!metadata_files.empty() && !meta_.count(m.key)) {
        return Status::InvalidArgument(m.key + ": no row of the metadata files names this file (file_name)");
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
      const Media& md = media_[i];
      std::string bytes;
      if (md.archive >= 0) {
        MHUB_ASSIGN_OR_RETURN(bytes, archives_[static_cast<size_t>(md.archive)]->Read(md.member, kMaxMediaBytes));
      } else {
        MHUB_ASSIGN_OR_RETURN(std::string local, source_.fetch(md.key));
        std::ifstream in(local, std::ios::binary);
        if (!in) return Status::IOError(md.key + ": cannot read");
        in.seekg(0, std::ios::end);
        const auto size = static_cast<uint64_t>(std::max<std::streamoff>(in.tellg(), 0));
        if (size > kMaxMediaBytes) return Status::ResourceExhausted(md.key + ": larger than 2 GiB");
        in.seekg(0);
        bytes.assign(size, '\0');
        in.read(bytes.data(), static_cast<std::streamsize>(size));
        if (!in) return Status::IOError(md.key + ": short read");
      }
      b[0].AppendStructValid();
      b[0].Child(0).AppendBytes(bytes);
      b[0].Child(1).AppendBytes(md.path);
      size_t col = 1;
      if (!label_names_.empty()) {
        const std::string label = Base(Dir(md.label_path));
        auto it = std::lower_bound(label_names_.begin(), label_names_.end(), label);
        b[col++].AppendInt(it - label_names_.begin());
      }
      if (!meta_columns_.empty()) {
        const MetaRow& m = meta_.at(md.key);
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
  std::vector<Media> media_;
  std::vector<std::unique_ptr<ZipArchive>> archives_;
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
  const std::vector<std::string> exts = BuilderExtensions(config.builder);
  const std::vector<std::string> meta_names = BuilderMetadataFileNames(config.builder);
  auto is_media = [&](const std::string& f) {
    const std::string e = Extension(f);
    return e != ".zip" && std::find(exts.begin(), exts.end(), e) != exts.end();
  };
  std::vector<Media> media;
  std::vector<std::string> metadata;
  std::vector<std::unique_ptr<ZipArchive>> archives;
  for (const auto& f : files) {
    if (std::find(meta_names.begin(), meta_names.end(), Base(f)) != meta_names.end()) {
      metadata.push_back(f);
    } else if (Extension(f) == ".zip") {
      // datasets extracts archives and reads the media files inside them.
      MHUB_ASSIGN_OR_RETURN(std::string local, source.fetch(f));
      MHUB_ASSIGN_OR_RETURN(std::unique_ptr<ZipArchive> z, ZipArchive::Open(local, f));
      for (const ZipArchive::Member& m : z->members()) {
        if (std::find(meta_names.begin(), meta_names.end(), Base(m.name)) != meta_names.end()) {
          return Status::Unsupported(f + "::" + m.name + ": metadata files inside zip archives are not read yet");
        }
        if (!is_media(m.name)) continue;
        const std::string url = "zip://" + m.name + "::" + f;
        media.push_back(Media{url, m.name, url, static_cast<int>(archives.size()), m});
      }
      archives.push_back(std::move(z));
    } else if (is_media(f)) {
      media.push_back(Media{f, f, f, -1, {}});
    }
  }
  std::sort(media.begin(), media.end(), [](const Media& a, const Media& b) { return a.key < b.key; });
  if (media.empty()) return Status::NotFound("the split has no " + std::string(audio ? "audio" : "image") + " files");
  // Labels are collected over every split of the config, as datasets does, so all splits share
  // them (archives of other splits are not opened: their members count only in their own split).
  std::vector<std::string> label_paths;
  for (const SplitFiles& s : config.splits) {
    if (s.files == files) continue;
    for (const auto& f : s.files) {
      if (is_media(f)) label_paths.push_back(f);
    }
  }
  for (const Media& m : media) label_paths.push_back(m.label_path);
  auto reader =
      std::make_unique<FolderReader>(source, std::move(media), std::move(archives), audio ? "audio" : "image");
  MHUB_RETURN_IF_ERROR(reader->Start(metadata, label_paths, audio));
  return std::unique_ptr<TableReader>(std::move(reader));
}

}  // namespace mhub::datasets::load
