#include "server/web/web_site.h"

#include <openssl/crypto.h>

#include <mutex>

#include "mhub/base/logging.h"
#include "server/http/handler_common.h"
#include "server/http/repo_redirects.h"
#include "server/http/url_codec.h"
#include "server/web/pages.h"

namespace mhub::server::web {
namespace {

using Segments = std::vector<std::string>;

bool IsGetLike(const HttpRequest& req) { return req.method == "GET" || req.method == "HEAD"; }

// First path segments that are not repo namespaces on the website.
bool IsReservedTop(const std::string& s) {
  return s == "api" || s == "static" || s == "login" || s == "logout" || s == "settings" || s == "new" ||
         s == "health" || s == "models";
}

bool IsRepoPageAction(const std::string& s) {
  return s == "tree" || s == "blob" || s == "commits" || s == "commit" || s == "settings" || s == "edit" ||
         s == "discussions";
}

// Index of the namespace segment of a repo page URL (1 after "datasets"/"spaces"), or npos.
size_t RepoStart(const Segments& seg) {
  if (seg.empty() || IsReservedTop(seg[0])) return std::string::npos;
  size_t p = (seg[0] == "datasets" || seg[0] == "spaces") ? 1 : 0;
  if (seg.size() == p + 2) return p;
  if (seg.size() >= p + 3 && IsRepoPageAction(seg[p + 2])) return p;
  return std::string::npos;
}

bool WantsHtml(const HttpRequest& req) { return req.Header("Accept").find("text/html") != std::string::npos; }

WebState* StateOf(HubContext& ctx, Status* error) {
  auto state = GetWebState(ctx);
  if (!state.ok()) {
    *error = state.status();
    return nullptr;
  }
  return *state;
}

Result<std::string> Decode(const std::string& s) { return PercentDecode(s); }

// The revision at seg[i]: one encoded segment, or an unencoded refs/<kind>/<name>; sets *next.
Result<std::string> TakeRev(const Segments& seg, size_t i, size_t* next) {
  if (i >= seg.size()) {
    *next = i;
    return std::string("main");
  }
  if (seg[i] == "refs" && i + 2 < seg.size()) {
    *next = i + 3;
    MHUB_ASSIGN_OR_RETURN(std::string a, Decode(seg[i + 1]));
    MHUB_ASSIGN_OR_RETURN(std::string b, Decode(seg[i + 2]));
    return "refs/" + a + "/" + b;
  }
  *next = i + 1;
  return Decode(seg[i]);
}

Result<std::string> JoinFrom(const Segments& seg, size_t from) {
  std::string out;
  for (size_t i = from; i < seg.size(); ++i) {
    MHUB_ASSIGN_OR_RETURN(std::string part, Decode(seg[i]));
    if (i > from) out += "/";
    out += part;
  }
  return out;
}

void RouteRepoPage(WebCall& call, const Segments& seg, size_t p) {
  RepoType type = p == 0 ? RepoType::kModel : seg[0] == "datasets" ? RepoType::kDataset : RepoType::kSpace;
  auto ns = Decode(seg[p]);
  auto name = Decode(seg[p + 1]);
  auto id = ns.ok() && name.ok() ? MakeRepoId(*ns, *name) : Result<RepoId>(Status::InvalidArgument("bad id"));
  if (!id.ok()) return SendNotFound(call.v, call.res, "No such repository.");
  RepoKey key{type, *id};
  bool get = IsGetLike(call.req);
  // A renamed repo's old pages answer with a redirect to the same page under the new name (the
  // API's rule, repo_redirects.h), when the visitor may read the new one.
  if (get && !call.ctx.db->GetRepo(key).ok()) {
    if (auto to = FindReadableRedirect(call.ctx, call.v.who, type, key.id.ToString())) {
      SetRepoRedirect(call.req, seg, p, p + 2, *to, "", call.res);
      return;
    }
  }
  if (seg.size() == p + 2) {
    if (!get) return SendMessage(call.v, call.res, 405, "Method not allowed", "This page only answers GET.");
    return PageRepo(call, key);
  }
  const std::string& action = seg[p + 2];
  if (action == "discussions") {
    std::vector<std::string> rest;
    for (size_t i = p + 3; i < seg.size(); ++i) {
      auto part = Decode(seg[i]);
      if (!part.ok()) return SendNotFound(call.v, call.res, "Malformed address.");
      rest.push_back(*part);
    }
    return PageDiscussions(call, key, rest);
  }
  size_t next = 0;
  auto rev = TakeRev(seg, p + 3, &next);
  auto path = rev.ok() ? JoinFrom(seg, next) : Result<std::string>(rev.status());
  if (!rev.ok() || !path.ok()) return SendNotFound(call.v, call.res, "Malformed address.");
  if (action == "settings" && seg.size() == p + 3) return PageRepoSettings(call, key);
  if (action == "edit") return PageEditFile(call, key, *rev, *path);
  if (!get) return SendMessage(call.v, call.res, 405, "Method not allowed", "This page only answers GET.");
  if (action == "tree") return PageTree(call, key, *rev, *path);
  if (action == "blob" && !path->empty()) return PageBlob(call, key, *rev, *path);
  if (action == "commits" && path->empty()) return PageCommits(call, key, *rev);
  if (action == "commit" && path->empty() && seg.size() == p + 4) return PageCommit(call, key, *rev);
  return SendNotFound(call.v, call.res, "No such page.");
}

}  // namespace

Result<WebState*> GetWebState(HubContext& ctx) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  if (!ctx.web) {
    MHUB_ASSIGN_OR_RETURN(auto accounts, WebAccountStore::Open(ctx.data_dir + "/web.sqlite"));
    MHUB_ASSIGN_OR_RETURN(auto discussions, DiscussionStore::Open(ctx.data_dir + "/discussions.sqlite"));
    auto state = std::make_shared<WebState>();
    state->accounts = std::move(accounts);
    state->discussions = std::move(discussions);
    ctx.web = std::move(state);
  }
  return ctx.web.get();
}

