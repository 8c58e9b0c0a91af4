// The LFS pointer check of pushes (see lfs_push_check.h).
#include "server/http/lfs_push_check.h"

#include <git2.h>

#include <sstream>
#include <vector>

#include "mhub/server/lfs_access.h"
#include "mhub/server/lfs_pointer.h"
#include "server/storage/git_util.h"

namespace mhub::server {

Status CheckPushedLfsPointers(const PushCheckInput& in) {
  constexpr size_t kMaxNamed = 20;
  std::vector<std::string> refused;
  MHUB_RETURN_IF_ERROR(ForEachPushedBlob(in, [&](const PushedBlob& b) -> Status {
    if (b.size == 0 || b.size > 1024) return Status::OK();  // pointers are at most 1024 bytes
    git_blob* raw = nullptr;
    const int rc = git_blob_lookup(&raw, in.repo, &b.oid);
    if (rc != 0) return git::Error(rc, "reading pushed blob " + git::OidHex(b.oid));
    git::BlobPtr blob(raw);
    auto pointer = ParseLfsPointer(
        {static_cast<const char*>(git_blob_rawcontent(blob.get())), static_cast<size_t>(git_blob_rawsize(blob.get()))});
    if (!pointer.ok()) return Status::OK();  // regular content
    const Status allowed = AuthorizeLfsReference(*in.ctx.lfs, *in.ctx.db, in.key, in.user, pointer->oid);
    if (allowed.code() == StatusCode::kNotFound) {
      refused.push_back((b.path.empty() ? git::OidHex(b.oid) : b.path) + " (sha256 " + pointer->oid + ")");
      return Status::OK();
    }
    return allowed;
  }));
  if (refused.empty()) return Status::OK();
  std::ostringstream msg;
  msg << "Your push was rejected because an LFS pointer pointed to a file that does not exist in " << in.key.ToString()
      << ":\n";
  for (size_t i = 0; i < refused.size() && i < kMaxNamed; ++i) msg << "  " << refused[i] << "\n";
  msg << "Upload the files with git-lfs first (`git lfs push --all origin`), then push again.";
  return Status::InvalidArgument(msg.str());
}

}  // namespace mhub::server
