// RepoStore: the git side of the hub. One bare git repository per repo at
// `<data>/repos/{models,datasets,spaces}/{ns}/{name}.git`, written with libgit2 and readable by
// plain `git` (git http-backend serves the same directories).
//
// Revisions: every read takes a commit sha obtained from ResolveRevision, so one API request
// sees one consistent snapshot even while commits land.
// Atomicity: Commit writes all objects first and moves the branch ref last, with a
// compare-and-swap on its old value; a crash at any point leaves the previous head intact, and
// concurrent committers (threads, processes, git pushes) never lose each other's commits.
// Thread safety: all methods may be called concurrently (each call opens its own libgit2 handle).
// Errors: NotFound carries a RepoNotFound / RevisionNotFound / EntryNotFound tag (repo_errors.h);
// InvalidArgument for bad paths/names; Conflict for a stale parent commit; AlreadyExists for
// creating what exists. No call throws.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/server/lfs_store.h"
#include "mhub/server/repo_path.h"

namespace mhub::server {

// Files above this size are committed as LFS pointers (DESIGN.md "Hub storage").
inline constexpr uint64_t kLfsSizeThreshold = 10ull * 1000 * 1000;

struct CommitAuthor {
  std::string name = "mhub";
  std::string email = "mhub@localhost";
};

// One commit as the /commits and tree `lastCommit` APIs show it.
struct CommitInfo {
  std::string id;                    // 40-hex commit sha
  std::string title;                 // first line of the message
  std::string message;               // the whole message
  std::vector<std::string> authors;  // author names (the Hub lists user names)
  int64_t date_ms = 0;               // committer time, ms since epoch
  std::vector<std::string> parents;  // parent commit shas
};

struct LfsInfo {
  std::string oid;            // sha256 of the content
  uint64_t size = 0;          // content size
  uint64_t pointer_size = 0;  // size of the pointer blob in git
};

// A tree or paths-info entry (hub-api.md 6.1).
struct TreeEntry {
  enum class Type { kFile, kDirectory };
  Type type = Type::kFile;
  std::string path;   // full repo path, no leading '/'
  std::string oid;    // git blob sha1 (files) or git tree sha1 (directories)
  uint64_t size = 0;  // file: the content size (the LFS object's size for LFS files); directory: 0
  std::optional<LfsInfo> lfs;
  std::optional<CommitInfo> last_commit;  // only when asked for (expand=true)
};

// A file read from a commit.
struct FileBlob {
  std::string path;
  std::string oid;             // git blob sha1 (of the pointer for LFS files): the ETag of regular files
  uint64_t size = 0;           // the content size (LFS object's size for LFS files)
  std::string data;            // the blob bytes: the content, or the pointer text for LFS files
  std::optional<LfsInfo> lfs;  // set when the blob is an LFS pointer; content is in LfsStore
};

struct RefInfo {
  std::string name;           // "main", "v1.0", "1" (for refs/pr/1), "parquet"
  std::string ref;            // "refs/heads/main", ...
  std::string target_commit;  // 40-hex commit sha (tags are peeled to their commit)
};

struct RefList {
  std::vector<RefInfo> branches;       // refs/heads/*
  std::vector<RefInfo> tags;           // refs/tags/*
  std::vector<RefInfo> converts;       // refs/convert/*
  std::vector<RefInfo> pull_requests;  // refs/pr/*
};

struct CommitPage {
  std::vector<CommitInfo> commits;  // newest first (git log order, first-parent not forced)
  uint64_t total = 0;               // commits reachable from the revision
};

// One operation of a commit (hub-api.md 7.3). Paths are normalized with NormalizeRepoFilePath.
struct CommitOperation {
  enum class Kind { kAddFile, kAddLfsFile, kDeleteFile, kDeleteFolder };
  Kind kind = Kind::kAddFile;
  std::string path;
  std::string content;  // kAddFile: the file bytes
  // kAddFile: when content_file is set, the bytes are instead `content_size` bytes at
  // `content_offset` of that file (the streamed commit parser's spool); they are streamed into
  // the object database, never held whole.
  std::string content_file;
  uint64_t content_offset = 0;
  uint64_t content_size = 0;
  std::string lfs_oid;               // kAddLfsFile: sha256; the object must be in the LfsStore
  std::optional<uint64_t> lfs_size;  // kAddLfsFile: when absent, taken from the stored object

