// Builds a new git tree from a base tree plus commit operations, touching only the folders on
// the operations' paths. Internal to the storage code.
#pragma once

#include <git2.h>

#include <vector>

#include "mhub/base/result.h"
#include "mhub/server/repo_store.h"

namespace mhub::server {

// Operations must already be normalized and checked (paths, LFS objects present, LFS sizes
// filled in). `base` may be null (an empty start). Writes blobs and trees into the repo's object
// database and returns the new root tree id. Paths added as LFS files that the resulting
// .gitattributes does not track with filter=lfs get a tracking line appended.
// Errors: InvalidArgument (file over folder and the like), EntryNotFound (deleting what is not
// there), IOError from libgit2.
Result<git_oid> BuildTree(git_repository* repo, const git_tree* base, const std::vector<CommitOperation>& ops);

}  // namespace mhub::server
