// Internal helpers over libgit2 for the storage code: owning pointers, error translation, and
// opening a repo by key. Not a public header.
#pragma once

#include <git2.h>

#include <memory>
#include <string>
#include <string_view>

#include "mhub/base/result.h"
#include "mhub/server/repo_path.h"

namespace mhub::server::git {

// git_libgit2_init once per process, with fsync of objects/refs on, owner checks off (the
// server owns its data dir; the repos are never worked on by other users) and no global, system or
// XDG config files (the server's repos are configured only by their own config file).
void EnsureInit();

// Deleter of repository handles: a handle that came from Open() (non-empty pool_key) goes back to
// the per-process pool of idle handles; others are freed.
struct RepoFree {
  std::string pool_key;
  void operator()(git_repository* p) const;
};
struct ObjectFree {
  void operator()(git_object* p) const { git_object_free(p); }
};
struct CommitFree {
  void operator()(git_commit* p) const { git_commit_free(p); }
};
struct TreeFree {
  void operator()(git_tree* p) const { git_tree_free(p); }
};
struct TreeEntryFree {
  void operator()(git_tree_entry* p) const { git_tree_entry_free(p); }
};
struct BlobFree {
  void operator()(git_blob* p) const { git_blob_free(p); }
};
struct RefFree {
  void operator()(git_reference* p) const { git_reference_free(p); }
};
struct RevwalkFree {
  void operator()(git_revwalk* p) const { git_revwalk_free(p); }
};
struct SignatureFree {
  void operator()(git_signature* p) const { git_signature_free(p); }
};
struct TreeBuilderFree {
  void operator()(git_treebuilder* p) const { git_treebuilder_free(p); }
};
struct OdbFree {
  void operator()(git_odb* p) const { git_odb_free(p); }
};
struct RefIterFree {
  void operator()(git_reference_iterator* p) const { git_reference_iterator_free(p); }
};

using RepoPtr = std::unique_ptr<git_repository, RepoFree>;
using ObjectPtr = std::unique_ptr<git_object, ObjectFree>;
using CommitPtr = std::unique_ptr<git_commit, CommitFree>;
using TreePtr = std::unique_ptr<git_tree, TreeFree>;
using TreeEntryPtr = std::unique_ptr<git_tree_entry, TreeEntryFree>;
using BlobPtr = std::unique_ptr<git_blob, BlobFree>;
using RefPtr = std::unique_ptr<git_reference, RefFree>;
using RevwalkPtr = std::unique_ptr<git_revwalk, RevwalkFree>;
using SignaturePtr = std::unique_ptr<git_signature, SignatureFree>;
using TreeBuilderPtr = std::unique_ptr<git_treebuilder, TreeBuilderFree>;
using OdbPtr = std::unique_ptr<git_odb, OdbFree>;
using RefIterPtr = std::unique_ptr<git_reference_iterator, RefIterFree>;

// Status for a libgit2 return code, with git_error_last()'s text: "<what>: <libgit2 message>".
// GIT_ENOTFOUND -> NotFound, GIT_EEXISTS -> AlreadyExists, GIT_EMODIFIED/GIT_ELOCKED -> Conflict,
// GIT_EINVALIDSPEC -> InvalidArgument, others -> IOError.
Status Error(int rc, std::string_view what);

// Opens the bare repo at `dir`; RepoNotFound (naming `key`) when it is not there. The handle is
// taken from a bounded LRU pool of idle handles for `dir` when there is one (opening a repository
// costs a config parse and several stats); it is used by one caller at a time and returns to the
// pool when the RepoPtr dies. Pooled handles are keyed by path and the directory's device and
// inode, so a repo deleted or moved and created again under the same path never gets a handle of
// the old directory. A pooled handle sees refs and objects written since it was opened
// (libgit2 re-reads loose refs, re-stats packed-refs and rescans packs on a miss).
Result<RepoPtr> Open(const std::string& dir, const RepoKey& key);

// Frees the idle pooled handles of `dir` and of every repo below it (their open pack files); called
// when a repo directory is deleted or moved.
void ForgetPooledRepos(const std::string& dir);

std::string OidHex(const git_oid& oid);
bool IsHex(std::string_view s);

// The commit named by a 40-hex sha, or by any revision (resolved like RepoStore::ResolveRevision).
Result<CommitPtr> LookupCommit(git_repository* repo, std::string_view sha_or_revision, const RepoKey& key);
// Revision resolution shared by RepoStore::ResolveRevision and the helpers above.
Result<git_oid> ResolveRevision(git_repository* repo, std::string_view revision, const RepoKey& key);

// Signature "name <email>" at the current time.
Result<SignaturePtr> Signature(std::string_view name, std::string_view email);

}  // namespace mhub::server::git
