// Legacy repo ids declared by an admin: the Hub keeps answering its old canonical ids ("gpt2",
// "bert-base-uncased") with a 307 to the current repo ("openai-community/gpt2"). A declared alias
// works like the redirect a move leaves behind (POST /api/repos/move), on the API, resolve and git
// routes, and only for callers who may read the target.
#pragma once

#include <string_view>
#include <vector>

#include "mhub/server/metadata_db.h"

namespace mhub::server {

// Declares `alias` (one part "gpt2", or "ns/name") for the existing repo `target`. InvalidArgument
// for a malformed alias; NotFound (RepoNotFound) when `target` does not exist; AlreadyExists when a
// repo is named `alias` (a real repo always wins over a redirect).
Status DeclareRepoAlias(MetadataDb& db, RepoType type, std::string_view alias, const RepoId& target);
// NotFound when `alias` has no redirect.
Status RemoveRepoAlias(MetadataDb& db, RepoType type, std::string_view alias);
// Every redirect, moves included.
Result<std::vector<RepoRedirect>> ListRepoAliases(MetadataDb& db);

}  // namespace mhub::server
