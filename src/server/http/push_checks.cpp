// The push checks (see push_checks.h) and the walk that finds what a push brings.
#include "server/http/push_checks.h"

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "server/http/lfs_push_check.h"
#include "server/storage/git_util.h"

namespace mhub::server {
namespace {

constexpr size_t kMaxNamedFiles = 20;

struct OdbList {
  std::vector<git_oid> oids;
};

int CollectOid(const git_oid* oid, void* payload) {
  static_cast<OdbList*>(payload)->oids.push_back(*oid);
  return 0;
}

// Every object in the quarantine (and only there), with its type and size.
struct QuarantineObject {
  git_oid oid;
  git_object_t type;
  size_t size;
};
Result<std::vector<QuarantineObject>> QuarantineObjects(const std::string& quarantine) {
  if (quarantine.empty()) return std::vector<QuarantineObject>{};  // a push without objects
  git_odb* raw = nullptr;
  int rc = git_odb_new(&raw);
  if (rc != 0) return git::Error(rc, "creating an object database");
  git::OdbPtr odb(raw);
  rc = git_odb_add_disk_alternate(odb.get(), quarantine.c_str());
  if (rc != 0) return git::Error(rc, "opening the push quarantine " + quarantine);
  OdbList list;
  rc = git_odb_foreach(odb.get(), CollectOid, &list);
  if (rc != 0) return git::Error(rc, "listing the pushed objects");
  std::vector<QuarantineObject> out;
  out.reserve(list.oids.size());
  for (const git_oid& oid : list.oids) {
    QuarantineObject o{oid, GIT_OBJECT_INVALID, 0};
    rc = git_odb_read_header(&o.size, &o.type, odb.get(), &oid);
    if (rc != 0) return git::Error(rc, "reading pushed object " + git::OidHex(oid));
    out.push_back(o);
  }
  return out;
}

struct OidLess {
  bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_cmp(&a, &b) < 0; }
};

// Names blobs in `wanted` (oid -> path, filled in) by walking the trees of the pushed commits.
Status NameBlobs(const PushCheckInput& in, std::map<git_oid, std::string, OidLess>* wanted) {
  git_revwalk* raw = nullptr;
  int rc = git_revwalk_new(&raw, in.repo);
  if (rc != 0) return git::Error(rc, "starting a history walk");
  git::RevwalkPtr walk(raw);
  bool any = false;
  for (const PushedRef& r : in.refs) {
    git_oid oid;
    if (git_oid_fromstr(&oid, r.new_oid.c_str()) != 0 || git_oid_is_zero(&oid)) continue;
    if (git_revwalk_push(walk.get(), &oid) == 0) any = true;  // non-commits (tags of trees) are skipped
  }
  if (!any) return Status::OK();
  // What the repo already has is not the push's.
  git_reference_iterator* it_raw = nullptr;
  if (git_reference_iterator_new(&it_raw, in.repo) == 0) {
    git::RefIterPtr it(it_raw);
    git_reference* ref = nullptr;
    while (git_reference_next(&ref, it.get()) == 0) {
      git::RefPtr owned(ref);
      git_object* target = nullptr;
      if (git_reference_peel(&target, ref, GIT_OBJECT_COMMIT) == 0) {
        git::ObjectPtr t(target);
        (void)git_revwalk_hide(walk.get(), git_object_id(target));
      }
    }
  }
  std::set<git_oid, OidLess> seen_trees;
  size_t unnamed = wanted->size();
  std::function<Status(const git_oid&, const std::string&)> visit = [&](const git_oid& tree_oid,
                                                                        const std::string& prefix) -> Status {
    if (unnamed == 0 || !seen_trees.insert(tree_oid).second) return Status::OK();
    git_tree* t = nullptr;
    int trc = git_tree_lookup(&t, in.repo, &tree_oid);
    if (trc != 0) return git::Error(trc, "reading pushed tree " + git::OidHex(tree_oid));
    git::TreePtr tree(t);
    for (size_t i = 0, n = git_tree_entrycount(t); i < n && unnamed > 0; ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(t, i);
      const std::string path = prefix + git_tree_entry_name(e);
      if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
        MHUB_RETURN_IF_ERROR(visit(*git_tree_entry_id(e), path + "/"));
      } else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
        auto w = wanted->find(*git_tree_entry_id(e));
        if (w != wanted->end() && w->second.empty()) {
          w->second = path;
          --unnamed;
        }
      }
    }
    return Status::OK();
  };
  git_oid commit_oid;
  while (unnamed > 0 && git_revwalk_next(&commit_oid, walk.get()) == 0) {
    git_commit* c = nullptr;
    rc = git_commit_lookup(&c, in.repo, &commit_oid);
    if (rc != 0) return git::Error(rc, "reading pushed commit " + git::OidHex(commit_oid));
    git::CommitPtr commit(c);
    MHUB_RETURN_IF_ERROR(visit(*git_commit_tree_id(c), ""));
  }
  return Status::OK();
}

