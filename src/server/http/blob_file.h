// Large regular (non-LFS) files are served from a file, not from memory: `git cat-file blob`
// streams the blob into <data>/cache/blobs/<oid> once (git inflates loose and packed objects
// without holding them whole), and every download sends that file with sendfile. The server's
// memory then stays bounded whatever the blob size and however many clients download it.
#pragma once

#include <cstdint>
#include <string>

#include "mhub/base/result.h"
#include "server/http/hub_context.h"

namespace mhub::server {

// Regular blobs above this size are served from their inflated file.
constexpr uint64_t kInlineBlobMaxBytes = 1 << 20;

// The path of a file holding the bytes of blob `oid` (40 hex) of repo `key`, `size` bytes long,
// written under the data dir if not there yet. Safe to call concurrently (one writer per blob).
Result<std::string> InflatedBlobFile(const HubContext& ctx, const RepoKey& key, const std::string& oid, uint64_t size);

}  // namespace mhub::server
