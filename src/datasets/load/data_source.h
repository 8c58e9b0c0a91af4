// Where a dataset's files come from: a local folder, one local file, or a hub dataset repo at one
// commit (files fetched on demand into the HF cache through mhub_hub's client). LoadDataset and the
// CLI see the same interface.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/datasets/load.h"

namespace mhub::datasets::load {

struct DataSource {
  std::string id;        // the folder, file or repo id as given
  std::string revision;  // hub: the commit the revision resolved to; local: ""
  bool is_repo = false;
  bool single_file = false;
  std::vector<std::string> files;  // repo-relative, sorted ('/'-separated)
  std::string readme;              // README.md text
  std::string huggingface_yaml;    // .huggingface.yaml text
  // A local path for a repo-relative file (downloads it for a hub repo).
  std::function<Result<std::string>(const std::string& relative)> fetch;
  // Identifies the bytes: the commit for a repo, sizes and mtimes for local files.
  std::function<std::string(const std::string& relative)> file_stamp;
};

// A folder or file when one exists at `path_or_repo`, else a hub dataset repo id.
Result<DataSource> OpenDataSource(const std::string& path_or_repo, const std::string& revision);

// The configs of a source: ResolveConfigs over its files and card; a single file is one "default"
// config with a "train" split; a refs/convert/parquet revision reads {config}/{split}/NNNN.parquet.
Result<std::vector<DatasetConfig>> SourceConfigs(const DataSource& source, const LoadOptions& options);

}  // namespace mhub::datasets::load
