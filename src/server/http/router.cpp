#include "server/http/router.h"

#include <exception>
#include <vector>

#include "mhub/base/logging.h"
#include "mhub/server/repo_errors.h"
#include "server/discussions/discussion_handlers.h"
#include "server/http/collection_handlers.h"
#include "server/http/handlers.h"
#include "server/http/repo_redirects.h"
#include "server/http/url_codec.h"
#include "server/spaces/space_handlers.h"
#include "server/viewer/viewer_handlers.h"
#include "server/viewer/viewer_service.h"
#include "server/web/web_site.h"

namespace mhub::server {
namespace {

using Segments = std::vector<std::string>;

HubError MethodNotAllowed(const HttpRequest& req) {
  return HubError(Status::InvalidArgument("method " + req.method + " is not allowed on " + req.raw_path), "", 405);
}

bool IsGetLike(const HttpRequest& req) { return req.method == "GET" || req.method == "HEAD"; }

// Decodes segments [from, end) and joins them with '/'.
Result<std::string> DecodeJoined(const Segments& seg, size_t from, size_t end) {
  std::string out;
  for (size_t i = from; i < end && i < seg.size(); ++i) {
    MHUB_ASSIGN_OR_RETURN(std::string part, PercentDecode(seg[i]));
    if (i > from) out += "/";
    out += part;
  }
  return out;
}

// The revision starting at seg[i]: one (encoded) segment, or an unencoded "refs/<kind>/<name>".
// Returns the index after it.
Result<size_t> TakeRevision(const Segments& seg, size_t i, std::string* revision) {
  if (i >= seg.size()) return Status::InvalidArgument("missing revision in URL");
  if (seg[i] == "refs" && i + 2 < seg.size() &&
      (seg[i + 1] == "pr" || seg[i + 1] == "convert" || seg[i + 1] == "heads" || seg[i + 1] == "tags")) {
    MHUB_ASSIGN_OR_RETURN(*revision, DecodeJoined(seg, i, i + 3));
    return i + 3;
  }
  MHUB_ASSIGN_OR_RETURN(*revision, PercentDecode(seg[i]));
  return i + 1;
}

// A name the Hub would refuse to create ("i--d", "a..b") is read like any missing repo: only
// creation (admin_handlers.cpp) reports what is wrong with it.
Result<RepoKey> RepoKeyFrom(RepoType type, const std::string& ns_raw, const std::string& name_raw) {
  MHUB_ASSIGN_OR_RETURN(std::string ns, PercentDecode(ns_raw));
  MHUB_ASSIGN_OR_RETURN(std::string name, PercentDecode(name_raw));
  auto id = MakeRepoId(ns, name);
  if (!id.ok()) return RepoNotFoundError(ns.substr(0, 100) + "/" + name.substr(0, 100));
  return RepoKey{type, *id};
}

// The actions that follow a repo id on the API (/api/{type}s/{id}/{action}/...) and on the web
// routes (/{id}/{action}/...). A URL whose first segment after the type is followed by one of these
// (and not by a second one) names a one-part legacy id, such as /api/models/gpt2/revision/main.
bool IsApiAction(const std::string& s) {
  return s == "revision" || s == "tree" || s == "paths-info" || s == "commits" || s == "preupload" || s == "commit" ||
         s == "refs" || s == "branch" || s == "tag" || s == "settings" || s == "like" || s == "likers" ||
         s == "auth-check" || s == "discussions";
}
bool IsWebAction(const std::string& s) {
  return s == "resolve" || s == "raw" || s == "blob" || s == "tree" || s == "info" || s == "git-upload-pack" ||
         s == "git-receive-pack";
}

// A one-part id: never served in place, only redirected to the repo it is an alias of.
HubError RouteLegacyId(HubContext& ctx, const HttpRequest& req, HttpResponse& res, const Principal& who, RepoType type,
                       const Segments& seg, size_t at, const std::string& name_suffix) {
  std::string raw = seg[at];
  if (!name_suffix.empty()) raw.resize(raw.size() - name_suffix.size());
  MHUB_ASSIGN_OR_RETURN(std::string id, PercentDecode(raw));
  if (auto to = FindReadableRedirect(ctx, who, type, id)) {
    SetRepoRedirect(req, seg, at, at + 1, *to, name_suffix, res);
    return {};
  }
  return HubError::RepoNotFound(id.substr(0, 200));
}

// After a RepoNotFound on {ns}/{name}: the repo may have moved (or the id be a declared alias).
HubError RedirectIfMoved(HubContext& ctx, const HttpRequest& req, HttpResponse& res, const Principal& who,
                         const RepoKey& key, const Segments& seg, size_t begin, const std::string& name_suffix,
                         HubError error) {
  if (!error.IsRepoNotFound() || ctx.db->GetRepo(key).ok()) return error;
  if (auto to = FindReadableRedirect(ctx, who, key.type, key.id.ToString())) {
    SetRepoRedirect(req, seg, begin, begin + 2, *to, name_suffix, res);
    return {};
  }
  return error;
}

HubError RouteRepoApiCall(RepoCall& call, RepoType type, const Segments& seg);

// /api/{type}s/{ns}/{name}/... (or /api/{type}s/{legacy-id}/...)
HubError RouteRepoApi(HubContext& ctx, const HttpRequest& req, HttpResponse& res, const Principal& who, RepoType type,
                      const Segments& seg) {
  if (seg.size() == 3 || (seg.size() >= 5 && IsApiAction(seg[3]) && !IsApiAction(seg[4]))) {
    return RouteLegacyId(ctx, req, res, who, type, seg, 2, "");
  }
  MHUB_ASSIGN_OR_RETURN(RepoKey key, RepoKeyFrom(type, seg[2], seg[3]));
  RepoCall call{ctx, req, res, who, key};
  return RedirectIfMoved(ctx, req, res, who, key, seg, 2, "", RouteRepoApiCall(call, type, seg));
}

HubError RouteRepoApiCall(RepoCall& call, RepoType type, const Segments& seg) {
  const HttpRequest& req = call.req;
  if (seg.size() == 4) {
    if (!IsGetLike(req)) return MethodNotAllowed(req);
    return HandleRepoInfo(call, "");
  }
  const std::string& action = seg[4];
  std::string rev;
  if (action == "revision") {
    if (!IsGetLike(req)) return MethodNotAllowed(req);
    MHUB_ASSIGN_OR_RETURN(rev, DecodeJoined(seg, 5, seg.size()));
    if (rev.empty()) return HubError::BadRequest("missing revision");
    return HandleRepoInfo(call, rev);
  }
  if (action == "tree") {
    if (!IsGetLike(req)) return MethodNotAllowed(req);
    MHUB_ASSIGN_OR_RETURN(size_t next, TakeRevision(seg, 5, &rev));
    MHUB_ASSIGN_OR_RETURN(std::string folder, DecodeJoined(seg, next, seg.size()));
    return HandleTree(call, rev, folder);
  }
  if (action == "paths-info" || action == "commits" || action == "preupload" || action == "commit") {
    MHUB_ASSIGN_OR_RETURN(rev, DecodeJoined(seg, 5, seg.size()));
    if (rev.empty()) rev = "main";
    if (action == "paths-info") return req.method == "POST" ? HandlePathsInfo(call, rev) : MethodNotAllowed(req);
    if (action == "commits") return IsGetLike(req) ? HandleCommits(call, rev) : MethodNotAllowed(req);
    if (action == "preupload") return req.method == "POST" ? HandlePreupload(call, rev) : MethodNotAllowed(req);
    return req.method == "POST" ? HandleCommit(call, rev) : MethodNotAllowed(req);
  }
  if (action == "refs" && seg.size() == 5) return IsGetLike(req) ? HandleRefs(call) : MethodNotAllowed(req);
  if (action == "branch" || action == "tag") {
    MHUB_ASSIGN_OR_RETURN(std::string name, DecodeJoined(seg, 5, seg.size()));
    if (name.empty()) return HubError::BadRequest("missing " + action + " name");
    if (action == "branch") {
      if (req.method == "POST") return HandleCreateBranch(call, name);
      if (req.method == "DELETE") return HandleDeleteBranch(call, name);
    } else {
      if (req.method == "POST") return HandleCreateTag(call, name);
      if (req.method == "DELETE") return HandleDeleteTag(call, name);
    }
    return MethodNotAllowed(req);
  }
  if (action == "settings" && seg.size() == 5)
    return req.method == "PUT" ? HandleRepoSettings(call) : MethodNotAllowed(req);
  if ((action == "like" || action == "likers") && seg.size() == 5) {
    if (action == "likers") return IsGetLike(req) ? HandleRepoLikers(call) : MethodNotAllowed(req);
    if (req.method == "POST" || req.method == "DELETE") return HandleLike(call, req.method == "POST");
    return MethodNotAllowed(req);
  }
  if (action == "auth-check") {
    if (!IsGetLike(req)) return MethodNotAllowed(req);
    return HandleAuthCheck(call, seg.size() == 6 && seg[5] == "write");
  }
  // Discussions and pull requests (discussions/discussion_handlers.h).
  if (action == "discussions") {
    std::vector<std::string> rest;
    for (size_t i = 5; i < seg.size(); ++i) {
      MHUB_ASSIGN_OR_RETURN(std::string part, PercentDecode(seg[i]));
      rest.push_back(std::move(part));
    }
    return HandleDiscussionsApi(call, rest);
  }
  // The runtime of a Space, restart and pause (spaces/space_handlers.h).
  if (action == "runtime" && type == RepoType::kSpace && seg.size() == 5) {
    return IsGetLike(req) ? spaces::HandleSpaceRuntime(call) : MethodNotAllowed(req);
  }
  if ((action == "restart" || action == "pause") && type == RepoType::kSpace && seg.size() == 5) {
    return req.method == "POST" ? spaces::HandleSpaceControl(call, action) : MethodNotAllowed(req);
  }
  // The Parquet export of a dataset (viewer/viewer_handlers.h).
  if (action == "parquet" && type == RepoType::kDataset && seg.size() <= 8) {
    if (!IsGetLike(req)) return MethodNotAllowed(req);
    std::vector<std::string> rest;
    for (size_t i = 4; i < seg.size(); ++i) {
      MHUB_ASSIGN_OR_RETURN(std::string part, PercentDecode(seg[i]));
      rest.push_back(std::move(part));
    }
    return viewer::HandleDatasetParquet(call, rest);
  }
  return HubError::NotImplemented("/api/" + std::string(RepoTypePlural(type)) + "/{repo}/" + action);
}

HubError RouteApi(HubContext& ctx, const HttpRequest& req, HttpResponse& res, const Principal& who,
                  const Segments& seg) {
  if (seg.size() == 2 && seg[1] == "whoami-v2") {
    return IsGetLike(req) ? HandleWhoami(ctx, req, who, res) : MethodNotAllowed(req);
  }
  if (seg.size() == 3 && seg[1] == "repos") {
    if (seg[2] == "create") return req.method == "POST" ? HandleCreateRepo(ctx, req, who, res) : MethodNotAllowed(req);
    if (seg[2] == "delete")
      return req.method == "DELETE" ? HandleDeleteRepo(ctx, req, who, res) : MethodNotAllowed(req);
    if (seg[2] == "move") return req.method == "POST" ? HandleMoveRepo(ctx, req, who, res) : MethodNotAllowed(req);
  }
  if (seg.size() == 4 && seg[1] == "users" && seg[3] == "likes") {
    if (!IsGetLike(req)) return MethodNotAllowed(req);
    MHUB_ASSIGN_OR_RETURN(std::string user, PercentDecode(seg[2]));
    return HandleUserLikes(ctx, who, user, res);
  }
  if (seg.size() == 2 && seg[1] == "validate-yaml") {
    return req.method == "POST" ? HandleValidateYaml(ctx, req, res) : MethodNotAllowed(req);
  }
  if (seg.size() >= 2 && (seg[1] == "models" || seg[1] == "datasets" || seg[1] == "spaces")) {
    RepoType type = seg[1] == "models"     ? RepoType::kModel
                    : seg[1] == "datasets" ? RepoType::kDataset
                                           : RepoType::kSpace;
    if (seg.size() == 2) return IsGetLike(req) ? HandleListRepos(ctx, req, who, type, res) : MethodNotAllowed(req);
    return RouteRepoApi(ctx, req, res, who, type, seg);
  }
  if (seg.size() >= 2 && seg[1] == "collections") return RouteCollections(ctx, req, res, who, seg);
  if (seg.size() == 3 && seg[1] == "viewer") return viewer::HandleViewerRoute(ctx, req, res, who, seg[2]);
  std::string what = "/api";
  for (size_t i = 1; i < seg.size() && i < 3; ++i) what += "/" + seg[i];
  return HubError::NotImplemented(what);
}

HubError RouteRepoWebCall(RepoCall& call, const Segments& rest, bool dot_git);

// /{prefix}{ns}/{name}(.git)/... (or /{prefix}{legacy-id}(.git)/...)
HubError RouteRepoWeb(HubContext& ctx, const HttpRequest& req, HttpResponse& res, const Principal& who,
                      const Segments& seg) {
  size_t i = 0;
  RepoType type = RepoType::kModel;
  if (seg[0] == "datasets" && seg.size() > 2) {
    type = RepoType::kDataset;
    i = 1;
  } else if (seg[0] == "spaces" && seg.size() > 2) {
    type = RepoType::kSpace;
    i = 1;
  }
  auto ends_with_git = [](const std::string& s) { return s.size() > 4 && s.compare(s.size() - 4, 4, ".git") == 0; };
  // One-part legacy ids: /gpt2/resolve/main/config.json, /gpt2.git/info/refs.
  if (seg.size() >= i + 2 && ends_with_git(seg[i]) &&
      (seg[i + 1] == "info" || seg[i + 1] == "git-upload-pack" || seg[i + 1] == "git-receive-pack")) {
    return RouteLegacyId(ctx, req, res, who, type, seg, i, ".git");
  }
  if (seg.size() >= i + 3 && (seg[i + 1] == "resolve" || seg[i + 1] == "raw" || seg[i + 1] == "blob") &&
      !IsWebAction(seg[i + 2])) {
    return RouteLegacyId(ctx, req, res, who, type, seg, i, "");
  }
  if (seg.size() < i + 3) return HubError(Status::NotFound("no such page: " + req.raw_path));
  std::string name_raw = seg[i + 1];
  bool dot_git = ends_with_git(name_raw);
  if (dot_git) name_raw.resize(name_raw.size() - 4);
  MHUB_ASSIGN_OR_RETURN(RepoKey key, RepoKeyFrom(type, seg[i], name_raw));
  const std::string suffix = dot_git ? ".git" : "";
  const std::string& action = seg[i + 2];
  bool git_service = (action == "info" && seg.size() == i + 4 && seg[i + 3] == "refs") ||
                     (seg.size() == i + 3 && (action == "git-upload-pack" || action == "git-receive-pack"));
  if (git_service && !ctx.db->GetRepo(key).ok()) {
    // The git handler turns a miss into a login challenge; a moved repo redirects first.
    if (auto to = FindReadableRedirect(ctx, who, type, key.id.ToString())) {
      SetRepoRedirect(req, seg, i, i + 2, *to, suffix, res);
      return {};
    }
  }
  RepoCall call{ctx, req, res, who, key};
  Segments rest(seg.begin() + static_cast<long>(i) + 2, seg.end());
  return RedirectIfMoved(ctx, req, res, who, key, seg, i, suffix, RouteRepoWebCall(call, rest, dot_git));
}

HubError RouteRepoWebCall(RepoCall& call, const Segments& rest, bool dot_git) {
  HubContext& ctx = call.ctx;
  const HttpRequest& req = call.req;
  HttpResponse& res = call.res;
  const Principal& who = call.who;
  const RepoKey& key = call.key;
  const std::string& action = rest[0];

  if ((action == "resolve" || action == "raw") && !dot_git) {
    if (!IsGetLike(req)) return MethodNotAllowed(req);
    std::string rev;
    MHUB_ASSIGN_OR_RETURN(size_t next, TakeRevision(rest, 1, &rev));
    MHUB_ASSIGN_OR_RETURN(std::string path, DecodeJoined(rest, next, rest.size()));
    if (path.empty()) return HubError::BadRequest("missing file path");
    return HandleResolve(call, rev, path, action == "raw");
  }
  if (action == "info" && rest.size() >= 3 && rest[1] == "lfs") {
    if (rest[2] == "objects" && rest.size() == 4 && rest[3] == "batch") {
      return req.method == "POST" ? HandleLfsBatch(call) : MethodNotAllowed(req);
    }
    if (rest[2] == "objects" && rest.size() == 4) return HandleLfsObject(call, rest[3]);
    if (rest[2] == "objects" && (rest.size() == 6 || rest.size() == 7) && rest[4] == "multipart") {
      if (rest.size() == 6) {
        return req.method == "POST" ? HandleLfsMultipartComplete(call, rest[3], rest[5]) : MethodNotAllowed(req);
      }
      return req.method == "PUT" ? HandleLfsMultipartPart(call, rest[3], rest[5], rest[6]) : MethodNotAllowed(req);
    }
    if (rest[2] == "objects" && rest.size() == 5 && rest[4] == "verify") {
      return req.method == "POST" ? HandleLfsVerify(call) : MethodNotAllowed(req);
    }
    if (rest[2] == "locks" && rest.size() == 4 && rest[3] == "verify") {
      return req.method == "POST" ? HandleLfsLocksVerify(call) : MethodNotAllowed(req);
    }
    if (rest[2] == "locks" && rest.size() == 3 && IsGetLike(req)) {
      MHUB_RETURN_IF_ERROR(RequireRead(ctx, who, key).status());
      res.status = 200;
      res.content_type = "application/vnd.git-lfs+json";
      res.body = "{\"locks\":[]}";
      return {};
    }
    return HubError::NotImplemented("LFS " + rest[2]);
  }
  if ((action == "info" && rest.size() == 2 && rest[1] == "refs") ||
      (rest.size() == 1 && (action == "git-upload-pack" || action == "git-receive-pack"))) {
    return HandleGitSmartHttp(call, rest.size() == 2 ? "info/refs" : action);
  }
  return HubError::NotImplemented("/{repo}/" + action);
}

HubError Route(HubContext& ctx, const HttpRequest& req, HttpResponse& res) {
  Segments seg = SplitRawPath(req.raw_path);
  for (const auto& s : seg) {
    if (s.find('\0') != std::string::npos) return HubError::BadRequest("NUL in URL");
  }
  // RFC 9110 5.5: a field value with NUL (or CR/LF) is invalid; refused whole rather than cut at
  // the NUL by code that reads it as a C string.
  for (const auto& [name, value] : req.headers) {
    if (value.find_first_of(std::string_view("\0\r\n", 3)) != std::string::npos) {
      return HubError::BadRequest("NUL, CR or LF in the value of header " + name.substr(0, 64));
    }
  }
  auto who = Authenticate(ctx, req);
  if (!who.ok()) {
    bool git = req.raw_path.find(".git/") != std::string::npos ||
               req.raw_path.find("/info/refs") != std::string::npos || req.raw_path.find("/git-") != std::string::npos;
    if (git) return HubError::GitAuthRequired(kInvalidCredentialsMessage);
    return HubError::InvalidCredentials();
  }
  // A static Space's own files (/spaces/{o}/{n}/...), served sandboxed (spaces/space_handlers.h).
  if (spaces::IsSpaceAppRoute(req, seg)) return spaces::HandleSpaceApp(ctx, req, res, *who, seg);
  // The website's pages (server/web); API, git, resolve and LFS routes go on below.
  if (web::IsWebRoute(req, seg)) return web::HandleWebRoute(ctx, req, res, *who, seg);
  if (seg.empty()) {
    res.SetText(200, "mhub: a self-hosted model hub. The Hub API lives under /api.\n");
    return {};
  }
  if (seg.size() == 1 && seg[0] == "health") {
    SetJson(res, Json{{"status", "ok"}});
    return {};
  }
  HubError error = seg[0] == "api" ? RouteApi(ctx, req, res, *who, seg) : RouteRepoWeb(ctx, req, res, *who, seg);
  // The Hub answers an anonymous miss with 401 (+ X-Error-Code RepoNotFound): the repo may be
  // private, so signing in may help. git's own routes already challenge with WWW-Authenticate.
  bool git_service = req.raw_path.find("/info/refs") != std::string::npos ||
                     req.raw_path.find("/git-upload-pack") != std::string::npos ||
                     req.raw_path.find("/git-receive-pack") != std::string::npos;
  if (!who->authenticated && !git_service && error.IsRepoNotFound()) return error.ForAnonymous();
  return error;
}

}  // namespace

void DispatchRequest(HubContext& ctx, const HttpRequest& req, HttpResponse& res) {
  HubError error;
  try {
    error = Route(ctx, req, res);
  } catch (const std::exception& e) {
    error = HubError(Status::Internal(std::string("unexpected exception: ") + e.what()));
  } catch (...) {
    error = HubError(Status::Internal("unexpected exception"));
  }
  if (!error.ok()) {
    if (error.http_status() >= 500 && error.http_status() != 501) {
      MHUB_LOG(kError) << req.method << " " << req.target << ": " << error.status();
    }
    WriteHubError(error, res);
    // A HEAD answer has no body: say nothing about one (a JSON label would make clients parse
    // an empty body); X-Error-Code / X-Error-Message carry the error.
    if (req.method == "HEAD") {
      res.body.clear();
      res.content_type.clear();
    }
  }
  // A write to a dataset repo queues its Parquet conversion (viewer_service.h).
  if (ctx.viewer && !IsGetLike(req) && res.status < 400) ctx.viewer->NoteWrite(req.raw_path);
  // The access log (one line per request, at info) is written by the server core.
  MHUB_LOG(kDebug) << req.method << " " << req.target << " -> " << res.status;
}

}  // namespace mhub::server
