#include "server/discussions/pr_git.h"

#include <algorithm>
#include <set>

#include "server/storage/git_util.h"

namespace mhub::server {
namespace {

struct IndexFree {
  void operator()(git_index* p) const { git_index_free(p); }
};
struct DiffFree {
  void operator()(git_diff* p) const { git_diff_free(p); }
};
struct ConflictIterFree {
  void operator()(git_index_conflict_iterator* p) const { git_index_conflict_iterator_free(p); }
};
using IndexPtr = std::unique_ptr<git_index, IndexFree>;

Result<git_oid> Resolve(git_repository* repo, const std::string& rev, const RepoKey& key) {
  return git::ResolveRevision(repo, rev, key);
}

// The branch ref name of `base` ("main" -> "refs/heads/main").
std::string BranchRef(const std::string& base) { return base.rfind("refs/", 0) == 0 ? base : "refs/heads/" + base; }

Result<git::TreePtr> TreeOf(git_repository* repo, const git_oid& commit_oid) {
  git_commit* c = nullptr;
  int rc = git_commit_lookup(&c, repo, &commit_oid);
  if (rc != 0) return git::Error(rc, "reading commit " + git::OidHex(commit_oid));
  git::CommitPtr commit(c);
  git_tree* t = nullptr;
  rc = git_commit_tree(&t, c);
  if (rc != 0) return git::Error(rc, "reading the tree of " + git::OidHex(commit_oid));
  return git::TreePtr(t);
}

// The merged index of `ours` and `theirs` (in memory; nothing is written).
Result<IndexPtr> MergedIndex(git_repository* repo, const git_oid& ours, const git_oid& theirs) {
  git_commit* a = nullptr;
  git_commit* b = nullptr;
  int rc = git_commit_lookup(&a, repo, &ours);
  if (rc != 0) return git::Error(rc, "reading commit " + git::OidHex(ours));
  git::CommitPtr ca(a);
  rc = git_commit_lookup(&b, repo, &theirs);
  if (rc != 0) return git::Error(rc, "reading commit " + git::OidHex(theirs));
  git::CommitPtr cb(b);
  git_merge_options opts = GIT_MERGE_OPTIONS_INIT;
  git_index* index = nullptr;
  rc = git_merge_commits(&index, repo, a, b, &opts);
  if (rc != 0) return git::Error(rc, "merging " + git::OidHex(theirs) + " into " + git::OidHex(ours));
  return IndexPtr(index);
}

Result<std::vector<std::string>> ConflictPaths(git_index* index) {
  std::set<std::string> paths;
  git_index_conflict_iterator* raw = nullptr;
  int rc = git_index_conflict_iterator_new(&raw, index);
  if (rc != 0) return git::Error(rc, "listing merge conflicts");
  std::unique_ptr<git_index_conflict_iterator, ConflictIterFree> it(raw);
  const git_index_entry *ancestor = nullptr, *ours = nullptr, *theirs = nullptr;
  while (git_index_conflict_next(&ancestor, &ours, &theirs, it.get()) == 0) {
    for (const git_index_entry* e : {ancestor, ours, theirs}) {
      if (e) {
        paths.insert(e->path);
        break;
      }
    }
  }
  return std::vector<std::string>(paths.begin(), paths.end());
}

}  // namespace

std::string PrRef(int64_t num) { return "refs/pr/" + std::to_string(num); }

Status CreatePrRef(const RepoStore& repos, const RepoKey& key, int64_t num, const std::string& base) {
  git::EnsureInit();
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(repos.RepoDir(key), key));
  MHUB_ASSIGN_OR_RETURN(git_oid at, Resolve(repo.get(), BranchRef(base), key));
  git_reference* ref = nullptr;
  int rc = git_reference_create(&ref, repo.get(), PrRef(num).c_str(), &at, 0, "pull request opened");
  if (rc != 0) return git::Error(rc, "creating " + PrRef(num));
  git_reference_free(ref);
  return Status::OK();
}

