// push_to_hub over the hub client (transformers' init_hf_repo + upload_folder).
#include "mhub/train/hub_push.h"

#include <filesystem>

namespace mhub::train {
namespace {

class ClientPusher final : public HubPusher {
 public:
  ClientPusher(hub::HubClient client, std::string repo_id, std::string revision, bool is_private)
      : client_(std::move(client)),
        repo_{std::move(repo_id), hub::RepoType::kModel},
        revision_(std::move(revision)),
        private_(is_private) {}

  Status Upload(const std::string& folder, const std::string& path_in_repo,
                const std::vector<std::string>& ignore_patterns, const std::string& commit_message) override {
    if (!created_) {
      hub::CreateRepoOptions o;
      o.exist_ok = true;
      o.is_private = private_;
      MHUB_RETURN_IF_ERROR(client_.create_repo(repo_, o).status().WithContext("push_to_hub: create_repo " + repo_.id));
      created_ = true;
    }
    hub::UploadFolderOptions o;
    o.path_in_repo = path_in_repo;
    o.ignore_patterns = ignore_patterns;
    o.commit.commit_message = commit_message;
    if (!revision_.empty()) o.commit.revision = revision_;
    return client_.upload_folder(repo_, folder, o).status().WithContext("push_to_hub: upload to " + repo_.id);
  }

 private:
  hub::HubClient client_;
  hub::RepoRef repo_;
  std::string revision_;
  bool private_;
  bool created_ = false;
};

}  // namespace

Result<std::unique_ptr<HubPusher>> MakeHubPusher(const TrainingArguments& args, hub::HubClient client) {
  std::string repo_id = args.hub_model_id;
  if (repo_id.empty()) repo_id = std::filesystem::path(args.output_dir).filename().string();
  if (repo_id.find('/') == std::string::npos) {
    MHUB_ASSIGN_OR_RETURN(auto me, client.whoami());
    repo_id = me.name + "/" + repo_id;
  }
  return std::unique_ptr<HubPusher>(
      new ClientPusher(std::move(client), repo_id, args.hub_revision, args.hub_private_repo.value_or(false)));
}

Result<std::unique_ptr<HubPusher>> MakeHubPusher(const TrainingArguments& args) {
  hub::HubConfig config = hub::HubConfig::FromEnv();
  if (!args.hub_token.empty()) config.token = args.hub_token;
  return MakeHubPusher(args, hub::HubClient(std::move(config)));
}

}  // namespace mhub::train
