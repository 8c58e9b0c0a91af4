// MetadataDb's backend-independent parts: role names, sort parsing and permission checks.
#include "mhub/server/metadata_db.h"

namespace mhub::server {

std::string_view OrgRoleName(OrgRole role) {
  switch (role) {
    case OrgRole::kRead:
      return "read";
    case OrgRole::kWrite:
      return "write";
    case OrgRole::kAdmin:
      return "admin";
  }
  return "read";
}

Result<OrgRole> ParseOrgRole(std::string_view text) {
  if (text == "read") return OrgRole::kRead;
  if (text == "write" || text == "contributor") return OrgRole::kWrite;
  if (text == "admin") return OrgRole::kAdmin;
  return Status::InvalidArgument("unknown org role '" + std::string(text.substr(0, 40)) + "' (read, write, admin)");
}

std::string_view TokenRoleName(TokenRole role) { return role == TokenRole::kWrite ? "write" : "read"; }

Result<RepoSort> ParseRepoSort(std::string_view text) {
  if (text.empty()) return RepoSort::kDefault;
  if (text == "downloads" || text == "downloadsAllTime") return RepoSort::kDownloads;
  if (text == "likes" || text == "likes30d") return RepoSort::kLikes;
  if (text == "lastModified" || text == "last_modified" || text == "updatedAt") return RepoSort::kLastModified;
  if (text == "createdAt" || text == "created_at") return RepoSort::kCreatedAt;
  if (text == "id" || text == "modelId" || text == "_id") return RepoSort::kId;
  if (text == "trendingScore" || text == "trending_score" || text == "trending") return RepoSort::kTrending;
  return Status::InvalidArgument("unknown sort '" + std::string(text.substr(0, 40)) + "'");
}

Result<bool> MetadataDb::CanWriteNamespace(std::string_view user, std::string_view ns) {
  if (user.empty()) return false;
  if (user == ns) return true;
  MHUB_ASSIGN_OR_RETURN(std::optional<OrgRole> role, MemberRole(ns, user));
  return role.has_value() && (*role == OrgRole::kWrite || *role == OrgRole::kAdmin);
}

Result<bool> MetadataDb::CanRead(std::string_view viewer, const RepoRecord& repo) {
  if (!repo.is_private) return true;
  if (viewer.empty()) return false;
  if (viewer == repo.key.id.ns) return true;
  MHUB_ASSIGN_OR_RETURN(std::optional<OrgRole> role, MemberRole(repo.key.id.ns, viewer));
  return role.has_value();
}

Result<bool> MetadataDb::CanReadLfsObject(std::string_view viewer, std::string_view oid) {
  // Public holders come first, so the common case is one row; a private object shared by more
  // than this many repos is only found through the first ones (and the check stays bounded).
  constexpr size_t kMaxHoldersChecked = 1000;
  MHUB_ASSIGN_OR_RETURN(std::vector<RepoRecord> holders, ReposHoldingLfsObject(oid, kMaxHoldersChecked));
  for (const RepoRecord& repo : holders) {
    MHUB_ASSIGN_OR_RETURN(bool readable, CanRead(viewer, repo));
    if (readable) return true;
  }
  return false;
}

}  // namespace mhub::server
