// `mhub repo create|delete NAME`, `mhub repo branch create|delete|list` and
// `mhub repo tag create|delete|list` (as `hf repo ...`).
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

struct RefOptions {
  std::string repo;
  std::string ref;
  std::string type = "model";
  std::string revision;  // where a new branch or tag points (default: main)
  std::string message;   // tag message
  bool exist_ok = false;
  bool json = false;
};

// Adds `create`, `delete` and `list` under `parent` for branches (`tag` false) or tags.
mhub::cli::CommandAction AddRefCommands(CLI::App* parent, bool tag) {
  const std::string what = tag ? "tag" : "branch";
  auto* group = parent->add_subcommand(what, tag ? "Create, delete or list tags" : "Create, delete or list branches");
  group->require_subcommand(1);
  auto create_opts = std::make_shared<RefOptions>();
  auto* create = group->add_subcommand("create", "Create a " + what + " (from --revision, default main)");
  create->add_option("repo", create_opts->repo, "repo id")->required();
  create->add_option(what, create_opts->ref, what + " name")->required();
  mhub::cli::AddRepoTypeOption(create, create_opts->type);
  create->add_option("--revision", create_opts->revision, "branch, tag or commit to start from (default: main)");
  if (tag) create->add_option("-m,--message", create_opts->message, "tag message");
  if (!tag) create->add_flag("--exist-ok", create_opts->exist_ok, "succeed if the branch exists");
  auto delete_opts = std::make_shared<RefOptions>();
  auto* del = group->add_subcommand("delete", "Delete a " + what);
  del->add_option("repo", delete_opts->repo, "repo id")->required();
  del->add_option(what, delete_opts->ref, what + " name")->required();
  mhub::cli::AddRepoTypeOption(del, delete_opts->type);
  auto list_opts = std::make_shared<RefOptions>();
  auto* list = group->add_subcommand("list", "List the " + what + "es of a repo, with their commits");
  list->add_option("repo", list_opts->repo, "repo id")->required();
  mhub::cli::AddRepoTypeOption(list, list_opts->type);
  list->add_flag("--json", list_opts->json, "print [{name, ref, target_commit}] as JSON");

  return [=]() -> int {
    auto client = mhub::hub::HubClient::FromEnv();
    if (create->parsed()) {
      auto repo = mhub::cli::ReadRepoArg(create_opts->repo, create_opts->type);
      if (!repo.ok()) return mhub::cli::print_error(repo.status());
      mhub::Status s =
          tag ? client.create_tag(*repo, create_opts->ref, create_opts->revision, create_opts->message)
              : client.create_branch(*repo, create_opts->ref, create_opts->revision, create_opts->exist_ok);
      if (!s.ok()) return mhub::cli::print_error(s);
      std::cout << "Created " << what << " " << create_opts->ref << " in " << repo->id << " at "
                << (create_opts->revision.empty() ? "main" : create_opts->revision) << "\n";
      return 0;
    }
    if (del->parsed()) {
      auto repo = mhub::cli::ReadRepoArg(delete_opts->repo, delete_opts->type);
      if (!repo.ok()) return mhub::cli::print_error(repo.status());
      mhub::Status s = tag ? client.delete_tag(*repo, delete_opts->ref) : client.delete_branch(*repo, delete_opts->ref);
      if (!s.ok()) return mhub::cli::print_error(s);
      std::cout << "Deleted " << what << " " << delete_opts->ref << " in " << repo->id << "\n";
      return 0;
    }
    auto repo = mhub::cli::ReadRepoArg(list_opts->repo, list_opts->type);
    if (!repo.ok()) return mhub::cli::print_error(repo.status());
    auto refs = client.list_repo_refs(*repo);
    if (!refs.ok()) return mhub::cli::print_error(refs.status());
    const auto& items = tag ? refs->tags : refs->branches;
    if (list_opts->json) {
      mhub::Json out = mhub::Json::array();
      for (const auto& r : items) out.push_back({{"name", r.name}, {"ref", r.ref}, {"target_commit", r.target_commit}});
      std::cout << mhub::DumpJson(out) << "\n";
      return 0;
    }
    for (const auto& r : items) std::cout << r.name << "\t" << r.target_commit << "\n";
    return 0;
  };
}

}  // namespace

MHUB_REGISTER_COMMAND(repo) {
  auto* sub = app.add_subcommand("repo", "Create or delete hub repositories; manage their branches and tags");
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

  auto branch_action = AddRefCommands(sub, /*tag=*/false);
  auto* branch = sub->get_subcommands({}).back();
  auto tag_action = AddRefCommands(sub, /*tag=*/true);
  auto* tag = sub->get_subcommands({}).back();

  return [=]() -> int {
    if (branch->parsed()) return branch_action();
    if (tag->parsed()) return tag_action();
    auto client = mhub::hub::HubClient::FromEnv();
    if (create->parsed()) {
      auto repo = mhub::cli::ResolveRepoArg(client, create_opts->name, create_opts->type);
      if (!repo.ok()) return mhub::cli::print_error(repo.status());
      auto url = client.create_repo(*repo, {create_opts->is_private, create_opts->exist_ok});
      if (!url.ok()) return mhub::cli::print_error(url.status());
      // The hub's answer names the repo page, which does not exist yet: print what opens.
      const std::string open_url = mhub::cli::RepoOpenUrl(client, *repo);
      if (create_opts->json) {
        std::cout << mhub::DumpJson(
                         mhub::Json{{"url", open_url}, {"id", repo->id}, {"type", mhub::hub::RepoTypeName(repo->type)}})
                  << "\n";
      } else {
        std::cout << open_url << "\n";
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
