// Server start-up for LFS access (lfs_access.h) and the data directory's file modes, and the
// garbage collector's runs.
#pragma once

#include "mhub/base/result.h"
#include "mhub/server/lfs_gc.h"
#include "server/http/hub_context.h"

namespace mhub::server {

// Run once the stores and the DB are open and the repos on disk are imported, before serving:
//  - the data directory, its repos and LFS folders become 0700, db.sqlite and server_secret 0600
//    (the secret signs LFS URLs; the repos may be private), whatever they were before;
//  - MHUB_LFS_QUOTA_BYTES, MHUB_LFS_GC_GRACE_S and MHUB_LFS_MAX_FILE_BYTES (decimal) override the
//    limits when set;
//  - commits and pushes check LFS pointers (InstallLfsReferenceCheck);
//  - repos never scanned for LFS pointers (made before lfs_refs existed) are scanned, so their
//    files stay readable;
//  - one garbage collection runs.
Status SetUpLfsAccess(HubContext& ctx);

// One garbage collection with ctx.limits.lfs_gc_grace_s; logs what it removed.
Result<LfsGcReport> RunLfsGarbageCollector(HubContext& ctx);

}  // namespace mhub::server
