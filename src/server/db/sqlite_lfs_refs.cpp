// LFS references in SQLite (see sqlite_lfs_refs.h).
#include "server/db/sqlite_lfs_refs.h"

#include "mhub/server/repo_errors.h"

namespace mhub::server::sqlite {

Status AddLfsRef(Conn& c, int64_t type_code, const RepoKey& key, std::string_view oid, uint64_t size, bool committed,
                 int64_t now_ms) {
  // One statement: the repo row is looked up inside the INSERT, so a concurrent delete of the
  // repo cannot leave a reference behind.
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO lfs_refs(repo_id, oid, size, committed, created_ms) "
                                          "SELECT id, ?, ?, ?, ? FROM repos WHERE type=? AND ns=? AND name=? "
                                          "ON CONFLICT(repo_id, oid) DO UPDATE SET "
                                          "committed=max(committed, excluded.committed)"));
  s.Bind(1, oid).Bind(2, static_cast<int64_t>(size)).Bind(3, int64_t{committed ? 1 : 0}).Bind(4, now_ms);
  s.Bind(5, type_code).Bind(6, key.id.ns).Bind(7, key.id.name);
  MHUB_RETURN_IF_ERROR(s.Run());
  if (sqlite3_changes(c.db) == 0) return RepoNotFoundError("repository " + key.ToString() + " not found");
  return Status::OK();
}

Result<bool> HasLfsRef(Conn& c, int64_t type_code, const RepoKey& key, std::string_view oid) {
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT 1 FROM lfs_refs f JOIN repos r ON r.id=f.repo_id "
                                          "WHERE r.type=? AND r.ns=? AND r.name=? AND f.oid=?"));
  s.Bind(1, type_code).Bind(2, key.id.ns).Bind(3, key.id.name).Bind(4, oid);
  return s.Step();
}

Result<uint64_t> LfsBytesOfNamespace(Conn& c, std::string_view ns) {
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT coalesce(sum(size), 0) FROM (SELECT DISTINCT f.oid, f.size "
                                          "FROM lfs_refs f JOIN repos r ON r.id=f.repo_id WHERE r.ns=?)"));
  s.Bind(1, ns);
  MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? static_cast<uint64_t>(s.Int(0)) : uint64_t{0};
}

Result<std::vector<RepoRow>> ReposWithUncommittedLfsRefs(Conn& c, int64_t before_ms) {
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT DISTINCT r.type, r.ns, r.name FROM lfs_refs f "
                                          "JOIN repos r ON r.id=f.repo_id WHERE f.committed=0 AND f.created_ms<?"));
  s.Bind(1, before_ms);
  std::vector<RepoRow> out;
  for (;;) {
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(RepoRow{s.Int(0), s.Text(1), s.Text(2)});
  }
  return out;
}

Result<int64_t> DropUncommittedLfsRefs(Conn& c, int64_t before_ms) {
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("DELETE FROM lfs_refs WHERE committed=0 AND created_ms<?"));
  s.Bind(1, before_ms);
  MHUB_RETURN_IF_ERROR(s.Run());
  return static_cast<int64_t>(sqlite3_changes(c.db));
}

Result<std::optional<int64_t>> TrackLfsOrphan(Conn& c, std::string_view oid, int64_t now_ms) {
  Transaction tx(&c);
  MHUB_RETURN_IF_ERROR(tx.Begin());
  bool is_held = false;
  {
    MHUB_ASSIGN_OR_RETURN(Stmt held, c.Prepare("SELECT 1 FROM lfs_refs WHERE oid=? LIMIT 1"));
    held.Bind(1, oid);
    MHUB_ASSIGN_OR_RETURN(is_held, held.Step());
  }
  std::optional<int64_t> since;
  if (is_held) {
    MHUB_ASSIGN_OR_RETURN(Stmt del, c.Prepare("DELETE FROM lfs_orphans WHERE oid=?"));
    del.Bind(1, oid);
    MHUB_RETURN_IF_ERROR(del.Run());
  } else {
    {
      MHUB_ASSIGN_OR_RETURN(Stmt ins, c.Prepare("INSERT OR IGNORE INTO lfs_orphans(oid, since_ms) VALUES(?, ?)"));
      ins.Bind(1, oid).Bind(2, now_ms);
      MHUB_RETURN_IF_ERROR(ins.Run());
    }
    MHUB_ASSIGN_OR_RETURN(Stmt get, c.Prepare("SELECT since_ms FROM lfs_orphans WHERE oid=?"));
    get.Bind(1, oid);
    MHUB_ASSIGN_OR_RETURN(bool row, get.Step());
    since = row ? get.Int(0) : now_ms;
  }
  MHUB_RETURN_IF_ERROR(tx.Commit());
  return since;
}

Status ForgetLfsOrphan(Conn& c, std::string_view oid) {
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("DELETE FROM lfs_orphans WHERE oid=?"));
  s.Bind(1, oid);
  return s.Run();
}

Result<std::vector<RepoRow>> ReposWithoutLfsScan(Conn& c) {
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT r.type, r.ns, r.name FROM repos r "
                                          "WHERE NOT EXISTS (SELECT 1 FROM lfs_ref_scans x WHERE x.repo_id=r.id) "
                                          "ORDER BY r.id"));
  std::vector<RepoRow> out;
  for (;;) {
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(RepoRow{s.Int(0), s.Text(1), s.Text(2)});
  }
  return out;
}

Status MarkLfsScanned(Conn& c, int64_t type_code, const RepoKey& key) {
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT OR IGNORE INTO lfs_ref_scans(repo_id) "
                                          "SELECT id FROM repos WHERE type=? AND ns=? AND name=?"));
  s.Bind(1, type_code).Bind(2, key.id.ns).Bind(3, key.id.name);
  return s.Run();
}

}  // namespace mhub::server::sqlite
