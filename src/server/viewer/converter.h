// The Parquet conversion of one dataset revision, as the Hub's parquet-converter does it (web.md
// §2.5): configs and splits resolved as `datasets` does (mhub/datasets/load.h ResolveConfigs), each
// split's source files (Parquet, CSV/TSV, JSON/JSONL, text) read and rewritten as Snappy Parquet
// shards `{config}/{split}/{NNNN}.parquet` with the `huggingface` features metadata, stored as LFS
// objects and committed to refs/convert/parquet in ONE commit that replaces the branch's tree.
//
// Nothing is visible before that commit: shards are written under a private temp folder, and the
// commit moves the branch with a compare-and-swap on its previous head. A failure (bad file,
// superseded by a newer push, I/O) leaves the branch exactly as it was.
#pragma once

#include <functional>
#include <string>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/server/lfs_store.h"
#include "mhub/server/metadata_db.h"
#include "mhub/server/repo_store.h"

namespace mhub::server::viewer {

inline constexpr const char* kParquetBranch = "refs/convert/parquet";

struct ConvertEnv {
  RepoStore* repos = nullptr;
  LfsStore* lfs = nullptr;
  MetadataDb* db = nullptr;
  std::string work_dir;  // private scratch folder for this job (emptied by the caller)
  // Asked between batches: true when the job should stop (a newer push, a server stop). The
  // conversion then ends with Status::Aborted-like Unavailable and commits nothing.
  std::function<bool()> cancelled;
  int64_t row_group_rows = 1000;
  uint64_t shard_bytes = 256ull << 20;  // a new shard once a file holds about this many bytes
};

struct ConversionOutcome {
  std::string parquet_commit;  // the new head of refs/convert/parquet
  // {"revision", "num_bytes_original_files", "configs": [{"config", "features", "num_bytes_original_files",
  //   "splits": [{"split", "num_rows", "num_columns", "num_bytes_parquet_files", "num_bytes_memory",
  //               "files": [{"path", "oid", "size", "num_rows"}]}]}]}
  Json summary;
};

Result<ConversionOutcome> ConvertToParquet(const ConvertEnv& env, const RepoKey& key, const std::string& revision);

}  // namespace mhub::server::viewer
