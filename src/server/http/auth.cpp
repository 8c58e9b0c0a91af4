#include "server/http/auth.h"

#include "mhub/base/json.h"
#include "mhub/server/repo_errors.h"
#include "server/http/hub_error.h"
#include "server/http/url_codec.h"

namespace mhub::server {

Result<Principal> Authenticate(HubContext& ctx, const HttpRequest& req) {
  Principal who;
  std::string header = req.Header("Authorization");
  if (header.empty()) return who;
  std::string secret;
  auto starts_with_ci = [&](std::string_view prefix) {
    return header.size() >= prefix.size() &&
           HeaderNameEquals(std::string_view(header).substr(0, prefix.size()), prefix);
  };
  if (starts_with_ci("Bearer ")) {
    secret = header.substr(7);
  } else if (starts_with_ci("Basic ")) {
    auto decoded = Base64Decode(header.substr(6));
    if (!decoded.ok()) return Status::Unauthenticated(kInvalidCredentialsMessage);
    size_t colon = decoded->find(':');
    secret = colon == std::string::npos ? *decoded : decoded->substr(colon + 1);
  } else {
    return Status::Unauthenticated(kInvalidCredentialsMessage);
  }
  while (!secret.empty() && secret.back() == ' ') secret.pop_back();
  while (!secret.empty() && secret.front() == ' ') secret.erase(secret.begin());
  if (secret.empty()) return Status::Unauthenticated(kInvalidCredentialsMessage);
  auto token = ctx.db->LookupToken(secret);
  if (!token.ok()) {
    if (token.status().code() == StatusCode::kUnauthenticated)
      return Status::Unauthenticated(kInvalidCredentialsMessage);
    return token.status();
  }
  who.authenticated = true;
  who.token = std::move(token).value();
  return who;
}

Result<RepoRecord> RequireRead(HubContext& ctx, const Principal& who, const RepoKey& key) {
  auto record = ctx.db->GetRepo(key);
  if (!record.ok()) {
    if (record.status().code() == StatusCode::kNotFound) return RepoNotFoundError(key.id.ToString());
    return record.status();
  }
  MHUB_ASSIGN_OR_RETURN(bool readable, ctx.db->CanRead(who.authenticated ? who.user() : "", *record));
  if (!readable) return RepoNotFoundError(key.id.ToString());
  return record;
}

Status RequireNamespaceWrite(HubContext& ctx, const Principal& who, const std::string& ns) {
  if (!who.authenticated) return Status::Unauthenticated("You must be authenticated with a write token to do this");
  if (who.token.role != TokenRole::kWrite) {
    return Status::PermissionDenied("This token has the read role; a write token is needed");
  }
  MHUB_ASSIGN_OR_RETURN(bool can_write, ctx.db->CanWriteNamespace(who.user(), ns));
  if (!can_write) return Status::PermissionDenied("You don't have the rights to write in namespace '" + ns + "'");
  return Status::OK();
}

Result<RepoRecord> RequireWrite(HubContext& ctx, const Principal& who, const RepoKey& key) {
  MHUB_ASSIGN_OR_RETURN(RepoRecord record, RequireRead(ctx, who, key));
  MHUB_RETURN_IF_ERROR(RequireNamespaceWrite(ctx, who, key.id.ns));
  if (record.disabled) return Status::PermissionDenied("Access to this resource is disabled.");
  return record;
}

void ExplainMissingAuthorization(const HttpRequest& req, HttpResponse& res) {
  if (res.status != 401 || req.HasHeader("Authorization")) return;
  static constexpr std::string_view kPrefix = "missing Authorization header: ";
  std::string message = res.Header("X-Error-Message");
  if (message.rfind(kPrefix, 0) == 0) return;
  res.SetHeader("X-Error-Message", std::string(kPrefix) + message);
  auto body = ParseJson(res.body, "error answer");
  if (body.ok() && body->is_object() && body->contains("error") && (*body)["error"].is_string()) {
    (*body)["error"] = std::string(kPrefix) + (*body)["error"].get<std::string>();
    res.body = DumpJson(*body);
  }
}

}  // namespace mhub::server
