// HubClient: plumbing (auth, JSON requests, pagination) and the repo/listing/ref endpoints.
// Uploads live in hub_commit.cpp, downloads in hub_download.cpp.
#include "mhub/hub/hub_client.h"

#include <algorithm>

namespace mhub::hub {

HubClient::HubClient(HubConfig config) : config_(std::move(config)) {
  while (!config_.endpoint.empty() && config_.endpoint.back() == '/') config_.endpoint.pop_back();
}

std::vector<std::pair<std::string, std::string>> HubClient::AuthHeaders() const {
  std::vector<std::pair<std::string, std::string>> h;
  if (!config_.token.empty()) h.emplace_back("authorization", "Bearer " + config_.token);
  return h;
}

Result<HttpResponse> HubClient::Request(const std::string& method, const std::string& path, const std::string& body,
                                        const std::string& content_type) const {
  if (config_.offline) return Status::Unavailable("HF_HUB_OFFLINE is set: no request to " + path);
  HttpRequest req;
  req.method = method;
  req.url = path.rfind("http", 0) == 0 ? path : config_.endpoint + path;
  req.headers = AuthHeaders();
  if (!content_type.empty()) req.headers.emplace_back("content-type", content_type);
  req.body = body;
  return http_.Perform(req);
}

Result<Json> HubClient::GetJson(const std::string& url) const {
  MHUB_ASSIGN_OR_RETURN(HttpResponse r, Request("GET", url));
  if (!r.ok()) return StatusFromResponse(r, "GET " + url);
  return ParseJson(r.body, "response of GET " + url);
}

Result<Json> HubClient::SendJson(const std::string& method, const std::string& url, const Json& body) const {
  MHUB_ASSIGN_OR_RETURN(HttpResponse r, Request(method, url, DumpJson(body), "application/json"));
  if (!r.ok()) return StatusFromResponse(r, method + " " + url);
  if (r.body.empty()) return Json::object();
  auto parsed = ParseJson(r.body, "response of " + method + " " + url);
  if (!parsed.ok()) return Json::object();  // some endpoints answer with plain text on success
  return parsed;
}

Result<Json> HubClient::GetPaginated(const std::string& url, int64_t limit) const {
  Json all = Json::array();
  std::string next = url;
  int pages = 0;
  while (!next.empty()) {
    MHUB_ASSIGN_OR_RETURN(HttpResponse r, Request("GET", next));
    if (!r.ok()) return StatusFromResponse(r, "GET " + next);
    MHUB_ASSIGN_OR_RETURN(Json page, ParseJson(r.body, "response of GET " + next));
    if (!page.is_array()) return Status::Corruption("GET " + next + ": expected a JSON array");
    for (auto& item : page) {
      all.push_back(std::move(item));
      if (limit > 0 && static_cast<int64_t>(all.size()) >= limit) return all;
    }
    next = NextLinkFromHeader(r.header("link"));
    if (++pages > 100000) return Status::Internal("pagination did not end at " + url);
  }
  return all;
}

Result<WhoAmI> HubClient::whoami() const {
  if (config_.token.empty()) return Status::Unauthenticated("not logged in: run `mhub login` or set HF_TOKEN");
  MHUB_ASSIGN_OR_RETURN(Json j, GetJson("/api/whoami-v2"));
  WhoAmI w;
  MHUB_ASSIGN_OR_RETURN(w.name, JsonString(j, "name", "whoami"));
  MHUB_ASSIGN_OR_RETURN(w.type, JsonStringOr(j, "type", "whoami", "user"));
  if (j.contains("orgs") && j["orgs"].is_array()) {
    for (const auto& o : j["orgs"])
      if (o.is_object() && o.contains("name") && o["name"].is_string()) w.orgs.push_back(o["name"].get<std::string>());
  }
  if (j.contains("auth") && j["auth"].is_object() && j["auth"].contains("accessToken") &&
      j["auth"]["accessToken"].is_object()) {
    MHUB_ASSIGN_OR_RETURN(w.token_role, JsonStringOr(j["auth"]["accessToken"], "role", "whoami.auth.accessToken", ""));
  }
  w.raw = j;
  return w;
}

namespace {

// {"name", "organization"} of a repo id, as create/delete expect.
void SplitRepoId(const std::string& id, Json& body) {
  auto slash = id.find('/');
  if (slash == std::string::npos) {
    body["name"] = id;
    body["organization"] = nullptr;
  } else {
    body["organization"] = id.substr(0, slash);
    body["name"] = id.substr(slash + 1);
  }
}

}  // namespace

Result<std::string> HubClient::create_repo(const RepoRef& repo, const CreateRepoOptions& options) const {
  MHUB_RETURN_IF_ERROR(ValidateRepoId(repo.id));
  Json body = Json::object();
  SplitRepoId(repo.id, body);
  body["type"] = std::string(RepoTypeName(repo.type));
  body["private"] = options.is_private;
  body["visibility"] = options.is_private ? "private" : "public";
  if (repo.type == RepoType::kSpace) body["sdk"] = "static";
  auto r = SendJson("POST", "/api/repos/create", body);
  if (!r.ok()) {
    if (options.exist_ok && r.status().code() == StatusCode::kAlreadyExists) {
      return config_.endpoint + "/" + repo.UrlPrefix() + repo.id;
    }
    return r.status().WithContext("while creating " + std::string(RepoTypeName(repo.type)) + " " + repo.id);
  }
  if (r->contains("url") && (*r)["url"].is_string()) return (*r)["url"].get<std::string>();
  return config_.endpoint + "/" + repo.UrlPrefix() + repo.id;
}

Status HubClient::delete_repo(const RepoRef& repo, bool missing_ok) const {
  MHUB_RETURN_IF_ERROR(ValidateRepoId(repo.id));
  Json body = Json::object();
  SplitRepoId(repo.id, body);
  body["type"] = std::string(RepoTypeName(repo.type));
  auto r = SendJson("DELETE", "/api/repos/delete", body);
  if (!r.ok()) {
    if (missing_ok && r.status().code() == StatusCode::kNotFound) return Status::OK();
    return r.status().WithContext("while deleting " + repo.id);
  }
  return Status::OK();
}

Result<RepoInfo> HubClient::repo_info(const RepoRef& repo, const std::string& revision, bool files_metadata) const {
  std::string url = repo.ApiPath();
  if (!revision.empty()) url += "/revision/" + UrlEncode(revision);
  if (files_metadata) url += "?blobs=true";
  MHUB_ASSIGN_OR_RETURN(Json j, GetJson(url));
  return ParseRepoInfo(j);
}

Result<std::vector<RepoInfo>> HubClient::list_models(const ListModelsOptions& o) const {
  std::string url = "/api/" + std::string(RepoTypeName(o.type)) + "s?";
  auto add = [&](const std::string& k, const std::string& v) { url += k + "=" + UrlEncode(v) + "&"; };
  if (!o.search.empty()) add("search", o.search);
  if (!o.author.empty()) add("author", o.author);
  for (const auto& f : o.filter) add("filter", f);
  if (!o.pipeline_tag.empty()) add("pipeline_tag", o.pipeline_tag);
  if (!o.sort.empty()) {
    add("sort", o.sort);
    add("direction", o.descending ? "-1" : "1");
  }
  if (o.limit > 0) add("limit", std::to_string(o.limit));
  if (o.full) add("full", "true");
  url.pop_back();  // trailing '&' or '?'
  MHUB_ASSIGN_OR_RETURN(Json items, GetPaginated(url, o.limit));
  std::vector<RepoInfo> out;
  for (const auto& item : items) {
    MHUB_ASSIGN_OR_RETURN(RepoInfo info, ParseRepoInfo(item));
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::vector<RepoEntry>> HubClient::list_repo_tree(const RepoRef& repo, const std::string& revision,
                                                         const std::string& path, bool recursive) const {
  std::string url = repo.ApiPath() + "/tree/" + UrlEncode(revision.empty() ? "main" : revision);
  if (!path.empty()) url += "/" + UrlEncode(path, /*keep_slash=*/true);
  if (recursive) url += "?recursive=true";
  MHUB_ASSIGN_OR_RETURN(Json items, GetPaginated(url, 0));
  std::vector<RepoEntry> out;
  for (const auto& item : items) {
    MHUB_ASSIGN_OR_RETURN(RepoEntry e, ParseRepoEntry(item));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<std::string>> HubClient::list_repo_files(const RepoRef& repo, const std::string& revision) const {
  MHUB_ASSIGN_OR_RETURN(auto entries, list_repo_tree(repo, revision, "", true));
  std::vector<std::string> files;
  for (const auto& e : entries)
    if (e.type == "file") files.push_back(e.path);
  std::sort(files.begin(), files.end());
  return files;
}

Result<RepoRefs> HubClient::list_repo_refs(const RepoRef& repo) const {
  MHUB_ASSIGN_OR_RETURN(Json j, GetJson(repo.ApiPath() + "/refs"));
  RepoRefs refs;
  auto read = [&](const char* key, std::vector<GitRef>& out) -> Status {
    if (!j.contains(key) || !j[key].is_array()) return Status::OK();
    for (const auto& r : j[key]) {
      GitRef g;
      MHUB_ASSIGN_OR_RETURN(g.name, JsonString(r, "name", std::string("refs.") + key));
      MHUB_ASSIGN_OR_RETURN(g.ref, JsonStringOr(r, "ref", std::string("refs.") + key, ""));
      MHUB_ASSIGN_OR_RETURN(g.target_commit, JsonStringOr(r, "targetCommit", std::string("refs.") + key, ""));
      out.push_back(std::move(g));
    }
    return Status::OK();
  };
  MHUB_RETURN_IF_ERROR(read("branches", refs.branches));
  MHUB_RETURN_IF_ERROR(read("tags", refs.tags));
  MHUB_RETURN_IF_ERROR(read("converts", refs.converts));
  return refs;
}

Result<std::vector<GitCommitInfo>> HubClient::list_repo_commits(const RepoRef& repo,
                                                                const std::string& revision) const {
  MHUB_ASSIGN_OR_RETURN(
      Json items, GetPaginated(repo.ApiPath() + "/commits/" + UrlEncode(revision.empty() ? "main" : revision), 0));
  std::vector<GitCommitInfo> out;
  for (const auto& c : items) {
    GitCommitInfo info;
    MHUB_ASSIGN_OR_RETURN(info.id, JsonString(c, "id", "commit"));
    MHUB_ASSIGN_OR_RETURN(info.title, JsonStringOr(c, "title", "commit", ""));
    MHUB_ASSIGN_OR_RETURN(info.message, JsonStringOr(c, "message", "commit", ""));
    MHUB_ASSIGN_OR_RETURN(info.date, JsonStringOr(c, "date", "commit", ""));
    if (c.contains("authors") && c["authors"].is_array()) {
      for (const auto& a : c["authors"])
        if (a.is_object() && a.contains("user") && a["user"].is_string())
          info.authors.push_back(a["user"].get<std::string>());
    }
    out.push_back(std::move(info));
  }
  return out;
}

Status HubClient::create_branch(const RepoRef& repo, const std::string& branch, const std::string& revision,
                                bool exist_ok) const {
  Json body = Json::object();
  if (!revision.empty()) body["startingPoint"] = revision;
  auto r = SendJson("POST", repo.ApiPath() + "/branch/" + UrlEncode(branch), body);
  if (!r.ok()) {
    if (exist_ok && r.status().code() == StatusCode::kAlreadyExists) return Status::OK();
    return r.status().WithContext("while creating branch " + branch + " of " + repo.id);
  }
  return Status::OK();
}

Status HubClient::delete_branch(const RepoRef& repo, const std::string& branch) const {
  auto r = SendJson("DELETE", repo.ApiPath() + "/branch/" + UrlEncode(branch), Json::object());
  return r.ok() ? Status::OK() : r.status().WithContext("while deleting branch " + branch + " of " + repo.id);
}

Status HubClient::create_tag(const RepoRef& repo, const std::string& tag, const std::string& revision,
                             const std::string& message) const {
  Json body = {{"tag", tag}};
  if (!message.empty()) body["message"] = message;
  auto r = SendJson("POST", repo.ApiPath() + "/tag/" + UrlEncode(revision.empty() ? "main" : revision), body);
  return r.ok() ? Status::OK() : r.status().WithContext("while creating tag " + tag + " of " + repo.id);
}

Status HubClient::delete_tag(const RepoRef& repo, const std::string& tag) const {
  auto r = SendJson("DELETE", repo.ApiPath() + "/tag/" + UrlEncode(tag), Json::object());
  return r.ok() ? Status::OK() : r.status().WithContext("while deleting tag " + tag + " of " + repo.id);
}

}  // namespace mhub::hub
