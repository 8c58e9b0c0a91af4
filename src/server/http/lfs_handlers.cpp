// Git LFS: the batch API at /{prefix}{repo}.git/info/lfs/objects/batch (hub-api.md 7.2) and the
// transfer URLs it hands out. Those URLs carry an HMAC signature (lfs_signing.h), because both
// HF clients PUT the bytes without any Authorization header.
// Transfers: "basic" (one PUT of the whole object) for git-lfs, small objects and clients that do
// not offer "multipart"; "multipart" for objects larger than the chunk size when offered: one
// signed part URL per chunk (PUT, answers the part's ETag) and a signed completion URL (POST
// {"oid", "parts": [{"partNumber", "etag"}]}) that assembles and verifies the object
// (LfsMultipartStore). Part files live under <data>/lfs/multipart/<upload id>/.
#include <atomic>
#include <cstdlib>
#include <ctime>
#include <functional>

#include "mhub/server/lfs_multipart.h"
#include "mhub/server/lfs_pointer.h"
#include "server/http/handlers.h"
#include "server/http/lfs_complete_request.h"
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

// Multipart URLs sign the upload id, the chunk size and (for parts) the part number into the
// action, so none of them can be changed without breaking the signature.
std::string PartAction(const std::string& upload_id, uint64_t chunk, uint64_t part) {
  return "upload-part/" + upload_id + "/" + std::to_string(chunk) + "/" + std::to_string(part);
}
std::string CompleteAction(const std::string& upload_id, uint64_t chunk) {
  return "complete-multipart/" + upload_id + "/" + std::to_string(chunk);
}

std::string MultipartUrl(const RepoCall& call, const std::string& oid, const std::string& upload_id) {
  return ObjectUrl(call, oid) + "/multipart/" + upload_id;
}

std::string SignedQuery(const RepoCall& call, const std::string& action, const std::string& oid, uint64_t size,
                        uint64_t chunk, int64_t expires) {
  std::string sig = call.ctx.signer->Sign(action, call.key.ToString(), oid, size, expires);
  return "?size=" + std::to_string(size) + "&chunk=" + std::to_string(chunk) + "&exp=" + std::to_string(expires) +
         "&sig=" + sig;
}

uint64_t MultipartChunkSize(const HubContext& ctx) {
  static const uint64_t from_env = [] {
    const char* text = std::getenv("MHUB_LFS_CHUNK_SIZE");
    if (text == nullptr || *text == '\0') return uint64_t{0};
    char* end = nullptr;
    unsigned long long v = std::strtoull(text, &end, 10);
    return end != nullptr && *end == '\0' ? static_cast<uint64_t>(v) : uint64_t{0};
  }();
  return from_env > 0 ? from_env : ctx.limits.lfs_multipart_chunk;
}

// Upload directories of clients that never completed: gone after twice the URL lifetime. Swept
// from the batch handler, at most every ten minutes.
void SweepStaleUploads(HubContext& ctx) {
  static std::atomic<int64_t> last_sweep{0};
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  int64_t last = last_sweep.load();
  if (now - last < 600 || !last_sweep.compare_exchange_strong(last, now)) return;
  LfsMultipartStore(ctx.data_dir, ctx.lfs.get()).RemoveStale(2 * ctx.limits.lfs_url_ttl_s + 60);
}

// The upload action of the multipart transfer: `href` is the completion URL, `header` holds
// `chunk_size` and one signed part URL per part number ("1".."N").
Result<Json> MultipartUploadAction(const RepoCall& call, const std::string& oid, uint64_t size,
                                   const MultipartPlan& plan) {
  MHUB_ASSIGN_OR_RETURN(std::string upload_id, LfsMultipartStore::NewUploadId());
  const int64_t expires = static_cast<int64_t>(std::time(nullptr)) + call.ctx.limits.lfs_url_ttl_s;
  const std::string base = MultipartUrl(call, oid, upload_id);
  Json header = Json::object();
  header["chunk_size"] = std::to_string(plan.chunk_size);
  for (uint64_t n = 1; n <= plan.num_parts; ++n) {
    header[std::to_string(n)] =
        base + "/" + std::to_string(n) +
        SignedQuery(call, PartAction(upload_id, plan.chunk_size, n), oid, size, plan.chunk_size, expires);
  }
  std::string href =
      base + SignedQuery(call, CompleteAction(upload_id, plan.chunk_size), oid, size, plan.chunk_size, expires);
  return Json{{"href", href}, {"header", header}, {"expires_in", call.ctx.limits.lfs_url_ttl_s}};
}

