// HubContext: what every HTTP handler works on (stores, DB, signer, limits), owned by HubServer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "mhub/server/lfs_store.h"
#include "mhub/server/metadata_db.h"
#include "mhub/server/repo_store.h"
#include "server/http/lfs_signing.h"

namespace mhub::server {

namespace viewer {
class ViewerService;
}
namespace web {
class WebState;
}

struct HttpLimits {
  size_t max_json_body = 16u << 20;       // JSON requests (create repo, paths-info, batch, ...)
  size_t max_commit_body = 1024u << 20;   // NDJSON commit bodies (streamed to a spool file)
  size_t max_commit_operations = 100000;  // operations in one NDJSON commit
  // Non-LFS files accepted by commits and pushes (the Hub refuses regular files over 10 MiB and
  // asks for LFS); 0 = no cap. The environment variable MHUB_MAX_REGULAR_FILE_SIZE (bytes)
  // overrides it (push_checks.h RegularFileCap).
  uint64_t max_regular_file = 10ull << 20;
  // One LFS object: the Hub's per-file limit (50 GB); larger uploads get a per-object 422.
  uint64_t max_lfs_object = 50'000'000'000ull;
  // LFS bytes the repos of one namespace (user or org) may hold; 0 = no quota. Environment:
  // MHUB_LFS_QUOTA_BYTES (lfs_setup.h).
  uint64_t lfs_quota_bytes = 0;
  // Objects no repo holds (uploads never committed, objects of deleted repos) are removed after
  // this long (lfs_gc.h). Environment: MHUB_LFS_GC_GRACE_S.
  int64_t lfs_gc_grace_s = 24 * 3600;
  size_t max_git_body = size_t{4096} << 20;  // one git push / fetch negotiation
  int64_t lfs_url_ttl_s = 3600;              // lifetime of signed LFS transfer URLs
  // LFS uploads larger than this go "multipart" in parts of this size, when the client offers it
  // (hub-api.md 7.2). The environment variable MHUB_LFS_CHUNK_SIZE (bytes) overrides it.
  uint64_t lfs_multipart_chunk = 16ull << 20;
};

struct HubContext {
  std::string data_dir;
  std::string tmp_dir;     // <data>/tmp: request bodies and CGI output of git runs
  std::string public_url;  // absolute base URL for links; empty: "http://<Host header>"
  HttpLimits limits;
  std::unique_ptr<LfsStore> lfs;
  std::unique_ptr<RepoStore> repos;
  std::unique_ptr<MetadataDb> db;
  std::unique_ptr<LfsUrlSigner> signer;
  // The website's sessions and passwords (server/web/web_site.h), made on the first page request.
  std::shared_ptr<web::WebState> web;
  // The dataset viewer and its Parquet conversion worker (server/viewer/viewer_service.h); null in
  // tools that open the stores without serving. Declared last: destroyed (worker joined) first.
  std::shared_ptr<viewer::ViewerService> viewer;
};

}  // namespace mhub::server
