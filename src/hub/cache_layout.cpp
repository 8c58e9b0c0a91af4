#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "mhub/base/env.h"
#include "mhub/hub/cache.h"

namespace mhub::hub {
namespace fs = std::filesystem;

namespace {

bool IsCommitHash(const std::string& s) {
  return s.size() == 40 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::string RepoFolderName(const RepoRef& repo) {
  std::string name = std::string(RepoTypeName(repo.type)) + "s--";
  for (char c : repo.id) {
    if (c == '/')
      name += "--";
    else
      name += c;
  }
  return name;
}

std::string RepoCacheDir(const std::string& cache_dir, const RepoRef& repo) {
  return cache_dir + "/" + RepoFolderName(repo);
}

Result<std::string> CachedCommitForRevision(const std::string& repo_dir, const std::string& revision) {
  if (IsCommitHash(revision)) return revision;
  auto text = ReadFile(repo_dir + "/refs/" + revision);
  if (!text.ok()) return Status::NotFound("revision '" + revision + "' is not in the cache " + repo_dir);
  std::string commit = *text;
  while (!commit.empty() && (commit.back() == '\n' || commit.back() == '\r' || commit.back() == ' ')) commit.pop_back();
  if (commit.empty()) return Status::Corruption("empty ref file " + repo_dir + "/refs/" + revision);
  return commit;
}

Status WriteCachedRef(const std::string& repo_dir, const std::string& revision, const std::string& commit) {
  if (revision == commit) return Status::OK();
  std::string path = repo_dir + "/refs/" + revision;
  auto existing = ReadFile(path);
  if (existing.ok() && *existing == commit) return Status::OK();
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return Status::IOError("cannot create " + fs::path(path).parent_path().string() + ": " + ec.message());
  return WriteFileAtomic(path, commit);
}

Status LinkSnapshotFile(const std::string& repo_dir, const std::string& commit, const std::string& path,
                        const std::string& etag) {
  fs::path link = fs::path(repo_dir) / "snapshots" / commit / path;
  std::error_code ec;
  fs::create_directories(link.parent_path(), ec);
  if (ec) return Status::IOError("cannot create " + link.parent_path().string() + ": " + ec.message());
  std::string target;
  size_t depth = static_cast<size_t>(std::count(path.begin(), path.end(), '/')) + 2;
  for (size_t i = 0; i < depth; ++i) target += "../";
  target += "blobs/" + etag;
  // Already right? Nothing to do.
  if (fs::is_symlink(link, ec) && fs::read_symlink(link, ec).string() == target) return Status::OK();
  std::string tmp = TempPathFor(link.string());
  if (::symlink(target.c_str(), tmp.c_str()) != 0) return Status::IOError("cannot create symlink " + tmp);
  if (::rename(tmp.c_str(), link.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::IOError("cannot move symlink into place at " + link.string());
  }
  return Status::OK();
}

}  // namespace mhub::hub
