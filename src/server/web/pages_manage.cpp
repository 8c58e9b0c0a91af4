// Managing repos from the browser: /new, /{id}/settings (visibility, delete with confirmation) and
// /{id}/edit/{rev}/{path} (add or edit a text file with a commit message). Each form is turned
// into the same request the API takes and handed to the API's own handler, so the website cannot
// do anything the API would refuse (names, permissions, limits are checked in one place).
#include "mhub/base/base64.h"
#include "server/http/handlers.h"
#include "server/web/pages.h"

namespace mhub::server::web {
namespace {

std::string Field(const WebCall& call, const char* name) {
  auto it = call.form.find(name);
  return it == call.form.end() ? std::string() : it->second;
}

// An API request carrying `body`, as if the signed-in visitor had sent it.
HttpRequest ApiRequest(const WebCall& call, const std::string& method, const std::string& content_type,
                       std::string body) {
  HttpRequest r;
  r.method = method;
  r.target = r.raw_path = call.req.raw_path;
  r.headers = {{"Content-Type", content_type}, {"Host", call.req.Header("Host")}};
  r.remote_addr = call.req.remote_addr;
  r.content_length = body.size();
  auto shared = std::make_shared<std::string>(std::move(body));
  r.read_body = [shared](const BodyChunkSink& sink) -> Status {
    if (!shared->empty()) sink(shared->data(), shared->size());
    return Status::OK();
  };
  return r;
}

// The error page for a refused API call (its status and message).
void SendApiError(WebCall& call, const HubError& error) {
  SendMessage(call.v, call.res, error.http_status(), "Not done", error.status().message());
}

// RequireWrite for a page: the record, or the 404 / 403 page written and nullopt.
std::optional<RepoRecord> WritableRepo(WebCall& call, const RepoKey& key) {
  auto record = ReadableRepo(call, key);
  if (!record) return std::nullopt;
  if (!RequireWrite(call.ctx, call.v.who, key).ok()) {
    SendMessage(call.v, call.res, 403, "Forbidden", "You may not change " + key.id.ToString() + ".");
    return std::nullopt;
  }
  return record;
}

}  // namespace

void PageNewRepo(WebCall& call) {
  if (!call.v.who.authenticated) return SendRedirect(call.res, "/login");
  if (call.req.method == "POST") {
    if (!CheckCsrf(call)) return;
    std::string type = Field(call, "type");
    if (type != "model" && type != "dataset" && type != "space") type = "model";
    Json body{{"type", type}, {"name", Field(call, "name")}, {"private", Field(call, "private") == "on"}};
    std::string owner = Field(call, "owner");
    if (!owner.empty() && owner != call.v.who.user()) body["organization"] = owner;
    if (!Field(call, "license").empty()) body["license"] = Field(call, "license");
    if (type == "space") body["sdk"] = "static";
    HttpRequest api = ApiRequest(call, "POST", "application/json", body.dump());
    HttpResponse api_res;
    HubError error = HandleCreateRepo(call.ctx, api, call.v.who, api_res);
    if (!error.ok()) return SendApiError(call, error);
    std::string ns = owner.empty() ? call.v.who.user() : owner;
    auto id = MakeRepoId(ns, Field(call, "name"));
    auto parsed_type = ParseRepoType(type);
    if (!id.ok() || !parsed_type.ok()) return SendRedirect(call.res, "/");
    return SendRedirect(call.res, RepoHref(RepoKey{*parsed_type, *id}));
  }
  std::string owners = "<option>" + Escape(call.v.who.user()) + "</option>";
  if (auto ms = call.ctx.db->ListMemberships(call.v.who.user()); ms.ok()) {
    for (const auto& m : *ms) {
      if (m.role != OrgRole::kRead) owners += "<option>" + Escape(m.org) + "</option>";
    }
  }
  std::string body = "<h1>Create a new repository</h1><form class=\"stack\" method=\"post\" action=\"/new\">" +
                     CsrfField(call.v) +
                     "<label for=\"type\">Type</label><select id=\"type\" name=\"type\"><option>model</option>"
                     "<option>dataset</option><option>space</option></select><label for=\"owner\">Owner</label>"
                     "<select id=\"owner\" name=\"owner\">" +
                     owners +
                     "</select><label for=\"name\">Name</label><input id=\"name\" name=\"name\" required "
                     "maxlength=\"96\"><label for=\"license\">License</label><input id=\"license\" name=\"license\" "
                     "placeholder=\"apache-2.0\"><label><input type=\"checkbox\" name=\"private\"> Private</label>"
                     "<button type=\"submit\">Create repository</button></form>";
  SendHtml(call.res, 200, RenderPage(call.v, "New repository", body));
}

void PageRepoSettings(WebCall& call, const RepoKey& key) {
  auto record = WritableRepo(call, key);
  if (!record) return;
  if (call.req.method == "POST") {
    if (!CheckCsrf(call)) return;
    std::string action = Field(call, "action");
    HttpResponse api_res;
    if (action == "visibility") {
      HttpRequest api =
          ApiRequest(call, "PUT", "application/json", Json{{"private", Field(call, "visibility") == "private"}}.dump());
      RepoCall rc{call.ctx, api, api_res, call.v.who, key};
      HubError error = HandleRepoSettings(rc);
      if (!error.ok()) return SendApiError(call, error);
      return SendRedirect(call.res, RepoHref(key) + "/settings");
    }
    if (action == "rename") {
      // The API's move (admin_handlers.cpp): the old name keeps answering with a redirect.
      std::string to = Field(call, "to");
      if (to.find('/') == std::string::npos) to = key.id.ns + "/" + to;
      Json body{{"fromRepo", key.id.ToString()}, {"toRepo", to}, {"type", std::string(RepoTypeName(key.type))}};
      HttpRequest api = ApiRequest(call, "POST", "application/json", body.dump());
      HubError error = HandleMoveRepo(call.ctx, api, call.v.who, api_res);
      if (!error.ok()) return SendApiError(call, error);
      auto id = ParseRepoId(to);
      return SendRedirect(call.res, id.ok() ? RepoHref(RepoKey{key.type, *id}) : std::string("/"));
    }
    if (action == "delete") {
      if (Field(call, "confirm") != key.id.ToString()) {
        return SendMessage(call.v, call.res, 400, "Not deleted",
                           "Type the full name " + key.id.ToString() + " to confirm the deletion.");
      }
      Json body{{"type", std::string(RepoTypeName(key.type))}, {"name", key.id.name}, {"organization", key.id.ns}};
      HttpRequest api = ApiRequest(call, "DELETE", "application/json", body.dump());
      HubError error = HandleDeleteRepo(call.ctx, api, call.v.who, api_res);
      if (!error.ok()) return SendApiError(call, error);
      return SendRedirect(call.res, "/");
    }
    return SendMessage(call.v, call.res, 400, "Bad request", "unknown settings action");
  }
  if (call.req.method != "GET" && call.req.method != "HEAD") {
    return SendMessage(call.v, call.res, 405, "Method not allowed", "GET or POST");
  }
  std::string action = RepoHref(key) + "/settings";
  std::string body = RepoHeader(call, *record, "settings");
  body += "<form class=\"stack\" method=\"post\" action=\"" + action +
          "\" aria-labelledby=\"vis\"><h2 id=\"vis\">"
          "Visibility</h2>" +
          CsrfField(call.v) +
          "<input type=\"hidden\" name=\"action\" value=\"visibility\"><label><input type=\"radio\" "
          "name=\"visibility\" value=\"public\"" +
          (record->is_private ? "" : " checked") +
          "> Public</label><label><input type=\"radio\" name=\"visibility\" value=\"private\"" +
          (record->is_private ? " checked" : "") +
          "> Private</label><button type=\"submit\">Save visibility</button></form>";
  body += "<form class=\"stack\" method=\"post\" action=\"" + action +
          "\" aria-labelledby=\"ren\"><h2 id=\"ren\">Rename or transfer</h2>" + CsrfField(call.v) +
          "<input type=\"hidden\" name=\"action\" value=\"rename\"><label for=\"to\">New name (name or "
          "owner/name)</label><input id=\"to\" name=\"to\" required value=\"" +
          Escape(key.id.ToString()) + "\"><button type=\"submit\">Rename</button></form>";
  body += "<form class=\"stack\" method=\"post\" action=\"" + action +
          "\" aria-labelledby=\"del\"><h2 id=\"del\">"
          "Delete this repository</h2>" +
          CsrfField(call.v) +
          "<input type=\"hidden\" name=\"action\" value=\"delete\"><label for=\"confirm\">Type <strong>" +
          Escape(key.id.ToString()) +
          "</strong> to confirm</label><input id=\"confirm\" name=\"confirm\" required autocomplete=\"off\"><button "
          "type=\"submit\">Delete repository</button></form>";
  SendHtml(call.res, 200, RenderPage(call.v, "Settings of " + key.id.ToString(), body));
}

void PageEditFile(WebCall& call, const RepoKey& key, const std::string& rev, const std::string& path) {
  auto record = WritableRepo(call, key);
  if (!record) return;
  if (call.req.method == "POST") {
    if (!CheckCsrf(call)) return;
    std::string target = path.empty() ? Field(call, "path") : path;
    std::string summary = Field(call, "summary");
    if (summary.empty()) summary = "Update " + target;
    std::string ndjson =
        Json{{"key", "header"}, {"value", {{"summary", summary}, {"description", Field(call, "description")}}}}.dump() +
        "\n" +
        Json{{"key", "file"},
             {"value", {{"path", target}, {"encoding", "base64"}, {"content", Base64Encode(Field(call, "content"))}}}}
            .dump() +
        "\n";
    HttpRequest api = ApiRequest(call, "POST", "application/x-ndjson", std::move(ndjson));
    HttpResponse api_res;
    RepoCall rc{call.ctx, api, api_res, call.v.who, key};
    HubError error = HandleCommit(rc, rev);
    if (!error.ok()) return SendApiError(call, error);
    return SendRedirect(call.res, RepoHref(key) + "/blob/" + UrlPart(rev) + "/" + UrlPath(target));
  }
  if (call.req.method != "GET" && call.req.method != "HEAD") {
    return SendMessage(call.v, call.res, 405, "Method not allowed", "GET or POST");
  }
  std::string content;
  if (!path.empty()) {
    if (auto sha = call.ctx.repos->ResolveRevision(key, rev); sha.ok()) {
      if (auto blob = call.ctx.repos->ReadFile(key, *sha, path); blob.ok() && !blob->lfs) content = blob->data;
    }
  }
  std::string action = RepoHref(key) + "/edit/" + UrlPart(rev) + (path.empty() ? "" : "/" + UrlPath(path));
  std::string body = RepoHeader(call, *record, "files");
  body += "<h2>" + std::string(path.empty() ? "New file" : "Edit " + Escape(path)) + " on " + Escape(rev) +
          "</h2><form class=\"stack wide\" method=\"post\" action=\"" + action + "\">" + CsrfField(call.v);
  if (path.empty()) body += "<label for=\"path\">File path</label><input id=\"path\" name=\"path\" required>";
  body += "<label for=\"content\">Content</label><textarea id=\"content\" name=\"content\" rows=\"20\">" +
          Escape(content) +
          "</textarea><label for=\"summary\">Commit message</label><input id=\"summary\" name=\"summary\"><label "
          "for=\"description\">Extended description</label><textarea id=\"description\" name=\"description\" "
          "rows=\"3\"></textarea><button type=\"submit\">Commit changes</button></form>";
  SendHtml(call.res, 200, RenderPage(call.v, "Edit " + key.id.ToString(), body));
}

}  // namespace mhub::server::web
