// Plain data the hub client returns: repo ids and types, repo info, tree entries, refs, commits.
// Field names follow the Hub JSON (and huggingface_hub's dataclasses) so the mapping is obvious.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/hub/repo_type.h"

namespace mhub::hub {

// A repository on the hub: "namespace/name" plus its type.
struct RepoRef {
  std::string id;
  RepoType type = RepoType::kModel;

  // "/api/models/<id>" etc.
  std::string ApiPath() const;
  // "" for models, "datasets/", "spaces/": the prefix of resolve/LFS URLs.
  std::string UrlPrefix() const;
};

// InvalidArgument unless `id` is "namespace/name" (or a single legacy name) without "--" or "..".
Status ValidateRepoId(std::string_view id);

struct WhoAmI {
  std::string name;
  std::string type;  // "user" | "org"
  std::vector<std::string> orgs;
  std::string token_role;  // auth.accessToken.role
  Json raw;
};

struct RepoSibling {
  std::string rfilename;
  std::optional<uint64_t> size;  // with files metadata only
  std::string blob_id;
  std::string lfs_sha256;  // "" when the file is not in LFS
};

struct RepoInfo {
  std::string id;
  std::string sha;  // commit of the resolved revision
  std::string author;
  bool is_private = false;
  std::string last_modified;
  std::string pipeline_tag;
  std::string library_name;
  int64_t downloads = 0;
  int64_t likes = 0;
  std::vector<std::string> tags;
  std::vector<RepoSibling> siblings;
  Json raw;  // the whole response object
};

// One entry of a tree listing.
struct RepoEntry {
  std::string type;  // "file" | "directory"
  std::string path;
  uint64_t size = 0;
  std::string oid;      // git blob (or tree) sha1
  std::string lfs_oid;  // sha256 when the file is in LFS, else ""
};

struct GitRef {
  std::string name;  // "main", "v1.0"
  std::string ref;   // "refs/heads/main"
  std::string target_commit;
};

struct RepoRefs {
  std::vector<GitRef> branches;
  std::vector<GitRef> tags;
  std::vector<GitRef> converts;
};

struct GitCommitInfo {
  std::string id;
  std::string title;
  std::string message;
  std::vector<std::string> authors;
  std::string date;
};

// What a commit call returns.
struct CommitInfo {
  std::string commit_oid;
  std::string commit_url;
  std::string commit_message;
  // Files left out because the revision already holds the same bytes at that path (as
  // huggingface_hub skips them). When nothing else was to change, no commit is made: `empty` is
  // true and commit_oid/commit_url name the revision's current head.
  std::vector<std::string> unchanged_paths;
  bool empty = false;
  size_t lfs_files_reused = 0;  // LFS files whose bytes the hub already had (none sent)
};

// Parsers from the Hub's JSON shapes; InvalidArgument naming the missing field.
Result<RepoInfo> ParseRepoInfo(const Json& j);
Result<RepoEntry> ParseRepoEntry(const Json& j);

}  // namespace mhub::hub
