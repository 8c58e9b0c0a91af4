// Per-repo LFS access checks (see lfs_access.h).
#include "mhub/server/lfs_access.h"

#include "mhub/server/lfs_pointer.h"

namespace mhub::server {
namespace {

Status NotHeld(std::string_view oid) {
  return Status::NotFound("LFS object " + std::string(oid.substr(0, 64)) + " not found");
}

}  // namespace

Result<uint64_t> LfsObjectSizeIn(const LfsStore& store, MetadataDb& db, const RepoKey& key, std::string_view oid) {
  if (!IsSha256Hex(oid)) return NotHeld(oid);
  MHUB_ASSIGN_OR_RETURN(bool held, db.HasLfsRef(key, oid));
  if (!held) return NotHeld(oid);
  auto size = store.Size(oid);
  if (!size.ok()) return NotHeld(oid);
  return *size;
}

Status RecordLfsUpload(MetadataDb& db, const RepoKey& key, std::string_view oid, uint64_t size) {
  return db.AddLfsRef(key, oid, size, /*committed=*/false);
}

Status AuthorizeLfsReference(const LfsStore& store, MetadataDb& db, const RepoKey& key, std::string_view user,
                             std::string_view oid) {
  auto size = store.Size(oid);
  if (!size.ok()) return NotHeld(oid);
  MHUB_ASSIGN_OR_RETURN(bool held, db.HasLfsRef(key, oid));
  if (!held) {
    MHUB_ASSIGN_OR_RETURN(bool readable, db.CanReadLfsObject(user, oid));
    if (!readable) return NotHeld(oid);
  }
  return db.AddLfsRef(key, oid, *size, /*committed=*/true);
}

void InstallLfsReferenceCheck(LfsStore& store, MetadataDb& db) {
  const LfsStore* s = &store;
  MetadataDb* d = &db;
  store.set_reference_check([s, d](const RepoKey& key, std::string_view user, std::string_view oid) {
    return AuthorizeLfsReference(*s, *d, key, user, oid);
  });
}

}  // namespace mhub::server
