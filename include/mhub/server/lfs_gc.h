// The LFS garbage collector: removes objects that no repo holds (lfs_access.h) once they have
// been held by none for a grace period. That covers uploads never committed (their uncommitted
// references are dropped `grace_ms` after the upload) and objects whose every repo was deleted.
// The grace period is counted from the first collection that found the object held by none, so
// an object being uploaded right now (stored a moment before its reference is recorded) is safe.
// An upload counts as committed once any commit of its repo points at it, however that commit
// arrived (API commit, git push): before dropping a repo's old uncommitted references the
// collector reads the repo's history and keeps those its pointers name.
#pragma once

#include <cstdint>

#include "mhub/base/result.h"
#include "mhub/server/lfs_store.h"
#include "mhub/server/metadata_db.h"
#include "mhub/server/repo_store.h"

namespace mhub::server {

struct LfsGcReport {
  int64_t uncommitted_refs_confirmed = 0;  // pointed at by a commit after all: kept
  int64_t uncommitted_refs_dropped = 0;
  int64_t objects_kept = 0;
  int64_t objects_orphaned = 0;  // held by none, still in their grace period
  int64_t objects_removed = 0;
  uint64_t bytes_removed = 0;
};

// One pass over the store at time `now_ms`. Safe to run while the server serves.
Result<LfsGcReport> CollectLfsGarbage(LfsStore& store, const RepoStore& repos, MetadataDb& db, int64_t grace_ms,
                                      int64_t now_ms);

}  // namespace mhub::server
