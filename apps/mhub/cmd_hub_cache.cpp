// `mhub cache ls [--cache-dir D] [--json]`: what the HF cache holds (like `hf cache scan`).
#include <iostream>

#include "cmd_hub_common.h"
#include "mhub/base/progress.h"
#include "mhub/hub/cache.h"

namespace {

struct CacheOptions {
  std::string cache_dir;
  bool json = false;
};

}  // namespace

MHUB_REGISTER_COMMAND(cache) {
  auto* sub = app.add_subcommand("cache", "Inspect the local hub cache");
  sub->require_subcommand(1);
  auto opts = std::make_shared<CacheOptions>();
  auto* ls = sub->add_subcommand("ls", "List cached repos: id, type, size, files, refs, path");
  ls->add_option("--cache-dir", opts->cache_dir, "cache folder (default: $HF_HUB_CACHE)");
  ls->add_flag("--json", opts->json, "print the scan as JSON");
  return [opts]() -> int {
    std::string dir = opts->cache_dir.empty() ? mhub::hub::HubConfig::FromEnv().cache_dir : opts->cache_dir;
    auto repos = mhub::hub::ScanCache(dir);
    if (!repos.ok()) return mhub::cli::print_error(repos.status());
    if (opts->json) {
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
    std::cout << "REPO ID\tREPO TYPE\tSIZE ON DISK\tNB FILES\tREFS\tLOCAL PATH\n";
    uint64_t total = 0;
    for (const auto& r : *repos) {
      std::string refs;
      for (const auto& [name, commit] : r.refs) refs += (refs.empty() ? "" : ", ") + name;
      std::cout << r.repo.id << "\t" << mhub::hub::RepoTypeName(r.repo.type) << "\t"
                << mhub::ProgressBar::FormatBytes(static_cast<double>(r.size_on_disk)) << "\t" << r.nb_files << "\t"
                << refs << "\t" << r.path << "\n";
      total += r.size_on_disk;
    }
    std::cout << "Done in the cache " << dir << ": " << repos->size() << " repo(s), "
              << mhub::ProgressBar::FormatBytes(static_cast<double>(total)) << " on disk.\n";
    return 0;
  };
}
