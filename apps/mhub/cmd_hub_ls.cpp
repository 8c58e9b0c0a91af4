// `mhub ls REPO [PATH] [--revision R] [-R]`: the files of a hub repo, one per line
// (folders end with '/'); --long adds sizes and LFS marks; --json prints the tree entries.
#include <iostream>

#include "cmd_hub_common.h"
#include "table.h"

namespace {

struct LsOptions {
  std::string repo;
  std::string path;
  std::string type = "model";
  std::string revision = "main";
  bool recursive = false;
  bool long_format = false;
  bool json = false;
};

}  // namespace

MHUB_REGISTER_COMMAND(ls) {
  auto* sub = app.add_subcommand("ls", "List the files of a hub repo");
  auto opts = std::make_shared<LsOptions>();
  sub->add_option("repo", opts->repo, "repo id (namespace/name)")->required();
  sub->add_option("path", opts->path, "folder inside the repo");
  mhub::cli::AddRepoTypeOption(sub, opts->type);
  sub->add_option("--revision", opts->revision, "branch, tag or commit")->default_val("main");
  sub->add_flag("-R,--recursive", opts->recursive, "list sub-folders too");
  sub->add_flag("-l,--long", opts->long_format, "a table with human sizes and LFS marks");
  sub->add_flag("--json", opts->json, "print the entries as JSON");
  return [opts]() -> int {
    auto repo = mhub::cli::ReadRepoArg(opts->repo, opts->type);
    if (!repo.ok()) return mhub::cli::print_error(repo.status());
    auto entries = mhub::hub::HubClient::FromEnv().list_repo_tree(*repo, opts->revision, opts->path, opts->recursive);
    if (!entries.ok()) return mhub::cli::print_error(entries.status());
    if (opts->json) {
      mhub::Json out = mhub::Json::array();
      for (const auto& e : *entries) {
        mhub::Json j = {{"type", e.type}, {"path", e.path}, {"size", e.size}, {"oid", e.oid}};
        if (!e.lfs_oid.empty()) j["lfs"] = {{"oid", e.lfs_oid}, {"size", e.size}};
        out.push_back(j);
      }
      std::cout << mhub::DumpJson(out) << "\n";
      return 0;
    }
    if (opts->long_format) {
      mhub::cli::Table table({">SIZE", "LFS", "PATH"});
      for (const auto& e : *entries) {
        bool dir = e.type == "directory";
        table.AddRow(
            {dir ? "-" : mhub::cli::HumanSize(e.size), e.lfs_oid.empty() ? "" : "lfs", e.path + (dir ? "/" : "")});
      }
      table.Print(std::cout);
      return 0;
    }
    for (const auto& e : *entries) std::cout << e.path << (e.type == "directory" ? "/" : "") << "\n";
    return 0;
  };
}
