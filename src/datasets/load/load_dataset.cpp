// LoadDataset / OpenSplit / GetDatasetConfigs: a folder, file or hub repo, resolved to configs and
// splits, read through the split readers into Datasets (column files under the datasets cache).
#include <algorithm>

#include "datasets/load/data_source.h"
#include "datasets/load/split_reader.h"
#include "mhub/base/json.h"
#include "mhub/base/sha256.h"
#include "mhub/datasets/load.h"

namespace mhub::datasets {
namespace {

Result<const SplitFiles*> FindSplit(const DatasetConfig& config, const std::string& split) {
  std::string names;
  for (const auto& s : config.splits) {
    if (s.split == split) return &s;
    names += (names.empty() ? "'" : ", '") + s.split + "'";
  }
  return Status::NotFound("unknown split '" + split + "' in config '" + config.name + "'; available splits: " + names);
}

// The features a Parquet file written by `datasets` carries (`huggingface` key/value metadata).
std::optional<Features> FeaturesFromMetadata(const Schema& schema) {
  for (const auto& [k, v] : schema.metadata) {
    if (k != "huggingface") continue;
    // Ordered: the features' key order is the column order (a sorted parse reorders them).
    auto j = ParseOrderedJson(v, "huggingface metadata");
    if (!j.ok() || !j->is_object() || !j->contains("info") || !(*j)["info"].contains("features")) return std::nullopt;
    auto f = Features::FromJson((*j)["info"]["features"].dump());
    if (f.ok() && f->columns.size() == schema.fields.size()) return *f;
  }
  return std::nullopt;
}

std::string Fingerprint(const load::DataSource& source, const DatasetConfig& config, const SplitFiles& split) {
  std::string key = "mhub-load-v1\n" + source.id + "\n" + source.revision + "\n" + config.name + "\n" + config.builder;
  for (const auto& [k, v] : config.builder_kwargs) key += "\n" + k + "=" + v;
  key += "\n" + split.split;
  for (const auto& f : split.files) key += "\n" + f + "@" + source.file_stamp(f);
  return Sha256Hex(key);
}

}  // namespace

Result<std::vector<DatasetConfig>> GetDatasetConfigs(const std::string& path_or_repo, const LoadOptions& options) {
  MHUB_ASSIGN_OR_RETURN(auto source, load::OpenDataSource(path_or_repo, options.revision));
  return load::SourceConfigs(source, options);
}

Result<SplitStream> OpenSplit(const std::string& path_or_repo, const LoadOptions& options) {
  MHUB_ASSIGN_OR_RETURN(auto source, load::OpenDataSource(path_or_repo, options.revision));
  MHUB_ASSIGN_OR_RETURN(auto configs, load::SourceConfigs(source, options));
  MHUB_ASSIGN_OR_RETURN(DatasetConfig config, PickConfig(configs, options.config));
  if (config.splits.empty()) return Status::NotFound("config '" + config.name + "' has no splits");
  std::string split = options.split.empty() ? config.splits.front().split : options.split;
  MHUB_ASSIGN_OR_RETURN(const SplitFiles* files, FindSplit(config, split));
  SplitStream out;
  auto reader = load::OpenSplitFiles(source, config, files->files);
  if (!reader.ok()) return reader.status().WithContext(path_or_repo + " [" + config.name + "/" + split + "]");
  out.reader = std::move(*reader);
  out.config = std::move(config);
  out.split = split;
  return out;
}

Result<DatasetDict> LoadDataset(const std::string& path_or_repo, const LoadOptions& options) {
  if (options.streaming)
    return Status::InvalidArgument("LoadDataset builds column files; streaming=True is LoadIterableDataset");
  MHUB_ASSIGN_OR_RETURN(auto source, load::OpenDataSource(path_or_repo, options.revision));
  MHUB_ASSIGN_OR_RETURN(auto configs, load::SourceConfigs(source, options));
  MHUB_ASSIGN_OR_RETURN(DatasetConfig config, PickConfig(configs, options.config));
  std::vector<const SplitFiles*> wanted;
  if (options.split.empty()) {
    for (const auto& s : config.splits) wanted.push_back(&s);
  } else {
    MHUB_ASSIGN_OR_RETURN(const SplitFiles* s, FindSplit(config, options.split));
    wanted.push_back(s);
  }
  DatasetDict out;
  for (const SplitFiles* split : wanted) {
    std::string where = path_or_repo + " [" + config.name + "/" + split->split + "]";
    auto reader = load::OpenSplitFiles(source, config, split->files);
    if (!reader.ok()) return reader.status().WithContext(where);
    auto ds = Dataset::FromReader(**reader, FeaturesFromMetadata((*reader)->schema()),
                                  Fingerprint(source, config, *split), options.cache_dir);
    if (!ds.ok()) return ds.status().WithContext(where);
    out.splits.emplace_back(split->split, std::move(*ds));
  }
  return out;
}

}  // namespace mhub::datasets
