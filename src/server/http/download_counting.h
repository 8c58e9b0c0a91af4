// Download counts as the Hub keeps them (hub-docs models-download-stats.md and
// datasets-download-stats.md):
// - models: every GET or HEAD of a "query file" counts once. The query files are config.json,
//   config.yaml, hyperparams.yaml, params.json and meta.yaml at the repo root, unless the card's
//   library_name names a library with its own rule (e.g. diffusers: model_index.json and
//   root-level *.safetensors / *.ckpt / *.bin; nemo: *.nemo); every *.gguf file always counts.
// - datasets: requests to any file count, but one user's (or, anonymous, one address's) series of
//   requests within 5 minutes counts once.
// - spaces: no download counts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mhub/server/metadata_db.h"
#include "server/http/handler_common.h"

namespace mhub::server {

// True when a request for `path` (normalized repo path) of a model whose card says
// `library_name` counts as a download.
bool IsModelQueryFile(std::string_view library_name, std::string_view path);

// Counts the request `call` makes for `path` of `record` if the rules above say so.
// `now_ms` is the request time (for the dataset window). Best effort: DB errors are ignored.
void CountDownload(RepoCall& call, const RepoRecord& record, const std::string& path, int64_t now_ms);

}  // namespace mhub::server
