// RepoNameIndex: the `search=` part of repo listing answered in memory. Internal to the SQLite
// backend.
//
// `search` asks for repos whose "ns/name" contains every term, ignoring ASCII case (exactly what
// the SQL `instr(lower(full_id), lower(term))` means). In SQL that is a scan of every row; here
// it is a scan of a packed list of lowercased ids, and SearchRepos then reads only the rows that
// match. The list is reloaded when `repo_names_version` (bumped by triggers on every insert,
// delete and rename of a repo, from any process) differs from the one it was loaded at.
//
// Thread safety: Match may be called concurrently; a reload swaps an immutable snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "server/db/sqlite_conn.h"

namespace mhub::server::sqlite {

// Run with the main schema: the version row and the triggers that bump it.
inline constexpr const char* kNameIndexSchema = R"sql(
CREATE TABLE IF NOT EXISTS repo_names_version(
  id INTEGER PRIMARY KEY CHECK(id = 1),
  n INTEGER NOT NULL);
INSERT OR IGNORE INTO repo_names_version(id, n) VALUES(1, 0);
CREATE TRIGGER IF NOT EXISTS repo_names_on_insert AFTER INSERT ON repos
  BEGIN UPDATE repo_names_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS repo_names_on_delete AFTER DELETE ON repos
  BEGIN UPDATE repo_names_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS repo_names_on_rename AFTER UPDATE OF type, full_id ON repos
  BEGIN UPDATE repo_names_version SET n = n + 1 WHERE id = 1; END;
)sql";

struct NameMatch {
  std::vector<int64_t> row_ids;  // ascending
  size_t repos_of_type = 0;      // how many repos of that type exist (for choosing a plan)
};

class RepoNameIndex {
 public:
  // Row ids of repos of `type_code` (the repos.type column) whose full id contains every
  // non-empty term, ASCII case-insensitively. Reads the version on `conn` and reloads first
  // when it changed.
  Result<NameMatch> Match(Conn& conn, int64_t type_code, const std::vector<std::string>& terms);

 private:
  struct Snapshot {
    int64_t version = -1;
    // Per type code (0 model, 1 dataset, 2 space): ids and their lowercased full ids, packed
    // into one string with '\n' after each ('\n' cannot be part of an id).
    std::vector<int64_t> ids[3];
    std::vector<uint32_t> offsets[3];  // start of each id in `names`
    std::string names[3];
  };
  Result<std::shared_ptr<const Snapshot>> Fresh(Conn& conn);

  std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace mhub::server::sqlite
