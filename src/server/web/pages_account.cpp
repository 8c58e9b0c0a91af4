// Accounts on the website: /login (a token, or user + password), /logout, /settings/tokens
// (create read/write tokens, shown once; revoke) and /settings/password.
//
// The sign-in form has no session yet, so it is protected by a double-submit cookie (a random
// HttpOnly cookie set with the form and echoed in a hidden field) plus the Origin check. A session
// keeps the role of what signed it in: a read token gives a read session (no writes, no write
// tokens); a password gives write, as the account's owner.
#include <openssl/crypto.h>

#include "server/web/pages.h"

namespace mhub::server::web {
namespace {

std::string Field(const WebCall& call, const char* name) {
  auto it = call.form.find(name);
  return it == call.form.end() ? std::string() : it->second;
}

void LoginForm(WebCall& call, int status, const std::string& error) {
  std::string csrf = CookieValue(call.req, kLoginCsrfCookie);
  if (csrf.size() != 48 || csrf.find_first_not_of("0123456789abcdef") != std::string::npos) {
    csrf = RandomHex(24);
  }
  call.res.headers.emplace_back("Set-Cookie", CookieHeader(call.v, kLoginCsrfCookie, csrf, 3600));
  std::string field = "<input type=\"hidden\" name=\"csrf\" value=\"" + csrf + "\">";
  std::string body = "<h1>Sign in</h1>";
  if (!error.empty()) body += "<p class=\"banner\" role=\"alert\">" + Escape(error) + "</p>";
  body +=
      "<form class=\"stack\" method=\"post\" action=\"/login\" aria-labelledby=\"with-token\"><h2 id=\"with-token\">"
      "With an access token</h2>" +
      field +
      "<label for=\"token\">Token</label><input id=\"token\" name=\"token\" type=\"password\" "
      "autocomplete=\"off\" required><button type=\"submit\">Sign in with token</button></form>";
  body +=
      "<form class=\"stack\" method=\"post\" action=\"/login\" aria-labelledby=\"with-password\"><h2 "
      "id=\"with-password\">With your user name and password</h2>" +
      field +
      "<label for=\"username\">User name</label><input id=\"username\" name=\"username\" "
      "autocomplete=\"username\" required><label for=\"password\">Password</label><input id=\"password\" "
      "name=\"password\" type=\"password\" autocomplete=\"current-password\" required><button "
      "type=\"submit\">Sign in</button></form>";
  SendHtml(call.res, status, RenderPage(call.v, "Sign in", body));
}

bool RequireSignedIn(WebCall& call) {
  if (call.v.who.authenticated) return true;
  SendRedirect(call.res, "/login");
  return false;
}

}  // namespace

void PageLogin(WebCall& call) {
  if (call.req.method != "POST") return LoginForm(call, 200, "");
  std::string cookie = CookieValue(call.req, kLoginCsrfCookie);
  std::string sent = Field(call, "csrf");
  if (cookie.empty() || sent.size() != cookie.size() || CRYPTO_memcmp(sent.data(), cookie.data(), sent.size()) != 0 ||
      !SameOrigin(call)) {
    return SendMessage(call.v, call.res, 403, "Forbidden",
                       "This form was not sent from a page of this site (missing or wrong CSRF token). Reload the "
                       "sign-in page and try again.");
  }
  std::string user;
  TokenRole role = TokenRole::kRead;
  std::string token = Field(call, "token");
  if (!token.empty()) {
    auto info = call.ctx.db->LookupToken(token);
    if (!info.ok()) return LoginForm(call, 401, "Invalid token.");
    user = info->user;
    role = info->role;
  } else {
    user = Field(call, "username");
    auto ok = call.state.accounts->CheckPassword(user, Field(call, "password"));
    if (!ok.ok()) return SendMessage(call.v, call.res, 500, "Error", ok.status().ToString());
    if (user.empty() || !*ok) return LoginForm(call, 401, "Invalid user name or password.");
    role = TokenRole::kWrite;
  }
  auto sid = call.state.accounts->CreateSession(user, role, kSessionTtlS);
  if (!sid.ok()) return SendMessage(call.v, call.res, 500, "Error", sid.status().ToString());
  call.res.headers.emplace_back("Set-Cookie", CookieHeader(call.v, kSessionCookie, *sid, kSessionTtlS));
  call.res.headers.emplace_back("Set-Cookie", CookieHeader(call.v, kLoginCsrfCookie, "", 0));
  SendRedirect(call.res, "/");
}

void PageLogout(WebCall& call) {
  if (call.req.method != "POST") return SendMessage(call.v, call.res, 405, "Method not allowed", "Sign out with POST.");
  if (!CheckCsrf(call)) return;
  if (!call.session_id.empty()) (void)call.state.accounts->DeleteSession(call.session_id);
  call.res.headers.emplace_back("Set-Cookie", CookieHeader(call.v, kSessionCookie, "", 0));
  SendRedirect(call.res, "/");
}

void PageTokens(WebCall& call) {
  if (!RequireSignedIn(call)) return;
  const std::string& user = call.v.who.user();
  std::string created;
  if (call.req.method == "POST") {
    if (!CheckCsrf(call)) return;
    std::string name = Field(call, "name");
    std::string role_text = Field(call, "role");
    if (name.empty() || name.size() > 100) {
      return SendMessage(call.v, call.res, 400, "Bad token name", "A token needs a name of 1 to 100 characters.");
    }
    if (role_text != "read" && role_text != "write") {
      return SendMessage(call.v, call.res, 400, "Bad role", "role must be read or write");
    }
    TokenRole role = role_text == "write" ? TokenRole::kWrite : TokenRole::kRead;
    if (role == TokenRole::kWrite && !call.v.who.write_token()) {
      return SendMessage(call.v, call.res, 403, "Forbidden",
                         "You signed in with a read token: it cannot make write tokens.");
    }
    auto issued = call.ctx.db->CreateToken(user, name, role);
    if (!issued.ok()) return SendMessage(call.v, call.res, 500, "Error", issued.status().ToString());
    created =
        "<section class=\"note\" role=\"status\" aria-labelledby=\"new-token\"><h2 id=\"new-token\">New token "
        "created</h2><p>Copy it now: it will not be shown again.</p><p><code id=\"token-secret\">" +
        Escape(issued->secret) + "</code></p></section>";
  } else if (call.req.method != "GET" && call.req.method != "HEAD") {
    return SendMessage(call.v, call.res, 405, "Method not allowed", "GET or POST");
  }
  auto tokens = call.ctx.db->ListTokens(user);
  if (!tokens.ok()) return SendMessage(call.v, call.res, 500, "Error", tokens.status().ToString());
  std::string body = "<h1>Access tokens</h1>" + created;
  body +=
      "<table aria-label=\"Your tokens\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Role</th><th "
      "scope=\"col\">Created</th><th scope=\"col\"><span class=\"sr\">Actions</span></th></tr></thead><tbody>";
  for (const auto& t : *tokens) {
    body += "<tr><td>" + Escape(t.name) + "</td><td>" + std::string(TokenRoleName(t.role)) + "</td><td>" +
            DateText(t.created_ms) + "</td><td><form method=\"post\" action=\"/settings/tokens/" +
            std::to_string(t.id) + "/delete\">" + CsrfField(call.v) + "<button type=\"submit\" aria-label=\"Revoke " +
            Escape(t.name) + "\">Revoke</button></form></td></tr>";
  }
  body += "</tbody></table>";
  body +=
      "<form class=\"stack\" method=\"post\" action=\"/settings/tokens\" aria-labelledby=\"new\"><h2 id=\"new\">"
      "New token</h2>" +
      CsrfField(call.v) +
      "<label for=\"token-name\">Name</label><input id=\"token-name\" name=\"name\" required maxlength=\"100\">"
      "<label for=\"token-role\">Role</label><select id=\"token-role\" name=\"role\"><option "
      "value=\"read\">read</option><option value=\"write\">write</option></select><button type=\"submit\">"
      "Create token</button></form><p><a href=\"/settings/password\">Set a password</a></p>";
  SendHtml(call.res, 200, RenderPage(call.v, "Access tokens", body));
}

void PageTokenRevoke(WebCall& call, const std::string& id) {
  if (!RequireSignedIn(call)) return;
  if (call.req.method != "POST") return SendMessage(call.v, call.res, 405, "Method not allowed", "Revoke with POST.");
  if (!CheckCsrf(call)) return;
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) {
    return SendNotFound(call.v, call.res, "No such token.");
  }
  Status st = call.ctx.db->RevokeToken(call.v.who.user(), std::stoll(id));
  if (!st.ok()) return SendNotFound(call.v, call.res, "No such token.");
  SendRedirect(call.res, "/settings/tokens");
}

