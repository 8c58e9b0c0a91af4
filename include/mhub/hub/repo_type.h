// The three kinds of Hub repository and their spellings. One enum for the hub client and the hub
// server (the server re-exports these names in mhub/server/repo_path.h).
#pragma once

#include <optional>
#include <string_view>

#include "mhub/base/result.h"

namespace mhub::hub {

enum class RepoType { kModel, kDataset, kSpace };

// "model" / "dataset" / "space" (the JSON `type` and `repoType` values).
std::string_view RepoTypeName(RepoType type);
// "models" / "datasets" / "spaces" (API URL segment `/api/models/...`; the server's repo folder).
std::string_view RepoTypePlural(RepoType type);
// "" / "datasets/" / "spaces/" (prefix of web URLs: resolve, LFS, commit URLs, `.git` URLs).
std::string_view RepoTypeUrlPrefix(RepoType type);

// The singular or the plural spelling ("model", "models", ...); nullopt for anything else,
// including "". Callers that report the error word it themselves.
std::optional<RepoType> RepoTypeFromName(std::string_view name);
// RepoTypeFromName, or InvalidArgument "unknown repo type 'x' (expected model, dataset or space)".
Result<RepoType> ParseRepoType(std::string_view name);

}  // namespace mhub::hub