// Regular files over the cap: the Hub's rule, with its advice to use LFS.
Status CheckRegularFileSizes(const PushCheckInput& in) {
  const uint64_t cap = RegularFileCap(in.ctx);
  if (cap == 0) return Status::OK();
  // Sizes come from the object headers; only oversized blobs get the (costlier) path walk.
  MHUB_ASSIGN_OR_RETURN(std::vector<QuarantineObject> objects, QuarantineObjects(in.quarantine));
  std::map<git_oid, std::string, OidLess> names;
  std::vector<PushedBlob> large;
  for (const QuarantineObject& o : objects) {
    if (o.type != GIT_OBJECT_BLOB || o.size <= cap) continue;
    names.emplace(o.oid, std::string());
    large.push_back(PushedBlob{o.oid, o.size, ""});
  }
  if (large.empty()) return Status::OK();
  MHUB_RETURN_IF_ERROR(NameBlobs(in, &names));
  for (PushedBlob& b : large) b.path = names[b.oid];
  std::ostringstream msg;
  msg << "Your push was rejected because it contains files larger than " << cap
      << " bytes (regular, non-LFS files are limited to that size):\n";
  for (size_t i = 0; i < large.size() && i < kMaxNamedFiles; ++i) {
    msg << "  " << (large[i].path.empty() ? git::OidHex(large[i].oid) : large[i].path) << " (" << large[i].size
        << " bytes)\n";
  }
  msg << "Please use Git LFS to store large files: `git lfs track <pattern>`, commit the files again, and push\n"
         "(see https://git-lfs.com).";
  return Status::InvalidArgument(msg.str());
}

// Names git accepts but the hub's API would never write (control characters, '\\', invalid
// UTF-8, over-long segments): refused in new trees so every pushed path is one the API serves.
Status CheckPushedNames(const PushCheckInput& in) {
  MHUB_ASSIGN_OR_RETURN(std::vector<QuarantineObject> objects, QuarantineObjects(in.quarantine));
  for (const QuarantineObject& o : objects) {
    if (o.type != GIT_OBJECT_TREE) continue;
    git_tree* t = nullptr;
    const int rc = git_tree_lookup(&t, in.repo, &o.oid);
    if (rc != 0) return git::Error(rc, "reading pushed tree " + git::OidHex(o.oid));
    git::TreePtr tree(t);
    for (size_t i = 0, n = git_tree_entrycount(t); i < n; ++i) {
      const std::string name = git_tree_entry_name(git_tree_entry_byindex(t, i));
      auto ok = NormalizeRepoFilePath(name);
      if (!ok.ok() || *ok != name) {
        return Status::InvalidArgument("Your push was rejected because a pushed file or folder name is refused: " +
                                       (ok.ok() ? "'" + name + "'" : ok.status().message()));
      }
    }
  }
  return Status::OK();
}

}  // namespace

uint64_t RegularFileCap(const HubContext& ctx) {
  if (const char* text = std::getenv("MHUB_MAX_REGULAR_FILE_SIZE"); text != nullptr && *text != '\0') {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text, &end, 10);
    if (end != nullptr && *end == '\0') return v;
  }
  return ctx.limits.max_regular_file;
}

Status ForEachPushedBlob(const PushCheckInput& in, const std::function<Status(const PushedBlob&)>& fn) {
  MHUB_ASSIGN_OR_RETURN(std::vector<QuarantineObject> objects, QuarantineObjects(in.quarantine));
  std::map<git_oid, std::string, OidLess> names;
  for (const QuarantineObject& o : objects) {
    if (o.type == GIT_OBJECT_BLOB) names.emplace(o.oid, std::string());
  }
  if (names.empty()) return Status::OK();
  MHUB_RETURN_IF_ERROR(NameBlobs(in, &names));
  for (const QuarantineObject& o : objects) {
    if (o.type != GIT_OBJECT_BLOB) continue;
    MHUB_RETURN_IF_ERROR(fn(PushedBlob{o.oid, o.size, names[o.oid]}));
  }
  return Status::OK();
}

const std::vector<PushCheck>& PushChecks() {
  static const std::vector<PushCheck> checks = {CheckPushedNames, CheckRegularFileSizes, CheckPushedLfsPointers};
  return checks;
}

Status RunPushChecks(const HubContext& ctx, const RepoKey& key, const std::string& user, const std::string& quarantine,
                     const std::string& ref_lines) {
  std::vector<PushedRef> refs;
  std::istringstream lines(ref_lines);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    PushedRef r;
    if (!(fields >> r.old_oid >> r.new_oid >> r.ref) || r.old_oid.size() != 40 || r.new_oid.size() != 40) {
      return Status::Internal("unexpected pre-receive line '" + line.substr(0, 200) + "'");
    }
    refs.push_back(std::move(r));
  }
  git::EnsureInit();
  git_repository* raw = nullptr;
  // A handle of our own (not the pool's): the quarantine is added to its object database.
  int rc = git_repository_open_bare(&raw, ctx.repos->RepoDir(key).c_str());
  if (rc != 0) return git::Error(rc, "opening " + key.ToString());
  git::RepoPtr repo(raw, git::RepoFree{});
  git_odb* odb = nullptr;
  rc = git_repository_odb(&odb, raw);
  if (rc != 0) return git::Error(rc, "opening the object database of " + key.ToString());
  git::OdbPtr odb_owned(odb);
  // git makes no quarantine for a push that brings no objects (deleting a branch).
  rc = quarantine.empty() ? 0 : git_odb_add_disk_alternate(odb, quarantine.c_str());
  if (rc != 0) return git::Error(rc, "opening the push quarantine");
  const PushCheckInput in{ctx, key, user, raw, quarantine, refs};
  for (PushCheck check : PushChecks()) MHUB_RETURN_IF_ERROR(check(in));
  return Status::OK();
}

}  // namespace mhub::server
