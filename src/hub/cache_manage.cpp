// Cache clean-up and checks behind `mhub cache rm|prune|verify` (huggingface_hub's layout, see
// cache.h). Blobs are shared between snapshots, so one is removed only when no snapshot links to
// it any more.
#include <filesystem>
#include <fstream>
#include <set>

#include "hub/git_blob_oid.h"
#include "mhub/base/sha256.h"
#include "mhub/hub/cache.h"

namespace mhub::hub {
namespace fs = std::filesystem;

namespace {

uint64_t SizeOf(const fs::path& p) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    uint64_t total = 0;
    for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_regular_file(ec) && !it->is_symlink(ec)) total += it->file_size(ec);
    return total;
  }
  auto size = fs::file_size(p, ec);
  return ec ? 0 : size;
}

Status Remove(const fs::path& p, bool dry_run, CacheCleanup& out) {
  out.bytes_freed += SizeOf(p);
  out.removed.push_back(p.string());
  if (dry_run) return Status::OK();
  std::error_code ec;
  fs::remove_all(p, ec);
  if (ec) return Status::IOError("cannot remove " + p.string() + ": " + ec.message());
  return Status::OK();
}

// Blob names the snapshots of `repo_dir` link to, except those under `skip` snapshots.
std::set<std::string> LinkedBlobs(const fs::path& repo_dir, const std::set<std::string>& skip) {
  std::set<std::string> linked;
  std::error_code ec;
  for (const auto& snap : fs::directory_iterator(repo_dir / "snapshots", ec)) {
    if (skip.count(snap.path().filename().string())) continue;
    std::error_code e2;
    for (auto it = fs::recursive_directory_iterator(snap.path(), e2); !e2 && it != fs::recursive_directory_iterator();
         it.increment(e2)) {
      if (!it->is_symlink(e2)) continue;
      fs::path target = fs::read_symlink(it->path(), e2);
      if (!e2) linked.insert(target.filename().string());
    }
  }
  return linked;
}

// Removes the snapshots named in `drop`, the refs pointing at them, then unlinked blobs.
Status DropSnapshots(const fs::path& repo_dir, const std::set<std::string>& drop, bool dry_run, CacheCleanup& out) {
  std::set<std::string> keep_blobs = LinkedBlobs(repo_dir, drop);
  for (const auto& commit : drop) MHUB_RETURN_IF_ERROR(Remove(repo_dir / "snapshots" / commit, dry_run, out));
  std::error_code ec;
  fs::path refs = repo_dir / "refs";
  std::vector<fs::path> stale_refs;
  for (auto it = fs::recursive_directory_iterator(refs, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path());
    std::string commit;
    std::getline(in, commit);
    if (drop.count(commit)) stale_refs.push_back(it->path());
  }
  for (const auto& r : stale_refs) MHUB_RETURN_IF_ERROR(Remove(r, dry_run, out));
  ec.clear();
  std::vector<fs::path> unlinked;
  for (const auto& blob : fs::directory_iterator(repo_dir / "blobs", ec))
    if (!keep_blobs.count(blob.path().filename().string())) unlinked.push_back(blob.path());
  for (const auto& b : unlinked) MHUB_RETURN_IF_ERROR(Remove(b, dry_run, out));
  return Status::OK();
}

Result<std::string> HashFile(const fs::path& path, bool git_blob) {
  return git_blob ? GitBlobOidOfFile(path.string()) : Sha256File(path.string());
}

}  // namespace

Result<CacheCleanup> DeleteCachedRevision(const std::string& cache_dir, const RepoRef& repo,
                                          const std::string& revision, bool dry_run) {
  fs::path repo_dir = RepoCacheDir(cache_dir, repo);
  std::error_code ec;
  if (!fs::is_directory(repo_dir, ec))
    return Status::NotFound(std::string(RepoTypeName(repo.type)) + " " + repo.id + " is not in the cache " + cache_dir);
  CacheCleanup out;
  if (revision.empty()) {
    MHUB_RETURN_IF_ERROR(Remove(repo_dir, dry_run, out));
    return out;
  }
  auto commit = CachedCommitForRevision(repo_dir.string(), revision);
  if (!commit.ok() || !fs::is_directory(repo_dir / "snapshots" / *commit, ec))
    return Status::NotFound("revision '" + revision + "' of " + repo.id + " is not in the cache");
  MHUB_RETURN_IF_ERROR(DropSnapshots(repo_dir, {*commit}, dry_run, out));
  return out;
}

Result<CacheCleanup> PruneCache(const std::string& cache_dir, bool dry_run) {
  MHUB_ASSIGN_OR_RETURN(std::vector<CachedRepo> repos, ScanCache(cache_dir));
  CacheCleanup out;
  for (const auto& r : repos) {
    std::set<std::string> detached;
    for (const auto& rev : r.revisions)
      if (rev.refs.empty()) detached.insert(rev.commit);
    // Blobs no snapshot links to (leftover *.incomplete parts included) go even when no snapshot
    // is detached.
    MHUB_RETURN_IF_ERROR(DropSnapshots(r.path, detached, dry_run, out));
  }
  return out;
}

Result<CacheVerification> VerifyCachedRepo(const std::string& cache_dir, const RepoRef& repo,
                                           const std::string& revision) {
  fs::path repo_dir = RepoCacheDir(cache_dir, repo);
  std::error_code ec;
  if (!fs::is_directory(repo_dir, ec))
    return Status::NotFound(std::string(RepoTypeName(repo.type)) + " " + repo.id + " is not in the cache " + cache_dir);
  std::vector<fs::path> snapshots;
  if (!revision.empty()) {
    auto commit = CachedCommitForRevision(repo_dir.string(), revision);
    if (!commit.ok()) return Status::NotFound("revision '" + revision + "' of " + repo.id + " is not in the cache");
    snapshots.push_back(repo_dir / "snapshots" / *commit);
  } else {
    for (const auto& snap : fs::directory_iterator(repo_dir / "snapshots", ec)) snapshots.push_back(snap.path());
  }
  CacheVerification out;
  std::set<std::string> checked_blobs;
  for (const auto& snap : snapshots) {
    std::error_code e2;
    for (auto it = fs::recursive_directory_iterator(snap, e2); !e2 && it != fs::recursive_directory_iterator();
         it.increment(e2)) {
      if (!it->is_symlink(e2)) continue;
      std::string rel = it->path().lexically_relative(snap).generic_string();
      ++out.files_checked;
      fs::path target = fs::read_symlink(it->path(), e2);
      fs::path blob = repo_dir / "blobs" / target.filename();
      if (e2 || !fs::is_regular_file(blob, e2)) {
        out.problems.push_back({rel, "missing blob " + target.filename().string()});
        e2.clear();
        continue;
      }
      const std::string name = blob.filename().string();
      if (!checked_blobs.insert(name).second) continue;
      // The blob name is the ETag: 64 hex = sha256 (LFS), 40 hex = git blob sha1.
      if (name.size() != 64 && name.size() != 40) continue;
      MHUB_ASSIGN_OR_RETURN(std::string actual, HashFile(blob, name.size() == 40));
      if (actual != name) out.problems.push_back({rel, "checksum mismatch: blob " + name + " hashes to " + actual});
    }
  }
  return out;
}

}  // namespace mhub::hub
