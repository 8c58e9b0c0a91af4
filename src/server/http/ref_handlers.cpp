// Branch and tag create/delete (hub-api.md 6.5).
#include "mhub/server/repo_sync.h"
#include "server/http/handlers.h"

namespace mhub::server {
namespace {

CommitAuthor AuthorOf(const Principal& who) {
  CommitAuthor author;
  author.name = who.user();
  author.email = who.user() + "@users.noreply.mhub";
  return author;
}

Result<Json> OptionalJsonBody(const RepoCall& call) {
  MHUB_ASSIGN_OR_RETURN(std::string body, call.req.ReadBody(call.ctx.limits.max_json_body));
  if (body.empty()) return Json::object();
  MHUB_ASSIGN_OR_RETURN(Json j, ParseJson(body, "request body"));
  if (!j.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  return j;
}

}  // namespace

HubError HandleCreateBranch(RepoCall& call, const std::string& branch) {
  MHUB_RETURN_IF_ERROR(RequireWrite(call.ctx, call.who, call.key).status());
  MHUB_ASSIGN_OR_RETURN(Json body, OptionalJsonBody(call));
  MHUB_ASSIGN_OR_RETURN(std::string start, JsonStringOr(body, "startingPoint", "body", "main"));
  MHUB_ASSIGN_OR_RETURN(bool empty, JsonBoolOr(body, "emptyBranch", "body", false));
  MHUB_ASSIGN_OR_RETURN(bool overwrite, JsonBoolOr(body, "overwrite", "body", false));
  MHUB_RETURN_IF_ERROR(ValidateRefName(branch));
  if (!empty) {
    auto resolved = call.ctx.repos->ResolveRevision(call.key, start);
    if (!resolved.ok()) return resolved.status();
  }
  MHUB_RETURN_IF_ERROR(call.ctx.repos->CreateBranch(call.key, branch, start, overwrite, empty, AuthorOf(call.who)));
  if (branch == "main") {
    MHUB_RETURN_IF_ERROR(RefreshRepoMetadata(*call.ctx.repos, *call.ctx.db, call.key));
  }
  SetJson(call.res, Json::object());
  return {};
}

HubError HandleDeleteBranch(RepoCall& call, const std::string& branch) {
  MHUB_RETURN_IF_ERROR(RequireWrite(call.ctx, call.who, call.key).status());
  MHUB_RETURN_IF_ERROR(call.ctx.repos->DeleteBranch(call.key, branch));
  SetJson(call.res, Json::object());
  return {};
}

HubError HandleCreateTag(RepoCall& call, const std::string& revision) {
  MHUB_RETURN_IF_ERROR(RequireWrite(call.ctx, call.who, call.key).status());
  MHUB_ASSIGN_OR_RETURN(Json body, OptionalJsonBody(call));
  MHUB_ASSIGN_OR_RETURN(std::string tag, JsonString(body, "tag", "body"));
  MHUB_ASSIGN_OR_RETURN(std::string message, JsonStringOr(body, "message", "body", ""));
  MHUB_RETURN_IF_ERROR(ValidateRefName(tag));
  MHUB_RETURN_IF_ERROR(call.ctx.repos->CreateTag(call.key, tag, revision, message, AuthorOf(call.who)));
  SetJson(call.res, Json::object());
  return {};
}

HubError HandleDeleteTag(RepoCall& call, const std::string& tag) {
  MHUB_RETURN_IF_ERROR(RequireWrite(call.ctx, call.who, call.key).status());
  MHUB_RETURN_IF_ERROR(call.ctx.repos->DeleteTag(call.key, tag));
  SetJson(call.res, Json::object());
  return {};
}

}  // namespace mhub::server