Result<std::vector<PrCommit>> PrCommitsSince(const RepoStore& repos, const RepoKey& key, const std::string& head,
                                             const std::string& known, const std::string& base, size_t max) {
  git::EnsureInit();
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(repos.RepoDir(key), key));
  MHUB_ASSIGN_OR_RETURN(git_oid head_oid, Resolve(repo.get(), head, key));
  git_revwalk* raw = nullptr;
  int rc = git_revwalk_new(&raw, repo.get());
  if (rc != 0) return git::Error(rc, "starting a history walk");
  git::RevwalkPtr walk(raw);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
  rc = git_revwalk_push(walk.get(), &head_oid);
  if (rc != 0) return git::Error(rc, "walking " + head);
  for (const std::string& hide : {known, BranchRef(base)}) {
    if (hide.empty()) continue;
    auto oid = Resolve(repo.get(), hide, key);
    if (oid.ok()) git_revwalk_hide(walk.get(), &*oid);  // a vanished commit or branch hides nothing
  }
  std::vector<PrCommit> out;
  git_oid oid;
  while (out.size() < max && git_revwalk_next(&oid, walk.get()) == 0) {
    git_commit* c = nullptr;
    if (git_commit_lookup(&c, repo.get(), &oid) != 0) continue;
    git::CommitPtr commit(c);
    const char* summary = git_commit_summary(c);
    out.push_back(PrCommit{git::OidHex(oid), summary ? summary : ""});
  }
  return out;
}

Result<std::string> PrMergeBase(const RepoStore& repos, const RepoKey& key, const std::string& base,
                                const std::string& head) {
  git::EnsureInit();
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(repos.RepoDir(key), key));
  MHUB_ASSIGN_OR_RETURN(git_oid a, Resolve(repo.get(), BranchRef(base), key));
  MHUB_ASSIGN_OR_RETURN(git_oid b, Resolve(repo.get(), head, key));
  git_oid out;
  int rc = git_merge_base(&out, repo.get(), &a, &b);
  if (rc == GIT_ENOTFOUND) return std::string();
  if (rc != 0) return git::Error(rc, "finding the merge base");
  return git::OidHex(out);
}

Result<std::string> PrRawDiff(const RepoStore& repos, const RepoKey& key, const std::string& base,
                              const std::string& head, size_t max_bytes) {
  MHUB_ASSIGN_OR_RETURN(std::string merge_base, PrMergeBase(repos, key, base, head));
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(repos.RepoDir(key), key));
  MHUB_ASSIGN_OR_RETURN(git_oid head_oid, Resolve(repo.get(), head, key));
  git::TreePtr old_tree;
  if (!merge_base.empty()) {
    MHUB_ASSIGN_OR_RETURN(git_oid mb, Resolve(repo.get(), merge_base, key));
    MHUB_ASSIGN_OR_RETURN(old_tree, TreeOf(repo.get(), mb));
  }
  MHUB_ASSIGN_OR_RETURN(git::TreePtr new_tree, TreeOf(repo.get(), head_oid));
  git_diff* raw = nullptr;
  int rc = git_diff_tree_to_tree(&raw, repo.get(), old_tree.get(), new_tree.get(), nullptr);
  if (rc != 0) return git::Error(rc, "diffing the pull request");
  std::unique_ptr<git_diff, DiffFree> diff(raw);
  git_buf buf = GIT_BUF_INIT;
  rc = git_diff_to_buf(&buf, diff.get(), GIT_DIFF_FORMAT_PATCH);
  if (rc != 0) return git::Error(rc, "printing the diff");
  std::string out(buf.ptr, std::min(buf.size, max_bytes));
  git_buf_dispose(&buf);
  return out;
}