bool OffersMultipart(const Json& body) {
  auto transfers = body.find("transfers");
  if (transfers == body.end() || !transfers->is_array()) return false;
  for (const auto& t : *transfers) {
    if (t.is_string() && t.get_ref<const std::string&>() == "multipart") return true;
  }
  return false;
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
  const bool multipart_offered = operation == "upload" && OffersMultipart(body);
  const uint64_t chunk = MultipartChunkSize(call.ctx);
  bool any_multipart = false;
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
        Json upload;
        if (multipart_offered && size > chunk) {
          MHUB_ASSIGN_OR_RETURN(upload, MultipartUploadAction(call, oid, size, PlanMultipart(size, chunk)));
          any_multipart = true;
        } else {
          upload = SignedAction(call, "upload", ObjectUrl(call, oid), oid, size);
        }
        out["actions"] = {{"upload", upload},
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
  if (any_multipart) SweepStaleUploads(call.ctx);
  SetJson(call.res,
          Json{{"transfer", any_multipart ? "multipart" : "basic"}, {"objects", objects}, {"hash_algo", "sha256"}});
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

namespace {

// The signed query of a multipart URL: total size and chunk, checked against `action_of(chunk)`.
Result<MultipartPlan> CheckMultipartUrl(const RepoCall& call, const std::string& oid, uint64_t* size,
                                        const std::function<std::string(uint64_t)>& action_of) {
  if (!call.req.HasQuery("sig")) {
    return Status::PermissionDenied("multipart LFS URLs must carry the signature the batch API handed out");
  }
  MHUB_ASSIGN_OR_RETURN(*size, ParseSize(call.req.Query("size")));
  MHUB_ASSIGN_OR_RETURN(uint64_t chunk, ParseSize(call.req.Query("chunk")));
  MHUB_ASSIGN_OR_RETURN(uint64_t expires, ParseSize(call.req.Query("exp")));
  MHUB_RETURN_IF_ERROR(call.ctx.signer->Check(action_of(chunk), call.key.ToString(), oid, *size,
                                              static_cast<int64_t>(expires), call.req.Query("sig")));
  if (chunk == 0 || *size == 0) return Status::InvalidArgument("bad multipart URL");
  MultipartPlan plan{chunk, (*size + chunk - 1) / chunk};
  if (plan.num_parts > kMaxMultipartParts) return Status::InvalidArgument("bad multipart URL");
  return plan;
}

}  // namespace

HubError HandleLfsMultipartPart(RepoCall& call, const std::string& oid, const std::string& upload_id,
                                const std::string& part_text) {
  if (!IsSha256Hex(oid)) return HubError::BadRequest("LFS oid must be 64 lowercase hex characters");
  if (!LfsMultipartStore::IsUploadId(upload_id)) return HubError::BadRequest("malformed multipart upload id");
  auto part = ParseSize(part_text);
  if (!part.ok() || *part == 0 || *part > kMaxMultipartParts) return HubError::BadRequest("bad part number");
  uint64_t size = 0;
  MHUB_ASSIGN_OR_RETURN(MultipartPlan plan, CheckMultipartUrl(call, oid, &size, [&](uint64_t chunk) {
                          return PartAction(upload_id, chunk, *part);
                        }));
  const uint64_t length = MultipartPartLength(size, plan, *part);
  if (length == 0) return HubError::BadRequest("part number out of range");
  LfsMultipartStore store(call.ctx.data_dir, call.ctx.lfs.get());
  MHUB_ASSIGN_OR_RETURN(auto writer, store.BeginPart(upload_id, *part, length));
  Status append_status;
  Status read_status = call.req.read_body ? call.req.read_body([&](const char* data, size_t n) {
    append_status = writer->Append(data, n);
    return append_status.ok();
  })
                                          : Status::OK();
  if (append_status.code() == StatusCode::kResourceExhausted) {
    return HubError::BadRequest(append_status.message());
  }
  MHUB_RETURN_IF_ERROR(append_status);
  MHUB_RETURN_IF_ERROR(read_status);
  MHUB_ASSIGN_OR_RETURN(std::string etag, writer->Commit());
  call.res.status = 200;
  call.res.SetHeader("ETag", etag);
  call.res.SetHeader("Access-Control-Expose-Headers", "ETag");
  call.res.body.clear();
  return {};
}

HubError HandleLfsMultipartComplete(RepoCall& call, const std::string& oid, const std::string& upload_id) {
  if (!IsSha256Hex(oid)) return HubError::BadRequest("LFS oid must be 64 lowercase hex characters");
  if (!LfsMultipartStore::IsUploadId(upload_id)) return HubError::BadRequest("malformed multipart upload id");
  uint64_t size = 0;
  MHUB_ASSIGN_OR_RETURN(MultipartPlan plan, CheckMultipartUrl(call, oid, &size, [&](uint64_t chunk) {
                          return CompleteAction(upload_id, chunk);
                        }));
  MHUB_ASSIGN_OR_RETURN(std::string body_text, call.req.ReadBody(call.ctx.limits.max_json_body));
  MHUB_ASSIGN_OR_RETURN(MultipartCompletionRequest request, ParseMultipartCompletion(body_text));
  if (request.oid != oid) return HubError::BadRequest("the completion oid does not match the upload URL");
  LfsMultipartStore store(call.ctx.data_dir, call.ctx.lfs.get());
  MHUB_RETURN_IF_ERROR(store.Complete(upload_id, oid, size, plan, request.parts));
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
