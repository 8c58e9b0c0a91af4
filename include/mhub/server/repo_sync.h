// Keeps the metadata DB in step with the git repos: after every change of refs/heads/main (API
// commit, git push, branch overwrite) the HTTP layer calls RefreshRepoMetadata.
#pragma once

#include <cstdint>

#include "mhub/base/result.h"
#include "mhub/server/metadata_db.h"
#include "mhub/server/repo_store.h"

namespace mhub::server {

// Re-reads README.md at the head of main and stores its card metadata, the head sha and
// last_modified (= `now_ms`, or the current time when 0) in the DB. A missing README gives empty
// card data; a README with bad YAML keeps the previous card data but still updates sha and time
// (the Hub accepts pushes with bad metadata). RepoNotFound when the repo or its record is missing.
Status RefreshRepoMetadata(const RepoStore& repos, MetadataDb& db, const RepoKey& key, int64_t now_ms = 0);

// Inserts a DB record for every repo on disk that has none (and refreshes it): for `mhub server`
// start-up over an existing data dir. Returns how many records were added.
Result<int> ImportMissingRepos(const RepoStore& repos, MetadataDb& db);

}  // namespace mhub::server
