// Loading data: text formats as streams of Tables, configs/splits of a dataset repo resolved exactly
// as `datasets` does without a loading script (datasets/load.py HubDatasetModuleFactory,
// data_files.py; notes in ../shared/reference/training.md §6.1 and web.md §2.4), and LoadDataset over
// a local folder, files, or a hub dataset repo (through mhub_hub's client and cache).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/datasets/array.h"
#include "mhub/datasets/dataset.h"
#include "mhub/datasets/parquet.h"

namespace mhub::datasets {

// --- text formats (streaming readers; type inference as `datasets`/pyarrow do it) ---
struct TextReadOptions {
  std::string builder;                    // "csv", "json", "text", "parquet"; empty = from the extension
  char delimiter = 0;                     // csv: 0 = ',' (or '\t' for .tsv)
  std::vector<std::string> column_names;  // csv without a header
  bool header = true;
  int64_t batch_rows = 10000;
  std::string field;  // json: the key of the list of rows in {"data": [...]} form
};
// Opens a data file as a stream of tables. The schema is inferred from the file (csv: from a leading
// sample, widened as pyarrow does; json/jsonl: unified over rows, conflicting types an error naming
// the line and column). Errors name the file and the line/row.
Result<std::unique_ptr<TableReader>> OpenDataFile(const std::string& path, const TextReadOptions& options = {});

// --- configs and splits of a dataset repo ---
struct SplitFiles {
  std::string split;
  std::vector<std::string> files;  // repo-relative paths: each pattern's matches sorted, patterns in order
};
struct DatasetConfig {
  std::string name;  // "default" unless the card names configs
  bool is_default = false;
  std::string builder;  // csv, json, parquet, text, ... (most common extension, datasets' ties)
  std::map<std::string, std::string> builder_kwargs;  // e.g. sep
  std::string data_dir;                               // the config's data_dir ("" = repo root)
  std::vector<SplitFiles> splits;  // the card's order; automatic: train, validation, test, then sorted
};
struct ResolveOptions {
  std::string readme;            // README.md text ("" when absent)
  std::string huggingface_yaml;  // root .huggingface.yaml text, merged over the card's YAML
  std::map<std::string, std::vector<std::string>> data_files;  // split -> patterns; overrides the card
  std::string data_dir;                                        // resolve under this folder only
};
// `files`: every path in the repo (or folder). Errors: NotFound when no data file is found,
// InvalidArgument for a malformed card `configs:`, two default configs, splits whose files need
// different builders.
Result<std::vector<DatasetConfig>> ResolveConfigs(const std::vector<std::string>& files, const ResolveOptions& options);
Result<std::vector<DatasetConfig>> ResolveConfigs(const std::vector<std::string>& files, const std::string& readme);
// The config `name` of `configs`, or the default one when `name` is empty (InvalidArgument naming
// the choices when there is none or no such config).
Result<DatasetConfig> PickConfig(const std::vector<DatasetConfig>& configs, const std::string& name);

// --- load_dataset ---
struct LoadOptions {
  std::string config;    // name; empty = the default config
  std::string split;     // empty = every split (OpenSplit: the first one)
  std::string revision;  // hub repos; empty = main; "refs/convert/parquet" reads the Parquet export
  std::map<std::string, std::vector<std::string>> data_files;  // split -> patterns, overrides the card
  bool streaming = false;  // LoadDataset refuses it: LoadIterableDataset (iterable_dataset.h) streams
  std::string cache_dir;   // DefaultDatasetsCache() when empty
};
// path_or_repo: a folder, a data file, or a hub dataset repo id ("org/name") fetched through the
// hub client (MHUB_ENDPOINT / token / HF cache as every other command). Files of a split are read in
// order; later files are cast to the first file's columns as `datasets` casts them (int64 <-> double,
// null -> any), other differences are an error naming both files.
Result<DatasetDict> LoadDataset(const std::string& path_or_repo, const LoadOptions& options = {});

// The configs of a folder, file or repo (what `mhub datasets info` lists).
Result<std::vector<DatasetConfig>> GetDatasetConfigs(const std::string& path_or_repo, const LoadOptions& options = {});

// One split as a stream of batches, nothing written to disk (hub files are still fetched into the HF
// cache, one at a time as the stream reaches them): `mhub datasets rows|head` read through this.
struct SplitStream {
  DatasetConfig config;
  std::string split;
  std::unique_ptr<TableReader> reader;
};
Result<SplitStream> OpenSplit(const std::string& path_or_repo, const LoadOptions& options = {});

// --- push_to_hub / Parquet export (what `datasets` push_to_hub writes) ---
struct PushOptions {
  std::string config_name = "default";  // files under data/ for "default", else under <config_name>/
  std::string revision = "main";        // the branch to commit to
  bool is_private = false;              // when the repo is created
  int64_t max_shard_bytes = 500000000;  // datasets' max_shard_size "500MB" (Arrow bytes per shard)
  std::string commit_message;           // default "Upload dataset"
  ParquetWriteOptions parquet;          // SNAPPY, dictionary, 1000-row groups by default
};
struct NamedSplit {
  std::string split;
  TableReader* reader = nullptr;
};
struct ExportedSplit {
  std::string split;
  std::vector<std::string> files;  // relative: data/train-00000-of-00002.parquet, ...
  int64_t num_examples = 0;
  int64_t num_bytes = 0;      // Arrow (in-memory) bytes, as datasets counts dataset_size
  int64_t download_size = 0;  // bytes of the Parquet files
};
// Writes each split as Parquet shards <data_dir>/<split>-0000k-of-0000n.parquet under `folder` (a
// shard is cut past max_shard_bytes) with the `huggingface` features metadata, and a README.md whose
// YAML holds dataset_info (features, splits num_bytes/num_examples, download_size, dataset_size) and
// configs, merged into `existing_readme` as datasets merges them (other keys and the body kept).
Result<std::vector<ExportedSplit>> ExportToFolder(const std::vector<NamedSplit>& splits, const std::string& folder,
                                                  const PushOptions& options, const std::string& existing_readme = "");
// The same files committed to the hub dataset repo `repo_id` (created when missing) in one commit,
// which also deletes the config's earlier shards of the pushed splits. Returns the commit id.
Result<std::string> PushSplitsToHub(const std::vector<NamedSplit>& splits, const std::string& repo_id,
                                    const PushOptions& options = {});
Result<std::string> PushToHub(const DatasetDict& dataset, const std::string& repo_id, const PushOptions& options = {});

}  // namespace mhub::datasets
