// HubClient: the Hugging Face Hub HTTP API from C++ (works against mhub's server and any
// HF-compatible hub). Method names follow huggingface_hub's HfApi so code ports over line by line.
//
// Thread-safe: all methods may be called concurrently on one client.
// Errors map from HTTP: 404 -> NotFound (repo, revision or entry: the message says which),
// 401 -> Unauthenticated, 403 -> PermissionDenied, 409 -> AlreadyExists (create) or Conflict
// (commit), 5xx/transport -> Unavailable. The message carries the server's error text.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/hub/http_client.h"
#include "mhub/hub/hub_config.h"
#include "mhub/hub/repo_types.h"

namespace mhub::hub {

struct PreparedAdd;  // an add operation with its size, sha256 and upload mode (hub_commit.cpp)

struct CreateRepoOptions {
  bool is_private = false;
  bool exist_ok = false;
};

// One operation of a commit.
struct CommitOperation {
  enum class Kind { kAdd, kDelete, kDeleteFolder };
  Kind kind = Kind::kAdd;
  std::string path_in_repo;
  std::string local_path;  // kAdd: the file to upload (or use `content`)
  std::string content;     // kAdd with empty local_path: the bytes to upload

  static CommitOperation AddFile(std::string path_in_repo, std::string local_path);
  static CommitOperation AddBytes(std::string path_in_repo, std::string content);
  static CommitOperation Delete(std::string path_in_repo);
  static CommitOperation DeleteFolder(std::string path_in_repo);
};

struct CommitOptions {
  std::string revision = "main";
  std::string commit_message;  // default: "Upload with mhub"
  std::string commit_description;
  std::string parent_commit;  // optimistic lock: fail if the branch moved
  int lfs_parallelism = 4;
  // Called (from upload threads) once per LFS file when its bytes are on the hub, with whether
  // they were already there (`reused`: nothing sent, e.g. on a re-run after an interrupted upload).
  std::function<void(const std::string& path_in_repo, uint64_t size, bool reused)> on_lfs_file_done;
};

struct UploadFolderOptions {
  CommitOptions commit;
  std::string path_in_repo;  // "" = repo root
  std::vector<std::string> allow_patterns;
  std::vector<std::string> ignore_patterns;
  std::vector<std::string> delete_patterns;  // remote files matching these (and not uploaded) are deleted
};

struct DownloadOptions {
  std::string revision = "main";
  std::string subfolder;
  std::string local_dir;  // if set, the file is also placed at <local_dir>/<path> and that path returned
  bool force_download = false;
};

struct SnapshotOptions {
  std::string revision = "main";
  std::vector<std::string> allow_patterns;
  std::vector<std::string> ignore_patterns;
  std::string local_dir;  // if set, files are also placed under it and it is returned
  int max_workers = 8;
};

struct ListModelsOptions {
  std::string search;
  std::string author;
  std::vector<std::string> filter;  // tags: "library", "license:mit", "en", task names...
  std::string pipeline_tag;
  std::string sort;  // downloads, likes, lastModified, createdAt, trendingScore
  bool descending = true;
  int64_t limit = 0;  // 0 = no limit
  bool full = false;
  RepoType type = RepoType::kModel;  // list_models over datasets/spaces too
};

class HubClient {
 public:
  explicit HubClient(HubConfig config);
  static HubClient FromEnv() { return HubClient(HubConfig::FromEnv()); }

  const HubConfig& config() const { return config_; }

  Result<WhoAmI> whoami() const;

  // Returns the repo URL. With exist_ok, an existing repo is fine.
  Result<std::string> create_repo(const RepoRef& repo, const CreateRepoOptions& options = {}) const;
  Status delete_repo(const RepoRef& repo, bool missing_ok = false) const;

  Result<RepoInfo> repo_info(const RepoRef& repo, const std::string& revision = "", bool files_metadata = false) const;
  Result<RepoInfo> model_info(const std::string& repo_id, const std::string& revision = "") const {
    return repo_info(RepoRef{repo_id, RepoType::kModel}, revision);
  }
  Result<std::vector<RepoInfo>> list_models(const ListModelsOptions& options) const;
  Result<std::vector<RepoEntry>> list_repo_tree(const RepoRef& repo, const std::string& revision = "main",
                                                const std::string& path = "", bool recursive = false) const;
  // Every file path at the revision (recursive), sorted.
  Result<std::vector<std::string>> list_repo_files(const RepoRef& repo, const std::string& revision = "main") const;
  Result<RepoRefs> list_repo_refs(const RepoRef& repo) const;
  Result<std::vector<GitCommitInfo>> list_repo_commits(const RepoRef& repo, const std::string& revision = "main") const;

  Status create_branch(const RepoRef& repo, const std::string& branch, const std::string& revision = "",
                       bool exist_ok = false) const;
  Status delete_branch(const RepoRef& repo, const std::string& branch) const;
  Status create_tag(const RepoRef& repo, const std::string& tag, const std::string& revision = "",
                    const std::string& message = "") const;
  Status delete_tag(const RepoRef& repo, const std::string& tag) const;

  // Preupload, LFS batch upload (basic or multipart transfer) for LFS files, then the NDJSON commit.
  Result<CommitInfo> create_commit(const RepoRef& repo, const std::vector<CommitOperation>& operations,
                                   const CommitOptions& options = {}) const;
  Result<CommitInfo> upload_file(const RepoRef& repo, const std::string& local_path, const std::string& path_in_repo,
                                 const CommitOptions& options = {}) const;
  Result<CommitInfo> upload_folder(const RepoRef& repo, const std::string& folder,
                                   const UploadFolderOptions& options = {}) const;

  // One file into the cache; returns its snapshot path (or the local_dir copy).
  Result<std::string> hf_hub_download(const RepoRef& repo, const std::string& filename,
                                      const DownloadOptions& options = {}) const;
  // A whole revision into the cache; returns snapshots/<commit> (or local_dir).
  Result<std::string> snapshot_download(const RepoRef& repo, const SnapshotOptions& options = {}) const;

  // Raw access for callers that need an endpoint not wrapped here. `path` starts with '/'.
  Result<HttpResponse> Request(const std::string& method, const std::string& path, const std::string& body = "",
                               const std::string& content_type = "") const;

 private:
  std::vector<std::pair<std::string, std::string>> AuthHeaders() const;
  Result<Json> GetJson(const std::string& url) const;
  Result<Json> SendJson(const std::string& method, const std::string& url, const Json& body) const;
  Result<Json> GetPaginated(const std::string& url, int64_t limit) const;

  Status UploadLfsObjects(const RepoRef& repo, const std::string& revision, const std::vector<PreparedAdd*>& lfs,
                          const CommitOptions& options, size_t* reused) const;
  Result<std::string> DownloadToCache(const RepoRef& repo, const std::string& filename, const std::string& revision,
                                      bool force) const;

  HubConfig config_;
  HttpClient http_;
};

// Maps a non-2xx hub response to a Status (see the class comment); `what` gives context.
Status StatusFromResponse(const HttpResponse& response, const std::string& what);

}  // namespace mhub::hub
