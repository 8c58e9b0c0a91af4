// `mhub upload REPO [LOCAL_PATH] [PATH_IN_REPO]`: one file or a folder in one commit (like
// `hf upload`). Creates the repo, and the branch named by --revision, when missing. Files the
// revision already holds unchanged are skipped; when nothing changed no commit is made. Prints
// a URL that opens what was committed (the file, or the folder's listing, at the new commit).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cmd_hub_common.h"
#include "mhub/hub/path_in_repo.h"

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
  int max_workers = 4;
};

// What an interrupted upload tells the user (the handler may only use async-signal-safe calls).
std::atomic<uint64_t> g_lfs_files_done{0};
std::atomic<uint64_t> g_lfs_files_total{0};

void AppendNumber(char* buf, size_t& n, uint64_t v) {
  char digits[24];
  size_t k = 0;
  do {
    digits[k++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (k > 0) buf[n++] = digits[--k];
}

void AppendText(char* buf, size_t& n, const char* text) {
  size_t len = std::strlen(text);
  std::memcpy(buf + n, text, len);
  n += len;
}

extern "C" void OnInterrupt(int) {
  char buf[512];
  size_t n = 0;
  AppendText(buf, n, "\nmhub: error: upload interrupted: nothing was committed; ");
  AppendNumber(buf, n, g_lfs_files_done.load());
  AppendText(buf, n, " of ");
  AppendNumber(buf, n, g_lfs_files_total.load());
  AppendText(buf, n,
             " large (LFS) files were already stored on the hub and will not be sent again: run the same command to "
             "finish\n");
  ssize_t ignored = ::write(STDERR_FILENO, buf, n);
  (void)ignored;
  ::_exit(130);
}

// Creates `revision` from the default branch when the repo has no such branch (as `hf upload`).
mhub::Status EnsureBranch(const mhub::hub::HubClient& client, const mhub::hub::RepoRef& repo,
                          const std::string& revision) {
  if (revision.empty() || revision == "main") return mhub::Status::OK();
  auto info = client.repo_info(repo, revision);
  if (info.ok()) return mhub::Status::OK();
  if (info.status().code() != mhub::StatusCode::kNotFound) return info.status();
  MHUB_RETURN_IF_ERROR(client.create_branch(repo, revision, "", /*exist_ok=*/true));
  std::cerr << "Created branch '" << revision << "' in " << repo.id << "\n";
  return mhub::Status::OK();
}

}  // namespace

MHUB_REGISTER_COMMAND(upload) {
  auto* sub = app.add_subcommand("upload", "Upload a file or a folder to a hub repo in one commit");
  auto opts = std::make_shared<UploadOptions>();
  sub->add_option("repo", opts->repo, "repo id (namespace/name, or a name in your namespace)")->required();
  sub->add_option("local_path", opts->local_path,
                  "file or folder to upload (default: the folder named like the repo, if there is one)");
  sub->add_option("path_in_repo", opts->path_in_repo,
                  "destination in the repo: '.' is the root, 'sub/' a folder (default: the file name / the root)");
  mhub::cli::AddRepoTypeOption(sub, opts->type);
  sub->add_option("--revision", opts->revision, "branch to commit to (created from main when missing)")
      ->default_val("main");
  sub->add_option("--commit-message", opts->commit_message, "commit summary");
  sub->add_option("--commit-description", opts->commit_description, "commit description");
  sub->add_option("--include", opts->include, "glob patterns of files to upload (folders)");
  sub->add_option("--exclude", opts->exclude, "glob patterns of files to skip (folders)");
  sub->add_option("--delete", opts->delete_patterns, "glob patterns of remote files to delete (folders)");
  sub->add_flag("--private", opts->is_private, "create the repo private if it does not exist");
  sub->add_flag("--json", opts->json, "print the commit as JSON");
  sub->add_option("--max-workers", opts->max_workers, "large files uploaded in parallel")->default_val(4);
  sub->footer(
      "Examples:\n  mhub upload alice/tiny-bert ./tiny-bert\n  mhub upload alice/tiny-bert ./tiny-bert . --revision "
      "dev\n"
      "  mhub upload alice/tiny-bert ./notes.txt docs/\n  mhub upload alice/data ./csv /train --type dataset");
  return [opts]() -> int {
    namespace fs = std::filesystem;
    auto client = mhub::hub::HubClient::FromEnv();
    std::string local = opts->local_path;
    std::error_code ec;
    if (local.empty()) {
      std::string name = opts->repo.substr(opts->repo.rfind('/') + 1);
      if (!fs::exists(name, ec))
        return mhub::cli::print_error("'" + name + "' is not a local file or folder: pass the path to upload (" +
                                      "mhub upload " + opts->repo + " LOCAL_PATH)");
      local = name;
    }
    if (!fs::exists(local, ec)) return mhub::cli::print_error("no such file or folder: " + local);
    const bool is_dir = fs::is_directory(local, ec);
    if (!is_dir) {
      if (!opts->include.empty()) mhub::cli::print_warning("ignoring --include since a single file is uploaded");
      if (!opts->exclude.empty()) mhub::cli::print_warning("ignoring --exclude since a single file is uploaded");
      if (!opts->delete_patterns.empty()) mhub::cli::print_warning("ignoring --delete since a single file is uploaded");
    }
    auto repo = mhub::cli::ResolveRepoArg(client, opts->repo, opts->type);
    if (!repo.ok()) return mhub::cli::print_error(repo.status());
    auto created = client.create_repo(*repo, {opts->is_private, /*exist_ok=*/true});
    if (!created.ok()) return mhub::cli::print_error(created.status());
    if (mhub::Status s = EnsureBranch(client, *repo, opts->revision); !s.ok()) return mhub::cli::print_error(s);

    mhub::hub::CommitOptions commit;
    commit.revision = opts->revision;
    commit.commit_message = opts->commit_message;
    commit.commit_description = opts->commit_description;
    commit.lfs_parallelism = std::max(1, opts->max_workers);
    commit.on_lfs_file_done = [](const std::string&, uint64_t, bool) { g_lfs_files_done.fetch_add(1); };
    // Large files: what is on the hub stays there, so Ctrl-C says how much a re-run will skip.
    for (const auto& p : is_dir ? fs::recursive_directory_iterator(local, ec) : fs::recursive_directory_iterator())
      if (p.is_regular_file() && p.file_size() > 10 * 1024 * 1024) g_lfs_files_total.fetch_add(1);
    if (!is_dir && fs::file_size(local, ec) > 10 * 1024 * 1024) g_lfs_files_total = 1;
    struct sigaction sa {};
    sa.sa_handler = OnInterrupt;
    ::sigaction(SIGINT, &sa, nullptr);

    mhub::Result<mhub::hub::CommitInfo> info = mhub::Status::Internal("unset");
    std::string uploaded_path;  // the folder (is_dir) or the file in the repo
    if (is_dir) {
      auto folder_in_repo = mhub::hub::NormalizeFolderInRepo(opts->path_in_repo);
      if (!folder_in_repo.ok()) return mhub::cli::print_error(folder_in_repo.status());
      uploaded_path = *folder_in_repo;
      mhub::hub::UploadFolderOptions folder;
      folder.commit = commit;
      folder.path_in_repo = opts->path_in_repo;
      folder.allow_patterns = opts->include;
      folder.ignore_patterns = opts->exclude;
      folder.delete_patterns = opts->delete_patterns;
      info = client.upload_folder(*repo, local, folder);
    } else {
      auto in_repo = mhub::hub::FilePathInRepo(opts->path_in_repo, fs::path(local).filename().string());
      if (!in_repo.ok()) return mhub::cli::print_error(in_repo.status());
      uploaded_path = *in_repo;
      info = client.upload_file(*repo, local, *in_repo, commit);
    }
    ::signal(SIGINT, SIG_DFL);
    if (!info.ok()) return mhub::cli::print_error(info.status());
    if (info->empty) {
      std::cerr << "No files changed since the last commit of " << repo->id << "@" << opts->revision
                << ": nothing to commit (" << info->unchanged_paths.size() << " file(s) already up to date)\n";
    } else if (!info->unchanged_paths.empty()) {
      std::cerr << "Skipped " << info->unchanged_paths.size() << " unchanged file(s)\n";
    }
    if (info->lfs_files_reused > 0)
      std::cerr << info->lfs_files_reused << " large file(s) were already on the hub and were not sent again\n";
    // What the commit holds there, at a URL that opens (the hub's commitUrl names a web page it
    // does not serve yet): the folder's API listing, or the file itself.
    const std::string open_url = is_dir ? mhub::cli::TreeOpenUrl(client, *repo, info->commit_oid, uploaded_path)
                                        : mhub::cli::FileOpenUrl(client, *repo, info->commit_oid, uploaded_path);
    if (opts->json) {
      std::cout << mhub::DumpJson(mhub::Json{{"commitOid", info->commit_oid},
                                             {"commitUrl", info->commit_url},
                                             {"url", open_url},
                                             {"repo", repo->id},
                                             {"empty", info->empty},
                                             {"unchanged", info->unchanged_paths}})
                << "\n";
    } else {
      std::cout << open_url << "\n";
    }
    return 0;
  };
}
