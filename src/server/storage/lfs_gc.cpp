// The LFS garbage collector (see lfs_gc.h).
#include "mhub/server/lfs_gc.h"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "mhub/server/lfs_access.h"
#include "mhub/server/lfs_pointer.h"

namespace mhub::server {
namespace fs = std::filesystem;

Result<LfsGcReport> CollectLfsGarbage(LfsStore& store, const RepoStore& repos, MetadataDb& db, int64_t grace_ms,
                                      int64_t now_ms) {
  LfsGcReport report;
  const int64_t cutoff = now_ms - grace_ms;
  MHUB_ASSIGN_OR_RETURN(std::vector<RepoKey> uploaded_to, db.ReposWithUncommittedLfsRefs(cutoff));
  for (const RepoKey& key : uploaded_to) {
    if (!repos.Exists(key)) continue;
    MHUB_ASSIGN_OR_RETURN(std::set<std::string> pointed_at, LfsPointersInHistory(repos, key));
    for (const std::string& oid : pointed_at) {
      MHUB_ASSIGN_OR_RETURN(bool held, db.HasLfsRef(key, oid));
      auto size = store.Size(oid);
      if (!held || !size.ok()) continue;  // only the repo's own uploads become committed here
      MHUB_RETURN_IF_ERROR(db.AddLfsRef(key, oid, *size, /*committed=*/true));
      ++report.uncommitted_refs_confirmed;
    }
  }
  MHUB_ASSIGN_OR_RETURN(report.uncommitted_refs_dropped, db.DropUncommittedLfsRefs(cutoff));
  std::error_code ec;
  fs::recursive_directory_iterator it(store.objects_dir(), ec), end;
  if (ec) return Status::IOError("cannot list " + store.objects_dir() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return Status::IOError("cannot list " + store.objects_dir() + ": " + ec.message());
    std::error_code ec2;
    if (!it->is_regular_file(ec2)) continue;
    const std::string oid = it->path().filename().string();
    if (!IsSha256Hex(oid) || store.PathOf(oid) != it->path().string()) continue;
    MHUB_ASSIGN_OR_RETURN(std::optional<int64_t> orphan_since, db.TrackLfsOrphan(oid, now_ms));
    if (!orphan_since) {
      ++report.objects_kept;
    } else if (*orphan_since > cutoff) {
      ++report.objects_orphaned;
    } else {
      const uint64_t size = it->file_size(ec2);
      MHUB_RETURN_IF_ERROR(store.Remove(oid));
      MHUB_RETURN_IF_ERROR(db.ForgetLfsOrphan(oid));
      ++report.objects_removed;
      report.bytes_removed += ec2 ? 0 : size;
    }
  }
  return report;
}

}  // namespace mhub::server
