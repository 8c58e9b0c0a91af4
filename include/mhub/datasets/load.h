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

namespace mhub::datasets {

// --- text formats (streaming readers; type inference as `datasets`/pyarrow do it) ---
struct TextReadOptions {
  std::string builder;  // "csv", "json", "text", "parquet"; empty = from the extension
  char delimiter = 0;   // csv: 0 = ',' (or '\t' for .tsv)
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
  std::vector<std::string> files;  // repo-relative paths, sorted
};
struct DatasetConfig {
  std::string name;                 // "default" unless the card names configs
  bool is_default = false;
  std::string builder;              // csv, json, parquet, text (most common extension, datasets' ties)
  std::map<std::string, std::string> builder_kwargs;  // e.g. sep
  std::vector<SplitFiles> splits;   // datasets' order: train, validation, test, then alphabetical
};
// `files`: every path in the repo (or folder); `readme`: README.md text ("" when absent).
Result<std::vector<DatasetConfig>> ResolveConfigs(const std::vector<std::string>& files, const std::string& readme);

// --- load_dataset ---
struct LoadOptions {
  std::string config;    // name; empty = the default config
  std::string split;     // empty = every split
  std::string revision;  // hub repos; empty = main
  std::map<std::string, std::vector<std::string>> data_files;  // split -> patterns, overrides the card
  bool streaming = false;  // then batches are read on demand (no column files)
  std::string cache_dir;   // DefaultDatasetsCache() when empty
};
// path_or_repo: a folder, a data file, or a hub dataset repo id ("org/name") fetched through the
// hub client (MHUB_ENDPOINT / token / HF cache as every other command).
Result<DatasetDict> LoadDataset(const std::string& path_or_repo, const LoadOptions& options = {});

}  // namespace mhub::datasets
