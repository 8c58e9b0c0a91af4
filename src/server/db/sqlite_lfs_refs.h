// The SQLite side of MetadataDb's LFS references (metadata_db.h): which repos hold which LFS
// objects, the garbage collector's orphan marks, and which repos had their history scanned for
// pointers. Internal to the SQLite backend; each function runs on a leased connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/server/metadata_db.h"
#include "server/db/sqlite_conn.h"

namespace mhub::server::sqlite {

// Run with the main schema. References go with their repo row (ON DELETE CASCADE), so a deleted
// repo stops serving its objects; a renamed repo keeps them (same row id).
inline constexpr const char* kLfsRefsSchema = R"sql(
CREATE TABLE IF NOT EXISTS lfs_refs(
  repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  oid TEXT NOT NULL,
  size INTEGER NOT NULL,
  committed INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY(repo_id, oid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS lfs_refs_oid ON lfs_refs(oid);
CREATE INDEX IF NOT EXISTS lfs_refs_uncommitted ON lfs_refs(committed, created_ms);
CREATE TABLE IF NOT EXISTS lfs_orphans(
  oid TEXT PRIMARY KEY,
  since_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lfs_ref_scans(
  repo_id INTEGER PRIMARY KEY REFERENCES repos(id) ON DELETE CASCADE);
)sql";

// A repo as (repos.type, ns, name).
struct RepoRow {
  int64_t type_code = 0;
  std::string ns;
  std::string name;
};

// `type_code` is the repos.type column of `key`.
Status AddLfsRef(Conn& c, int64_t type_code, const RepoKey& key, std::string_view oid, uint64_t size, bool committed,
                 int64_t now_ms);
Result<bool> HasLfsRef(Conn& c, int64_t type_code, const RepoKey& key, std::string_view oid);
Result<uint64_t> LfsBytesOfNamespace(Conn& c, std::string_view ns);
Result<std::vector<RepoRow>> ReposWithUncommittedLfsRefs(Conn& c, int64_t before_ms);
Result<int64_t> DropUncommittedLfsRefs(Conn& c, int64_t before_ms);
Result<std::optional<int64_t>> TrackLfsOrphan(Conn& c, std::string_view oid, int64_t now_ms);
Status ForgetLfsOrphan(Conn& c, std::string_view oid);
// The repos never scanned.
Result<std::vector<RepoRow>> ReposWithoutLfsScan(Conn& c);
Status MarkLfsScanned(Conn& c, int64_t type_code, const RepoKey& key);

}  // namespace mhub::server::sqlite
