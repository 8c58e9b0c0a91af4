// RepoStore::Commit (objects first, then a compare-and-swap of the branch ref) and Preupload.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <ctime>
#include <thread>

#include "mhub/server/git_patterns.h"
#include "mhub/server/repo_errors.h"
#include "mhub/server/repo_store.h"
#include "server/storage/git_fsck_rules.h"
#include "server/storage/git_util.h"
#include "server/storage/tree_edit.h"

namespace mhub::server {
namespace {

// A ref lock file older than this belongs to a process that died holding it: a live ref update
// holds its lock for milliseconds.
constexpr int kStaleLockSeconds = 10;
constexpr int kMaxAttempts = 200;

// Removes `<repo>/<ref>.lock` when stale. True when something was removed.
bool BreakStaleLock(const std::string& repo_dir, const std::string& ref_name) {
  bool removed = false;
  for (const std::string& lock : {repo_dir + "/" + ref_name + ".lock", repo_dir + "/packed-refs.lock"}) {
    struct stat st {};
    if (::stat(lock.c_str(), &st) != 0) continue;
    if (time(nullptr) - st.st_mtime >= kStaleLockSeconds && ::unlink(lock.c_str()) == 0) removed = true;
  }
  return removed;
}

std::string RefNameFor(const std::string& branch) {
  if (branch.rfind("refs/", 0) == 0) return branch;
  return "refs/heads/" + branch;
}

Status CheckBranchName(const std::string& branch) {
  if (branch.rfind("refs/pr/", 0) == 0 || branch.rfind("refs/convert/", 0) == 0) {
    const size_t cut = branch.rfind('/') + 1;
    return ValidateRefName(branch.substr(cut));
  }
  return ValidateRefName(branch);
}

// Empty files are text; otherwise binary when there is a NUL byte or invalid UTF-8 (a multi-byte
// sequence cut at the end of the sample is fine).
bool LooksBinary(std::string_view sample) {
  size_t i = 0;
  while (i < sample.size()) {
    const auto c = static_cast<unsigned char>(sample[i]);
    if (c == 0) return true;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || c == 0xC0 || c == 0xC1 || c > 0xF4) return true;
    for (size_t k = 1; k < len; ++k) {
      if (i + k >= sample.size()) return false;  // truncated at the end of the sample
      if ((static_cast<unsigned char>(sample[i + k]) & 0xC0) != 0x80) return true;
    }
    i += len;
  }
  return false;
}

// The bytes of an added file, from memory or from its spool slice; only for small special files.
Result<std::string> ReadOperationContent(const CommitOperation& op) {
  if (op.content_file.empty()) return op.content;
  const int fd = ::open(op.content_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + op.content_file);
  std::string data(op.content_size, '\0');
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t r = ::pread(fd, data.data() + done, data.size() - done, static_cast<off_t>(op.content_offset + done));
    if (r <= 0) {
      ::close(fd);
      return Status::IOError("cannot read " + op.content_file);
    }
    done += static_cast<size_t>(r);
  }
  ::close(fd);
  return data;
}

// git fsck reads the blobs behind .gitmodules and .gitattributes (any spelling git treats as
// those names): their contents must pass its rules too.
Status CheckSpecialFileContent(const CommitOperation& op) {
  const size_t slash = op.path.rfind('/');
  const std::string_view leaf = std::string_view(op.path).substr(slash == std::string::npos ? 0 : slash + 1);
  const bool modules = fsck::IsGitmodulesName(leaf), attributes = fsck::IsGitattributesName(leaf);
  if (!modules && !attributes) return Status::OK();
  constexpr uint64_t kMaxSpecialFile = 100u << 20;  // git's own limit for .gitattributes
  const uint64_t size = op.content_file.empty() ? op.content.size() : op.content_size;
  if (size > kMaxSpecialFile) {
    return Status::InvalidArgument("'" + op.path + "' is larger than 100 MiB (git fsck: " +
                                   (modules ? "gitmodulesLarge" : "gitattributesLarge") + ")");
  }
  MHUB_ASSIGN_OR_RETURN(std::string content, ReadOperationContent(op));
  Status st = modules ? fsck::CheckGitmodules(content) : fsck::CheckGitattributes(content);
  if (!st.ok()) return Status::InvalidArgument("'" + op.path + "' is refused: " + st.message());
  return Status::OK();
}

}  // namespace

