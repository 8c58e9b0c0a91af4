#include "server/discussions/discussion_handlers.h"

#include "server/discussions/discussion_ops.h"

namespace mhub::server {
namespace {

constexpr int64_t kPageSize = 50;

HubError MethodNotAllowed(const HttpRequest& req) {
  return HubError(Status::InvalidArgument("method " + req.method + " is not allowed on " + req.raw_path), "", 405);
}

// The JSON body (an empty body is {}); BadRequest when it is not an object.
Result<Json> JsonBody(const RepoCall& call) {
  MHUB_ASSIGN_OR_RETURN(std::string text, call.req.ReadBody(call.ctx.limits.max_json_body));
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return Json::object();
  MHUB_ASSIGN_OR_RETURN(Json body, ParseJson(text, "request body"));
  if (!body.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  return body;
}

// body[name] as a string ("" when absent); InvalidArgument for another type.
Result<std::string> StringField(const Json& body, const char* name) {
  if (!body.contains(name) || body[name].is_null()) return std::string();
  if (!body[name].is_string()) return Status::InvalidArgument(std::string("'") + name + "' must be a string");
  return body[name].get<std::string>();
}

Result<int64_t> ParseNum(const std::string& text) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::NotFound("Discussion " + text.substr(0, 20) + " not found");
  }
  return std::stoll(text);
}

HubError List(RepoCall& call, DiscussionScope& s) {
  DiscussionFilter f;
  f.type = call.req.Query("type").empty() ? "all" : call.req.Query("type");
  f.status = call.req.Query("status").empty() ? "all" : call.req.Query("status");
  f.author = call.req.Query("author");
  if (f.type != "all" && f.type != "discussion" && f.type != "pull_request") {
    return HubError::BadRequest("type must be all, discussion or pull_request");
  }
  if (f.status != "all" && f.status != "open" && f.status != "closed" && f.status != "merged" && f.status != "draft") {
    return HubError::BadRequest("status must be all, open, closed, merged or draft");
  }
  std::string p = call.req.Query("p");
  int64_t page = 0;
  if (!p.empty()) {
    if (p.size() > 6 || p.find_first_not_of("0123456789") != std::string::npos) {
      return HubError::BadRequest("p must be a page number");
    }
    page = std::stoll(p);
  }
  f.offset = page * kPageSize;
  f.limit = kPageSize;
  MHUB_ASSIGN_OR_RETURN(DiscussionPage list, s.store.List(s.record.row_id, f));
  Json items = Json::array();
  for (const auto& d : list.items) items.push_back(DiscussionListItemJson(s, d));
  SetJson(call.res, Json{{"discussions", items},
                         {"count", list.count},
                         {"start", f.offset},
                         {"numClosedDiscussions", list.num_closed}});
  return {};
}

HubError Create(RepoCall& call, DiscussionScope& s) {
  MHUB_ASSIGN_OR_RETURN(Json body, JsonBody(call));
  MHUB_ASSIGN_OR_RETURN(std::string title, StringField(body, "title"));
  MHUB_ASSIGN_OR_RETURN(std::string description, StringField(body, "description"));
  bool pr = body.contains("pullRequest") && body["pullRequest"].is_boolean() && body["pullRequest"].get<bool>();
  MHUB_ASSIGN_OR_RETURN(Discussion d, CreateDiscussion(s, title, description, pr));
  MHUB_ASSIGN_OR_RETURN(Json out, DiscussionDetailsJson(s, d.num, false));
  out["url"] = RepoWebUrl(BaseUrl(call.ctx, call.req), s.record.key) + "/discussions/" + std::to_string(d.num);
  out["pullRequest"] = pr;
  SetJson(call.res, out);
  return {};
}

}  // namespace

HubError HandleDiscussionsApi(RepoCall& call, const std::vector<std::string>& rest) {
  const HttpRequest& req = call.req;
  bool get = req.method == "GET" || req.method == "HEAD";
  MHUB_ASSIGN_OR_RETURN(DiscussionScope s, OpenDiscussionScope(call.ctx, call.who, call.key));
  if (rest.empty()) {
    if (get) return List(call, s);
    if (req.method == "POST") return Create(call, s);
    return MethodNotAllowed(req);
  }
  MHUB_ASSIGN_OR_RETURN(int64_t num, ParseNum(rest[0]));
  if (rest.size() == 1) {
    if (!get) return MethodNotAllowed(req);
    MHUB_ASSIGN_OR_RETURN(Json out, DiscussionDetailsJson(s, num, req.QueryBool("diff")));
    SetJson(call.res, out);
    return {};
  }
  const std::string& action = rest[1];
  bool hide = rest.size() == 4 && action == "comment" && rest[3] == "hide";
  if (req.method != "POST" && !(hide && req.method == "PUT")) return MethodNotAllowed(req);
  MHUB_ASSIGN_OR_RETURN(Json body, JsonBody(call));
  if (rest.size() == 2 && action == "comment") {
    MHUB_ASSIGN_OR_RETURN(std::string text, StringField(body, "comment"));
    MHUB_ASSIGN_OR_RETURN(DiscussionEvent e, AddComment(s, num, text));
    SetJson(call.res, Json{{"newMessage", DiscussionEventJson(e)}});
    return {};
  }
  if (rest.size() == 4 && action == "comment" && rest[3] == "edit") {
    MHUB_ASSIGN_OR_RETURN(std::string text, StringField(body, "content"));
    MHUB_ASSIGN_OR_RETURN(DiscussionEvent e, EditComment(s, num, rest[2], text));
    SetJson(call.res, Json{{"updatedComment", DiscussionEventJson(e)}});
    return {};
  }
  if (hide) {
    MHUB_ASSIGN_OR_RETURN(DiscussionEvent e, HideComment(s, num, rest[2]));
    SetJson(call.res, Json{{"updatedComment", DiscussionEventJson(e)}});
    return {};
  }
  if (rest.size() == 2 && action == "title") {
    MHUB_ASSIGN_OR_RETURN(std::string title, StringField(body, "title"));
    MHUB_ASSIGN_OR_RETURN(DiscussionEvent e, RenameDiscussion(s, num, title));
    SetJson(call.res, Json{{"newTitle", DiscussionEventJson(e)}});
    return {};
  }
  if (rest.size() == 2 && action == "status") {
    MHUB_ASSIGN_OR_RETURN(std::string status, StringField(body, "status"));
    MHUB_ASSIGN_OR_RETURN(std::string comment, StringField(body, "comment"));
    MHUB_ASSIGN_OR_RETURN(DiscussionEvent e, ChangeStatus(s, num, status, comment));
    SetJson(call.res, Json{{"newStatus", DiscussionEventJson(e)}});
    return {};
  }
  if (rest.size() == 2 && action == "merge") {
    MHUB_ASSIGN_OR_RETURN(std::string comment, StringField(body, "comment"));
    MHUB_ASSIGN_OR_RETURN(DiscussionEvent e, MergePullRequest(s, num, comment));
    SetJson(call.res, Json{{"newStatus", DiscussionEventJson(e)}});
    return {};
  }
  return HubError(Status::NotFound("no such discussions route: " + action), "", 404);
}

}  // namespace mhub::server
