// HubError: a failed request as the Hub reports it. One function, WriteHubError, turns it into
// the HTTP status, the `{"error": ...}` JSON body and the X-Error-Code / X-Error-Message headers
// that huggingface_hub and @huggingface/hub read (hub-api.md 1.3).
//
// Handlers return HubError; an OK one means "the response is filled in". It converts implicitly
// from Status, so MHUB_RETURN_IF_ERROR / MHUB_ASSIGN_OR_RETURN work inside handlers.
#pragma once

#include <string>

#include "mhub/base/status.h"
#include "mhub/server/http_types.h"

namespace mhub::server {

// The exact message huggingface_hub needs on a 401 so that it does not read it as RepoNotFound.
inline constexpr const char* kInvalidCredentialsMessage = "Invalid credentials in Authorization header";

class HubError {
 public:
  HubError() = default;
  HubError(Status status) : status_(std::move(status)) {}  // NOLINT(google-explicit-constructor)
  HubError(Status status, std::string error_code, int http_status = 0)
      : status_(std::move(status)), error_code_(std::move(error_code)), http_status_(http_status) {}

  static HubError RepoNotFound(const std::string& repo);
  static HubError RevisionNotFound(const std::string& revision);
  // `commit` goes out as X-Repo-Commit (huggingface_hub caches the miss under it).
  static HubError EntryNotFound(const std::string& path, const std::string& commit);
  static HubError InvalidCredentials();
  // 401 + WWW-Authenticate: Basic, so git asks for a user name and token.
  static HubError GitAuthRequired(const std::string& message);
  static HubError NotImplemented(const std::string& what);
  static HubError Forbidden(const std::string& message);
  static HubError BadRequest(const std::string& message);

  // True for a RepoNotFound answer (by X-Error-Code or by the storage tag, repo_errors.h).
  bool IsRepoNotFound() const;
  // The same miss as the Hub tells an anonymous caller: 401 with X-Error-Code RepoNotFound, so the
  // repo's existence is not revealed and clients suggest signing in.
  HubError ForAnonymous() const;

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  const std::string& error_code() const { return error_code_; }
  int http_status() const;
  HubError& WithRepoCommit(std::string commit) {
    repo_commit_ = std::move(commit);
    return *this;
  }
  const std::string& repo_commit() const { return repo_commit_; }
  bool basic_challenge() const { return basic_challenge_; }

 private:
  Status status_;
  std::string error_code_;  // X-Error-Code, "" for none
  int http_status_ = 0;     // 0: chosen from the Status code
  std::string repo_commit_;
  bool basic_challenge_ = false;
};

// HTTP status for a Status code: InvalidArgument 400, Unauthenticated 401, PermissionDenied 403,
// NotFound 404, AlreadyExists/Conflict 409, ResourceExhausted 413, Unsupported 501,
// Unavailable 503, anything else 500.
int HttpStatusFor(const Status& status);

// Fills `res` with the error: status, JSON body {"error": message}, X-Error-Code (when set),
// X-Error-Message, X-Repo-Commit (when set).
void WriteHubError(const HubError& error, HttpResponse& res);

}  // namespace mhub::server
