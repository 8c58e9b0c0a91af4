#include "server/http/hub_error.h"

#include "mhub/base/json.h"
#include "mhub/server/repo_errors.h"

namespace mhub::server {
namespace {

// Header values must stay on one line and in printable ASCII.
std::string HeaderSafe(const std::string& text) {
  std::string out;
  for (unsigned char c : text) out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : ' ');
  if (out.size() > 1000) out.resize(1000);
  return out;
}

}  // namespace

HubError HubError::RepoNotFound(const std::string& repo) {
  return HubError(Status::NotFound("Repository not found: " + repo), "RepoNotFound", 404);
}

HubError HubError::RevisionNotFound(const std::string& revision) {
  return HubError(Status::NotFound("Invalid rev id: " + revision), "RevisionNotFound", 404);
}

HubError HubError::EntryNotFound(const std::string& path, const std::string& commit) {
  HubError e(Status::NotFound("Entry not found: " + path), "EntryNotFound", 404);
  e.repo_commit_ = commit;
  return e;
}

HubError HubError::InvalidCredentials() {
  return HubError(Status::Unauthenticated(kInvalidCredentialsMessage), "", 401);
}

HubError HubError::GitAuthRequired(const std::string& message) {
  HubError e(Status::Unauthenticated(message), "", 401);
  e.basic_challenge_ = true;
  return e;
}

HubError HubError::NotImplemented(const std::string& what) {
  return HubError(Status::Unsupported(what + " is not implemented by this hub"), "NotImplemented", 501);
}

HubError HubError::Forbidden(const std::string& message) {
  return HubError(Status::PermissionDenied(message), "", 403);
}

HubError HubError::BadRequest(const std::string& message) {
  return HubError(Status::InvalidArgument(message), "", 400);
}

bool HubError::IsRepoNotFound() const {
  return !ok() &&
         (error_code_ == "RepoNotFound" || (error_code_.empty() && NotFoundKindOf(status_) == NotFoundKind::kRepo));
}

HubError HubError::ForAnonymous() const {
  HubError e(Status::Unauthenticated(status_.message()), "RepoNotFound", 401);
  e.repo_commit_ = repo_commit_;
  return e;
}

int HubError::http_status() const { return http_status_ != 0 ? http_status_ : HttpStatusFor(status_); }

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kConflict:
      return 409;
    case StatusCode::kResourceExhausted:
      return 413;
    case StatusCode::kUnsupported:
      return 501;
    case StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

void WriteHubError(const HubError& error, HttpResponse& res) {
  const std::string& message = error.status().message();
  res.status = error.http_status();
  res.file.reset();
  res.head_content_length.reset();
  res.content_type = "application/json; charset=utf-8";
  res.body = DumpJson(Json{{"error", message}});
  std::string code = error.error_code();
  if (code.empty()) code = std::string(NotFoundKindName(NotFoundKindOf(error.status())));
  if (!code.empty()) res.SetHeader("X-Error-Code", code);
  res.SetHeader("X-Error-Message", HeaderSafe(message));
  if (!error.repo_commit().empty()) res.SetHeader("X-Repo-Commit", error.repo_commit());
  if (error.basic_challenge()) res.SetHeader("WWW-Authenticate", "Basic realm=\"mhub\", charset=\"UTF-8\"");
}

}  // namespace mhub::server
