// RepoStore: repo lifecycle (create, delete, move), revision resolution and refs. Reads live in
// repo_read.cpp, commits and preupload in repo_commit.cpp.
#include "mhub/server/repo_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "mhub/base/env.h"
#include "mhub/server/git_patterns.h"
#include "mhub/server/repo_errors.h"
#include "server/storage/git_util.h"
#include "server/storage/tree_edit.h"

namespace mhub::server {
namespace fs = std::filesystem;
namespace {

std::string UniqueSuffix() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng(std::random_device{}());
  return std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(rng() % 1000000000);
}

bool IsDir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Status SetConfig(git_repository* repo, const char* name, const char* value) {
  git_config* cfg = nullptr;
  int rc = git_repository_config(&cfg, repo);
  if (rc != 0) return git::Error(rc, "opening repository config");
  rc = git_config_set_string(cfg, name, value);
  git_config_free(cfg);
  if (rc != 0) return git::Error(rc, std::string("setting ") + name);
  return Status::OK();
}

}  // namespace

CommitOperation CommitOperation::AddFile(std::string path, std::string content) {
  CommitOperation op;
  op.kind = Kind::kAddFile;
  op.path = std::move(path);
  op.content = std::move(content);
  return op;
}

CommitOperation CommitOperation::AddLfsFile(std::string path, std::string oid, std::optional<uint64_t> size) {
  CommitOperation op;
  op.kind = Kind::kAddLfsFile;
  op.path = std::move(path);
  op.lfs_oid = std::move(oid);
  op.lfs_size = size;
  return op;
}

CommitOperation CommitOperation::DeleteFile(std::string path) {
  CommitOperation op;
  op.kind = Kind::kDeleteFile;
  op.path = std::move(path);
  return op;
}

CommitOperation CommitOperation::DeleteFolder(std::string path) {
  CommitOperation op;
  op.kind = Kind::kDeleteFolder;
  op.path = std::move(path);
  return op;
}

RepoStore::RepoStore(std::string data_dir, LfsStore* lfs)
    : data_dir_(std::move(data_dir)), repos_dir_(data_dir_ + "/repos"), lfs_(lfs) {
  git::EnsureInit();
}

RepoStore::~RepoStore() = default;

Status RepoStore::Init() {
  for (RepoType t : {RepoType::kModel, RepoType::kDataset, RepoType::kSpace}) {
    MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(repos_dir_ + "/" + std::string(RepoTypePlural(t))));
  }
  // Leftovers of creates/deletes that died half-way.
  std::error_code ec;
  fs::remove_all(repos_dir_ + "/.trash", ec);
  return Status::OK();
}

std::string RepoStore::RepoDir(const RepoKey& key) const {
  return repos_dir_ + "/" + std::string(RepoTypePlural(key.type)) + "/" + key.id.ns + "/" + key.id.name + ".git";
}

bool RepoStore::Exists(const RepoKey& key) const { return IsDir(RepoDir(key)); }