Result<CommitOutcome> RepoStore::Commit(const RepoKey& key, const CommitRequest& request) {
  if (request.operations.empty()) return Status::InvalidArgument("a commit needs at least one operation");
  MHUB_RETURN_IF_ERROR(CheckBranchName(request.branch));
  // Normalize and check everything before touching the repo.
  std::vector<CommitOperation> ops;
  ops.reserve(request.operations.size());
  for (const CommitOperation& op : request.operations) {
    CommitOperation copy = op;
    if (op.kind == CommitOperation::Kind::kDeleteFolder) {
      MHUB_ASSIGN_OR_RETURN(copy.path, NormalizeRepoFolderPath(op.path));
      if (copy.path.empty()) return Status::InvalidArgument("cannot delete the repository root folder");
    } else if (op.kind == CommitOperation::Kind::kDeleteFile) {
      MHUB_ASSIGN_OR_RETURN(copy.path, NormalizeRepoFilePath(op.path));
    } else {
      // What is written must pass git's fsck rules (git_fsck_rules.h), names and contents.
      MHUB_ASSIGN_OR_RETURN(copy.path, NormalizeNewRepoFilePath(op.path));
      if (op.kind == CommitOperation::Kind::kAddFile) MHUB_RETURN_IF_ERROR(CheckSpecialFileContent(copy));
    }
    if (op.kind == CommitOperation::Kind::kAddLfsFile) {
      // The committer must be able to read the object through some repo (lfs_access.h); a
      // refusal reads exactly like an object that was never uploaded.
      const Status allowed = lfs_ == nullptr || !lfs_->Has(op.lfs_oid)
                                 ? Status::NotFound("")
                                 : lfs_->CheckReference(key, request.author.name, op.lfs_oid);
      if (allowed.code() == StatusCode::kNotFound) {
        return Status::NotFound("LFS object " + op.lfs_oid.substr(0, 64) + " for '" + copy.path + "' was not uploaded");
      }
      MHUB_RETURN_IF_ERROR(allowed);
      MHUB_ASSIGN_OR_RETURN(uint64_t stored, lfs_->Size(op.lfs_oid));
      if (op.lfs_size && *op.lfs_size != stored) {
        return Status::InvalidArgument("LFS file '" + copy.path + "' announced " + std::to_string(*op.lfs_size) +
                                       " bytes but the stored object has " + std::to_string(stored));
      }
      copy.lfs_size = stored;
    }
    ops.push_back(std::move(copy));
  }
  std::optional<std::string> parent_prefix;
  if (request.parent_commit) {
    std::string p = *request.parent_commit;
    for (char& ch : p) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (p.size() < 5 || p.size() > 40 || !git::IsHex(p)) {
      return Status::InvalidArgument("parent commit '" + p.substr(0, 64) + "' is not 5 to 40 hex characters");
    }
    parent_prefix = p;
  }

  const std::string dir = RepoDir(key);
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(dir, key));
  const std::string ref_name = RefNameFor(request.branch);
  std::string message = request.summary.empty() ? std::string("Upload files") : request.summary;
  if (!request.description.empty()) message += "\n\n" + request.description;
  if (message.back() != '\n') message += '\n';

  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    // 1. The current head (or none for a new branch).
    git_oid head{};
    bool has_head = false;
    int rc = git_reference_name_to_id(&head, repo.get(), ref_name.c_str());
    if (rc == 0) {
      has_head = true;
    } else if (rc == GIT_ENOTFOUND) {
      if (!request.create_branch) {
        return RevisionNotFoundError("branch '" + request.branch + "' not found in " + key.ToString());
      }
    } else if (rc == GIT_EINVALIDSPEC) {
      return Status::InvalidArgument("invalid branch name '" + request.branch + "'");
    } else {
      return git::Error(rc, "reading branch '" + request.branch + "'");
    }
    // A new branch grows from `branch_base` (its commit becomes the parent; the ref is created
    // only if still absent).
    git_oid parent_oid = head;
    bool has_parent = has_head;
    if (!has_head && !request.branch_base.empty()) {
      MHUB_ASSIGN_OR_RETURN(parent_oid, git::ResolveRevision(repo.get(), request.branch_base, key));
      has_parent = true;
    }
    const std::string head_hex = has_head ? git::OidHex(head) : std::string();
    // On a new branch the expected parent is its base (hub-api.md 7.3: a PR's parentCommit).
    const std::string parent_hex = has_parent ? git::OidHex(parent_oid) : std::string();
    if (parent_prefix && (!has_parent || parent_hex.compare(0, parent_prefix->size(), *parent_prefix) != 0)) {
      return Status::Conflict("parent commit " + *parent_prefix + " is not the head of '" + request.branch +
                              "' (head is " + (has_parent ? parent_hex : std::string("absent")) + ")");
    }
    // 2. New objects: blobs, trees, the commit. Nothing is visible yet.
    git::CommitPtr parent_commit;
    git::TreePtr base_tree;
    if (has_parent) {
      git_commit* hc = nullptr;
      rc = git_commit_lookup(&hc, repo.get(), &parent_oid);
      if (rc != 0) return git::Error(rc, "reading parent commit " + git::OidHex(parent_oid));
      parent_commit.reset(hc);
      git_tree* t = nullptr;
      rc = git_commit_tree(&t, hc);
      if (rc != 0) return git::Error(rc, "reading head tree");
      base_tree.reset(t);
    }
    MHUB_ASSIGN_OR_RETURN(git_oid tree_oid, BuildTree(repo.get(), base_tree.get(), ops));
    git_tree* new_tree = nullptr;
    rc = git_tree_lookup(&new_tree, repo.get(), &tree_oid);
    if (rc != 0) return git::Error(rc, "reading new tree");
    git::TreePtr new_tree_owned(new_tree);
    MHUB_ASSIGN_OR_RETURN(git::SignaturePtr sig, git::Signature(request.author.name, request.author.email));
    git_oid commit_oid;
    const git_commit* parents[1] = {parent_commit.get()};
    rc = git_commit_create(&commit_oid, repo.get(), nullptr, sig.get(), sig.get(), "UTF-8", message.c_str(), new_tree,
                           has_parent ? 1 : 0, parents);
    if (rc != 0) return git::Error(rc, "writing commit");
    // 3. Publish: move the ref only if it still points where we started.
    git_reference* ref = nullptr;
    if (has_head) {
      rc = git_reference_create_matching(&ref, repo.get(), ref_name.c_str(), &commit_oid, 1, &head, "commit");
    } else {
      rc = git_reference_create(&ref, repo.get(), ref_name.c_str(), &commit_oid, 0, "commit (new branch)");
    }
    if (rc == 0) {
      git_reference_free(ref);
      return CommitOutcome{git::OidHex(commit_oid), head_hex};
    }
    if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS) {
      if (parent_prefix) {
        return Status::Conflict("branch '" + request.branch + "' moved while committing on parent " + *parent_prefix);
      }
      continue;  // someone else committed first: redo on the new head
    }
    if (rc == GIT_ELOCKED) {
      if (!BreakStaleLock(dir, ref_name)) std::this_thread::sleep_for(std::chrono::milliseconds(5 + attempt));
      continue;
    }
    return git::Error(rc, "updating branch '" + request.branch + "'");
  }
  return Status::Unavailable("branch '" + request.branch + "' of " + key.ToString() +
                             " is too busy: the commit kept racing other writers");
}

