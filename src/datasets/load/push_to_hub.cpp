// ExportToFolder / PushSplitsToHub / PushToHub: what `datasets` push_to_hub writes (arrow_dataset.py
// _push_parquet_shards_to_hub, DatasetDict.push_to_hub): Parquet shards
// <data_dir>/<split>-0000k-of-0000n.parquet cut at max_shard_size, the `huggingface` features
// metadata in each file, and the README.md card (dataset_card.h), in one commit that also deletes
// the earlier shards of the pushed splits.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "datasets/load/arrow_size.h"
#include "datasets/load/dataset_card.h"
#include "mhub/base/json.h"
#include "mhub/base/progress.h"
#include "mhub/datasets/load.h"
#include "mhub/hub/hub_client.h"
#include "mhub/hub/patterns.h"

namespace mhub::datasets {
namespace {

namespace fs = std::filesystem;

std::string ShardName(const std::string& split, size_t k, size_t n) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "-%05zu-of-%05zu.parquet", k, n);
  return split + buf;
}

// The features a batch stream stands for: the `huggingface` metadata it carries, else the plain
// features of its Arrow types.
Features StreamFeatures(const Schema& schema) {
  for (const auto& [k, v] : schema.metadata) {
    if (k != "huggingface") continue;
    auto j = ParseJson(v, "huggingface metadata");
    if (j.ok() && j->is_object() && j->contains("info") && (*j)["info"].contains("features")) {
      auto f = Features::FromJson((*j)["info"]["features"].dump());
      if (f.ok()) return *f;
    }
  }
  return Features::FromSchema(schema);
}

Status Rename(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  fs::rename(from, to, ec);
  if (ec) return Status::IOError("cannot move " + from.string() + " to " + to.string() + ": " + ec.message());
  return Status::OK();
}

Result<ExportedSplit> ExportSplit(TableReader& reader, const std::string& split, const fs::path& folder,
                                  const fs::path& staging, const PushOptions& options, const Features& features) {
  Schema schema = reader.schema();
  schema.metadata.erase(std::remove_if(schema.metadata.begin(), schema.metadata.end(),
                                       [](const auto& kv) { return kv.first == "huggingface"; }),
                        schema.metadata.end());
  schema.metadata.emplace_back("huggingface", "{\"info\": {\"features\": " + features.ToJson() + "}}");

  ExportedSplit out;
  out.split = split;
  std::vector<fs::path> shards;
  std::optional<ParquetWriter> writer;
  int64_t shard_bytes = 0;
  auto open_shard = [&]() -> Status {
    shards.push_back(staging / (split + "." + std::to_string(shards.size()) + ".parquet"));
    auto w = ParquetWriter::Create(shards.back().string(), schema, options.parquet);
    if (!w.ok()) return w.status();
    writer.emplace(std::move(*w));
    shard_bytes = 0;
    return Status::OK();
  };
  auto close_shard = [&]() -> Status {
    Status st = writer->Close();
    writer.reset();
    return st;
  };
  ProgressBar progress("Writing " + split, 0);
  MHUB_RETURN_IF_ERROR(open_shard());
  for (;;) {
    MHUB_ASSIGN_OR_RETURN(auto batch, reader.Next());
    if (!batch) break;
    // A batch bigger than a shard is written in pieces of about max_shard_bytes.
    int64_t bytes = load::ArrowNbytes(*batch);
    int64_t pieces = options.max_shard_bytes > 0
                         ? std::max<int64_t>(1, (bytes + options.max_shard_bytes - 1) / options.max_shard_bytes)
                         : 1;
    int64_t step = (batch->num_rows + pieces - 1) / pieces;
    for (int64_t begin = 0; begin < batch->num_rows; begin += step) {
      Table part = pieces == 1 ? std::move(*batch) : batch->Slice(begin, std::min(batch->num_rows, begin + step));
      int64_t part_bytes = pieces == 1 ? bytes : load::ArrowNbytes(part);
      if (shard_bytes > 0 && options.max_shard_bytes > 0 && shard_bytes + part_bytes > options.max_shard_bytes) {
        MHUB_RETURN_IF_ERROR(close_shard());
        MHUB_RETURN_IF_ERROR(open_shard());
      }
      MHUB_RETURN_IF_ERROR(writer->Write(part));
      shard_bytes += part_bytes;
      out.num_bytes += part_bytes;
      out.num_examples += part.num_rows;
      progress.Add(static_cast<uint64_t>(part_bytes));
      if (pieces == 1) break;
    }
  }
  MHUB_RETURN_IF_ERROR(close_shard());
  progress.Finish();
  // Names carry the shard count, known only now.
  std::string dir = load::ConfigDataDir(options.config_name);
  for (size_t k = 0; k < shards.size(); ++k) {
    std::string rel = dir + "/" + ShardName(split, k, shards.size());
    MHUB_RETURN_IF_ERROR(Rename(shards[k], folder / rel));
    std::error_code ec;
    out.download_size += static_cast<int64_t>(fs::file_size(folder / rel, ec));
    out.files.push_back(rel);
  }
  return out;
}

Status WriteTextFile(const fs::path& path, const std::string& text) {
  fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f.good()) return Status::IOError("cannot write " + tmp.string());
  }
  return Rename(tmp, path);
}

