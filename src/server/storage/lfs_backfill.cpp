// ScanRepoLfsPointers (lfs_access.h): the upgrade step that gives repos made before lfs_refs
// existed (and repos imported from disk) the references of the LFS pointers in their history, so
// their files stay readable.
#include <git2.h>

#include <set>
#include <string>
#include <vector>

#include "mhub/server/lfs_access.h"
#include "mhub/server/lfs_pointer.h"
#include "mhub/server/repo_errors.h"
#include "server/storage/git_util.h"

namespace mhub::server {
namespace {

struct OidLess {
  bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_cmp(&a, &b) < 0; }
};

// Collects the pointers of every blob below `tree`, visiting each tree and blob once.
class PointerCollector {
 public:
  explicit PointerCollector(git_repository* repo) : repo_(repo) {}

  Status AddTree(const git_oid& tree_id) {
    std::vector<git_oid> todo{tree_id};
    while (!todo.empty()) {
      git_oid id = todo.back();
      todo.pop_back();
      if (!seen_.insert(id).second) continue;
      git_tree* raw = nullptr;
      int rc = git_tree_lookup(&raw, repo_, &id);
      if (rc != 0) return git::Error(rc, "reading a tree");
      git::TreePtr tree(raw);
      const size_t n = git_tree_entrycount(tree.get());
      for (size_t i = 0; i < n; ++i) {
        const git_tree_entry* e = git_tree_entry_byindex(tree.get(), i);
        const git_oid* eid = git_tree_entry_id(e);
        if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
          todo.push_back(*eid);
        } else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB && seen_.insert(*eid).second) {
          MHUB_RETURN_IF_ERROR(AddBlob(*eid));
        }
      }
    }
    return Status::OK();
  }

  const std::set<std::string>& oids() const { return oids_; }

 private:
  Status AddBlob(const git_oid& id) {
    git_blob* raw = nullptr;
    int rc = git_blob_lookup(&raw, repo_, &id);
    if (rc != 0) return git::Error(rc, "reading a blob");
    git::BlobPtr blob(raw);
    const auto size = static_cast<size_t>(git_blob_rawsize(blob.get()));
    if (size == 0 || size > 1024) return Status::OK();  // pointers are at most 1024 bytes
    auto pointer = ParseLfsPointer({static_cast<const char*>(git_blob_rawcontent(blob.get())), size});
    if (pointer.ok()) oids_.insert(pointer->oid);
    return Status::OK();
  }

  git_repository* repo_;
  std::set<git_oid, OidLess> seen_;
  std::set<std::string> oids_;
};

}  // namespace

Result<std::set<std::string>> LfsPointersInHistory(const RepoStore& repos, const RepoKey& key) {
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(repos.RepoDir(key), key));
  git_revwalk* walk_raw = nullptr;
  int rc = git_revwalk_new(&walk_raw, repo.get());
  if (rc != 0) return git::Error(rc, "scanning " + key.ToString());
  git::RevwalkPtr walk(walk_raw);
  // Every ref (branches, tags, refs/pr, refs/convert), peeled to its commit.
  git_reference_iterator* iter_raw = nullptr;
  rc = git_reference_iterator_new(&iter_raw, repo.get());
  if (rc != 0) return git::Error(rc, "listing the refs of " + key.ToString());
  git::RefIterPtr iter(iter_raw);
  git_reference* ref_raw = nullptr;
  while ((rc = git_reference_next(&ref_raw, iter.get())) == 0) {
    git::RefPtr ref(ref_raw);
    git_object* target = nullptr;
    if (git_reference_peel(&target, ref.get(), GIT_OBJECT_COMMIT) != 0) continue;  // e.g. a tag of a tree
    git::ObjectPtr owned(target);
    rc = git_revwalk_push(walk.get(), git_object_id(target));
    if (rc != 0) return git::Error(rc, "walking the history of " + key.ToString());
  }
  if (rc != GIT_ITEROVER) return git::Error(rc, "listing the refs of " + key.ToString());
  PointerCollector collector(repo.get());
  git_oid commit_id;
  while ((rc = git_revwalk_next(&commit_id, walk.get())) == 0) {
    git_commit* raw = nullptr;
    rc = git_commit_lookup(&raw, repo.get(), &commit_id);
    if (rc != 0) return git::Error(rc, "reading a commit of " + key.ToString());
    git::CommitPtr commit(raw);
    MHUB_RETURN_IF_ERROR(collector.AddTree(*git_commit_tree_id(commit.get())));
  }
  if (rc != GIT_ITEROVER) return git::Error(rc, "walking the history of " + key.ToString());
  return collector.oids();
}

Status ScanRepoLfsPointers(const RepoStore& repos, MetadataDb& db, const RepoKey& key) {
  if (!repos.Exists(key)) return db.MarkLfsScanned(key);
  MHUB_ASSIGN_OR_RETURN(std::set<std::string> oids, LfsPointersInHistory(repos, key));
  for (const std::string& oid : oids) {
    // The pointer's own size is not trusted: only stored objects get a reference.
    auto size = repos.lfs() != nullptr ? repos.lfs()->Size(oid) : Result<uint64_t>(Status::NotFound(""));
    if (!size.ok()) continue;
    MHUB_RETURN_IF_ERROR(db.AddLfsRef(key, oid, *size, /*committed=*/true));
  }
  return db.MarkLfsScanned(key);
}

Result<int> ScanUnscannedRepos(const RepoStore& repos, MetadataDb& db) {
  MHUB_ASSIGN_OR_RETURN(std::vector<RepoKey> keys, db.ReposWithoutLfsScan());
  int scanned = 0;
  for (const RepoKey& key : keys) {
    MHUB_RETURN_IF_ERROR(
        ScanRepoLfsPointers(repos, db, key).WithContext("recording the LFS files of " + key.ToString()));
    ++scanned;
  }
  return scanned;
}

}  // namespace mhub::server