Result<std::string> RepoStore::Create(const RepoKey& key, const CommitAuthor& author,
                                      const std::vector<CommitOperation>& initial_files) {
  MHUB_RETURN_IF_ERROR(ValidateRepoIdPart(key.id.ns, "namespace"));
  MHUB_RETURN_IF_ERROR(ValidateRepoIdPart(key.id.name, "repo name"));
  const std::string dir = RepoDir(key);
  if (IsDir(dir)) return Status::AlreadyExists("repository " + key.ToString() + " already exists");
  const std::string parent = fs::path(dir).parent_path().string();
  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(parent));
  // Built under a name no repo can have (ids never start with '.'), then renamed into place.
  const std::string tmp = parent + "/.tmp-" + key.id.name + "-" + UniqueSuffix() + ".git";
  auto cleanup = [&] {
    std::error_code ec;
    fs::remove_all(tmp, ec);
  };

  std::vector<CommitOperation> ops;
  ops.push_back(CommitOperation::AddFile(".gitattributes", DefaultGitAttributes(key.type == RepoType::kDataset)));
  for (const CommitOperation& op : initial_files) {
    CommitOperation copy = op;
    auto norm = copy.kind == CommitOperation::Kind::kDeleteFolder ? NormalizeRepoFolderPath(copy.path)
                                                                  : NormalizeRepoFilePath(copy.path);
    if (!norm.ok()) return norm.status();
    copy.path = *norm;
    if (copy.kind == CommitOperation::Kind::kAddLfsFile) {
      // As in Commit: the creator must be able to read the object through some repo.
      const Status allowed = lfs_ == nullptr || !lfs_->Has(copy.lfs_oid)
                                 ? Status::NotFound("")
                                 : lfs_->CheckReference(key, author.name, copy.lfs_oid);
      if (allowed.code() == StatusCode::kNotFound) {
        return Status::NotFound("LFS object " + copy.lfs_oid + " for '" + copy.path + "' was not uploaded");
      }
      MHUB_RETURN_IF_ERROR(allowed);
      MHUB_ASSIGN_OR_RETURN(uint64_t size, lfs_->Size(copy.lfs_oid));
      copy.lfs_size = size;
    }
    ops.push_back(std::move(copy));
  }

  std::string commit_hex;
  {
    git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    opts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
    opts.initial_head = "main";
    git_repository* raw = nullptr;
    int rc = git_repository_init_ext(&raw, tmp.c_str(), &opts);
    if (rc != 0) {
      cleanup();
      return git::Error(rc, "creating repository " + key.ToString());
    }
    git::RepoPtr repo(raw);
    // git http-backend refuses pushes without REMOTE_USER unless this is set; the HTTP layer
    // authenticates before it runs the backend.
    Status st = SetConfig(repo.get(), "http.receivepack", "true");
    Result<git_oid> tree = st.ok() ? BuildTree(repo.get(), nullptr, ops) : Result<git_oid>(st);
    if (!tree.ok()) {
      cleanup();
      return tree.status().WithContext("creating repository " + key.ToString());
    }
    git_tree* tree_obj = nullptr;
    rc = git_tree_lookup(&tree_obj, repo.get(), &tree.value());
    if (rc != 0) {
      cleanup();
      return git::Error(rc, "reading new tree");
    }
    git::TreePtr tree_owned(tree_obj);
    auto sig = git::Signature(author.name, author.email);
    if (!sig.ok()) {
      cleanup();
      return sig.status();
    }
    git_oid commit;
    rc = git_commit_create(&commit, repo.get(), "refs/heads/main", sig->get(), sig->get(), "UTF-8", "initial commit",
                           tree_obj, 0, nullptr);
    if (rc != 0) {
      cleanup();
      return git::Error(rc, "writing initial commit of " + key.ToString());
    }
    commit_hex = git::OidHex(commit);
  }
  // Private repos must not be readable by other local users (libgit2 makes it 0755).
  if (::chmod(tmp.c_str(), 0700) != 0) {
    const int err = errno;
    cleanup();
    return Status::IOError("making new repository " + key.ToString() + " private: " + std::strerror(err));
  }
  // rename(2) refuses to replace a non-empty directory, so a concurrent create of the same repo
  // makes exactly one of them win.
  if (::rename(tmp.c_str(), dir.c_str()) != 0) {
    const int err = errno;
    cleanup();
    if (err == ENOTEMPTY || err == EEXIST) {
      return Status::AlreadyExists("repository " + key.ToString() + " already exists");
    }
    return Status::IOError("moving new repository into " + dir + ": " + std::strerror(err));
  }
  MHUB_RETURN_IF_ERROR(FsyncDir(parent));
  return commit_hex;
}

Status RepoStore::Delete(const RepoKey& key) {
  const std::string dir = RepoDir(key);
  if (!IsDir(dir)) return RepoNotFoundError("repository " + key.ToString() + " does not exist");
  const std::string trash = repos_dir_ + "/.trash";
  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(trash));
  const std::string target = trash + "/" + UniqueSuffix();
  git::ForgetPooledRepos(dir);
  if (::rename(dir.c_str(), target.c_str()) != 0) {
    if (errno == ENOENT) return RepoNotFoundError("repository " + key.ToString() + " does not exist");
    return Status::IOError("deleting " + dir + ": " + std::strerror(errno));
  }
  MHUB_RETURN_IF_ERROR(FsyncDir(fs::path(dir).parent_path().string()));
  std::error_code ec;
  fs::remove_all(target, ec);
  return Status::OK();
}

