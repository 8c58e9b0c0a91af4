// LFS access set-up at server start (see lfs_setup.h).
#include "server/http/lfs_setup.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "mhub/base/logging.h"
#include "mhub/server/iso_time.h"
#include "mhub/server/lfs_access.h"

namespace mhub::server {
namespace {

// Drops the group and other bits of `path` when it exists.
Status Restrict(const std::string& path, mode_t mode) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::OK();
  if ((st.st_mode & 07777) == mode) return Status::OK();
  if (::chmod(path.c_str(), mode) != 0) {
    return Status::IOError("cannot make " + path + " private: " + std::strerror(errno));
  }
  return Status::OK();
}

// A non-negative decimal environment variable, or nullopt.
std::optional<uint64_t> EnvNumber(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<uint64_t>(v);
}

}  // namespace

Status SetUpLfsAccess(HubContext& ctx) {
  for (const char* dir : {"", "/repos", "/lfs", "/tmp"}) {
    MHUB_RETURN_IF_ERROR(Restrict(ctx.data_dir + dir, 0700));
  }
  for (const char* file : {"/server_secret", "/db.sqlite", "/db.sqlite-wal", "/db.sqlite-shm"}) {
    MHUB_RETURN_IF_ERROR(Restrict(ctx.data_dir + file, 0600));
  }
  if (auto quota = EnvNumber("MHUB_LFS_QUOTA_BYTES")) ctx.limits.lfs_quota_bytes = *quota;
  if (auto grace = EnvNumber("MHUB_LFS_GC_GRACE_S")) ctx.limits.lfs_gc_grace_s = static_cast<int64_t>(*grace);
  if (auto max_file = EnvNumber("MHUB_LFS_MAX_FILE_BYTES")) ctx.limits.max_lfs_object = *max_file;
  InstallLfsReferenceCheck(*ctx.lfs, *ctx.db);
  MHUB_ASSIGN_OR_RETURN(int scanned, ScanUnscannedRepos(*ctx.repos, *ctx.db));
  if (scanned > 0) {
    MHUB_LOG(kInfo) << "recorded the LFS files of " << scanned << " repos";
  }
  MHUB_RETURN_IF_ERROR(RunLfsGarbageCollector(ctx).status());
  return Status::OK();
}

Result<LfsGcReport> RunLfsGarbageCollector(HubContext& ctx) {
  MHUB_ASSIGN_OR_RETURN(LfsGcReport report, CollectLfsGarbage(*ctx.lfs, *ctx.repos, *ctx.db,
                                                              ctx.limits.lfs_gc_grace_s * 1000, NowMillis()));
  if (report.objects_removed > 0 || report.uncommitted_refs_dropped > 0) {
    MHUB_LOG(kInfo) << "LFS garbage collection: removed " << report.objects_removed << " objects ("
                    << report.bytes_removed << " bytes), dropped " << report.uncommitted_refs_dropped
                    << " uploads never committed";
  }
  return report;
}

}  // namespace mhub::server