Result<std::vector<std::string>> PrConflicts(const RepoStore& repos, const RepoKey& key, const std::string& base,
                                             const std::string& head) {
  git::EnsureInit();
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(repos.RepoDir(key), key));
  MHUB_ASSIGN_OR_RETURN(git_oid ours, Resolve(repo.get(), BranchRef(base), key));
  MHUB_ASSIGN_OR_RETURN(git_oid theirs, Resolve(repo.get(), head, key));
  if (git_graph_descendant_of(repo.get(), &theirs, &ours) == 1 || git_oid_equal(&ours, &theirs)) {
    return std::vector<std::string>{};
  }
  MHUB_ASSIGN_OR_RETURN(IndexPtr index, MergedIndex(repo.get(), ours, theirs));
  if (!git_index_has_conflicts(index.get())) return std::vector<std::string>{};
  return ConflictPaths(index.get());
}

Result<PrMergeOutcome> MergePr(const RepoStore& repos, const RepoKey& key, const std::string& base,
                               const std::string& head, const CommitAuthor& author, const std::string& message) {
  git::EnsureInit();
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(repos.RepoDir(key), key));
  const std::string ref_name = BranchRef(base);
  MHUB_ASSIGN_OR_RETURN(git_oid ours, Resolve(repo.get(), ref_name, key));
  MHUB_ASSIGN_OR_RETURN(git_oid theirs, Resolve(repo.get(), head, key));
  PrMergeOutcome out;
  git_oid target;
  if (git_oid_equal(&ours, &theirs) || git_graph_descendant_of(repo.get(), &ours, &theirs) == 1) {
    out.commit = git::OidHex(ours);  // already in the branch: nothing moves
    return out;
  }
  if (git_graph_descendant_of(repo.get(), &theirs, &ours) == 1) {
    target = theirs;
    out.fast_forward = true;
  } else {
    MHUB_ASSIGN_OR_RETURN(IndexPtr index, MergedIndex(repo.get(), ours, theirs));
    if (git_index_has_conflicts(index.get())) {
      MHUB_ASSIGN_OR_RETURN(auto paths, ConflictPaths(index.get()));
      std::string list;
      for (const auto& p : paths) list += (list.empty() ? "" : ", ") + p;
      return Status::Conflict("This pull request has conflicts with " + base + " in: " + list);
    }
    git_oid tree_oid;
    int rc = git_index_write_tree_to(&tree_oid, index.get(), repo.get());
    if (rc != 0) return git::Error(rc, "writing the merged tree");
    git_tree* tree = nullptr;
    rc = git_tree_lookup(&tree, repo.get(), &tree_oid);
    if (rc != 0) return git::Error(rc, "reading the merged tree");
    git::TreePtr tree_owned(tree);
    git_commit *a = nullptr, *b = nullptr;
    rc = git_commit_lookup(&a, repo.get(), &ours);
    if (rc != 0) return git::Error(rc, "reading " + base);
    git::CommitPtr ca(a);
    rc = git_commit_lookup(&b, repo.get(), &theirs);
    if (rc != 0) return git::Error(rc, "reading " + head);
    git::CommitPtr cb(b);
    MHUB_ASSIGN_OR_RETURN(git::SignaturePtr sig, git::Signature(author.name, author.email));
    const git_commit* parents[2] = {a, b};
    rc = git_commit_create(&target, repo.get(), nullptr, sig.get(), sig.get(), "UTF-8", message.c_str(), tree, 2,
                           parents);
    if (rc != 0) return git::Error(rc, "writing the merge commit");
  }
  git_reference* ref = nullptr;
  int rc = git_reference_create_matching(&ref, repo.get(), ref_name.c_str(), &target, 1, &ours, "merge pull request");
  if (rc == GIT_EMODIFIED || rc == GIT_ELOCKED) {
    return Status::Conflict("branch '" + base + "' moved during the merge; try again");
  }
  if (rc != 0) return git::Error(rc, "moving branch '" + base + "'");
  git_reference_free(ref);
  out.commit = git::OidHex(target);
  return out;
}

}  // namespace mhub::server