  static CommitOperation AddFile(std::string path, std::string content);
  static CommitOperation AddLfsFile(std::string path, std::string oid, std::optional<uint64_t> size = std::nullopt);
  static CommitOperation DeleteFile(std::string path);
  static CommitOperation DeleteFolder(std::string path);
};

struct CommitRequest {
  // A branch name ("main", not "refs/heads/main"), or a full "refs/pr/N" / "refs/convert/x" ref.
  // Must exist unless create_branch.
  std::string branch = "main";
  // When set (5..40 hex chars, a prefix is enough), the commit fails with Conflict unless the
  // branch head (for a branch being created: its base) is this commit. When unset, concurrent
  // commits are retried on the new head.
  std::optional<std::string> parent_commit;
  std::vector<CommitOperation> operations;
  std::string summary;      // first line; "Upload files" style default when empty
  std::string description;  // rest of the message, may be empty
  CommitAuthor author;
  bool create_branch = false;  // create `branch` if missing, starting from `branch_base`
  // With create_branch: the revision a missing branch starts from (e.g. "main" for a PR ref
  // "refs/pr/3"); empty = a root commit over an empty tree.
  std::string branch_base;
};

struct CommitOutcome {
  std::string commit_id;        // the new head of the branch
  std::string previous_commit;  // the head before (empty when the branch was created)
};

// What preupload answers for one file (hub-api.md 7.1).
struct PreuploadFile {
  std::string path;  // as given (normalized)
  uint64_t size = 0;
  std::string sample;  // first bytes of the file (base64-decoded by the caller)
};
struct PreuploadAnswer {
  std::string path;
  bool lfs = false;                // uploadMode "lfs" vs "regular"
  bool should_ignore = false;      // matched by the .gitignore
  std::optional<std::string> oid;  // current oid at the revision: sha256 for LFS, git sha1 otherwise
};

class RepoStore {
 public:
  // `lfs` must outlive the store; it is used to check LFS commit operations.
  RepoStore(std::string data_dir, LfsStore* lfs);
  ~RepoStore();
  RepoStore(const RepoStore&) = delete;
  RepoStore& operator=(const RepoStore&) = delete;

  // Creates `<data>/repos/{models,datasets,spaces}`.
  Status Init();

  // `<data>/repos/<plural>/<ns>/<name>.git` (whether or not it exists).
  std::string RepoDir(const RepoKey& key) const;
  bool Exists(const RepoKey& key) const;

  // Creates the bare repo with HEAD -> refs/heads/main and an initial commit ("initial commit")
  // holding DefaultGitAttributes plus `initial_files` (e.g. a README.md). Returns the commit sha.
  // AlreadyExists when it exists. Built in a temp dir and renamed into place, so a crash never
  // leaves a half-made repo at RepoDir.
  Result<std::string> Create(const RepoKey& key, const CommitAuthor& author,
                             const std::vector<CommitOperation>& initial_files = {});
  // Removes the repo (renamed aside first, then deleted). RepoNotFound when absent.
  Status Delete(const RepoKey& key);
  // Renames/moves (also across namespaces, same type). RepoNotFound / AlreadyExists.
  Status Move(const RepoKey& from, const RepoKey& to);

  // "HEAD", a branch, a tag, "refs/heads/x", "refs/tags/x", "refs/pr/N", "refs/convert/x", or a
  // full or short (5..40 hex, unambiguous) commit sha -> 40-hex commit sha. Branch and tag names
  // win over sha prefixes. RepoNotFound / RevisionNotFound.
  Result<std::string> ResolveRevision(const RepoKey& key, std::string_view revision) const;

