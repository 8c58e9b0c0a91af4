// from_pretrained() support: turns "a local folder or a hub repo id" into a local folder.
#pragma once

#include <string>
#include <vector>

#include "mhub/base/result.h"

namespace mhub::hub {

struct ResolveOptions {
  std::string revision = "main";
  std::vector<std::string> allow_patterns;  // empty = every file
  std::vector<std::string> ignore_patterns;
};

// An existing directory is returned as is. Otherwise `repo_id_or_folder` is a model repo id
// ("org/name"), downloaded with snapshot_download into the cache configured from the environment
// (HubConfig::FromEnv; HF_HUB_OFFLINE reads only the cache); returns the snapshot folder.
// NotFound when it is neither a folder nor a repo the hub (or cache) has, and for a name without
// a namespace that is not a folder (hub ids are namespace/name).
Result<std::string> ResolveModelPath(const std::string& repo_id_or_folder, const std::string& revision = "main");
Result<std::string> ResolveModelPath(const std::string& repo_id_or_folder, const ResolveOptions& options);

}  // namespace mhub::hub