Status RepoStore::Move(const RepoKey& from, const RepoKey& to) {
  if (from.type != to.type) return Status::InvalidArgument("cannot move a repo to another repo type");
  MHUB_RETURN_IF_ERROR(ValidateRepoIdPart(to.id.ns, "namespace"));
  MHUB_RETURN_IF_ERROR(ValidateRepoIdPart(to.id.name, "repo name"));
  const std::string src = RepoDir(from);
  const std::string dst = RepoDir(to);
  if (!IsDir(src)) return RepoNotFoundError("repository " + from.ToString() + " does not exist");
  if (from == to) return Status::OK();
  if (IsDir(dst)) return Status::AlreadyExists("repository " + to.ToString() + " already exists");
  const std::string parent = fs::path(dst).parent_path().string();
  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(parent));
  git::ForgetPooledRepos(src);
  if (::rename(src.c_str(), dst.c_str()) != 0) {
    const int err = errno;
    if (err == ENOTEMPTY || err == EEXIST)
      return Status::AlreadyExists("repository " + to.ToString() + " already exists");
    if (err == ENOENT) return RepoNotFoundError("repository " + from.ToString() + " does not exist");
    return Status::IOError("moving " + src + " to " + dst + ": " + std::strerror(err));
  }
  MHUB_RETURN_IF_ERROR(FsyncDir(parent));
  return FsyncDir(fs::path(src).parent_path().string());
}

Result<std::string> RepoStore::ResolveRevision(const RepoKey& key, std::string_view revision) const {
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(RepoDir(key), key));
  MHUB_ASSIGN_OR_RETURN(git_oid oid, git::ResolveRevision(repo.get(), revision, key));
  return git::OidHex(oid);
}

Result<RefList> RepoStore::ListRefs(const RepoKey& key) const {
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(RepoDir(key), key));
  git_reference_iterator* raw = nullptr;
  int rc = git_reference_iterator_new(&raw, repo.get());
  if (rc != 0) return git::Error(rc, "listing refs of " + key.ToString());
  git::RefIterPtr iter(raw);
  RefList out;
  git_reference* ref = nullptr;
  while ((rc = git_reference_next(&ref, iter.get())) == 0) {
    git::RefPtr owned(ref);
    const std::string name = git_reference_name(ref);
    git_object* obj = nullptr;
    if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) != 0) continue;  // tag of a blob, broken ref
    RefInfo info;
    info.ref = name;
    info.target_commit = git::OidHex(*git_object_id(obj));
    git_object_free(obj);
    auto take = [&](std::string_view prefix, std::vector<RefInfo>* list) {
      if (name.rfind(prefix, 0) != 0) return false;
      info.name = name.substr(prefix.size());
      list->push_back(info);
      return true;
    };
    (void)(take("refs/heads/", &out.branches) || take("refs/tags/", &out.tags) ||
           take("refs/convert/", &out.converts) || take("refs/pr/", &out.pull_requests));
  }
  if (rc != GIT_ITEROVER) return git::Error(rc, "listing refs of " + key.ToString());
  for (auto* list : {&out.branches, &out.tags, &out.converts, &out.pull_requests}) {
    std::sort(list->begin(), list->end(), [](const RefInfo& a, const RefInfo& b) { return a.name < b.name; });
  }
  return out;
}

Status RepoStore::CreateBranch(const RepoKey& key, std::string_view branch, std::string_view from_revision,
                               bool overwrite, bool empty, const CommitAuthor& author) {
  MHUB_RETURN_IF_ERROR(ValidateRefName(branch));
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(RepoDir(key), key));
  git_oid target;
  if (empty) {
    git_oid tree_oid;
    MHUB_ASSIGN_OR_RETURN(tree_oid, BuildTree(repo.get(), nullptr, {}));
    git_tree* tree = nullptr;
    int rc = git_tree_lookup(&tree, repo.get(), &tree_oid);
    if (rc != 0) return git::Error(rc, "reading empty tree");
    git::TreePtr tree_owned(tree);
    MHUB_ASSIGN_OR_RETURN(git::SignaturePtr sig, git::Signature(author.name, author.email));
    rc = git_commit_create(&target, repo.get(), nullptr, sig.get(), sig.get(), "UTF-8", "Create empty branch", tree, 0,
                           nullptr);
    if (rc != 0) return git::Error(rc, "writing empty commit");
  } else {
    MHUB_ASSIGN_OR_RETURN(target,
                          git::ResolveRevision(repo.get(), from_revision.empty() ? "HEAD" : from_revision, key));
  }
  const std::string ref_name = "refs/heads/" + std::string(branch);
  git_reference* ref = nullptr;
  const int rc =
      git_reference_create(&ref, repo.get(), ref_name.c_str(), &target, overwrite ? 1 : 0, "branch: Created");
  if (rc == GIT_EEXISTS) return Status::AlreadyExists("branch '" + std::string(branch) + "' already exists");
  if (rc != 0) return git::Error(rc, "creating branch '" + std::string(branch) + "'");
  git_reference_free(ref);
  return Status::OK();
}