Result<std::vector<PreuploadAnswer>> RepoStore::Preupload(const RepoKey& key, std::string_view commit,
                                                          const std::vector<PreuploadFile>& files,
                                                          std::string_view extra_gitattributes,
                                                          std::optional<std::string> gitignore) const {
  if (!Exists(key)) return RepoNotFoundError("repository " + key.ToString() + " does not exist");
  std::string attributes_text;
  std::string ignore_text = gitignore.value_or("");
  if (!commit.empty()) {
    auto attrs = ReadFile(key, commit, ".gitattributes");
    if (attrs.ok()) {
      attributes_text = attrs->data;
    } else if (NotFoundKindOf(attrs.status()) != NotFoundKind::kEntry) {
      return attrs.status();
    }
    if (!gitignore) {
      auto ignore = ReadFile(key, commit, ".gitignore");
      if (ignore.ok()) ignore_text = ignore->data;
    }
  }
  // A revision that does not exist yet (a new branch) gets the attributes every new repo starts with.
  if (commit.empty()) attributes_text = DefaultGitAttributes(key.type == RepoType::kDataset);
  if (!extra_gitattributes.empty()) attributes_text += "\n" + std::string(extra_gitattributes);
  const GitAttributes attributes(attributes_text);
  const GitIgnore ignore(ignore_text);

  std::vector<std::string> paths;
  for (const PreuploadFile& f : files) {
    MHUB_ASSIGN_OR_RETURN(std::string p, NormalizeRepoFilePath(f.path));
    paths.push_back(std::move(p));
  }
  std::vector<TreeEntry> existing;
  if (!commit.empty()) {
    MHUB_ASSIGN_OR_RETURN(existing, PathsInfo(key, commit, paths, false));
  }
  std::vector<PreuploadAnswer> out;
  out.reserve(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    PreuploadAnswer a;
    a.path = paths[i];
    const PreuploadFile& f = files[i];
    a.lfs = f.size > 0 && (attributes.IsLfs(a.path) || f.size > kLfsSizeThreshold || LooksBinary(f.sample));
    a.should_ignore = ignore.IsIgnored(a.path);
    for (const TreeEntry& e : existing) {
      if (e.path == a.path && e.type == TreeEntry::Type::kFile) a.oid = e.lfs ? e.lfs->oid : e.oid;
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace mhub::server
