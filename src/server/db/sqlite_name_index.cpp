// RepoNameIndex (see sqlite_name_index.h).
#include "server/db/sqlite_name_index.h"

#include <algorithm>
#include <string_view>

namespace mhub::server::sqlite {
namespace {

// SQLite's lower() folds ASCII only; so does this, to mean exactly the same thing.
std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<const RepoNameIndex::Snapshot>> RepoNameIndex::Fresh(Conn& conn) {
  int64_t version = 0;
  {
    MHUB_ASSIGN_OR_RETURN(Stmt s, conn.Prepare("SELECT n FROM repo_names_version WHERE id=1"));
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) version = s.Int(0);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (snapshot_ && snapshot_->version == version) return snapshot_;
  }
  // Loaded in one read transaction so the ids match the version read with them.
  auto fresh = std::make_shared<Snapshot>();
  MHUB_RETURN_IF_ERROR(conn.Exec("BEGIN"));
  Status loaded = [&]() -> Status {
    {
      MHUB_ASSIGN_OR_RETURN(Stmt s, conn.Prepare("SELECT n FROM repo_names_version WHERE id=1"));
      MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
      fresh->version = row ? s.Int(0) : 0;
    }
    MHUB_ASSIGN_OR_RETURN(Stmt s, conn.Prepare("SELECT id, type, full_id FROM repos ORDER BY id"));
    for (;;) {
      MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      const int64_t type = s.Int(1);
      if (type < 0 || type > 2) continue;
      const size_t t = static_cast<size_t>(type);
      fresh->ids[t].push_back(s.Int(0));
      fresh->offsets[t].push_back(static_cast<uint32_t>(fresh->names[t].size()));
      fresh->names[t] += AsciiLower(s.Text(2));
      fresh->names[t] += '\n';
    }
    return Status::OK();
  }();
  Status ended = conn.Exec(loaded.ok() ? "COMMIT" : "ROLLBACK");
  MHUB_RETURN_IF_ERROR(loaded);
  MHUB_RETURN_IF_ERROR(ended);
  std::lock_guard<std::mutex> lock(mu_);
  // Versions only grow: never replace a newer snapshot loaded meanwhile by an older one.
  if (!snapshot_ || snapshot_->version < fresh->version) snapshot_ = std::move(fresh);
  return snapshot_;
}

Result<NameMatch> RepoNameIndex::Match(Conn& conn, int64_t type_code, const std::vector<std::string>& terms) {
  MHUB_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snap, Fresh(conn));
  NameMatch out;
  if (type_code < 0 || type_code > 2) return out;
  const size_t t = static_cast<size_t>(type_code);
  const std::vector<int64_t>& ids = snap->ids[t];
  const std::vector<uint32_t>& offsets = snap->offsets[t];
  const std::string& names = snap->names[t];
  out.repos_of_type = ids.size();

  std::vector<std::string> lowered;
  for (const std::string& term : terms) {
    if (term.empty()) continue;
    if (term.find('\n') != std::string::npos) return out;  // no id holds one
    lowered.push_back(AsciiLower(term));
  }
  auto name_of = [&](size_t i) {
    const size_t begin = offsets[i];
    const size_t end = i + 1 < offsets.size() ? offsets[i + 1] - 1 : names.size() - 1;
    return std::string_view(names).substr(begin, end - begin);
  };
  auto matches_rest = [&](size_t i) {
    std::string_view name = name_of(i);
    for (size_t k = 1; k < lowered.size(); ++k) {
      if (name.find(lowered[k]) == std::string_view::npos) return false;
    }
    return true;
  };
  if (lowered.empty()) {
    out.row_ids = ids;
    return out;
  }
  // Occurrences of the first term in the packed names; each maps to the entry holding it.
  const std::string& first = lowered[0];
  size_t pos = names.find(first);
  while (pos != std::string::npos) {
    const size_t i = static_cast<size_t>(std::upper_bound(offsets.begin(), offsets.end(), pos) - offsets.begin()) - 1;
    if (matches_rest(i)) out.row_ids.push_back(ids[i]);
    if (i + 1 >= offsets.size()) break;
    pos = names.find(first, offsets[i + 1]);
  }
  return out;
}

}  // namespace mhub::server::sqlite