Status RepoStore::DeleteBranch(const RepoKey& key, std::string_view branch) {
  if (branch == "main") return Status::InvalidArgument("the default branch 'main' cannot be deleted");
  MHUB_RETURN_IF_ERROR(ValidateRefName(branch));
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(RepoDir(key), key));
  const std::string ref_name = "refs/heads/" + std::string(branch);
  git_reference* ref = nullptr;
  int rc = git_reference_lookup(&ref, repo.get(), ref_name.c_str());
  if (rc == GIT_ENOTFOUND)
    return RevisionNotFoundError("branch '" + std::string(branch) + "' not found in " + key.ToString());
  if (rc != 0) return git::Error(rc, "looking up branch '" + std::string(branch) + "'");
  git::RefPtr owned(ref);
  rc = git_reference_delete(ref);
  if (rc != 0) return git::Error(rc, "deleting branch '" + std::string(branch) + "'");
  return Status::OK();
}

Status RepoStore::CreateTag(const RepoKey& key, std::string_view tag, std::string_view revision,
                            std::string_view message, const CommitAuthor& author) {
  MHUB_RETURN_IF_ERROR(ValidateRefName(tag));
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(RepoDir(key), key));
  MHUB_ASSIGN_OR_RETURN(git_oid target, git::ResolveRevision(repo.get(), revision.empty() ? "HEAD" : revision, key));
  git_object* obj = nullptr;
  int rc = git_object_lookup(&obj, repo.get(), &target, GIT_OBJECT_COMMIT);
  if (rc != 0) return git::Error(rc, "reading commit to tag");
  git::ObjectPtr owned(obj);
  const std::string name(tag);
  git_oid out;
  if (message.empty()) {
    rc = git_tag_create_lightweight(&out, repo.get(), name.c_str(), obj, 0);
  } else {
    MHUB_ASSIGN_OR_RETURN(git::SignaturePtr sig, git::Signature(author.name, author.email));
    std::string msg(message);
    if (msg.back() != '\n') msg += '\n';
    rc = git_tag_create(&out, repo.get(), name.c_str(), obj, sig.get(), msg.c_str(), 0);
  }
  if (rc == GIT_EEXISTS) return Status::AlreadyExists("tag '" + name + "' already exists");
  if (rc != 0) return git::Error(rc, "creating tag '" + name + "'");
  return Status::OK();
}

Status RepoStore::DeleteTag(const RepoKey& key, std::string_view tag) {
  MHUB_RETURN_IF_ERROR(ValidateRefName(tag));
  MHUB_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(RepoDir(key), key));
  const std::string name(tag);
  const int rc = git_tag_delete(repo.get(), name.c_str());
  if (rc == GIT_ENOTFOUND) return RevisionNotFoundError("tag '" + name + "' not found in " + key.ToString());
  if (rc != 0) return git::Error(rc, "deleting tag '" + name + "'");
  return Status::OK();
}

Result<std::vector<RepoKey>> RepoStore::ListAllRepos() const {
  std::vector<RepoKey> out;
  for (RepoType t : {RepoType::kModel, RepoType::kDataset, RepoType::kSpace}) {
    const std::string base = repos_dir_ + "/" + std::string(RepoTypePlural(t));
    std::error_code ec;
    for (const auto& ns_entry : fs::directory_iterator(base, ec)) {
      const std::string ns = ns_entry.path().filename().string();
      if (!ns_entry.is_directory() || !ValidateRepoIdPart(ns, "namespace").ok()) continue;
      std::error_code ec2;
      for (const auto& repo_entry : fs::directory_iterator(ns_entry.path(), ec2)) {
        std::string name = repo_entry.path().filename().string();
        if (!repo_entry.is_directory() || name.size() <= 4 || name.substr(name.size() - 4) != ".git") continue;
        name.resize(name.size() - 4);
        if (!ValidateRepoIdPart(name, "repo name").ok()) continue;
        out.push_back(RepoKey{t, RepoId{ns, name}});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const RepoKey& a, const RepoKey& b) { return a.ToString() < b.ToString(); });
  return out;
}

}  // namespace mhub::server
