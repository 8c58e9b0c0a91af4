// Git LFS: the batch API at /{prefix}{repo}.git/info/lfs/objects/batch (hub-api.md 7.2) and the
// transfer URLs it hands out. Those URLs carry an HMAC signature (lfs_signing.h), because both
// HF clients PUT the bytes without any Authorization header.
// Transfers: "basic" (one PUT of the whole object) for git-lfs, small objects and clients that do
// not offer "multipart"; "multipart" for objects larger than the chunk size when offered: one
// signed part URL per chunk (PUT, answers the part's ETag) and a signed completion URL (POST
// {"oid", "parts": [{"partNumber", "etag"}]}) that assembles and verifies the object
// (LfsMultipartStore). Part files live under <data>/lfs/multipart/<upload id>/.
// Access is per repo (lfs_access.h): every read, batch and verify asks whether this repo holds
// the object; completed uploads record that it does. The signed URLs and their checks are in
// lfs_transfer_urls.h.
#include <atomic>
#include <cstdlib>
#include <ctime>
#include <functional>

#include "mhub/server/lfs_access.h"
#include "mhub/server/lfs_multipart.h"
#include "mhub/server/lfs_pointer.h"
#include "server/http/handlers.h"
#include "server/http/lfs_complete_request.h"
#include "server/http/lfs_setup.h"
#include "server/http/lfs_transfer_urls.h"

