// `mhub upload REPO PATH [PATH_IN_REPO]`: one file or a folder in one commit (like `hf upload`).
// Creates the repo first when it does not exist. Prints the commit URL.
#include <filesystem>
#include <iostream>

#include "cmd_hub_common.h"

namespace {

struct UploadOptions {
  std::string repo;
  std::string local_path;
  std::string path_in_repo;
  std::string type = "model";
  std::string revision = "main";
  std::string commit_message;
  std::string commit_description;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::vector<std::string> delete_patterns;
  bool is_private = false;
  bool json = false;
};

}  // namespace

MHUB_REGISTER_COMMAND(upload) {
  auto* sub = app.add_subcommand("upload", "Upload a file or a folder to a hub repo in one commit");
  auto opts = std::make_shared<UploadOptions>();
  sub->add_option("repo", opts->repo, "repo id (namespace/name, or a name in your namespace)")->required();
  sub->add_option("local_path", opts->local_path, "file or folder to upload (default: .)");
  sub->add_option("path_in_repo", opts->path_in_repo, "destination in the repo (default: the file name / the root)");
  mhub::cli::AddRepoTypeOption(sub, opts->type);
  sub->add_option("--revision", opts->revision, "branch to commit to")->default_val("main");
  sub->add_option("--commit-message", opts->commit_message, "commit summary");
  sub->add_option("--commit-description", opts->commit_description, "commit description");
  sub->add_option("--include", opts->include, "glob patterns of files to upload (folders)");
  sub->add_option("--exclude", opts->exclude, "glob patterns of files to skip (folders)");
  sub->add_option("--delete", opts->delete_patterns, "glob patterns of remote files to delete (folders)");
  sub->add_flag("--private", opts->is_private, "create the repo private if it does not exist");
  sub->add_flag("--json", opts->json, "print the commit as JSON");
  return [opts]() -> int {
    namespace fs = std::filesystem;
    auto client = mhub::hub::HubClient::FromEnv();
    auto repo = mhub::cli::ResolveRepoArg(client, opts->repo, opts->type);
    if (!repo.ok()) return mhub::cli::print_error(repo.status());
    std::string local = opts->local_path.empty() ? "." : opts->local_path;
    std::error_code ec;
    if (!fs::exists(local, ec)) return mhub::cli::print_error("no such file or folder: " + local);
    auto created = client.create_repo(*repo, {opts->is_private, /*exist_ok=*/true});
    if (!created.ok()) return mhub::cli::print_error(created.status());

    mhub::hub::CommitOptions commit;
    commit.revision = opts->revision;
    commit.commit_message = opts->commit_message;
    commit.commit_description = opts->commit_description;
    mhub::Result<mhub::hub::CommitInfo> info = mhub::Status::Internal("unset");
    if (fs::is_directory(local, ec)) {
      mhub::hub::UploadFolderOptions folder;
      folder.commit = commit;
      folder.path_in_repo = opts->path_in_repo;
      folder.allow_patterns = opts->include;
      folder.ignore_patterns = opts->exclude;
      folder.delete_patterns = opts->delete_patterns;
      info = client.upload_folder(*repo, local, folder);
    } else {
      std::string in_repo = opts->path_in_repo.empty() ? fs::path(local).filename().string() : opts->path_in_repo;
      info = client.upload_file(*repo, local, in_repo, commit);
    }
    if (!info.ok()) return mhub::cli::print_error(info.status());
    if (opts->json) {
      std::cout << mhub::DumpJson(
                       mhub::Json{{"commitOid", info->commit_oid}, {"commitUrl", info->commit_url}, {"repo", repo->id}})
                << "\n";
    } else {
      std::cout << (info->commit_url.empty() ? info->commit_oid : info->commit_url) << "\n";
    }
    return 0;
  };
}
