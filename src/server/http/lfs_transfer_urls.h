// The signed LFS transfer URLs the batch API hands out (lfs_handlers.cpp) and their checks.
// Each URL carries its own permission (both HF clients PUT without an Authorization header):
// an expiry and an HMAC (lfs_signing.h) over the action, the repo, the oid, the size and the
// grant, i.e. the user and token that asked for it. At use the grant is checked again (the token
// still exists and still may read or write the repo), so revoking a token or access ends the
// URLs it obtained at once, not when they expire.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/server/lfs_multipart.h"
#include "server/http/handler_common.h"

namespace mhub::server {

// Lifetime of download URLs (git-lfs and the HF clients use a download URL right away; an upload
// URL may wait behind other uploads of the same batch, so uploads keep limits.lfs_url_ttl_s).
inline constexpr int64_t kLfsDownloadUrlTtlSeconds = 900;

// `<base>/<repo>.git/info/lfs/objects/<oid>`.
std::string LfsObjectUrl(const RepoCall& call, const std::string& oid);

// {"href", "header", "expires_in"} for `action` ("upload", "download", "verify") on `url`.
Json SignedLfsAction(const RepoCall& call, const std::string& action, const std::string& url, const std::string& oid,
                     uint64_t size, int64_t ttl_s);

// The multipart upload action: `href` is the completion URL, `header` holds `chunk_size` and one
// signed part URL per part number ("1".."N").
Result<Json> MultipartLfsUploadAction(const RepoCall& call, const std::string& oid, uint64_t size,
                                      const MultipartPlan& plan);

// Checks the signed query (size, exp, grant, sig) of a basic transfer URL for `action`, then the
// grant (read access for "download", write access otherwise). Returns the signed size.
Result<uint64_t> CheckSignedLfsUrl(const RepoCall& call, const std::string& action, const std::string& oid);

// The same for a multipart part (`part` > 0) or completion (`part` == 0) URL of `upload_id`;
// returns the plan and sets `*size`.
Result<MultipartPlan> CheckMultipartLfsUrl(const RepoCall& call, const std::string& oid, const std::string& upload_id,
                                           uint64_t part, uint64_t* size);

// A decimal size or time from a query value; InvalidArgument otherwise.
Result<uint64_t> ParseLfsDecimal(const std::string& text);

}  // namespace mhub::server
