#include "mhub/hub/resolve.h"

#include <filesystem>

#include "mhub/hub/hub_client.h"

namespace mhub::hub {

Result<std::string> ResolveModelPath(const std::string& repo_id_or_folder, const std::string& revision) {
  ResolveOptions options;
  options.revision = revision;
  return ResolveModelPath(repo_id_or_folder, options);
}

Result<std::string> ResolveModelPath(const std::string& repo_id_or_folder, const ResolveOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(repo_id_or_folder, ec)) return repo_id_or_folder;
  // A bare name ("bert-base-uncased") is a legacy id on huggingface.co, but an mhub hub keys every
  // repo by namespace/name: say so here rather than pass on the hub's answer for a malformed path.
  if (repo_id_or_folder.find('/') == std::string::npos) {
    return Status::NotFound("'" + repo_id_or_folder +
                            "' is not a local folder, and not a repo id: ids are "
                            "namespace/name (e.g. alice/" +
                            repo_id_or_folder + ")");
  }
  Status valid = ValidateRepoId(repo_id_or_folder);
  if (!valid.ok()) {
    return Status::NotFound("'" + repo_id_or_folder + "' is neither a folder nor a repo id (" + valid.message() + ")");
  }
  SnapshotOptions snap;
  snap.revision = options.revision.empty() ? "main" : options.revision;
  snap.allow_patterns = options.allow_patterns;
  snap.ignore_patterns = options.ignore_patterns;
  auto dir = HubClient::FromEnv().snapshot_download(RepoRef{repo_id_or_folder, RepoType::kModel}, snap);
  if (!dir.ok()) return dir.status().WithContext("while resolving model '" + repo_id_or_folder + "'");
  return dir;
}

}  // namespace mhub::hub
