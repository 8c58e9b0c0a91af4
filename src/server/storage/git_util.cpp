// libgit2 plumbing shared by the repo store files (see git_util.h).
#include "server/storage/git_util.h"

#include <sys/stat.h>

#include <list>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "mhub/server/repo_errors.h"

namespace mhub::server::git {

void EnsureInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
    git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 1);
    // Without this every git_repository_open looks for and parses ~/.gitconfig, $XDG_CONFIG_HOME/git
    // /config and /etc/gitconfig; the server's behaviour must not depend on them anyway.
    for (const git_config_level_t level :
         {GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL, GIT_CONFIG_LEVEL_PROGRAMDATA}) {
      git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, "");
    }
  });
}

namespace {

// Idle repository handles, most recently returned first. A handle is in the pool only while no
// caller holds it, so each git_repository is used by one thread at a time.
class RepoPool {
 public:
  static constexpr size_t kMaxIdle = 128;  // each may hold open pack files

  git_repository* Take(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_dir_.find(key);
    if (it == by_dir_.end()) return nullptr;
    auto entry = it->second;
    by_dir_.erase(it);
    git_repository* repo = entry->second;
    lru_.erase(entry);
    return repo;
  }

  void Put(const std::string& key, git_repository* repo) {
    git_repository* evicted = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      lru_.emplace_front(key, repo);
      by_dir_.emplace(key, lru_.begin());
      if (lru_.size() > kMaxIdle) {
        auto last = std::prev(lru_.end());
        auto range = by_dir_.equal_range(last->first);
        for (auto it = range.first; it != range.second; ++it) {
          if (it->second == last) {
            by_dir_.erase(it);
            break;
          }
        }
        evicted = last->second;
        lru_.erase(last);
      }
    }
    if (evicted != nullptr) git_repository_free(evicted);
  }

  void Forget(const std::string& dir) {
    std::vector<git_repository*> dropped;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto it = lru_.begin(); it != lru_.end();) {
        const std::string& d = it->first;
        // Keys are "<dir>\0<dev>:<ino>".
        const bool below = d.size() > dir.size() && d.compare(0, dir.size(), dir) == 0 &&
                           (d[dir.size()] == '\0' || d[dir.size()] == '/');
        if (!below) {
          ++it;
          continue;
        }
        auto range = by_dir_.equal_range(d);
        for (auto m = range.first; m != range.second; ++m) {
          if (m->second == it) {
            by_dir_.erase(m);
            break;
          }
        }
        dropped.push_back(it->second);
        it = lru_.erase(it);
      }
    }
    for (git_repository* r : dropped) git_repository_free(r);
  }

 private:
  using Entry = std::pair<std::string, git_repository*>;
  std::mutex mu_;
  std::list<Entry> lru_;
  std::unordered_multimap<std::string, std::list<Entry>::iterator> by_dir_;
};

RepoPool& Pool() {
  static RepoPool* pool = new RepoPool();  // never destroyed: handles may return during exit
  return *pool;
}

}  // namespace

void RepoFree::operator()(git_repository* p) const {
  if (p == nullptr) return;
  if (pool_key.empty()) {
    git_repository_free(p);
  } else {
    Pool().Put(pool_key, p);
  }
}

void ForgetPooledRepos(const std::string& dir) { Pool().Forget(dir); }

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
  std::string pool_key = dir;
  pool_key += '\0';
  pool_key += std::to_string(st.st_dev);
  pool_key += ':';
  pool_key += std::to_string(st.st_ino);
  if (git_repository* pooled = Pool().Take(pool_key)) return RepoPtr(pooled, RepoFree{std::move(pool_key)});
  git_repository* raw = nullptr;
  const int rc = git_repository_open_bare(&raw, dir.c_str());
  if (rc == GIT_ENOTFOUND) return RepoNotFoundError("repository " + key.ToString() + " does not exist");
  if (rc != 0) return Error(rc, "opening repository " + key.ToString());
  return RepoPtr(raw, RepoFree{std::move(pool_key)});
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
  // A full 40-hex name of a commit is that commit (git rev-parse also takes it before any ref of
  // that name): one object lookup instead of two ref lookups and a prefix scan. Other 40-hex names
  // fall through to the ref lookups below.
  if (revision.size() == GIT_OID_HEXSZ && IsHex(revision) &&
      git_oid_fromstrn(&oid, revision.data(), revision.size()) == 0) {
    git_object* obj = nullptr;
    if (git_object_lookup(&obj, repo, &oid, GIT_OBJECT_COMMIT) == 0) {
      git_object_free(obj);
      return oid;
    }
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