  // Entries under `folder` ("" = root; normalized with NormalizeRepoFolderPath) at `commit`,
  // sorted by path, folders and files mixed as git orders them. With `recursive`, every file and
  // folder below (folders listed too, as the Hub does). `with_last_commit` fills last_commit
  // (costly: walks history). EntryNotFound when `folder` is not a folder at that commit.
  Result<std::vector<TreeEntry>> ListTree(const RepoKey& key, std::string_view commit, std::string_view folder,
                                          bool recursive, bool with_last_commit = false) const;
  // One entry per existing path (file or folder), in the order asked; missing paths are left
  // out silently (hub-api.md 6.2). Invalid paths are InvalidArgument.
  Result<std::vector<TreeEntry>> PathsInfo(const RepoKey& key, std::string_view commit,
                                           const std::vector<std::string>& paths, bool with_last_commit = false) const;
  // One file: EntryNotFound when missing or a folder.
  Result<TreeEntry> StatFile(const RepoKey& key, std::string_view commit, std::string_view path) const;
  Result<FileBlob> ReadFile(const RepoKey& key, std::string_view commit, std::string_view path) const;

  Result<RefList> ListRefs(const RepoKey& key) const;
  // New branch at `from_revision` (or, with `empty`, at a new root commit with an empty tree).
  // AlreadyExists unless `overwrite`. InvalidArgument for a bad name.
  Status CreateBranch(const RepoKey& key, std::string_view branch, std::string_view from_revision,
                      bool overwrite = false, bool empty = false, const CommitAuthor& author = {});
  // RevisionNotFound when absent; InvalidArgument for "main" (the default branch stays).
  Status DeleteBranch(const RepoKey& key, std::string_view branch);
  // Annotated tag when `message` is not empty, else lightweight. AlreadyExists when present.
  Status CreateTag(const RepoKey& key, std::string_view tag, std::string_view revision, std::string_view message,
                   const CommitAuthor& author = {});
  Status DeleteTag(const RepoKey& key, std::string_view tag);

  // Commits reachable from `revision`, newest first, skipping `offset`, at most `limit`.
  Result<CommitPage> ListCommits(const RepoKey& key, std::string_view revision, uint64_t offset, uint64_t limit) const;

  // Applies `request` on top of the branch head and moves the branch. LFS operations write the
  // pointer blob and, when the path is not already LFS-tracked by .gitattributes, append a line
  // tracking it. Errors: RepoNotFound, RevisionNotFound (branch missing and !create_branch),
  // Conflict (stale parent_commit), NotFound (LFS object not uploaded; untagged), EntryNotFound
  // (deleting a missing file/folder), InvalidArgument (bad path, size mismatch with the stored
  // LFS object, adding a file where a folder is or below a file, no operations).
  // Operations apply in order; a later one wins over an earlier one on the same path.
  Result<CommitOutcome> Commit(const RepoKey& key, const CommitRequest& request);

  // Hub preupload decision at `commit` (empty = the repo has no such revision yet; then the
  // default .gitattributes applies): LFS when .gitattributes (the commit's, plus
  // `extra_gitattributes` from the client) tracks the path
  // with filter=lfs, when size > kLfsSizeThreshold, or when the sample looks binary (has a NUL
  // byte or is not valid UTF-8); empty files are always regular. should_ignore from
  // `gitignore` (client-sent text) or else the commit's .gitignore.
  Result<std::vector<PreuploadAnswer>> Preupload(const RepoKey& key, std::string_view commit,
                                                 const std::vector<PreuploadFile>& files,
                                                 std::string_view extra_gitattributes = {},
                                                 std::optional<std::string> gitignore = std::nullopt) const;

  // Walks every repo on disk (for rebuilding the DB).
  Result<std::vector<RepoKey>> ListAllRepos() const;

  const std::string& data_dir() const { return data_dir_; }
  LfsStore* lfs() const { return lfs_; }

 private:
  std::string data_dir_;
  std::string repos_dir_;
  LfsStore* lfs_;
};

}  // namespace mhub::server
