#include "mhub/hub/repo_types.h"

namespace mhub::hub {

std::string RepoRef::ApiPath() const { return "/api/" + std::string(RepoTypePlural(type)) + "/" + id; }

std::string RepoRef::UrlPrefix() const { return std::string(RepoTypeUrlPrefix(type)); }

Status ValidateRepoId(std::string_view id) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("invalid repo id '" + std::string(id) + "': " + why);
  };
  if (id.empty()) return bad("empty");
  if (id.find("--") != std::string_view::npos) return bad("'--' is not allowed");
  if (id.find("..") != std::string_view::npos) return bad("'..' is not allowed");
  auto slash = id.find('/');
  if (slash != std::string_view::npos && id.find('/', slash + 1) != std::string_view::npos) {
    return bad("expected namespace/name");
  }
  if (slash == 0 || slash + 1 == id.size()) return bad("expected namespace/name");
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == '/';
    if (!ok) return bad("only letters, digits, '-', '_', '.' are allowed");
  }
  return Status::OK();
}

Result<RepoInfo> ParseRepoInfo(const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument("repo info: expected an object, got " + JsonTypeName(j));
  RepoInfo info;
  MHUB_ASSIGN_OR_RETURN(info.id, JsonString(j, "id", "repo info"));
  MHUB_ASSIGN_OR_RETURN(info.sha, JsonStringOr(j, "sha", "repo info", ""));
  MHUB_ASSIGN_OR_RETURN(info.author, JsonStringOr(j, "author", "repo info", ""));
  MHUB_ASSIGN_OR_RETURN(info.is_private, JsonBoolOr(j, "private", "repo info", false));
  MHUB_ASSIGN_OR_RETURN(info.last_modified, JsonStringOr(j, "lastModified", "repo info", ""));
  MHUB_ASSIGN_OR_RETURN(info.pipeline_tag, JsonStringOr(j, "pipeline_tag", "repo info", ""));
  MHUB_ASSIGN_OR_RETURN(info.library_name, JsonStringOr(j, "library_name", "repo info", ""));
  MHUB_ASSIGN_OR_RETURN(info.downloads, JsonIntOr(j, "downloads", "repo info", 0));
  MHUB_ASSIGN_OR_RETURN(info.likes, JsonIntOr(j, "likes", "repo info", 0));
  if (auto it = j.find("tags"); it != j.end() && it->is_array()) {
    for (const auto& t : *it)
      if (t.is_string()) info.tags.push_back(t.get<std::string>());
  }
  if (auto it = j.find("siblings"); it != j.end() && it->is_array()) {
    for (size_t i = 0; i < it->size(); ++i) {
      const Json& s = (*it)[i];
      std::string where = "repo info.siblings[" + std::to_string(i) + "]";
      RepoSibling sib;
      MHUB_ASSIGN_OR_RETURN(sib.rfilename, JsonString(s, "rfilename", where));
      if (s.contains("size") && s["size"].is_number_integer()) sib.size = s["size"].get<uint64_t>();
      MHUB_ASSIGN_OR_RETURN(sib.blob_id, JsonStringOr(s, "blobId", where, ""));
      if (s.contains("lfs") && s["lfs"].is_object()) {
        MHUB_ASSIGN_OR_RETURN(sib.lfs_sha256, JsonStringOr(s["lfs"], "sha256", where + ".lfs", ""));
      }
      info.siblings.push_back(std::move(sib));
    }
  }
  info.raw = j;
  return info;
}

Result<RepoEntry> ParseRepoEntry(const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument("tree entry: expected an object, got " + JsonTypeName(j));
  RepoEntry e;
  MHUB_ASSIGN_OR_RETURN(e.type, JsonString(j, "type", "tree entry"));
  MHUB_ASSIGN_OR_RETURN(e.path, JsonString(j, "path", "tree entry"));
  MHUB_ASSIGN_OR_RETURN(int64_t size, JsonIntOr(j, "size", "tree entry", 0));
  e.size = static_cast<uint64_t>(size);
  MHUB_ASSIGN_OR_RETURN(e.oid, JsonStringOr(j, "oid", "tree entry", ""));
  if (j.contains("lfs") && j["lfs"].is_object()) {
    MHUB_ASSIGN_OR_RETURN(e.lfs_oid, JsonStringOr(j["lfs"], "oid", "tree entry.lfs", ""));
  }
  return e;
}

}  // namespace mhub::hub
