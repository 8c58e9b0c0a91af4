// The website (issue 15): server-rendered HTML pages at the Hub's own routes, on the hub's port.
// The router (server/http/router.cpp) hands a request here when IsWebRoute says it is a page;
// everything else (API, git, resolve/raw, LFS) stays with the API handlers.
//
// Who is asking: an `Authorization` header as for the API, else the `mhub_session` cookie (an
// HttpOnly, SameSite=Lax session made by /login). Private repos answer the same 404 page as
// missing ones to anyone who may not read them. Every state-changing form carries the session's
// CSRF secret and is refused (403) without it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mhub/server/http_types.h"
#include "server/db/sqlite_discussions.h"
#include "server/db/sqlite_web_accounts.h"
#include "server/http/auth.h"
#include "server/http/hub_context.h"
#include "server/http/hub_error.h"
#include "server/web/html.h"

namespace mhub::server::web {

// What the website keeps beside the hub's stores (one per HubContext, made on first use).
class WebState {
 public:
  std::unique_ptr<WebAccountStore> accounts;
  std::unique_ptr<DiscussionStore> discussions;  // also used by the discussions API
};

// The website's state of `ctx`, opened on first use (`<data>/web.sqlite`, `discussions.sqlite`).
Result<WebState*> GetWebState(HubContext& ctx);

// True when `seg` (the split raw path) names a web page (or, for a browser asking for HTML, an
// unknown non-API path, which gets the 404 page).
bool IsWebRoute(const HttpRequest& req, const std::vector<std::string>& seg);
// Serves the page. Errors are answered as HTML pages here; the returned HubError is for failures
// of the website's own state (its database), which the router reports as JSON.
HubError HandleWebRoute(HubContext& ctx, const HttpRequest& req, HttpResponse& res, const Principal& who,
                        const std::vector<std::string>& seg);

// One page request, as the page functions see it.
struct WebCall {
  HubContext& ctx;
  const HttpRequest& req;
  HttpResponse& res;
  WebState& state;
  Visitor v;
  std::string session_id;                   // the cookie's value when signed in with a session
  std::map<std::string, std::string> form;  // a POST's url-encoded fields
};

// The session lifetime (30 days, renewed by signing in again).
inline constexpr int64_t kSessionTtlS = 30 * 24 * 3600;
inline constexpr const char* kSessionCookie = "mhub_session";
inline constexpr const char* kLoginCsrfCookie = "mhub_login_csrf";

// Value of cookie `name` in the request ("" when absent).
std::string CookieValue(const HttpRequest& req, std::string_view name);
// A Set-Cookie value with the flags every mhub cookie carries (HttpOnly; SameSite=Lax; Path=/;
// Secure when the visitor came over TLS). `max_age_s` 0 deletes the cookie.
std::string CookieHeader(const Visitor& v, std::string_view name, std::string_view value, int64_t max_age_s);
// The POST of a signed-in visitor carries the session's CSRF secret (and, when the browser sends
// Origin, comes from this site). On failure the 403 page is already written.
bool CheckCsrf(WebCall& call);
// Same origin check alone (for the sign-in form, which has its own double-submit cookie).
bool SameOrigin(const WebCall& call);

}  // namespace mhub::server::web
