// RepoStore reads: tree listings, paths-info, file contents, commit history.
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>

#include "mhub/server/lfs_pointer.h"
#include "mhub/server/repo_errors.h"
#include "mhub/server/repo_store.h"
#include "server/storage/git_util.h"

namespace mhub::server {
namespace {

// Listings at a full commit sha never change (the sha names the content), so they are memoised.
// Bounded: the whole map is dropped when it grows past kTreeCacheEntries.
constexpr size_t kTreeCacheEntries = 4096;
std::mutex g_tree_cache_mu;
std::unordered_map<std::string, std::shared_ptr<const std::vector<TreeEntry>>> g_tree_cache;

bool IsFullSha(std::string_view s) {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

constexpr size_t kMaxPointerBlob = 1024;

CommitInfo DescribeCommit(const git_commit* commit) {
  CommitInfo info;
  info.id = git::OidHex(*git_commit_id(commit));
  const char* msg = git_commit_message(commit);
  info.message = msg ? msg : "";
  const size_t nl = info.message.find('\n');
  info.title = info.message.substr(0, nl);
  if (const git_signature* author = git_commit_author(commit)) info.authors.push_back(author->name ? author->name : "");
  info.date_ms = static_cast<int64_t>(git_commit_time(commit)) * 1000;
  const unsigned parents = git_commit_parentcount(commit);
  for (unsigned i = 0; i < parents; ++i) info.parents.push_back(git::OidHex(*git_commit_parent_id(commit, i)));
  return info;
}

// Fills size/lfs of a file entry from its blob: the header only, plus the content of blobs small
// enough to be LFS pointers.
Status DescribeBlob(git_repository* repo, git_odb* odb, const git_oid& oid, TreeEntry* entry) {
  size_t size = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  int rc = git_odb_read_header(&size, &type, odb, &oid);
  if (rc != 0) return git::Error(rc, "reading blob header of '" + entry->path + "'");
  entry->size = size;
  if (size <= kMaxPointerBlob && size > 0) {
    git_blob* blob = nullptr;
    rc = git_blob_lookup(&blob, repo, &oid);
    if (rc != 0) return git::Error(rc, "reading blob of '" + entry->path + "'");
    git::BlobPtr owned(blob);
    const std::string_view data(static_cast<const char*>(git_blob_rawcontent(blob)), git_blob_rawsize(blob));
    auto pointer = ParseLfsPointer(data);
    if (pointer.ok()) {
      entry->lfs = LfsInfo{pointer->oid, pointer->size, size};
      entry->size = pointer->size;
    }
  }
  return Status::OK();
}

bool IsListable(git_filemode_t mode) {
  return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE || mode == GIT_FILEMODE_LINK ||
         mode == GIT_FILEMODE_TREE;
}

// Builds the entry for one git tree entry at `path`.
Result<TreeEntry> MakeEntry(git_repository* repo, git_odb* odb, const git_tree_entry* te, std::string path) {
  TreeEntry entry;
  entry.path = std::move(path);
  entry.oid = git::OidHex(*git_tree_entry_id(te));
  if (git_tree_entry_filemode(te) == GIT_FILEMODE_TREE) {
    entry.type = TreeEntry::Type::kDirectory;
    return entry;
  }
  entry.type = TreeEntry::Type::kFile;
  MHUB_RETURN_IF_ERROR(DescribeBlob(repo, odb, *git_tree_entry_id(te), &entry));
  return entry;
}

Status ListInto(git_repository* repo, git_odb* odb, const git_tree* tree, const std::string& prefix, bool recursive,
                std::vector<TreeEntry>* out) {
  const size_t n = git_tree_entrycount(tree);
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry* te = git_tree_entry_byindex(tree, i);
    if (!IsListable(git_tree_entry_filemode(te))) continue;  // submodules
    const std::string path = prefix.empty() ? git_tree_entry_name(te) : prefix + "/" + git_tree_entry_name(te);
    MHUB_ASSIGN_OR_RETURN(TreeEntry entry, MakeEntry(repo, odb, te, path));
    const bool is_dir = entry.type == TreeEntry::Type::kDirectory;
    out->push_back(std::move(entry));
    if (recursive && is_dir) {
      git_tree* sub = nullptr;
      const int rc = git_tree_lookup(&sub, repo, git_tree_entry_id(te));
      if (rc != 0) return git::Error(rc, "reading folder '" + path + "'");
      git::TreePtr owned(sub);
      MHUB_RETURN_IF_ERROR(ListInto(repo, odb, sub, path, true, out));
    }
  }
  return Status::OK();
}

Result<git::TreePtr> CommitTree(const git_commit* commit) {
  git_tree* tree = nullptr;
  const int rc = git_commit_tree(&tree, commit);
  if (rc != 0) return git::Error(rc, "reading commit tree");
  return git::TreePtr(tree);
}

// The id of `path` in `tree`, or false when absent.
bool OidAt(const git_tree* tree, const std::string& path, git_oid* out) {
  git_tree_entry* te = nullptr;
  if (git_tree_entry_bypath(&te, tree, path.c_str()) != 0) return false;
  *out = *git_tree_entry_id(te);
  git_tree_entry_free(te);
  return true;
}

// For each entry, the newest commit on the first-parent chain from `start` that changed it.
Status FillLastCommits(git_repository* repo, const git_commit* start, std::vector<TreeEntry>* entries) {
  std::unordered_map<std::string, std::vector<size_t>> pending;
  for (size_t i = 0; i < entries->size(); ++i) pending[(*entries)[i].path].push_back(i);
  git_commit* current = nullptr;
  int rc = git_commit_dup(&current, const_cast<git_commit*>(start));
  if (rc != 0) return git::Error(rc, "copying commit");
  git::CommitPtr cur(current);
  while (!pending.empty()) {
    git::TreePtr parent_tree;
    git::CommitPtr parent;
    if (git_commit_parentcount(cur.get()) > 0) {
      git_commit* p = nullptr;
      rc = git_commit_parent(&p, cur.get(), 0);
      if (rc != 0) return git::Error(rc, "reading parent commit");
      parent.reset(p);
      MHUB_ASSIGN_OR_RETURN(parent_tree, CommitTree(parent.get()));
    }
    const CommitInfo info = DescribeCommit(cur.get());
    for (auto it = pending.begin(); it != pending.end();) {
      const TreeEntry& first = (*entries)[it->second.front()];
      git_oid now, before;
      git_oid_fromstr(&now, first.oid.c_str());
      const bool changed =
          !parent_tree || !OidAt(parent_tree.get(), it->first, &before) || git_oid_cmp(&now, &before) != 0;
      if (changed) {
        for (size_t idx : it->second) (*entries)[idx].last_commit = info;
        it = pending.erase(it);
      } else {
        ++it;
      }
    }
    if (!parent) break;
    cur = std::move(parent);
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<TreeEntry>> RepoStore::ListTree(const RepoKey& key, std::string_view commit, std::string_view folder,
                                                   bool recursive, bool with_last_commit) const {
  MHUB_ASSIGN_OR_RETURN(std::string dir_path, NormalizeRepoFolderPath(folder));
  std::string cache_key;
  if (!with_last_commit && IsFullSha(commit)) {
    cache_key = RepoDir(key) + '\n' + std::string(commit) + '\n' + dir_path + (recursive ? "\nR" : "\nF");
    std::lock_guard<std::mutex> lock(g_tree_cache_mu);
    auto it = g_tree_cache.find(cache_key);
    if (it != g_tree_cache.end()) return *it->second;
  }
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(RepoDir(key), key));
  MHUB_ASSIGN_OR_RETURN(git::CommitPtr c, git::LookupCommit(repo.get(), commit, key));
  MHUB_ASSIGN_OR_RETURN(git::TreePtr root, CommitTree(c.get()));
  git::TreePtr sub;
  const git_tree* tree = root.get();
  if (!dir_path.empty()) {
    git_tree_entry* te = nullptr;
    if (git_tree_entry_bypath(&te, root.get(), dir_path.c_str()) != 0) {
      return EntryNotFoundError("folder '" + dir_path + "' not found in " + key.ToString());
    }
    git::TreeEntryPtr te_owned(te);
    if (git_tree_entry_filemode(te) != GIT_FILEMODE_TREE) {
      return EntryNotFoundError("'" + dir_path + "' is a file, not a folder, in " + key.ToString());
    }
    git_tree* t = nullptr;
    const int rc = git_tree_lookup(&t, repo.get(), git_tree_entry_id(te));
    if (rc != 0) return git::Error(rc, "reading folder '" + dir_path + "'");
    sub.reset(t);
    tree = t;
  }
  git_odb* raw_odb = nullptr;
  int rc = git_repository_odb(&raw_odb, repo.get());
  if (rc != 0) return git::Error(rc, "opening object database");
  git::OdbPtr odb(raw_odb);
  std::vector<TreeEntry> out;
  MHUB_RETURN_IF_ERROR(ListInto(repo.get(), odb.get(), tree, dir_path, recursive, &out));
  if (with_last_commit) MHUB_RETURN_IF_ERROR(FillLastCommits(repo.get(), c.get(), &out));
  if (!cache_key.empty()) {
    std::lock_guard<std::mutex> lock(g_tree_cache_mu);
    if (g_tree_cache.size() >= kTreeCacheEntries) g_tree_cache.clear();
    g_tree_cache[cache_key] = std::make_shared<const std::vector<TreeEntry>>(out);
  }
  return out;
}

Result<std::vector<TreeEntry>> RepoStore::PathsInfo(const RepoKey& key, std::string_view commit,
                                                    const std::vector<std::string>& paths,
                                                    bool with_last_commit) const {
  std::vector<std::string> normalized;
  for (const std::string& p : paths) {
    MHUB_ASSIGN_OR_RETURN(std::string n, NormalizeRepoFolderPath(p));
    normalized.push_back(std::move(n));
  }
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(RepoDir(key), key));
  MHUB_ASSIGN_OR_RETURN(git::CommitPtr c, git::LookupCommit(repo.get(), commit, key));
  MHUB_ASSIGN_OR_RETURN(git::TreePtr root, CommitTree(c.get()));
  git_odb* raw_odb = nullptr;
  const int rc = git_repository_odb(&raw_odb, repo.get());
  if (rc != 0) return git::Error(rc, "opening object database");
  git::OdbPtr odb(raw_odb);
  std::vector<TreeEntry> out;
  std::set<std::string> seen;
  for (const std::string& path : normalized) {
    if (path.empty() || !seen.insert(path).second) continue;
    git_tree_entry* te = nullptr;
    if (git_tree_entry_bypath(&te, root.get(), path.c_str()) != 0) continue;
    git::TreeEntryPtr owned(te);
    if (!IsListable(git_tree_entry_filemode(te))) continue;
    MHUB_ASSIGN_OR_RETURN(TreeEntry entry, MakeEntry(repo.get(), odb.get(), te, path));
    out.push_back(std::move(entry));
  }
  if (with_last_commit) MHUB_RETURN_IF_ERROR(FillLastCommits(repo.get(), c.get(), &out));
  return out;
}

Result<TreeEntry> RepoStore::StatFile(const RepoKey& key, std::string_view commit, std::string_view path) const {
  MHUB_ASSIGN_OR_RETURN(std::string file, NormalizeRepoFilePath(path));
  MHUB_ASSIGN_OR_RETURN(auto entries, PathsInfo(key, commit, {file}, false));
  if (entries.empty() || entries[0].type != TreeEntry::Type::kFile) {
    return EntryNotFoundError("file '" + file + "' not found in " + key.ToString());
  }
  return std::move(entries[0]);
}

Result<FileBlob> RepoStore::ReadFile(const RepoKey& key, std::string_view commit, std::string_view path) const {
  MHUB_ASSIGN_OR_RETURN(std::string file, NormalizeRepoFilePath(path));
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(RepoDir(key), key));
  MHUB_ASSIGN_OR_RETURN(git::CommitPtr c, git::LookupCommit(repo.get(), commit, key));
  MHUB_ASSIGN_OR_RETURN(git::TreePtr root, CommitTree(c.get()));
  git_tree_entry* te = nullptr;
  if (git_tree_entry_bypath(&te, root.get(), file.c_str()) != 0) {
    return EntryNotFoundError("file '" + file + "' not found in " + key.ToString());
  }
  git::TreeEntryPtr owned(te);
  const git_filemode_t mode = git_tree_entry_filemode(te);
  if (mode == GIT_FILEMODE_TREE || mode == GIT_FILEMODE_COMMIT) {
    return EntryNotFoundError("'" + file + "' is a folder, not a file, in " + key.ToString());
  }
  git_blob* blob = nullptr;
  const int rc = git_blob_lookup(&blob, repo.get(), git_tree_entry_id(te));
  if (rc != 0) return git::Error(rc, "reading '" + file + "'");
  git::BlobPtr blob_owned(blob);
  FileBlob out;
  out.path = file;
  out.oid = git::OidHex(*git_tree_entry_id(te));
  out.data.assign(static_cast<const char*>(git_blob_rawcontent(blob)), git_blob_rawsize(blob));
  out.size = out.data.size();
  if (out.size > 0 && out.size <= kMaxPointerBlob) {
    auto pointer = ParseLfsPointer(out.data);
    if (pointer.ok()) {
      out.lfs = LfsInfo{pointer->oid, pointer->size, out.size};
      out.size = pointer->size;
    }
  }
  return out;
}

Result<CommitPage> RepoStore::ListCommits(const RepoKey& key, std::string_view revision, uint64_t offset,
                                          uint64_t limit) const {
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(RepoDir(key), key));
  MHUB_ASSIGN_OR_RETURN(git_oid start, git::ResolveRevision(repo.get(), revision, key));
  git_revwalk* raw = nullptr;
  int rc = git_revwalk_new(&raw, repo.get());
  if (rc != 0) return git::Error(rc, "walking history");
  git::RevwalkPtr walk(raw);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  rc = git_revwalk_push(walk.get(), &start);
  if (rc != 0) return git::Error(rc, "walking history");
  CommitPage page;
  git_oid oid;
  uint64_t index = 0;
  while ((rc = git_revwalk_next(&oid, walk.get())) == 0) {
    if (index >= offset && index - offset < limit) {
      git_commit* commit = nullptr;
      rc = git_commit_lookup(&commit, repo.get(), &oid);
      if (rc != 0) return git::Error(rc, "reading commit " + git::OidHex(oid));
      git::CommitPtr owned(commit);
      page.commits.push_back(DescribeCommit(commit));
    }
    ++index;
  }
  if (rc != GIT_ITEROVER) return git::Error(rc, "walking history");
  page.total = index;
  return page;
}

}  // namespace mhub::server
