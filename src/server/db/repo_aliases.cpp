// Admin-declared legacy ids (see repo_aliases.h).
#include "mhub/server/repo_aliases.h"

namespace mhub::server {

Status DeclareRepoAlias(MetadataDb& db, RepoType type, std::string_view alias, const RepoId& target) {
  size_t slash = alias.find('/');
  if (slash == std::string_view::npos) {
    MHUB_RETURN_IF_ERROR(ValidateRepoIdPart(alias, "legacy repo id"));
  } else {
    MHUB_ASSIGN_OR_RETURN(RepoId id, ParseRepoId(alias));
    if (db.GetRepo(RepoKey{type, id}).ok()) {
      return Status::AlreadyExists("a repo is named " + id.ToString() + ": it cannot also be an alias");
    }
  }
  MHUB_RETURN_IF_ERROR(db.GetRepo(RepoKey{type, target}).status());
  RepoRedirect r;
  r.type = type;
  r.from = std::string(alias);
  r.to = target;
  r.legacy = true;
  return db.AddRepoRedirect(r);
}

Status RemoveRepoAlias(MetadataDb& db, RepoType type, std::string_view alias) {
  return db.DeleteRepoRedirect(type, alias);
}

Result<std::vector<RepoRedirect>> ListRepoAliases(MetadataDb& db) { return db.ListRepoRedirects(); }

}  // namespace mhub::server