bool IsWebRoute(const HttpRequest& req, const std::vector<std::string>& seg) {
  if (seg.empty()) return IsGetLike(req);
  const std::string& top = seg[0];
  if (seg.size() == 1 && (top == "models" || top == "datasets" || top == "spaces")) return IsGetLike(req);
  if (top == "static" && seg.size() == 2) return IsGetLike(req);
  if (seg.size() == 1 && (top == "login" || top == "logout" || top == "new")) return true;
  if (top == "settings" && seg.size() >= 2) return true;
  if (RepoStart(seg) != std::string::npos) return true;
  // A browser asking for some other page gets the HTML 404; API clients keep their JSON errors.
  if (!IsGetLike(req) || !WantsHtml(req) || top == "api" || top == "health") return false;
  for (const auto& s : seg) {
    if (s == "resolve" || s == "raw" || s == "info" || s == "git-upload-pack" || s == "git-receive-pack" ||
        (s.size() > 4 && s.compare(s.size() - 4, 4, ".git") == 0)) {
      return false;
    }
  }
  return true;
}

HubError HandleWebRoute(HubContext& ctx, const HttpRequest& req, HttpResponse& res, const Principal& who,
                        const std::vector<std::string>& seg) {
  Status error;
  WebState* state = StateOf(ctx, &error);
  if (!state) return HubError(error);
  WebCall call{ctx, req, res, *state, Visitor{}, "", {}};
  call.v.who = who;
  call.v.secure =
      HeaderNameEquals(req.Header("X-Forwarded-Proto"), "https") || ctx.public_url.rfind("https://", 0) == 0;
  if (!who.authenticated) {
    std::string sid = CookieValue(req, kSessionCookie);
    if (!sid.empty()) {
      auto session = state->accounts->LookupSession(sid);
      if (session.ok()) {
        call.v.who.authenticated = true;
        call.v.who.token.user = session->user;
        call.v.who.token.name = "web session";
        call.v.who.token.role = session->role;
        call.v.csrf = session->csrf;
        call.session_id = sid;
      } else if (session.status().code() != StatusCode::kNotFound) {
        return HubError(session.status());
      }
    }
  }
  if (req.method == "POST") {
    auto body = req.ReadBody(1u << 20);
    if (!body.ok()) {
      SendMessage(call.v, res, 413, "Too large", body.status().message());
      return {};
    }
    for (auto& [k, v] : ParseQueryString(*body)) call.form.emplace(std::move(k), std::move(v));
  }

  if (seg.empty()) {
    PageHome(call);
  } else if (seg.size() == 1 && (seg[0] == "models" || seg[0] == "datasets" || seg[0] == "spaces")) {
    PageList(call, seg[0] == "models"     ? RepoType::kModel
                   : seg[0] == "datasets" ? RepoType::kDataset
                                          : RepoType::kSpace);
  } else if (seg[0] == "static") {
    if (!ServeStatic(call, seg[1])) SendNotFound(call.v, res, "No such file.");
  } else if (seg.size() == 1 && seg[0] == "login") {
    PageLogin(call);
  } else if (seg.size() == 1 && seg[0] == "logout") {
    PageLogout(call);
  } else if (seg.size() == 1 && seg[0] == "new") {
    PageNewRepo(call);
  } else if (seg[0] == "settings" && seg.size() == 2 && seg[1] == "tokens") {
    PageTokens(call);
  } else if (seg[0] == "settings" && seg.size() == 4 && seg[1] == "tokens" && seg[3] == "delete") {
    PageTokenRevoke(call, seg[2]);
  } else if (seg[0] == "settings" && seg.size() == 2 && seg[1] == "password") {
    PagePassword(call);
  } else if (seg.size() == 1 && !IsReservedTop(seg[0]) && IsGetLike(req)) {
    auto name = Decode(seg[0]);
    if (name.ok()) {
      PageProfile(call, *name);
    } else {
      SendNotFound(call.v, res, "No such page.");
    }
  } else if (size_t p = RepoStart(seg); p != std::string::npos) {
    RouteRepoPage(call, seg, p);
  } else {
    SendNotFound(call.v, res, "No such page.");
  }
  if (req.method == "HEAD") {
    res.head_content_length = res.body.size();
    res.body.clear();
  }
  return {};
}

