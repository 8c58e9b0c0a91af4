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

// The inflated files are a cache bounded in size: beyond MHUB_BLOB_CACHE_MB (environment, read
// when a server first uses a data dir; default 1024, at least 1) the least recently used files
// are deleted. The newest file always stays, so the cache holds at most the cap plus one blob.
uint64_t BlobCacheCapBytes();

// The path of a file holding the bytes of blob `oid` (40 hex) of repo `key`, `size` bytes long,
// written under the data dir if not there yet. Safe to call concurrently (one writer per blob).
// The file may be evicted at any time after: to send it, use BlobFileForSending.
Result<std::string> InflatedBlobFile(const HubContext& ctx, const RepoKey& key, const std::string& oid, uint64_t size);

// Like InflatedBlobFile, but the path stays readable until the caller removes it (`remove_after`):
// a hard link under ctx.tmp_dir made while eviction is held off, so evicting the cache entry
// cannot break a download that has begun (the bytes go when the last link and fd do).
struct BlobForSending {
  std::string path;
  bool remove_after = false;
};
Result<BlobForSending> BlobFileForSending(const HubContext& ctx, const RepoKey& key, const std::string& oid,
                                          uint64_t size);

}  // namespace mhub::server
