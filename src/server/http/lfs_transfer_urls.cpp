// Signed LFS transfer URLs (see lfs_transfer_urls.h).
#include "server/http/lfs_transfer_urls.h"

#include <ctime>

#include "server/http/auth.h"

namespace mhub::server {
namespace {

// Who asked for a URL: the token's id and user, or 0 and "" for an anonymous download.
struct Grant {
  int64_t token_id = 0;
  std::string user;
};

Grant GrantOf(const Principal& who) {
  if (!who.authenticated) return {};
  return Grant{who.token.id, who.user()};
}

// The signed action names the grant, so `t` and `u` cannot be changed without breaking the
// signature.
std::string GrantedAction(const std::string& action, const Grant& grant) {
  return action + "\nt=" + std::to_string(grant.token_id) + "\nu=" + grant.user;
}

std::string GrantQuery(const Grant& grant) { return "&t=" + std::to_string(grant.token_id) + "&u=" + grant.user; }

// Multipart URLs sign the upload id, the chunk size and (for parts) the part number into the
// action, so none of them can be changed without breaking the signature.
std::string PartAction(const std::string& upload_id, uint64_t chunk, uint64_t part) {
  return "upload-part/" + upload_id + "/" + std::to_string(chunk) + "/" + std::to_string(part);
}
std::string CompleteAction(const std::string& upload_id, uint64_t chunk) {
  return "complete-multipart/" + upload_id + "/" + std::to_string(chunk);
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string SignedQuery(const RepoCall& call, const std::string& action, const std::string& oid, uint64_t size,
                        uint64_t chunk, int64_t expires) {
  const Grant grant = GrantOf(call.who);
  std::string sig = call.ctx.signer->Sign(GrantedAction(action, grant), call.key.ToString(), oid, size, expires);
  return "?size=" + std::to_string(size) + "&chunk=" + std::to_string(chunk) + "&exp=" + std::to_string(expires) +
         GrantQuery(grant) + "&sig=" + sig;
}

// The grant of a URL, re-checked now: the token still exists and its user still may read (or
// write) the repo.
Status CheckGrant(const RepoCall& call, const Grant& grant, bool write) {
  Principal who;
  if (grant.token_id != 0) {
    MHUB_ASSIGN_OR_RETURN(std::vector<TokenInfo> tokens, call.ctx.db->ListTokens(grant.user));
    for (const TokenInfo& t : tokens) {
      if (t.id == grant.token_id) {
        who.authenticated = true;
        who.token = t;
      }
    }
    if (!who.authenticated) return Status::PermissionDenied("the token that asked for this LFS URL was revoked");
  }
  if (write) return RequireWrite(call.ctx, who, call.key).status();
  return RequireRead(call.ctx, who, call.key).status();
}

Result<Grant> SignedGrant(const RepoCall& call) {
  Grant grant;
  const std::string t = call.req.Query("t");
  if (!t.empty()) {
    MHUB_ASSIGN_OR_RETURN(uint64_t id, ParseLfsDecimal(t));
    grant.token_id = static_cast<int64_t>(id);
  }
  grant.user = call.req.Query("u");
  return grant;
}

}  // namespace

Result<uint64_t> ParseLfsDecimal(const std::string& text) {
  if (text.empty() || text.size() > 19) return Status::InvalidArgument("missing or bad size");
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::InvalidArgument("missing or bad size");
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

std::string LfsObjectUrl(const RepoCall& call, const std::string& oid) {
  return RepoWebUrl(BaseUrl(call.ctx, call.req), call.key) + ".git/info/lfs/objects/" + oid;
}

Json SignedLfsAction(const RepoCall& call, const std::string& action, const std::string& url, const std::string& oid,
                     uint64_t size, int64_t ttl_s) {
  const int64_t expires = Now() + ttl_s;
  const Grant grant = GrantOf(call.who);
  std::string sig = call.ctx.signer->Sign(GrantedAction(action, grant), call.key.ToString(), oid, size, expires);
  std::string href =
      url + "?size=" + std::to_string(size) + "&exp=" + std::to_string(expires) + GrantQuery(grant) + "&sig=" + sig;
  return Json{{"href", href}, {"header", Json::object()}, {"expires_in", ttl_s}};
}

Result<Json> MultipartLfsUploadAction(const RepoCall& call, const std::string& oid, uint64_t size,
                                      const MultipartPlan& plan) {
  MHUB_ASSIGN_OR_RETURN(std::string upload_id, LfsMultipartStore::NewUploadId());
  const int64_t ttl = call.ctx.limits.lfs_url_ttl_s;
  const int64_t expires = Now() + ttl;
  const std::string base = LfsObjectUrl(call, oid) + "/multipart/" + upload_id;
  Json header = Json::object();
  header["chunk_size"] = std::to_string(plan.chunk_size);
  for (uint64_t n = 1; n <= plan.num_parts; ++n) {
    header[std::to_string(n)] =
        base + "/" + std::to_string(n) +
        SignedQuery(call, PartAction(upload_id, plan.chunk_size, n), oid, size, plan.chunk_size, expires);
  }
  std::string href =
      base + SignedQuery(call, CompleteAction(upload_id, plan.chunk_size), oid, size, plan.chunk_size, expires);
  return Json{{"href", href}, {"header", header}, {"expires_in", ttl}};
}

Result<uint64_t> CheckSignedLfsUrl(const RepoCall& call, const std::string& action, const std::string& oid) {
  MHUB_ASSIGN_OR_RETURN(uint64_t size, ParseLfsDecimal(call.req.Query("size")));
  MHUB_ASSIGN_OR_RETURN(uint64_t expires, ParseLfsDecimal(call.req.Query("exp")));
  MHUB_ASSIGN_OR_RETURN(Grant grant, SignedGrant(call));
  MHUB_RETURN_IF_ERROR(call.ctx.signer->Check(GrantedAction(action, grant), call.key.ToString(), oid, size,
                                              static_cast<int64_t>(expires), call.req.Query("sig")));
  MHUB_RETURN_IF_ERROR(CheckGrant(call, grant, action != "download"));
  return size;
}

Result<MultipartPlan> CheckMultipartLfsUrl(const RepoCall& call, const std::string& oid, const std::string& upload_id,
                                           uint64_t part, uint64_t* size) {
  if (!call.req.HasQuery("sig")) {
    return Status::PermissionDenied("multipart LFS URLs must carry the signature the batch API handed out");
  }
  MHUB_ASSIGN_OR_RETURN(*size, ParseLfsDecimal(call.req.Query("size")));
  MHUB_ASSIGN_OR_RETURN(uint64_t chunk, ParseLfsDecimal(call.req.Query("chunk")));
  MHUB_ASSIGN_OR_RETURN(uint64_t expires, ParseLfsDecimal(call.req.Query("exp")));
  MHUB_ASSIGN_OR_RETURN(Grant grant, SignedGrant(call));
  const std::string action = part > 0 ? PartAction(upload_id, chunk, part) : CompleteAction(upload_id, chunk);
  MHUB_RETURN_IF_ERROR(call.ctx.signer->Check(GrantedAction(action, grant), call.key.ToString(), oid, *size,
                                              static_cast<int64_t>(expires), call.req.Query("sig")));
  if (chunk == 0 || *size == 0) return Status::InvalidArgument("bad multipart URL");
  MultipartPlan plan{chunk, (*size + chunk - 1) / chunk};
  if (plan.num_parts > kMaxMultipartParts) return Status::InvalidArgument("bad multipart URL");
  MHUB_RETURN_IF_ERROR(CheckGrant(call, grant, /*write=*/true));
  return plan;
}

}  // namespace mhub::server
