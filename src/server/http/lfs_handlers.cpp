// Git LFS: the batch API at /{prefix}{repo}.git/info/lfs/objects/batch (hub-api.md 7.2) and the
// transfer URLs it hands out. Those URLs carry an HMAC signature (lfs_signing.h), because both
// HF clients PUT the bytes without any Authorization header.
#include <ctime>

#include "mhub/server/lfs_pointer.h"
#include "server/http/handlers.h"
#include "server/http/url_codec.h"

namespace mhub::server {
namespace {

constexpr const char* kLfsJson = "application/vnd.git-lfs+json";

std::string ObjectUrl(const RepoCall& call, const std::string& oid) {
  return RepoWebUrl(BaseUrl(call.ctx, call.req), call.key) + ".git/info/lfs/objects/" + oid;
}

Json SignedAction(const RepoCall& call, const std::string& action, const std::string& url, const std::string& oid,
                  uint64_t size) {
  int64_t expires = static_cast<int64_t>(std::time(nullptr)) + call.ctx.limits.lfs_url_ttl_s;
  std::string sig = call.ctx.signer->Sign(action, call.key.ToString(), oid, size, expires);
  std::string href = url + "?size=" + std::to_string(size) + "&exp=" + std::to_string(expires) + "&sig=" + sig;
  return Json{{"href", href}, {"header", Json::object()}, {"expires_in", call.ctx.limits.lfs_url_ttl_s}};
}

Result<uint64_t> ParseSize(const std::string& text) {
  if (text.empty() || text.size() > 19) return Status::InvalidArgument("missing or bad size");
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::InvalidArgument("missing or bad size");
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// Checks the signed query (size, exp, sig) of a transfer URL for `action`.
Result<uint64_t> CheckSignedUrl(const RepoCall& call, const std::string& action, const std::string& oid) {
  MHUB_ASSIGN_OR_RETURN(uint64_t size, ParseSize(call.req.Query("size")));
  std::string exp_text = call.req.Query("exp");
  MHUB_ASSIGN_OR_RETURN(uint64_t expires, ParseSize(exp_text));
  MHUB_RETURN_IF_ERROR(call.ctx.signer->Check(action, call.key.ToString(), oid, size, static_cast<int64_t>(expires),
                                              call.req.Query("sig")));
  return size;
}

HubError Upload(RepoCall& call, const std::string& oid) {
  uint64_t size = 0;
  if (call.req.HasQuery("sig")) {
    MHUB_ASSIGN_OR_RETURN(size, CheckSignedUrl(call, "upload", oid));
  } else {
    MHUB_RETURN_IF_ERROR(RequireWrite(call.ctx, call.who, call.key).status());
    std::string length = call.req.Header("Content-Length");
    MHUB_ASSIGN_OR_RETURN(size, ParseSize(length));
  }
  if (size > call.ctx.limits.max_lfs_object) return HubError(Status::ResourceExhausted("LFS object too large"));
  MHUB_ASSIGN_OR_RETURN(auto writer, call.ctx.lfs->BeginWrite(oid, size));
  Status append_status;
  Status read_status = call.req.read_body ? call.req.read_body([&](const char* data, size_t n) {
    append_status = writer->Append(data, n);
    return append_status.ok();
  })
                                          : Status::OK();
  MHUB_RETURN_IF_ERROR(append_status);
  MHUB_RETURN_IF_ERROR(read_status);
  MHUB_RETURN_IF_ERROR(writer->Commit());
  call.res.status = 200;
  call.res.SetHeader("ETag", "\"" + oid + "\"");
  call.res.content_type = kLfsJson;
  call.res.body = "{}";
  return {};
}

HubError Download(RepoCall& call, const std::string& oid) {
  if (call.req.HasQuery("sig")) {
    MHUB_RETURN_IF_ERROR(CheckSignedUrl(call, "download", oid).status());
  } else {
    MHUB_RETURN_IF_ERROR(RequireRead(call.ctx, call.who, call.key).status());
  }
  auto size = call.ctx.lfs->Size(oid);
  if (!size.ok()) return HubError(Status::NotFound("LFS object " + oid + " not found"), "EntryNotFound", 404);
  call.res.status = 200;
  call.res.content_type = "application/octet-stream";
  call.res.SetHeader("ETag", "\"" + oid + "\"");
  if (call.req.method == "HEAD") {
    call.res.head_content_length = *size;
  } else {
    call.res.file = FileBody{call.ctx.lfs->PathOf(oid), 0, *size, false};
  }
  return {};
}

}  // namespace

HubError HandleLfsBatch(RepoCall& call) {
  MHUB_ASSIGN_OR_RETURN(std::string body_text, call.req.ReadBody(call.ctx.limits.max_json_body));
  MHUB_ASSIGN_OR_RETURN(Json body, ParseJson(body_text, "LFS batch request"));
  if (!body.is_object()) return HubError::BadRequest("LFS batch request must be a JSON object");
  MHUB_ASSIGN_OR_RETURN(std::string operation, JsonString(body, "operation", "batch"));
  if (operation != "upload" && operation != "download") {
    return HubError::BadRequest("operation must be upload or download");
  }
  if (operation == "upload") {
    MHUB_RETURN_IF_ERROR(RequireWrite(call.ctx, call.who, call.key).status());
  } else {
    MHUB_RETURN_IF_ERROR(RequireRead(call.ctx, call.who, call.key).status());
  }
  if (!body.contains("objects") || !body["objects"].is_array()) return HubError::BadRequest("objects must be a list");
  if (body["objects"].size() > 10000) return HubError::BadRequest("too many objects in one batch (at most 10000)");
  Json objects = Json::array();
  for (const auto& o : body["objects"]) {
    Json out{{"oid", o.contains("oid") ? o["oid"] : Json("")}, {"size", o.contains("size") ? o["size"] : Json(0)}};
    if (!o.is_object() || !o.contains("oid") || !o["oid"].is_string() || !IsSha256Hex(o["oid"].get<std::string>()) ||
        !o.contains("size") || !o["size"].is_number_unsigned()) {
      out["error"] = {{"code", 422}, {"message", "oid must be a sha256 hex string and size a non-negative integer"}};
      objects.push_back(out);
      continue;
    }
    std::string oid = o["oid"].get<std::string>();
    uint64_t size = o["size"].get<uint64_t>();
    auto stored = call.ctx.lfs->Size(oid);
    if (operation == "upload") {
      if (size > call.ctx.limits.max_lfs_object) {
        out["error"] = {{"code", 413}, {"message", "object is larger than this server accepts"}};
      } else if (!stored.ok() || *stored != size) {
        out["authenticated"] = true;
        out["actions"] = {{"upload", SignedAction(call, "upload", ObjectUrl(call, oid), oid, size)},
                          {"verify", SignedAction(call, "verify", ObjectUrl(call, oid) + "/verify", oid, size)}};
      }
    } else {
      if (!stored.ok() || *stored != size) {
        out["error"] = {{"code", 404}, {"message", "Object does not exist"}};
      } else {
        out["authenticated"] = true;
        out["actions"] = {{"download", SignedAction(call, "download", ObjectUrl(call, oid), oid, size)}};
      }
    }
    objects.push_back(out);
  }
  SetJson(call.res, Json{{"transfer", "basic"}, {"objects", objects}, {"hash_algo", "sha256"}});
  call.res.content_type = kLfsJson;
  return {};
}

HubError HandleLfsObject(RepoCall& call, const std::string& oid) {
  if (!IsSha256Hex(oid)) return HubError::BadRequest("LFS oid must be 64 lowercase hex characters");
  if (call.req.method == "PUT") return Upload(call, oid);
  if (call.req.method == "GET" || call.req.method == "HEAD") return Download(call, oid);
  return HubError(Status::InvalidArgument("method not allowed on an LFS object"), "", 405);
}

HubError HandleLfsVerify(RepoCall& call) {
  // Python posts {"oid", "size"} with its Authorization header; git-lfs uses the signed href.
  MHUB_ASSIGN_OR_RETURN(std::string body_text, call.req.ReadBody(call.ctx.limits.max_json_body));
  MHUB_ASSIGN_OR_RETURN(Json body, ParseJson(body_text, "LFS verify request"));
  MHUB_ASSIGN_OR_RETURN(std::string oid, JsonString(body, "oid", "verify"));
  MHUB_ASSIGN_OR_RETURN(int64_t size, JsonInt(body, "size", "verify"));
  if (!IsSha256Hex(oid)) return HubError::BadRequest("LFS oid must be 64 lowercase hex characters");
  if (call.req.HasQuery("sig")) {
    MHUB_ASSIGN_OR_RETURN(uint64_t signed_size, CheckSignedUrl(call, "verify", oid));
    if (static_cast<uint64_t>(size) != signed_size) return HubError::BadRequest("size does not match the signed URL");
  } else {
    MHUB_RETURN_IF_ERROR(RequireWrite(call.ctx, call.who, call.key).status());
  }
  auto stored = call.ctx.lfs->Size(oid);
  if (!stored.ok()) return HubError(Status::NotFound("LFS object " + oid + " was not uploaded"), "", 404);
  if (static_cast<int64_t>(*stored) != size) {
    return HubError(Status::InvalidArgument("LFS object " + oid + " has size " + std::to_string(*stored) + ", not " +
                                            std::to_string(size)),
                    "", 422);
  }
  SetJson(call.res, Json{{"oid", oid}, {"size", size}});
  call.res.content_type = kLfsJson;
  return {};
}

HubError HandleLfsLocksVerify(RepoCall& call) {
  MHUB_RETURN_IF_ERROR(RequireWrite(call.ctx, call.who, call.key).status());
  SetJson(call.res, Json{{"ours", Json::array()}, {"theirs", Json::array()}});
  call.res.content_type = kLfsJson;
  return {};
}

}  // namespace mhub::server
