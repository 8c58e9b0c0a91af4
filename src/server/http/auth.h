// Who is asking (Bearer token, or Basic auth with the token as password for git) and what they
// may do with a repo, answered the way the Hub answers (hub-api.md 1.2, 1.3):
// a private repo is RepoNotFound (404) to anyone who may not read it; writing needs a write
// token of the owner or of a write/admin member of the owning org (else 401 anonymous, 403).
#pragma once

#include <string>

#include "mhub/base/result.h"
#include "mhub/server/http_types.h"
#include "mhub/server/metadata_db.h"
#include "server/http/hub_context.h"

namespace mhub::server {

struct Principal {
  bool authenticated = false;
  TokenInfo token;  // valid when authenticated; token.user is the user name

  const std::string& user() const { return token.user; }
  bool write_token() const { return authenticated && token.role == TokenRole::kWrite; }
};

// Reads `Authorization: Bearer <token>` or `Basic base64(user:token)`. No header: anonymous.
// A token that is unknown: Unauthenticated with kInvalidCredentialsMessage.
Result<Principal> Authenticate(HubContext& ctx, const HttpRequest& req);

// The repo's record when `who` may read it; RepoNotFound otherwise (also for a missing repo).
Result<RepoRecord> RequireRead(HubContext& ctx, const Principal& who, const RepoKey& key);
// The repo's record when `who` may write it. RepoNotFound when not readable; Unauthenticated
// when anonymous; PermissionDenied for a read token or a namespace `who` cannot write.
Result<RepoRecord> RequireWrite(HubContext& ctx, const Principal& who, const RepoKey& key);
// For creating/moving into `ns`: Unauthenticated / PermissionDenied as above.
Status RequireNamespaceWrite(HubContext& ctx, const Principal& who, const std::string& ns);

// A 401 answer to a request that sent no Authorization header says so first ("missing
// Authorization header: ..."), in X-Error-Message and the JSON "error"; X-Error-Code is kept,
// so clients still tell RepoNotFound from a login prompt.
void ExplainMissingAuthorization(const HttpRequest& req, HttpResponse& res);

}  // namespace mhub::server
