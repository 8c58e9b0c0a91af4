// `mhub download REPO [FILES...]`: files or a whole snapshot into the HF cache (or --local-dir);
// prints the local path (the file for one file, else the folder).
#include <iostream>

#include "cmd_hub_common.h"

namespace {

struct DownloadCmdOptions {
  std::string repo;
  std::vector<std::string> files;
  std::string type = "model";
  std::string revision = "main";
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::string local_dir;
  std::string cache_dir;
  bool force = false;
  int max_workers = 8;
};

}  // namespace

MHUB_REGISTER_COMMAND(download) {
  auto* sub = app.add_subcommand("download", "Download files or a snapshot of a hub repo");
  auto opts = std::make_shared<DownloadCmdOptions>();
  sub->add_option("repo", opts->repo, "repo id (namespace/name)")->required();
  sub->add_option("files", opts->files, "files to download (default: the whole repo)");
  mhub::cli::AddRepoTypeOption(sub, opts->type);
  sub->add_option("--revision", opts->revision, "branch, tag or commit")->default_val("main");
  sub->add_option("--include", opts->include, "glob patterns of files to download");
  sub->add_option("--exclude", opts->exclude, "glob patterns of files to skip");
  sub->add_option("--local-dir", opts->local_dir, "also place the files in this folder and print it");
  sub->add_option("--cache-dir", opts->cache_dir, "cache folder (default: $HF_HUB_CACHE)");
  sub->add_flag("--force-download", opts->force, "download even when cached");
  sub->add_option("--max-workers", opts->max_workers, "parallel file downloads")->default_val(8);
  return [opts]() -> int {
    auto config = mhub::hub::HubConfig::FromEnv();
    if (!opts->cache_dir.empty()) config.cache_dir = opts->cache_dir;
    mhub::hub::HubClient client(config);
    auto repo_or = mhub::cli::ReadRepoArg(opts->repo, opts->type);
    if (!repo_or.ok()) return mhub::cli::print_error(repo_or.status());
    const mhub::hub::RepoRef repo = *repo_or;
    if (opts->files.size() == 1 && opts->include.empty() && opts->exclude.empty()) {
      mhub::hub::DownloadOptions d;
      d.revision = opts->revision;
      d.local_dir = opts->local_dir;
      d.force_download = opts->force;
      auto path = client.hf_hub_download(repo, opts->files[0], d);
      if (!path.ok()) return mhub::cli::print_error(path.status());
      std::cout << *path << "\n";
      return 0;
    }
    mhub::hub::SnapshotOptions s;
    s.revision = opts->revision;
    s.allow_patterns = opts->files.empty() ? opts->include : opts->files;
    s.ignore_patterns = opts->exclude;
    s.local_dir = opts->local_dir;
    s.max_workers = opts->max_workers;
    auto path = client.snapshot_download(repo, s);
    if (!path.ok()) return mhub::cli::print_error(path.status());
    std::cout << *path << "\n";
    return 0;
  };
}
