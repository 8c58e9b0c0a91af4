#include "server/http/lfs_complete_request.h"

#include <algorithm>
#include <string>

#include "mhub/base/json.h"
#include "mhub/server/lfs_pointer.h"

namespace mhub::server {

Result<MultipartCompletionRequest> ParseMultipartCompletion(std::string_view body) {
  MHUB_ASSIGN_OR_RETURN(Json json, ParseJson(body, "multipart completion request"));
  if (!json.is_object()) return Status::InvalidArgument("the completion request must be a JSON object");
  MultipartCompletionRequest out;
  auto oid = json.find("oid");
  if (oid == json.end() || !oid->is_string() || !IsSha256Hex(oid->get_ref<const std::string&>())) {
    return Status::InvalidArgument("completion request: oid must be a sha256 hex string");
  }
  out.oid = oid->get<std::string>();
  auto parts = json.find("parts");
  if (parts == json.end() || !parts->is_array() || parts->empty()) {
    return Status::InvalidArgument("completion request: parts must be a non-empty list");
  }
  if (parts->size() > kMaxMultipartParts) {
    return Status::InvalidArgument("completion request: more than " + std::to_string(kMaxMultipartParts) + " parts");
  }
  out.parts.reserve(parts->size());
  for (const auto& p : *parts) {
    if (!p.is_object()) return Status::InvalidArgument("completion request: each part must be an object");
    auto number = p.find("partNumber");
    if (number == p.end() || !number->is_number_integer()) {
      return Status::InvalidArgument("completion request: partNumber must be an integer");
    }
    const int64_t n = number->is_number_unsigned()
                          ? static_cast<int64_t>(std::min<uint64_t>(number->get<uint64_t>(), kMaxMultipartParts + 1))
                          : number->get<int64_t>();
    if (n < 1 || n > static_cast<int64_t>(kMaxMultipartParts)) {
      return Status::InvalidArgument("completion request: partNumber " + std::to_string(n) + " is out of range");
    }
    auto etag = p.find("etag");
    if (etag == p.end() || !etag->is_string() || etag->get_ref<const std::string&>().empty() ||
        etag->get_ref<const std::string&>().size() > 256) {
      return Status::InvalidArgument("completion request: part " + std::to_string(n) +
                                     " needs an etag (the ETag header of its upload)");
    }
    out.parts.push_back(CompletedPart{static_cast<uint64_t>(n), etag->get<std::string>()});
  }
  return out;
}

}  // namespace mhub::server