namespace mhub::server {
namespace {

constexpr const char* kLfsJson = "application/vnd.git-lfs+json";

// Caps of one batch request and its answer. git-lfs asks for at most 100 objects per batch
// (lfs.transfer.batchSize), huggingface_hub for 256 (UPLOAD_BATCH_MAX_NUM_FILES), so 1000 leaves
// room; the answer stays a few MB: 1000 basic actions (~1 KB each) plus at most
// kMaxPartUrlsPerBatch part URLs (~300 B each). An object past the part budget gets a basic
// (single PUT) action, which every client also takes.
constexpr size_t kMaxBatchObjects = 1000;
constexpr size_t kMaxBatchBody = 1u << 20;  // 1000 objects of ~110 bytes, with room
constexpr uint64_t kMaxPartsPerObject = 1000;
constexpr uint64_t kMaxPartUrlsPerBatch = 10000;

// A batch-level error as git-lfs reads it (docs/api/batch.md: {"message"} with the LFS media
// type; 413 = too many objects or too large, 507 = insufficient storage); "error" is what the HF
// clients read.
HubError LfsBatchError(RepoCall& call, int status, const std::string& message) {
  SetJson(call.res, Json{{"message", message}, {"error", message}}, status);
  call.res.content_type = kLfsJson;
  call.res.SetHeader("X-Error-Message", message);
  return {};
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

// Parts of at least `chunk` bytes, grown (to whole MiB) so that no object has more than
// kMaxPartsPerObject parts.
MultipartPlan PlanParts(uint64_t size, uint64_t chunk) {
  constexpr uint64_t kMiB = 1ull << 20;
  const uint64_t floor = (size + kMaxPartsPerObject - 1) / kMaxPartsPerObject;
  if (chunk < floor) chunk = (floor + kMiB - 1) / kMiB * kMiB;
  return PlanMultipart(size, chunk);
}

// Upload directories of clients that never completed: gone after twice the URL lifetime; LFS
// objects no repo holds: collected after the grace period (lfs_gc.h). Swept from the batch
// handler, uploads at most every ten minutes, the collector at most every six hours.
void SweepStaleUploads(HubContext& ctx) {
  static std::atomic<int64_t> last_sweep{0};
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  int64_t last = last_sweep.load();
  if (now - last < 600 || !last_sweep.compare_exchange_strong(last, now)) return;
  LfsMultipartStore(ctx.data_dir, ctx.lfs.get()).RemoveStale(2 * ctx.limits.lfs_url_ttl_s + 60);
}
void SweepLfsGarbage(HubContext& ctx) {
  // The server collected at start (SetUpLfsAccess).
  static std::atomic<int64_t> last_sweep{static_cast<int64_t>(std::time(nullptr))};
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  int64_t last = last_sweep.load();
  if (now - last < 6 * 3600 || !last_sweep.compare_exchange_strong(last, now)) return;
  (void)RunLfsGarbageCollector(ctx);
}

bool OffersMultipart(const Json& body) {
  auto transfers = body.find("transfers");
  if (transfers == body.end() || !transfers->is_array()) return false;
  for (const auto& t : *transfers) {
    if (t.is_string() && t.get_ref<const std::string&>() == "multipart") return true;
  }
  return false;
}

// Whether repo `call.key` serves `oid` with exactly `size` bytes (lfs_access.h).
bool HeldWithSize(RepoCall& call, const std::string& oid, uint64_t size) {
  auto held = LfsObjectSizeIn(*call.ctx.lfs, *call.ctx.db, call.key, oid);
  return held.ok() && *held == size;
}

HubError Upload(RepoCall& call, const std::string& oid) {
  uint64_t size = 0;
  if (call.req.HasQuery("sig")) {
    MHUB_ASSIGN_OR_RETURN(size, CheckSignedLfsUrl(call, "upload", oid));
  } else {
    MHUB_RETURN_IF_ERROR(RequireWrite(call.ctx, call.who, call.key).status());
    std::string length = call.req.Header("Content-Length");
    MHUB_ASSIGN_OR_RETURN(size, ParseLfsDecimal(length));
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
  // The uploader sent every byte of the object: this repo holds it from now on.
  MHUB_RETURN_IF_ERROR(RecordLfsUpload(*call.ctx.db, call.key, oid, size));
  call.res.status = 200;
  call.res.SetHeader("ETag", "\"" + oid + "\"");
  call.res.content_type = kLfsJson;
  call.res.body = "{}";
  return {};
}

HubError Download(RepoCall& call, const std::string& oid) {
  if (call.req.HasQuery("sig")) {
    MHUB_RETURN_IF_ERROR(CheckSignedLfsUrl(call, "download", oid).status());
  } else {
    MHUB_RETURN_IF_ERROR(RequireRead(call.ctx, call.who, call.key).status());
  }
  // Only an object this repo holds; the same 404 whether it exists elsewhere or not.
  auto size = LfsObjectSizeIn(*call.ctx.lfs, *call.ctx.db, call.key, oid);
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
  // Authorize before the body is read: whoever may not read the repo gets its 404 and nothing of
  // the body is read; anyone else may send at most kMaxBatchBody bytes.
  MHUB_RETURN_IF_ERROR(RequireRead(call.ctx, call.who, call.key).status());
  const std::string declared = call.req.Header("Content-Length");
  if (!declared.empty()) {
    auto length = ParseLfsDecimal(declared);
    if (!length.ok() || *length > kMaxBatchBody) {
      return LfsBatchError(call, 413,
                           "LFS batch request body is larger than " + std::to_string(kMaxBatchBody) + " bytes");
    }
  }
  auto body_text = call.req.ReadBody(kMaxBatchBody);
  if (!body_text.ok() && body_text.status().code() == StatusCode::kResourceExhausted) {
    return LfsBatchError(call, 413, body_text.status().message());
  }
  MHUB_RETURN_IF_ERROR(body_text.status());
  MHUB_ASSIGN_OR_RETURN(Json body, ParseJson(*body_text, "LFS batch request"));
  if (!body.is_object()) return HubError::BadRequest("LFS batch request must be a JSON object");
  MHUB_ASSIGN_OR_RETURN(std::string operation, JsonString(body, "operation", "batch"));
  if (operation != "upload" && operation != "download") {
    return HubError::BadRequest("operation must be upload or download");
  }
  if (operation == "upload") MHUB_RETURN_IF_ERROR(RequireWrite(call.ctx, call.who, call.key).status());
  if (!body.contains("objects") || !body["objects"].is_array()) return HubError::BadRequest("objects must be a list");
  const Json& requested = body["objects"];
  if (requested.size() > kMaxBatchObjects) {
    return LfsBatchError(call, 413,
                         "too many objects in one LFS batch request: " + std::to_string(requested.size()) +
                             " (at most " + std::to_string(kMaxBatchObjects) + ")");
  }
  const bool upload = operation == "upload";
  const bool multipart_offered = upload && OffersMultipart(body);
  const uint64_t chunk = MultipartChunkSize(call.ctx);
  const uint64_t max_size = call.ctx.limits.max_lfs_object;
  uint64_t new_bytes = 0;  // what the upload would add to the namespace's storage
  bool any_multipart = false;
  uint64_t part_urls_left = kMaxPartUrlsPerBatch;
  Json objects = Json::array();
  for (const auto& o : requested) {
    Json out{{"oid", o.contains("oid") ? o["oid"] : Json("")}, {"size", o.contains("size") ? o["size"] : Json(0)}};
    if (!o.is_object() || !o.contains("oid") || !o["oid"].is_string() || !IsSha256Hex(o["oid"].get<std::string>()) ||
        !o.contains("size") || !o["size"].is_number_unsigned()) {
      out["error"] = {{"code", 422}, {"message", "oid must be a sha256 hex string and size a non-negative integer"}};
      objects.push_back(out);
      continue;
    }
    std::string oid = o["oid"].get<std::string>();
    uint64_t size = o["size"].get<uint64_t>();
    if (!upload) {
      if (!HeldWithSize(call, oid, size)) {
        out["error"] = {{"code", 404}, {"message", "Object does not exist"}};
      } else {
        out["authenticated"] = true;
        out["actions"] = {{"download", SignedLfsAction(call, "download", LfsObjectUrl(call, oid), oid, size,
                                                       kLfsDownloadUrlTtlSeconds)}};
      }
    } else if (size > max_size) {
      out["error"] = {
          {"code", 422},
          {"message", "object of " + std::to_string(size) + " bytes is larger than the maximum file size (" +
                          std::to_string(max_size) + " bytes)"}};
    } else if (!HeldWithSize(call, oid, size)) {
      // "upload" unless this very repo already holds the object: other repos' objects are
      // never revealed, the client sends the bytes again.
      new_bytes += size;
      const int64_t ttl = call.ctx.limits.lfs_url_ttl_s;
      out["authenticated"] = true;
      Json action;
      const MultipartPlan plan = size > chunk ? PlanParts(size, chunk) : MultipartPlan{};
      if (multipart_offered && size > chunk && plan.num_parts <= part_urls_left) {
        MHUB_ASSIGN_OR_RETURN(action, MultipartLfsUploadAction(call, oid, size, plan));
        part_urls_left -= plan.num_parts;
        any_multipart = true;
      } else {
        action = SignedLfsAction(call, "upload", LfsObjectUrl(call, oid), oid, size, ttl);
      }
      out["actions"] = {
          {"upload", action},
          {"verify", SignedLfsAction(call, "verify", LfsObjectUrl(call, oid) + "/verify", oid, size, ttl)}};
    }
    objects.push_back(out);
  }
  if (upload && new_bytes > 0 && call.ctx.limits.lfs_quota_bytes > 0) {
    MHUB_ASSIGN_OR_RETURN(uint64_t used, call.ctx.db->LfsBytesOfNamespace(call.key.id.ns));
    const uint64_t quota = call.ctx.limits.lfs_quota_bytes;
    if (used > quota || new_bytes > quota - used) {
      return LfsBatchError(call, 507,
                           "storage quota of " + call.key.id.ns + " exceeded: " + std::to_string(used) +
                               " bytes used, this upload adds " + std::to_string(new_bytes) + ", the quota is " +
                               std::to_string(quota) + " bytes");
    }
  }
  if (any_multipart) SweepStaleUploads(call.ctx);
  if (upload) SweepLfsGarbage(call.ctx);
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
  // Authorized before the body is read; the body is a few dozen bytes.
  if (!call.req.HasQuery("sig")) MHUB_RETURN_IF_ERROR(RequireWrite(call.ctx, call.who, call.key).status());
  MHUB_ASSIGN_OR_RETURN(std::string body_text, call.req.ReadBody(64u << 10));
  MHUB_ASSIGN_OR_RETURN(Json body, ParseJson(body_text, "LFS verify request"));
  MHUB_ASSIGN_OR_RETURN(std::string oid, JsonString(body, "oid", "verify"));
  MHUB_ASSIGN_OR_RETURN(int64_t size, JsonInt(body, "size", "verify"));
  if (!IsSha256Hex(oid)) return HubError::BadRequest("LFS oid must be 64 lowercase hex characters");
  if (call.req.HasQuery("sig")) {
    MHUB_ASSIGN_OR_RETURN(uint64_t signed_size, CheckSignedLfsUrl(call, "verify", oid));
    if (static_cast<uint64_t>(size) != signed_size) return HubError::BadRequest("size does not match the signed URL");
  }
  // Verified only when the bytes were uploaded to this repo (or it already held them): an
  // object stored for another repo does not count.
  auto stored = LfsObjectSizeIn(*call.ctx.lfs, *call.ctx.db, call.key, oid);
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

HubError HandleLfsMultipartPart(RepoCall& call, const std::string& oid, const std::string& upload_id,
                                const std::string& part_text) {
  if (!IsSha256Hex(oid)) return HubError::BadRequest("LFS oid must be 64 lowercase hex characters");
  if (!LfsMultipartStore::IsUploadId(upload_id)) return HubError::BadRequest("malformed multipart upload id");
  auto part = ParseLfsDecimal(part_text);
  if (!part.ok() || *part == 0 || *part > kMaxMultipartParts) return HubError::BadRequest("bad part number");
  uint64_t size = 0;
  MHUB_ASSIGN_OR_RETURN(MultipartPlan plan, CheckMultipartLfsUrl(call, oid, upload_id, *part, &size));
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
  MHUB_ASSIGN_OR_RETURN(MultipartPlan plan, CheckMultipartLfsUrl(call, oid, upload_id, 0, &size));
  // At most kMaxMultipartParts entries of ~100 bytes each.
  MHUB_ASSIGN_OR_RETURN(std::string body_text, call.req.ReadBody(2u << 20));
  MHUB_ASSIGN_OR_RETURN(MultipartCompletionRequest request, ParseMultipartCompletion(body_text));
  if (request.oid != oid) return HubError::BadRequest("the completion oid does not match the upload URL");
  LfsMultipartStore store(call.ctx.data_dir, call.ctx.lfs.get());
  MHUB_RETURN_IF_ERROR(store.Complete(upload_id, oid, size, plan, request.parts));
  // Every part was sent to this repo's upload: it holds the object from now on.
  MHUB_RETURN_IF_ERROR(RecordLfsUpload(*call.ctx.db, call.key, oid, size));
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
