// Renamed repos and legacy ids on the wire: a repo id that names no repo but has a redirect
// (left by POST /api/repos/move, or declared with DeclareRepoAlias) answers 307 with a relative
// Location to the same route on the current id, as the Hub does (huggingface_hub follows only
// relative redirects on its HEAD calls). The router asks here only after a RepoNotFound.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/http/handler_common.h"

namespace mhub::server {

// The current id for `from` ("ns/name" or "gpt2") when a redirect exists and `who` may read its
// target; nullopt otherwise (the caller answers RepoNotFound, revealing nothing).
std::optional<RepoId> FindReadableRedirect(HubContext& ctx, const Principal& who, RepoType type,
                                           const std::string& from);

// A 307 to the request's path with segments [begin, end) (the repo id as sent) replaced by `to`
// (+ `name_suffix`, e.g. ".git"), keeping the rest of the path and the query. No body.
void SetRepoRedirect(const HttpRequest& req, const std::vector<std::string>& seg, size_t begin, size_t end,
                     const RepoId& to, const std::string& name_suffix, HttpResponse& res);

}  // namespace mhub::server
