// Per-repo access to the shared LFS store, as on the Hub. The store (lfs_store.h) keeps each
// object once for the whole server; MetadataDb's lfs_refs say which repos hold which objects.
// A repo serves an object only when it holds it, and it comes to hold it only by
//  - an upload to that repo completing (RecordLfsUpload: the uploader sent the bytes), or
//  - a commit or push of that repo pointing at an object that the committer may read through some
//    repo (AuthorizeLfsReference), or
//  - a scan of the repo's own history when its record predates lfs_refs or it was imported from
//    disk (ScanRepoLfsPointers: the admin put those repos there).
// Every refusal reads as "not found", the answer for an object that does not exist, so no call
// reveals whether another repo has an object.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "mhub/base/result.h"
#include "mhub/server/lfs_store.h"
#include "mhub/server/metadata_db.h"
#include "mhub/server/repo_store.h"

namespace mhub::server {

// The stored size of `oid` as repo `key` serves it. NotFound unless `key` holds the object and
// it is in the store.
Result<uint64_t> LfsObjectSizeIn(const LfsStore& store, MetadataDb& db, const RepoKey& key, std::string_view oid);

// Records that an upload of `oid` (`size` bytes) to `key` completed.
Status RecordLfsUpload(MetadataDb& db, const RepoKey& key, std::string_view oid, uint64_t size);

// The check of a commit or push to `key` by hub user `user` ("" = nobody) that points at `oid`:
// OK when the object is stored and `key` already holds it or `user` may read a repo holding it;
// the reference is then recorded as committed. NotFound otherwise.
Status AuthorizeLfsReference(const LfsStore& store, MetadataDb& db, const RepoKey& key, std::string_view user,
                             std::string_view oid);

// Makes RepoStore commits go through AuthorizeLfsReference (LfsStore::set_reference_check).
// `db` must outlive `store`'s use.
void InstallLfsReferenceCheck(LfsStore& store, MetadataDb& db);

// The oids of the LFS pointers in every commit reachable from any ref of `key`.
Result<std::set<std::string>> LfsPointersInHistory(const RepoStore& repos, const RepoKey& key);

// Reads every commit reachable from any ref of `key` and records each LFS pointer in it as a
// committed reference of `key`, then marks the repo scanned. A repo missing on disk is only
// marked.
Status ScanRepoLfsPointers(const RepoStore& repos, MetadataDb& db, const RepoKey& key);
// ScanRepoLfsPointers for every repo never scanned; returns how many were scanned.
Result<int> ScanUnscannedRepos(const RepoStore& repos, MetadataDb& db);

}  // namespace mhub::server
