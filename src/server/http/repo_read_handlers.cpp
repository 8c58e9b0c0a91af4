// Reading a repo: info (hub-api.md 5), tree and paths-info (6.1, 6.2), refs (6.3), commits (6.4).
#include <set>

#include "server/http/handlers.h"
#include "server/http/url_codec.h"
#include "server/spaces/space_handlers.h"

namespace mhub::server {
namespace {

constexpr uint64_t kTreePageSize = 1000;
constexpr uint64_t kTreePageSizeExpanded = 50;

Json SiblingsJson(const std::vector<TreeEntry>& entries, bool blobs) {
  Json siblings = Json::array();
  for (const auto& e : entries) {
    if (e.type != TreeEntry::Type::kFile) continue;
    Json s{{"rfilename", e.path}};
    if (blobs) {
      s["size"] = e.size;
      s["blobId"] = e.oid;
      if (e.lfs) s["lfs"] = {{"sha256", e.lfs->oid}, {"size", e.lfs->size}, {"pointerSize", e.lfs->pointer_size}};
    }
    siblings.push_back(std::move(s));
  }
  return siblings;
}

}  // namespace

HubError HandleRepoInfo(RepoCall& call, const std::string& revision) {
  MHUB_ASSIGN_OR_RETURN(RepoRecord record, RequireRead(call.ctx, call.who, call.key));
  MHUB_ASSIGN_OR_RETURN(std::string sha, ResolveRevision(call, revision.empty() ? "main" : revision));
  std::set<std::string> expand;
  for (const auto& e : call.req.QueryAll("expand")) expand.insert(e);
  bool blobs = call.req.QueryBool("blobs");
  Json siblings = nullptr;
  if (expand.empty() || expand.count("siblings")) {
    MHUB_ASSIGN_OR_RETURN(auto entries, call.ctx.repos->ListTree(call.key, sha, "", true));
    siblings = SiblingsJson(entries, blobs);
  }
  // The DB's lastModified follows main; for another revision, report that commit's date.
  if (!revision.empty() && revision != "main" && revision != "HEAD" && sha != record.sha) {
    auto page = call.ctx.repos->ListCommits(call.key, sha, 0, 1);
    if (page.ok() && !page->commits.empty()) record.last_modified_ms = page->commits[0].date_ms;
  }
  Json info = RepoInfoJson(record, sha, siblings, expand);
  // A Space's info carries its runtime, as on the Hub (spaces/space_handlers.h).
  if (call.key.type == RepoType::kSpace && (expand.empty() || expand.count("runtime"))) {
    info["runtime"] = spaces::SpaceRuntimeJson(call.ctx, record);
  }
  SetJson(call.res, info);
  return {};
}

HubError HandleTree(RepoCall& call, const std::string& revision, const std::string& folder) {
  MHUB_RETURN_IF_ERROR(RequireRead(call.ctx, call.who, call.key).status());
  MHUB_ASSIGN_OR_RETURN(std::string sha, ResolveRevision(call, revision));
  bool recursive = call.req.QueryBool("recursive");
  bool expand = call.req.QueryBool("expand");
  MHUB_ASSIGN_OR_RETURN(uint64_t offset, DecodeCursor(call.req.Query("cursor")));
  uint64_t page_size = expand ? kTreePageSizeExpanded : kTreePageSize;
  MHUB_ASSIGN_OR_RETURN(page_size, ParseLimit(call.req, page_size, page_size));
  auto entries = call.ctx.repos->ListTree(call.key, sha, folder, recursive, false);
  if (!entries.ok()) {
    HubError e(entries.status());
    return e.WithRepoCommit(sha);
  }
  Json out = Json::array();
  uint64_t end = std::min<uint64_t>(entries->size(), offset + page_size);
  std::vector<std::string> page_paths;
  for (uint64_t i = offset; i < end; ++i) page_paths.push_back((*entries)[i].path);
  if (expand && !page_paths.empty()) {
    // Only the page's entries pay for the history walk.
    MHUB_ASSIGN_OR_RETURN(auto expanded, call.ctx.repos->PathsInfo(call.key, sha, page_paths, true));
    for (const auto& e : expanded) out.push_back(TreeEntryJson(e));
  } else {
    for (uint64_t i = offset; i < end; ++i) out.push_back(TreeEntryJson((*entries)[i]));
  }
  if (end < entries->size()) {
    call.res.SetHeader("Link", "<" + NextPageUrl(call.ctx, call.req, EncodeCursor(end)) + ">; rel=\"next\"");
  }
  call.res.SetHeader("X-Repo-Commit", sha);
  SetJson(call.res, out);
  return {};
}

HubError HandlePathsInfo(RepoCall& call, const std::string& revision) {
  MHUB_RETURN_IF_ERROR(RequireRead(call.ctx, call.who, call.key).status());
  MHUB_ASSIGN_OR_RETURN(std::string sha, ResolveRevision(call, revision));
  MHUB_ASSIGN_OR_RETURN(std::string body, call.req.ReadBody(call.ctx.limits.max_json_body));
  std::vector<std::string> paths;
  bool expand = false;
  std::string type = call.req.Header("Content-Type");
  if (type.find("application/json") != std::string::npos) {
    MHUB_ASSIGN_OR_RETURN(Json j, ParseJson(body, "paths-info body"));
    if (!j.is_object() || !j.contains("paths") || !j["paths"].is_array()) {
      return HubError::BadRequest("paths-info body must be {\"paths\": [...]}");
    }
    for (const auto& p : j["paths"]) {
      if (!p.is_string()) return HubError::BadRequest("paths must be strings");
      paths.push_back(p.get<std::string>());
    }
    if (j.contains("expand") && j["expand"].is_boolean()) expand = j["expand"].get<bool>();
  } else {
    for (const auto& [k, v] : ParseQueryString(body)) {
      if (k == "paths" || k == "paths[]") paths.push_back(v);
      if (k == "expand") expand = v == "1" || v == "true" || v == "True";
    }
  }
  if (paths.size() > 10000) return HubError::BadRequest("too many paths (at most 10000)");
  MHUB_ASSIGN_OR_RETURN(auto entries, call.ctx.repos->PathsInfo(call.key, sha, paths, expand));
  Json out = Json::array();
  for (const auto& e : entries) out.push_back(TreeEntryJson(e));
  call.res.SetHeader("X-Repo-Commit", sha);
  SetJson(call.res, out);
  return {};
}

HubError HandleRefs(RepoCall& call) {
  MHUB_RETURN_IF_ERROR(RequireRead(call.ctx, call.who, call.key).status());
  MHUB_ASSIGN_OR_RETURN(RefList refs, call.ctx.repos->ListRefs(call.key));
  auto list = [](const std::vector<RefInfo>& items) {
    Json a = Json::array();
    for (const auto& r : items) a.push_back({{"name", r.name}, {"ref", r.ref}, {"targetCommit", r.target_commit}});
    return a;
  };
  Json out{{"branches", list(refs.branches)}, {"converts", list(refs.converts)}, {"tags", list(refs.tags)}};
  if (call.req.QueryBool("include_prs")) out["pullRequests"] = list(refs.pull_requests);
  SetJson(call.res, out);
  return {};
}

HubError HandleCommits(RepoCall& call, const std::string& revision) {
  MHUB_RETURN_IF_ERROR(RequireRead(call.ctx, call.who, call.key).status());
  MHUB_ASSIGN_OR_RETURN(std::string sha, ResolveRevision(call, revision));
  MHUB_ASSIGN_OR_RETURN(uint64_t limit, ParseLimit(call.req, 50, 1000));
  MHUB_ASSIGN_OR_RETURN(uint64_t offset, DecodeCursor(call.req.Query("cursor")));
  std::string page = call.req.Query("p");
  if (!page.empty() && call.req.Query("cursor").empty()) {
    uint64_t p = 0;
    for (char c : page) {
      if (c < '0' || c > '9' || p > 1000000) return HubError::BadRequest("p must be a page number");
      p = p * 10 + static_cast<uint64_t>(c - '0');
    }
    offset = p * limit;
  }
  MHUB_ASSIGN_OR_RETURN(CommitPage commits, call.ctx.repos->ListCommits(call.key, sha, offset, limit));
  Json out = Json::array();
  for (const auto& c : commits.commits) out.push_back(CommitJson(c));
  uint64_t next = offset + commits.commits.size();
  if (next < commits.total && !commits.commits.empty()) {
    call.res.SetHeader("Link", "<" + NextPageUrl(call.ctx, call.req, EncodeCursor(next)) + ">; rel=\"next\"");
  }
  call.res.SetHeader("X-Total-Count", std::to_string(commits.total));
  SetJson(call.res, out);
  return {};
}

}  // namespace mhub::server
