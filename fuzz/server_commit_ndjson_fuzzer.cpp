// Fuzz target: the NDJSON body of POST /api/{type}s/{repo}/commit/{rev} (untrusted input).
// Property: parsing never crashes, and whatever it accepts has a header and only paths that
// NormalizeRepoFilePath accepts unchanged (no "..", no absolute path, no NUL, no backslash).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/http/commit_ndjson.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  mhub::server::CommitNdjsonLimits limits;
  limits.max_operations = 1000;
  limits.max_line_bytes = 1 << 20;
  auto parsed = mhub::server::ParseCommitNdjson(body, limits);
  if (!parsed.ok()) return 0;
  for (const auto& op : parsed->operations) {
    if (op.kind == mhub::server::CommitOperation::Kind::kDeleteFolder) continue;
    auto again = mhub::server::NormalizeRepoFilePath(op.path);
    if (!again.ok() || *again != op.path) std::abort();
    if (op.path.find("..") == 0 || op.path.find('\\') != std::string::npos || op.path.front() == '/') std::abort();
  }
  return 0;
}
