// The huggingface_hub cache layout, shared with the Python and JS clients:
//   <cache>/models--org--name/blobs/<etag>
//                            /snapshots/<commit>/<path>   (relative symlink to ../../blobs/<etag>)
//                            /refs/<revision>             (text file: the commit it pointed to)
//                            /.no_exist/<commit>/<path>   (marker: the file is known absent)
// and the scan behind `mhub cache ls` (like `hf cache scan`).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/hub/repo_types.h"

namespace mhub::hub {

// "models--org--name".
std::string RepoFolderName(const RepoRef& repo);
// <cache>/<RepoFolderName>.
std::string RepoCacheDir(const std::string& cache_dir, const RepoRef& repo);

// The commit a revision names in the cache: a 40-hex revision is itself, else refs/<revision>.
// NotFound when the ref is not cached.
Result<std::string> CachedCommitForRevision(const std::string& repo_dir, const std::string& revision);
// Records refs/<revision> = commit (atomic). No-op for a revision that is already the commit.
Status WriteCachedRef(const std::string& repo_dir, const std::string& revision, const std::string& commit);
// Points snapshots/<commit>/<path> at ../../blobs/<etag> with a relative symlink (atomic replace).
Status LinkSnapshotFile(const std::string& repo_dir, const std::string& commit, const std::string& path,
                        const std::string& etag);

struct CachedRevision {
  std::string commit;
  std::vector<std::string> refs;
  uint64_t nb_files = 0;
  uint64_t size_on_disk = 0;
  std::string snapshot_path;
};

struct CachedRepo {
  RepoRef repo;
  std::string path;
  uint64_t size_on_disk = 0;                // sum of blob sizes
  uint64_t nb_files = 0;                    // number of blobs
  std::map<std::string, std::string> refs;  // revision name -> commit
  std::vector<CachedRevision> revisions;
  int64_t last_modified = 0;  // seconds since epoch, newest blob mtime
};

// Scans every "<type>s--..." folder of `cache_dir`. A missing cache dir is an empty result.
Result<std::vector<CachedRepo>> ScanCache(const std::string& cache_dir);

// What a cache clean-up removed (or, with dry_run, would remove).
struct CacheCleanup {
  std::vector<std::string> removed;  // paths: repo folders, snapshots, blobs, leftovers
  uint64_t bytes_freed = 0;
};

// Removes a cached repo, or with `revision` (a commit, or a ref the cache knows) only that
// snapshot, the refs pointing at it and the blobs no other snapshot uses (as `hf cache rm`).
// NotFound when the repo or revision is not cached.
Result<CacheCleanup> DeleteCachedRevision(const std::string& cache_dir, const RepoRef& repo,
                                          const std::string& revision = "", bool dry_run = false);

// Removes what nothing points at any more (as `hf cache prune`): snapshots no ref names
// (detached revisions), blobs no snapshot links to, and leftover *.incomplete downloads.
Result<CacheCleanup> PruneCache(const std::string& cache_dir, bool dry_run = false);

// One problem found by VerifyCachedRepo.
struct CacheProblem {
  std::string path;
  std::string what;  // "checksum mismatch: ...", "missing blob", ...
};

// Checks a cached repo (every snapshot, or one revision): each snapshot file must link to a blob
// that exists, and each blob's bytes must hash to its name (sha256 for LFS files, the git blob
// sha1 for the others, which is the ETag the hub served). Returns the problems (empty = sound)
// and the number of files checked. NotFound when the repo (or revision) is not cached.
struct CacheVerification {
  uint64_t files_checked = 0;
  std::vector<CacheProblem> problems;
};
Result<CacheVerification> VerifyCachedRepo(const std::string& cache_dir, const RepoRef& repo,
                                           const std::string& revision = "");

}  // namespace mhub::hub
