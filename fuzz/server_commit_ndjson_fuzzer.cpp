// Fuzz target: the NDJSON body of POST /api/{type}s/{repo}/commit/{rev} (untrusted input), parsed
// streamed as the server does. Properties: parsing never crashes; whatever it accepts has only
// paths that NormalizeRepoFilePath accepts unchanged (no "..", no absolute path, no NUL, no
// backslash); and the verdict and the decoded contents do not depend on how the body is cut into
// chunks (the whole body at once vs. chunks of 1..64 bytes chosen by the input).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "server/http/commit_ndjson.h"

namespace {

std::string ReadSlice(const std::string& file, uint64_t offset, uint64_t size) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream all;
  all << in.rdbuf();
  return all.str().substr(offset, size);
}

std::string Contents(const mhub::server::CommitRequest& r) {
  std::string out;
  for (const auto& op : r.operations) {
    out += op.path + '\n';
    if (!op.content_file.empty()) out += ReadSlice(op.content_file, op.content_offset, op.content_size) + '\n';
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  mhub::server::CommitNdjsonLimits limits;
  limits.max_operations = 1000;
  limits.max_line_json_bytes = 1 << 20;
  limits.max_regular_file = 1 << 16;
  const std::string spool_a = "/tmp/mhub-fuzz-commit-a-" + std::to_string(::getpid());
  const std::string spool_b = "/tmp/mhub-fuzz-commit-b-" + std::to_string(::getpid());
  auto whole = mhub::server::ParseCommitNdjson(body, spool_a, limits);

  mhub::server::CommitNdjsonParser parser(spool_b, limits);
  mhub::Status fed = mhub::Status::OK();
  for (size_t pos = 0, k = 0; pos < body.size() && fed.ok(); ++k) {
    const size_t n = std::min<size_t>(body.size() - pos, 1 + (data[k % size] & 63));
    fed = parser.Feed(body.substr(pos, n));
    pos += n;
  }
  auto chunked = fed.ok() ? parser.Finish() : mhub::Result<mhub::server::CommitRequest>(fed);
  if (whole.ok() != chunked.ok()) std::abort();
  if (whole.ok()) {
    for (const auto& op : whole->operations) {
      if (op.kind == mhub::server::CommitOperation::Kind::kDeleteFolder) continue;
      auto again = mhub::server::NormalizeRepoFilePath(op.path);
      if (!again.ok() || *again != op.path) std::abort();
      // No ".." component (a name that only starts with dots, like "..o..", is an ordinary name).
      const std::string slashed = "/" + op.path + "/";
      if (slashed.find("/../") != std::string::npos || op.path.find('\\') != std::string::npos ||
          op.path.front() == '/')
        std::abort();
    }
    if (Contents(*whole) != Contents(*chunked)) std::abort();
  }
  ::unlink(spool_a.c_str());
  ::unlink(spool_b.c_str());
  return 0;
}
