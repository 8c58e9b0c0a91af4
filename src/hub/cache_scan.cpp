#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "mhub/base/env.h"
#include "mhub/hub/cache.h"

namespace mhub::hub {
namespace fs = std::filesystem;

namespace {

// "models--org--name" -> {org/name, model}; false for other folders.
bool ParseRepoFolder(const std::string& name, RepoRef& out) {
  auto sep = name.find("--");
  if (sep == std::string::npos) return false;
  auto type = ParseRepoType(name.substr(0, sep));
  if (!type.ok()) return false;
  std::string rest = name.substr(sep + 2);
  std::string id;
  size_t pos = 0;
  while (true) {
    auto next = rest.find("--", pos);
    id += rest.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    if (next == std::string::npos) break;
    id += '/';
    pos = next + 2;
  }
  if (id.empty()) return false;
  out = RepoRef{id, *type};
  return true;
}

}  // namespace

Result<std::vector<CachedRepo>> ScanCache(const std::string& cache_dir) {
  std::vector<CachedRepo> repos;
  std::error_code ec;
  if (!fs::is_directory(cache_dir, ec)) return repos;
  for (const auto& entry : fs::directory_iterator(cache_dir, ec)) {
    if (!entry.is_directory()) continue;
    CachedRepo repo;
    if (!ParseRepoFolder(entry.path().filename().string(), repo.repo)) continue;
    repo.path = entry.path().string();
    std::error_code e2;
    for (const auto& blob : fs::directory_iterator(entry.path() / "blobs", e2)) {
      if (!blob.is_regular_file() || blob.path().extension() == ".incomplete") continue;
      struct stat st {};
      if (::stat(blob.path().c_str(), &st) != 0) continue;
      repo.size_on_disk += static_cast<uint64_t>(st.st_size);
      repo.nb_files += 1;
      repo.last_modified = std::max<int64_t>(repo.last_modified, st.st_mtime);
    }
    fs::path refs_dir = entry.path() / "refs";
    for (auto it = fs::recursive_directory_iterator(refs_dir, e2); !e2 && it != fs::recursive_directory_iterator();
         it.increment(e2)) {
      if (!it->is_regular_file()) continue;
      auto text = ReadFile(it->path().string());
      if (!text.ok()) continue;
      std::string commit = *text;
      while (!commit.empty() && (commit.back() == '\n' || commit.back() == ' ')) commit.pop_back();
      repo.refs[it->path().lexically_relative(refs_dir).generic_string()] = commit;
    }
    e2.clear();
    for (const auto& snap : fs::directory_iterator(entry.path() / "snapshots", e2)) {
      if (!snap.is_directory()) continue;
      CachedRevision rev;
      rev.commit = snap.path().filename().string();
      rev.snapshot_path = snap.path().string();
      std::error_code e3;
      for (auto it = fs::recursive_directory_iterator(snap.path(), e3); !e3 && it != fs::recursive_directory_iterator();
           it.increment(e3)) {
        if (it->is_directory()) continue;
        struct stat st {};
        if (::stat(it->path().c_str(), &st) != 0) continue;  // follows the symlink to the blob
        rev.nb_files += 1;
        rev.size_on_disk += static_cast<uint64_t>(st.st_size);
      }
      for (const auto& [name, commit] : repo.refs)
        if (commit == rev.commit) rev.refs.push_back(name);
      repo.revisions.push_back(std::move(rev));
    }
    std::sort(repo.revisions.begin(), repo.revisions.end(),
              [](const CachedRevision& a, const CachedRevision& b) { return a.commit < b.commit; });
    repos.push_back(std::move(repo));
  }
  if (ec) return Status::IOError("while scanning " + cache_dir + ": " + ec.message());
  std::sort(repos.begin(), repos.end(), [](const CachedRepo& a, const CachedRepo& b) {
    return std::make_pair(a.repo.type, a.repo.id) < std::make_pair(b.repo.type, b.repo.id);
  });
  return repos;
}

}  // namespace mhub::hub
