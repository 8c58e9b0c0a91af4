// Shared bits of the hub commands (login, whoami, repo, upload, download, ls, search, cache).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "command_registry.h"
#include "mhub/hub/hub_client.h"

namespace mhub::cli {

// Adds --repo-type (model|dataset|space) bound to `type`.
inline void AddRepoTypeOption(CLI::App* sub, std::string& type) {
  sub->add_option("--repo-type,--type", type, "model, dataset or space")
      ->check(CLI::IsMember({"model", "dataset", "space"}))
      ->default_val("model");
}

// The repo for `id` and `type` ("model" when empty); a bare name gets the token owner's namespace.
inline Result<hub::RepoRef> ResolveRepoArg(const hub::HubClient& client, const std::string& id,
                                           const std::string& type) {
  MHUB_ASSIGN_OR_RETURN(hub::RepoType t, hub::ParseRepoType(type.empty() ? "model" : type));
  hub::RepoRef repo{id, t};
  if (id.find('/') == std::string::npos) {
    MHUB_ASSIGN_OR_RETURN(hub::WhoAmI me, client.whoami());
    repo.id = me.name + "/" + id;
  }
  MHUB_RETURN_IF_ERROR(hub::ValidateRepoId(repo.id));
  return repo;
}

}  // namespace mhub::cli