std::string CookieValue(const HttpRequest& req, std::string_view name) {
  for (const auto& [hname, value] : req.headers) {
    if (!HeaderNameEquals(hname, "Cookie")) continue;
    size_t pos = 0;
    while (pos < value.size()) {
      size_t end = value.find(';', pos);
      if (end == std::string::npos) end = value.size();
      std::string_view part(value.data() + pos, end - pos);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=') {
        return std::string(part.substr(name.size() + 1));
      }
      pos = end + 1;
    }
  }
  return "";
}

std::string CookieHeader(const Visitor& v, std::string_view name, std::string_view value, int64_t max_age_s) {
  std::string c = std::string(name) + "=" + std::string(value) + "; Path=/; Max-Age=" + std::to_string(max_age_s) +
                  "; HttpOnly; SameSite=Lax";
  if (v.secure) c += "; Secure";
  return c;
}

bool SameOrigin(const WebCall& call) {
  std::string origin = call.req.Header("Origin");
  if (origin.empty()) return true;  // older browsers send none on same-origin form posts
  // Behind a TLS proxy the configured URL may say http while the browser says https.
  std::string host = call.req.Header("Host");
  return origin == BaseUrl(call.ctx, call.req) ||
         (!host.empty() && (origin == "http://" + host || origin == "https://" + host));
}

bool CheckCsrf(WebCall& call) {
  auto it = call.form.find("csrf");
  const std::string& sent = it == call.form.end() ? std::string() : it->second;
  bool ok = !call.v.csrf.empty() && sent.size() == call.v.csrf.size() &&
            CRYPTO_memcmp(sent.data(), call.v.csrf.data(), sent.size()) == 0 && SameOrigin(call);
  if (!ok) {
    SendMessage(call.v, call.res, 403, "Forbidden",
                "This form was not sent from a page of this site (missing or wrong CSRF token). Reload the page "
                "and try again.");
  }
  return ok;
}

}  // namespace mhub::server::web
