// Fuzz target: the body of the multipart LFS completion POST (untrusted JSON, sent without any
// Authorization). Property: parsing never crashes, and whatever it accepts has a sha256 oid, at
// most kMaxMultipartParts parts, each numbered 1..kMaxMultipartParts with a non-empty etag.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mhub/server/lfs_pointer.h"
#include "server/http/lfs_complete_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = mhub::server::ParseMultipartCompletion(body);
  if (!parsed.ok()) return 0;
  if (!mhub::server::IsSha256Hex(parsed->oid)) std::abort();
  if (parsed->parts.empty() || parsed->parts.size() > mhub::server::kMaxMultipartParts) std::abort();
  for (const auto& p : parsed->parts) {
    if (p.part_number < 1 || p.part_number > mhub::server::kMaxMultipartParts) std::abort();
    if (p.etag.empty() || p.etag.size() > 256) std::abort();
  }
  return 0;
}
