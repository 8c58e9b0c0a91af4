// `mhub repo create NAME [--type T] [--private] [--exist-ok]` and `mhub repo delete NAME [--type T]`.
#include <iostream>

#include "cmd_hub_common.h"

namespace {

struct RepoOptions {
  std::string name;
  std::string type = "model";
  bool is_private = false;
  bool exist_ok = false;
  bool missing_ok = false;
  bool json = false;
};

}  // namespace

MHUB_REGISTER_COMMAND(repo) {
  auto* sub = app.add_subcommand("repo", "Create or delete hub repositories");
  sub->require_subcommand(1);
  auto create_opts = std::make_shared<RepoOptions>();
  auto* create = sub->add_subcommand("create", "Create a repository (NAME or namespace/NAME)");
  create->add_option("name", create_opts->name, "repo id, or a name in your namespace")->required();
  mhub::cli::AddRepoTypeOption(create, create_opts->type);
  create->add_flag("--private", create_opts->is_private, "make it private");
  create->add_flag("--exist-ok", create_opts->exist_ok, "succeed if it already exists");
  create->add_flag("--json", create_opts->json, "print {\"url\", \"id\", \"type\"} as JSON");

  auto delete_opts = std::make_shared<RepoOptions>();
  auto* del = sub->add_subcommand("delete", "Delete a repository");
  del->add_option("name", delete_opts->name, "repo id")->required();
  mhub::cli::AddRepoTypeOption(del, delete_opts->type);
  del->add_flag("--missing-ok", delete_opts->missing_ok, "succeed if it does not exist");

  return [create, create_opts, del, delete_opts]() -> int {
    auto client = mhub::hub::HubClient::FromEnv();
    if (create->parsed()) {
      auto repo = mhub::cli::ResolveRepoArg(client, create_opts->name, create_opts->type);
      if (!repo.ok()) return mhub::cli::print_error(repo.status());
      auto url = client.create_repo(*repo, {create_opts->is_private, create_opts->exist_ok});
      if (!url.ok()) return mhub::cli::print_error(url.status());
      if (create_opts->json) {
        std::cout << mhub::DumpJson(
                         mhub::Json{{"url", *url}, {"id", repo->id}, {"type", mhub::hub::RepoTypeName(repo->type)}})
                  << "\n";
      } else {
        std::cout << *url << "\n";
      }
      return 0;
    }
    auto repo = mhub::cli::ResolveRepoArg(client, delete_opts->name, delete_opts->type);
    if (!repo.ok()) return mhub::cli::print_error(repo.status());
    mhub::Status s = client.delete_repo(*repo, delete_opts->missing_ok);
    if (!s.ok()) return mhub::cli::print_error(s);
    std::cout << "Deleted " << repo->id << "\n";
    return 0;
  };
}
