// The body of the multipart completion POST (hub-api.md 7.2): untrusted JSON
//   {"oid": "<sha256 hex>", "parts": [{"partNumber": 1, "etag": "\"...\""}, ...]}
// as @huggingface/hub (ApiLfsCompleteMultipartRequest) and huggingface_hub
// (_get_completion_payload) send it.
#pragma once

#include <string_view>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/server/lfs_multipart.h"

namespace mhub::server {

struct MultipartCompletionRequest {
  std::string oid;                   // 64 lowercase hex
  std::vector<CompletedPart> parts;  // in the order sent; 1 <= partNumber <= kMaxMultipartParts
};

// InvalidArgument (naming the bad field) for anything else: not JSON, not an object, a bad oid,
// `parts` missing / not a list / empty / longer than kMaxMultipartParts, a part that is not an
// object, a partNumber that is not an integer in range, an etag that is not a non-empty string
// of at most 256 characters. Extra keys are ignored. Never throws.
Result<MultipartCompletionRequest> ParseMultipartCompletion(std::string_view body);

}  // namespace mhub::server
