// `mhub cache ls|rm|prune|verify`: what the HF cache holds and its upkeep (like `hf cache ...`).
#include <ctime>
#include <iostream>

#include "cmd_hub_common.h"
#include "mhub/hub/cache.h"
#include "table.h"

namespace {

struct CacheOptions {
  std::string cache_dir;
  bool json = false;
  std::vector<std::string> targets;  // rm: REPO_ID[@REVISION]
  std::string type = "model";
  std::string revision;
  bool dry_run = false;
};

std::string CacheDir(const CacheOptions& o) {
  return o.cache_dir.empty() ? mhub::hub::HubConfig::FromEnv().cache_dir : o.cache_dir;
}

std::string Ago(int64_t when) {
  if (when <= 0) return "";
  int64_t s = static_cast<int64_t>(std::time(nullptr)) - when;
  if (s < 60) return "just now";
  if (s < 3600) return std::to_string(s / 60) + " minutes ago";
  if (s < 86400) return std::to_string(s / 3600) + " hours ago";
  return std::to_string(s / 86400) + " days ago";
}

int List(const CacheOptions& opts) {
  std::string dir = CacheDir(opts);
  auto repos = mhub::hub::ScanCache(dir);
  if (!repos.ok()) return mhub::cli::print_error(repos.status());
  if (opts.json) {
    mhub::Json out = mhub::Json::array();
    for (const auto& r : *repos) {
      mhub::Json revs = mhub::Json::array();
      for (const auto& v : r.revisions)
        revs.push_back({{"commit", v.commit},
                        {"refs", v.refs},
                        {"nb_files", v.nb_files},
                        {"size_on_disk", v.size_on_disk},
                        {"path", v.snapshot_path}});
      out.push_back({{"repo_id", r.repo.id},
                     {"repo_type", mhub::hub::RepoTypeName(r.repo.type)},
                     {"size_on_disk", r.size_on_disk},
                     {"nb_files", r.nb_files},
                     {"refs", r.refs},
                     {"revisions", revs},
                     {"last_modified", r.last_modified},
                     {"path", r.path}});
    }
    std::cout << mhub::DumpJson(out, 2) << "\n";
    return 0;
  }
  mhub::cli::Table table({"REPO ID", "REPO TYPE", ">SIZE ON DISK", ">NB FILES", "LAST MODIFIED", "REFS", "LOCAL PATH"});
  uint64_t total = 0;
  for (const auto& r : *repos) {
    std::string refs;
    for (const auto& [name, commit] : r.refs) refs += (refs.empty() ? "" : ", ") + name;
    table.AddRow({r.repo.id, std::string(mhub::hub::RepoTypeName(r.repo.type)), mhub::cli::HumanSize(r.size_on_disk),
                  std::to_string(r.nb_files), Ago(r.last_modified), refs, r.path});
    total += r.size_on_disk;
  }
  table.Print(std::cout);
  std::cout << "\nDone in the cache " << dir << ": " << repos->size() << " repo(s), " << mhub::cli::HumanSize(total)
            << " on disk.\n";
  return 0;
}

void PrintCleanup(const mhub::hub::CacheCleanup& c, bool dry_run) {
  for (const auto& p : c.removed) std::cout << (dry_run ? "would remove " : "removed ") << p << "\n";
  std::cout << (dry_run ? "Would free " : "Freed ") << mhub::cli::HumanSize(c.bytes_freed) << ".\n";
}

int Remove(const CacheOptions& opts) {
  auto type = mhub::hub::ParseRepoType(opts.type);
  if (!type.ok()) return mhub::cli::print_error(type.status());
  mhub::hub::CacheCleanup all;
  for (const auto& target : opts.targets) {
    size_t at = target.find('@');
    mhub::hub::RepoRef repo{target.substr(0, at), *type};
    std::string revision = at == std::string::npos ? "" : target.substr(at + 1);
    auto done = mhub::hub::DeleteCachedRevision(CacheDir(opts), repo, revision, opts.dry_run);
    if (!done.ok()) return mhub::cli::print_error(done.status());
    all.removed.insert(all.removed.end(), done->removed.begin(), done->removed.end());
    all.bytes_freed += done->bytes_freed;
  }
  PrintCleanup(all, opts.dry_run);
  return 0;
}

int Prune(const CacheOptions& opts) {
  auto done = mhub::hub::PruneCache(CacheDir(opts), opts.dry_run);
  if (!done.ok()) return mhub::cli::print_error(done.status());
  PrintCleanup(*done, opts.dry_run);
  return 0;
}

int Verify(const CacheOptions& opts) {
  auto type = mhub::hub::ParseRepoType(opts.type);
  if (!type.ok()) return mhub::cli::print_error(type.status());
  mhub::hub::RepoRef repo{opts.targets.empty() ? "" : opts.targets[0], *type};
  auto report = mhub::hub::VerifyCachedRepo(CacheDir(opts), repo, opts.revision);
  if (!report.ok()) return mhub::cli::print_error(report.status());
  if (opts.json) {
    mhub::Json problems = mhub::Json::array();
    for (const auto& p : report->problems) problems.push_back({{"path", p.path}, {"problem", p.what}});
    std::cout << mhub::DumpJson(mhub::Json{{"files_checked", report->files_checked}, {"problems", problems}}) << "\n";
  } else {
    for (const auto& p : report->problems) std::cout << p.path << ": " << p.what << "\n";
    std::cout << "Checked " << report->files_checked << " file(s) of " << repo.id << ": "
              << (report->problems.empty() ? "all match their checksums"
                                           : std::to_string(report->problems.size()) + " problem(s)")
              << ".\n";
  }
  if (report->problems.empty()) return 0;
  return mhub::cli::print_error(std::to_string(report->problems.size()) + " cached file(s) of " + repo.id +
                                " are damaged: `mhub cache rm " + repo.id + "` and download again");
}

}  // namespace

MHUB_REGISTER_COMMAND(cache) {
  auto* sub = app.add_subcommand("cache", "Inspect and clean the local hub cache");
  sub->require_subcommand(1);
  auto opts = std::make_shared<CacheOptions>();
  auto* ls = sub->add_subcommand("ls", "List cached repos: id, type, size, files, last change, refs, path");
  ls->add_flag("--json", opts->json, "print the scan as JSON");
  auto* rm = sub->add_subcommand("rm", "Remove cached repos (REPO_ID) or one revision (REPO_ID@REVISION)");
  rm->add_option("targets", opts->targets, "REPO_ID or REPO_ID@REVISION (a branch, tag or commit)")->required();
  rm->add_flag("--dry-run", opts->dry_run, "print what would be removed");
  auto* prune = sub->add_subcommand("prune", "Remove revisions no ref points to and blobs no snapshot uses");
  prune->add_flag("--dry-run", opts->dry_run, "print what would be removed");
  auto* verify = sub->add_subcommand("verify", "Check the cached files of a repo against their checksums");
  verify->add_option("repo", opts->targets, "repo id")->required()->expected(1);
  verify->add_option("--revision", opts->revision, "only this revision (default: every cached one)");
  verify->add_flag("--json", opts->json, "print {files_checked, problems} as JSON");
  for (CLI::App* s : {ls, rm, prune, verify})
    s->add_option("--cache-dir", opts->cache_dir, "cache folder (default: $HF_HUB_CACHE)");
  for (CLI::App* s : {rm, verify}) mhub::cli::AddRepoTypeOption(s, opts->type);
  return [=]() -> int {
    if (rm->parsed()) return Remove(*opts);
    if (prune->parsed()) return Prune(*opts);
    if (verify->parsed()) return Verify(*opts);
    return List(*opts);
  };
}
