// Shared bits of the hub commands (login, whoami, repo, upload, download, ls, search, cache).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "command_registry.h"
#include "mhub/hub/hub_client.h"
#include "mhub/hub/url_encode.h"

namespace mhub::cli {

// Adds --repo-type (model|dataset|space) bound to `type`.
inline void AddRepoTypeOption(CLI::App* sub, std::string& type) {
  sub->add_option("--repo-type,--type", type, "model, dataset or space")
      ->check(CLI::IsMember({"model", "dataset", "space"}))
      ->default_val("model");
}

// The repo for `id` and `type` ("model" when empty); a bare name gets the token owner's namespace
// (as `hf repo create NAME` and `hf upload NAME` do).
inline Result<hub::RepoRef> ResolveRepoArg(const hub::HubClient& client, const std::string& id,
                                           const std::string& type) {
  MHUB_ASSIGN_OR_RETURN(hub::RepoType t, hub::ParseRepoType(type.empty() ? "model" : type));
  hub::RepoRef repo{id, t};
  if (id.find('/') == std::string::npos) {
    auto me = client.whoami();
    if (!me.ok() && me.status().code() == StatusCode::kUnauthenticated)
      return Status::InvalidArgument("'" + id +
                                     "' has no namespace and nobody is logged in to supply one: write "
                                     "namespace/" +
                                     id + ", or log in (`mhub login`, --token)");
    MHUB_RETURN_IF_ERROR(me.status());
    repo.id = me->name + "/" + id;
  }
  MHUB_RETURN_IF_ERROR(hub::ValidateRepoId(repo.id));
  return repo;
}

// The repo for a command that reads one (download, ls): ids are namespace/name on an mhub hub,
// so a bare name ("bert-base-uncased") is a clear client error instead of a round trip.
inline Result<hub::RepoRef> ReadRepoArg(const std::string& id, const std::string& type) {
  MHUB_ASSIGN_OR_RETURN(hub::RepoType t, hub::ParseRepoType(type.empty() ? "model" : type));
  if (id.find('/') == std::string::npos)
    return Status::InvalidArgument("'" + id + "' is not a repo id: ids are namespace/name (e.g. alice/" + id +
                                   "); `mhub search " + id + "` lists repos with that name");
  MHUB_RETURN_IF_ERROR(hub::ValidateRepoId(id));
  return hub::RepoRef{id, t};
}

// URLs the hub commands print. They must open (answer 200 to a GET, with the token for private
// repos), and the hub has no web pages yet, so these are the API and resolve URLs on the endpoint
// rather than the Hub's page URLs (`/{id}`, `/{id}/commit/{oid}`) that `hf` prints.
//
// The repo: its API info (`hf repo create` prints the repo page).
inline std::string RepoOpenUrl(const hub::HubClient& client, const hub::RepoRef& repo) {
  return client.config().endpoint + repo.ApiPath();
}
// A folder (`folder_in_repo`, "" for the root) at a commit: the API tree listing.
inline std::string TreeOpenUrl(const hub::HubClient& client, const hub::RepoRef& repo, const std::string& commit,
                               const std::string& folder_in_repo) {
  std::string url = client.config().endpoint + repo.ApiPath() + "/tree/" + hub::UrlEncode(commit);
  if (!folder_in_repo.empty()) url += "/" + hub::UrlEncode(folder_in_repo, /*keep_slash=*/true);
  return url;
}
// A file at a commit: its resolve URL (the file's bytes).
inline std::string FileOpenUrl(const hub::HubClient& client, const hub::RepoRef& repo, const std::string& commit,
                               const std::string& path_in_repo) {
  return client.config().endpoint + "/" + repo.UrlPrefix() + repo.id + "/resolve/" + hub::UrlEncode(commit) + "/" +
         hub::UrlEncode(path_in_repo, /*keep_slash=*/true);
}

}  // namespace mhub::cli
