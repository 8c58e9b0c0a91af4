// HTML building blocks of the website: escaping (every string that reaches a page goes through
// Escape or UrlPart), the page layout (header with search, nav, footer, ARIA landmarks) and the
// response headers every page carries (CSP without inline scripts, nosniff, no framing).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mhub/server/http_types.h"
#include "mhub/server/repo_path.h"
#include "server/http/auth.h"

namespace mhub::server::web {

// Text and attribute values: & < > " ' become entities.
std::string Escape(std::string_view text);
// One path segment or query value, percent-encoded (unreserved characters kept).
std::string UrlPart(std::string_view text);
// A repo path ("a/b c.txt"): each segment encoded, '/' kept.
std::string UrlPath(std::string_view path);
// "/datasets/ns/name" (models: "/ns/name").
std::string RepoHref(const RepoKey& key);
// "1.2 MB" style sizes, as the Hub prints them (powers of 1000).
std::string HumanSize(uint64_t bytes);
// "1.2k", "3.4M".
std::string HumanCount(int64_t n);
// "2026-12-07" from ms since epoch (UTC).
std::string DateText(int64_t ms);

// What the layout needs to know about the visitor.
struct Visitor {
  Principal who;        // authenticated from the session cookie or an Authorization header
  std::string csrf;     // the session's CSRF secret ("" when signed out)
  bool secure = false;  // the request came over TLS (directly or via X-Forwarded-Proto)
};

// The whole document around `main_html`: <header> (logo, search form, nav, account), <main>,
// <footer>. `title` is escaped here.
std::string RenderPage(const Visitor& v, std::string_view title, std::string_view main_html,
                       std::string_view search_value = "");
// Sets status, content type, body and the security headers of every page.
void SendHtml(HttpResponse& res, int status, std::string html);
// A hidden CSRF field for a form of the signed-in visitor.
std::string CsrfField(const Visitor& v);
// A complete "not found" page (status 404).
void SendNotFound(const Visitor& v, HttpResponse& res, std::string_view what);
// A page with one message (errors of forms); `status` as given.
void SendMessage(const Visitor& v, HttpResponse& res, int status, std::string_view title, std::string_view message);
// 303 See Other to `location` (after a form POST).
void SendRedirect(HttpResponse& res, const std::string& location);

}  // namespace mhub::server::web