void PagePassword(WebCall& call) {
  if (!RequireSignedIn(call)) return;
  std::string message;
  if (call.req.method == "POST") {
    if (!CheckCsrf(call)) return;
    if (!call.v.who.write_token()) {
      return SendMessage(call.v, call.res, 403, "Forbidden", "Sign in with a write token or your password first.");
    }
    std::string pw = Field(call, "password");
    if (pw != Field(call, "confirm")) return SendMessage(call.v, call.res, 400, "Mismatch", "The passwords differ.");
    Status st = call.state.accounts->SetPassword(call.v.who.user(), pw);
    if (!st.ok()) return SendMessage(call.v, call.res, 400, "Password refused", st.message());
    message = "<p class=\"note\" role=\"status\">Password saved.</p>";
  }
  std::string body = "<h1>Password</h1>" + message +
                     "<form class=\"stack\" method=\"post\" action=\"/settings/password\">" + CsrfField(call.v) +
                     "<label for=\"pw\">New password (8 characters or more)</label><input id=\"pw\" name=\"password\" "
                     "type=\"password\" autocomplete=\"new-password\" required minlength=\"8\"><label "
                     "for=\"pw2\">Repeat it</label><input id=\"pw2\" name=\"confirm\" type=\"password\" "
                     "autocomplete=\"new-password\" required><button type=\"submit\">Save password</button></form>";
  SendHtml(call.res, 200, RenderPage(call.v, "Password", body));
}

}  // namespace mhub::server::web