// A batch stream over a Dataset's rows.
class DatasetReader : public TableReader {
 public:
  explicit DatasetReader(const Dataset& ds) : ds_(ds) {}
  const Schema& schema() const override { return ds_.schema(); }
  Result<std::optional<Table>> Next() override {
    if (next_ >= ds_.num_rows()) return std::optional<Table>();
    int64_t end = std::min(ds_.num_rows(), next_ + 1000);
    MHUB_ASSIGN_OR_RETURN(Table t, ds_.Slice(next_, end));
    next_ = end;
    return std::optional<Table>(std::move(t));
  }

 private:
  const Dataset& ds_;
  int64_t next_ = 0;
};

// A fresh folder under the temp dir, removed with its contents when the object dies.
struct StagingDir {
  fs::path path;
  StagingDir() {
    std::string tmpl = (fs::temp_directory_path() / "mhub-push-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path = tmpl;
  }
  ~StagingDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

}  // namespace

Result<std::vector<ExportedSplit>> ExportToFolder(const std::vector<NamedSplit>& splits, const std::string& folder,
                                                  const PushOptions& options, const std::string& existing_readme) {
  if (splits.empty()) return Status::InvalidArgument("nothing to export: no splits");
  if (options.config_name.empty() || options.config_name.find('/') != std::string::npos)
    return Status::InvalidArgument("config name '" + options.config_name + "' is not valid");
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return Status::IOError("cannot create " + folder + ": " + ec.message());
  StagingDir staging;
  if (staging.path.empty()) return Status::IOError("cannot create a temp folder");
  std::vector<ExportedSplit> out;
  Features features = StreamFeatures(splits[0].reader->schema());
  for (const auto& s : splits) {
    if (!s.reader->schema().Equals(splits[0].reader->schema()))
      return Status::InvalidArgument("split '" + s.split + "' has other columns than split '" + splits[0].split +
                                     "'; the splits of a config share their features");
    auto e = ExportSplit(*s.reader, s.split, folder, staging.path, options, features);
    if (!e.ok()) return e.status().WithContext("split '" + s.split + "'");
    out.push_back(std::move(*e));
  }
  MHUB_ASSIGN_OR_RETURN(std::string card, load::UpdateDatasetCard(existing_readme, options.config_name, features, out));
  MHUB_RETURN_IF_ERROR(WriteTextFile(fs::path(folder) / "README.md", card));
  return out;
}

Result<std::string> PushSplitsToHub(const std::vector<NamedSplit>& splits, const std::string& repo_id,
                                    const PushOptions& options) {
  MHUB_RETURN_IF_ERROR(hub::ValidateRepoId(repo_id));
  hub::HubClient client = hub::HubClient::FromEnv();
  hub::RepoRef repo{repo_id, hub::RepoType::kDataset};
  hub::CreateRepoOptions create;
  create.is_private = options.is_private;
  create.exist_ok = true;
  MHUB_RETURN_IF_ERROR(client.create_repo(repo, create).status());
  MHUB_ASSIGN_OR_RETURN(auto existing, client.list_repo_files(repo, options.revision));
  std::string readme;
  if (std::find(existing.begin(), existing.end(), "README.md") != existing.end()) {
    hub::DownloadOptions d;
    d.revision = options.revision;
    MHUB_ASSIGN_OR_RETURN(std::string path, client.hf_hub_download(repo, "README.md", d));
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    readme = ss.str();
  }
  StagingDir staging;
  if (staging.path.empty()) return Status::IOError("cannot create a temp folder");
  MHUB_ASSIGN_OR_RETURN(auto exported, ExportToFolder(splits, staging.path.string(), options, readme));
  std::vector<hub::CommitOperation> ops;
  std::vector<std::string> added;
  for (const auto& s : exported)
    for (const auto& f : s.files) {
      ops.push_back(hub::CommitOperation::AddFile(f, (staging.path / f).string()));
      added.push_back(f);
    }
  ops.push_back(hub::CommitOperation::AddFile("README.md", (staging.path / "README.md").string()));
  // Earlier shards of the pushed splits go (a push with fewer shards must not leave stale ones).
  std::string dir = load::ConfigDataDir(options.config_name);
  for (const auto& f : existing)
    for (const auto& s : exported)
      if (hub::GlobMatch(dir + "/" + s.split + "-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*", f) &&
          std::find(added.begin(), added.end(), f) == added.end())
        ops.push_back(hub::CommitOperation::Delete(f));
  hub::CommitOptions co;
  co.revision = options.revision;
  co.commit_message = options.commit_message.empty() ? "Upload dataset" : options.commit_message;
  MHUB_ASSIGN_OR_RETURN(auto info, client.create_commit(repo, ops, co));
  return info.commit_oid;
}

Result<std::string> PushToHub(const DatasetDict& dataset, const std::string& repo_id, const PushOptions& options) {
  std::vector<std::unique_ptr<DatasetReader>> readers;
  std::vector<NamedSplit> splits;
  for (const auto& [name, ds] : dataset.splits) {
    readers.push_back(std::make_unique<DatasetReader>(ds));
    splits.push_back({name, readers.back().get()});
  }
  return PushSplitsToHub(splits, repo_id, options);
}

}  // namespace mhub::datasets
