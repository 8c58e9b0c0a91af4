// libgit2 plumbing shared by the repo store files (see git_util.h).
#include "server/storage/git_util.h"

#include <sys/stat.h>

#include <mutex>

#include "mhub/server/repo_errors.h"

namespace mhub::server::git {

void EnsureInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
    git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 1);
  });
}

Status Error(int rc, std::string_view what) {
  const git_error* e = git_error_last();
  std::string msg(what);
  msg += ": ";
  msg += (e && e->message) ? e->message : "libgit2 error " + std::to_string(rc);
  switch (rc) {
    case GIT_ENOTFOUND:
      return Status::NotFound(msg);
    case GIT_EEXISTS:
      return Status::AlreadyExists(msg);
    case GIT_EMODIFIED:
    case GIT_ELOCKED:
      return Status::Conflict(msg);
    case GIT_EINVALIDSPEC:
      return Status::InvalidArgument(msg);
    default:
      return Status::IOError(msg);
  }
}

Result<RepoPtr> Open(const std::string& dir, const RepoKey& key) {
  EnsureInit();
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return RepoNotFoundError("repository " + key.ToString() + " does not exist");
  }
  git_repository* raw = nullptr;
  const int rc = git_repository_open_bare(&raw, dir.c_str());
  if (rc == GIT_ENOTFOUND) return RepoNotFoundError("repository " + key.ToString() + " does not exist");
  if (rc != 0) return Error(rc, "opening repository " + key.ToString());
  return RepoPtr(raw);
}

std::string OidHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

bool IsHex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

namespace {
// Peels the reference `name` to a commit. NotFound when absent or not pointing at a commit.
bool PeelRefToCommit(git_repository* repo, const std::string& name, git_oid* out) {
  git_reference* ref = nullptr;
  if (git_reference_lookup(&ref, repo, name.c_str()) != 0) return false;
  RefPtr owned(ref);
  git_object* obj = nullptr;
  if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) != 0) return false;
  *out = *git_object_id(obj);
  git_object_free(obj);
  return true;
}

bool HasControlChars(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
  }
  return false;
}
}  // namespace

Result<git_oid> ResolveRevision(git_repository* repo, std::string_view revision, const RepoKey& key) {
  auto missing = [&] {
    std::string shown(revision.substr(0, 200));
    if (HasControlChars(shown)) shown = "<unprintable>";
    return RevisionNotFoundError("revision '" + shown + "' not found in " + key.ToString());
  };
  if (revision.empty() || revision.size() > 1024 || HasControlChars(revision)) return missing();
  git_oid oid;
  if (revision == "HEAD") {
    if (git_reference_name_to_id(&oid, repo, "HEAD") != 0) return missing();
    // HEAD may name a non-commit in theory; peel through the object.
    git_object* obj = nullptr;
    if (git_object_lookup(&obj, repo, &oid, GIT_OBJECT_ANY) != 0) return missing();
    ObjectPtr owned(obj);
    git_object* peeled = nullptr;
    if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0) return missing();
    oid = *git_object_id(peeled);
    git_object_free(peeled);
    return oid;
  }
  const std::string rev(revision);
  if (rev.rfind("refs/", 0) == 0) {
    if (PeelRefToCommit(repo, rev, &oid)) return oid;
    return missing();
  }
  if (PeelRefToCommit(repo, "refs/heads/" + rev, &oid)) return oid;
  if (PeelRefToCommit(repo, "refs/tags/" + rev, &oid)) return oid;
  if (rev.size() >= 5 && rev.size() <= GIT_OID_HEXSZ && IsHex(rev)) {
    git_oid prefix;
    if (git_oid_fromstrn(&prefix, rev.data(), rev.size()) != 0) return missing();
    git_object* obj = nullptr;
    const int rc = git_object_lookup_prefix(&obj, repo, &prefix, rev.size(), GIT_OBJECT_COMMIT);
    if (rc == 0) {
      oid = *git_object_id(obj);
      git_object_free(obj);
      return oid;
    }
  }
  return missing();
}

Result<CommitPtr> LookupCommit(git_repository* repo, std::string_view sha_or_revision, const RepoKey& key) {
  MHUB_ASSIGN_OR_RETURN(git_oid oid, ResolveRevision(repo, sha_or_revision, key));
  git_commit* commit = nullptr;
  const int rc = git_commit_lookup(&commit, repo, &oid);
  if (rc != 0) return Error(rc, "reading commit " + OidHex(oid) + " of " + key.ToString());
  return CommitPtr(commit);
}

Result<SignaturePtr> Signature(std::string_view name, std::string_view email) {
  git_signature* sig = nullptr;
  std::string n(name.empty() ? "mhub" : name);
  std::string e(email.empty() ? "mhub@localhost" : email);
  // libgit2 refuses '<', '>' and newlines in names and emails.
  for (std::string* s : {&n, &e}) {
    for (char& c : *s) {
      if (c == '<' || c == '>' || c == '\n' || c == '\r' || c == '\0') c = ' ';
    }
  }
  const int rc = git_signature_now(&sig, n.c_str(), e.c_str());
  if (rc != 0) return Error(rc, "building commit signature");
  return SignaturePtr(sig);
}

}  // namespace mhub::server::git
