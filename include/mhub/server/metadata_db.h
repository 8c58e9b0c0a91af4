// MetadataDb: users, orgs, hashed tokens, repo records (card metadata for search), likes and
// download counts. An abstract interface so a PostgreSQL backend can come later; the embedded
// default is SQLite (OpenSqliteMetadataDb) in `<data>/db.sqlite`.
//
// Thread safety: every method may be called concurrently from many threads (the SQLite backend
// uses WAL, a busy timeout and one connection per thread).
// Errors: NotFound for missing users/repos (repo misses carry the RepoNotFound tag,
// repo_errors.h), AlreadyExists on duplicate names, Unauthenticated for an unknown token,
// IOError/Internal for database failures. No call throws.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/server/collection_types.h"
#include "mhub/server/model_card.h"
#include "mhub/server/repo_path.h"

namespace mhub::server {

// A user or an organization (they share one namespace of names).
struct Account {
  int64_t id = 0;
  std::string name;
  std::string fullname;
  std::string email;  // may be empty
  bool is_org = false;
  int64_t created_ms = 0;
};

enum class OrgRole { kRead, kWrite, kAdmin };
std::string_view OrgRoleName(OrgRole role);  // "read" | "write" | "admin"
Result<OrgRole> ParseOrgRole(std::string_view text);

struct OrgMembership {
  std::string org;
  std::string user;
  OrgRole role = OrgRole::kRead;
};

enum class TokenRole { kRead, kWrite };
std::string_view TokenRoleName(TokenRole role);  // "read" | "write"

struct TokenInfo {
  int64_t id = 0;
  std::string user;  // owner
  std::string name;  // display name
  TokenRole role = TokenRole::kRead;
  int64_t created_ms = 0;
};

// Returned once by CreateToken: the secret is never stored (only its SHA-256).
struct IssuedToken {
  TokenInfo info;
  std::string secret;  // "hf_" + 34 random [A-Za-z0-9] characters
};

struct RepoRecord {
  RepoKey key;
  int64_t row_id = 0;  // stable numeric id (the API `_id` is derived from it)
  bool is_private = false;
  std::string gated;  // "" (not gated), "auto", "manual"
  bool disabled = false;
  int64_t created_ms = 0;
  int64_t last_modified_ms = 0;
  std::string sha;  // head commit of main ("" until known)
  int64_t downloads = 0;
  int64_t likes = 0;
  std::string author;  // = key.id.ns
  std::string sdk;     // spaces only
  // Card metadata (from README.md on main):
  std::string card_data_json = "{}";  // CardData::raw, serialized
  std::vector<std::string> tags;      // DeriveSearchTags
  std::string pipeline_tag;
  std::string library_name;
  std::string license;
  std::vector<std::string> languages;
};

enum class RepoSort { kDefault, kDownloads, kLikes, kLastModified, kCreatedAt, kId, kTrending };
// Parses the `sort` query value: "downloads", "likes", "lastModified", "last_modified",
// "createdAt", "created_at", "id", "modelId", "trendingScore", "trending_score" (trending =
// likes here); "" -> kDefault. InvalidArgument otherwise.
Result<RepoSort> ParseRepoSort(std::string_view text);

struct RepoQuery {
  RepoType type = RepoType::kModel;
  std::vector<std::string> search;   // each must be a case-insensitive substring of "ns/name"
  std::string author;                // exact namespace
  std::vector<std::string> filters;  // every one must be one of the repo's tags (or its pipeline
                                     // tag / library / "license:x" / "language:x" / the repo id)
  std::string pipeline_tag;
  std::string library;
  std::string language;
  std::string license;
  std::optional<bool> gated;
  RepoSort sort = RepoSort::kDefault;  // kDefault: downloads for lists, like the Hub
  bool descending = true;              // direction=-1 (default); false for direction=1
  uint64_t limit = 1000;
  uint64_t offset = 0;  // pagination: the HTTP layer carries it in an opaque cursor
  std::string viewer;   // user name or "" (anonymous): private repos appear only to the owner
                        // and members of the owning org
  // Each group: the repo must have at least one of its tags (as `filters` match); e.g. the local
  // app filter `apps=lmstudio` is {"gguf", "mlx"}.
  std::vector<std::vector<std::string>> any_tag_groups;
};

struct RepoPage {
  std::vector<RepoRecord> repos;
  bool has_more = false;  // another page exists after this one
};

// One like, seen from the user (ListUserLikes) or from the repo (ListRepoLikers).
struct RepoLike {
  RepoRecord repo;
  int64_t liked_ms = 0;
};
struct RepoLiker {
  Account user;
  int64_t liked_ms = 0;
};

// What RefreshRepoMetadata writes after a commit on main.
struct RepoCardUpdate {
  std::string sha;
  int64_t last_modified_ms = 0;
  CardData card;
};

class MetadataDb {
 public:
  virtual ~MetadataDb() = default;

  // --- accounts ---------------------------------------------------------------------------
  // Name validated like a repo namespace; AlreadyExists if a user or org has it.
  virtual Result<Account> CreateUser(std::string_view name, std::string_view email, std::string_view fullname) = 0;
  virtual Result<Account> CreateOrg(std::string_view name, std::string_view fullname) = 0;
  // A user or an org by name. NotFound.
  virtual Result<Account> GetAccount(std::string_view name) = 0;
  // Adds or updates a membership. NotFound when the org or user is missing.
  virtual Status SetOrgMember(std::string_view org, std::string_view user, OrgRole role) = 0;
  virtual Status RemoveOrgMember(std::string_view org, std::string_view user) = 0;
  // The orgs `user` belongs to, by org name.
  virtual Result<std::vector<OrgMembership>> ListMemberships(std::string_view user) = 0;
  // The role of `user` in `org`, or nullopt when not a member.
  virtual Result<std::optional<OrgRole>> MemberRole(std::string_view org, std::string_view user) = 0;

  // --- tokens -----------------------------------------------------------------------------
  virtual Result<IssuedToken> CreateToken(std::string_view user, std::string_view name, TokenRole role) = 0;
  // Looks up a presented secret (by its SHA-256). Unauthenticated when unknown.
  virtual Result<TokenInfo> LookupToken(std::string_view secret) = 0;
  virtual Result<std::vector<TokenInfo>> ListTokens(std::string_view user) = 0;
  virtual Status RevokeToken(std::string_view user, int64_t token_id) = 0;

  // --- repos ------------------------------------------------------------------------------
  // Inserts a new record (created_ms/last_modified_ms = now when 0). AlreadyExists.
  virtual Result<RepoRecord> InsertRepo(const RepoRecord& record) = 0;
  virtual Result<RepoRecord> GetRepo(const RepoKey& key) = 0;
  virtual Status DeleteRepo(const RepoKey& key) = 0;
  // Moves the record (and its likes). RepoNotFound / AlreadyExists.
  virtual Status RenameRepo(const RepoKey& from, const RepoKey& to) = 0;
  // Changes what is given. RepoNotFound.
  virtual Status UpdateRepoSettings(const RepoKey& key, std::optional<bool> is_private,
                                    std::optional<std::string> gated) = 0;
  virtual Status UpdateRepoCard(const RepoKey& key, const RepoCardUpdate& update) = 0;
  virtual Status IncrementDownloads(const RepoKey& key, int64_t count = 1) = 0;
  // Likes/unlikes; returns the repo's new like count. Idempotent.
  virtual Result<int64_t> SetLike(std::string_view user, const RepoKey& key, bool like) = 0;
  virtual Result<std::vector<RepoKey>> ListLikes(std::string_view user) = 0;
  // The repos `user` likes, with when, newest like first (private ones included: the caller
  // filters by CanRead). NotFound when there is no such user.
  virtual Result<std::vector<RepoLike>> ListUserLikes(std::string_view user) = 0;
  // The users who like `key`, with when, newest like first. RepoNotFound.
  virtual Result<std::vector<RepoLiker>> ListRepoLikers(const RepoKey& key) = 0;
  virtual Result<RepoPage> SearchRepos(const RepoQuery& query) = 0;

  // --- LFS object references (lfs_refs) -------------------------------------------------------
  // The LFS store is shared by every repo (content-addressed, so deduplicated), but access is per
  // repo, as on the Hub: a repo serves an object only when it holds a reference to it. A
  // reference is recorded when an upload to the repo completes (uncommitted) or when a commit or
  // push of the repo points at the object (committed). Deleting the repo record drops its
  // references; renaming keeps them.
  //
  // Records that repo `key` holds `oid` (`size` bytes). Idempotent; a committed reference stays
  // committed. RepoNotFound when the repo has no record.
  virtual Status AddLfsRef(const RepoKey& key, std::string_view oid, uint64_t size, bool committed) = 0;
  virtual Result<bool> HasLfsRef(const RepoKey& key, std::string_view oid) = 0;
  // Repos holding `oid`, public ones first, at most `limit`.
  virtual Result<std::vector<RepoRecord>> ReposHoldingLfsObject(std::string_view oid, size_t limit) = 0;
  // Bytes of the distinct objects held by the repos of namespace `ns` (its storage use).
  virtual Result<uint64_t> LfsBytesOfNamespace(std::string_view ns) = 0;
  // Repos with uncommitted references recorded before `before_ms`, and dropping those
  // references (uploads never committed); Drop returns how many it dropped.
  virtual Result<std::vector<RepoKey>> ReposWithUncommittedLfsRefs(int64_t before_ms) = 0;
  virtual Result<int64_t> DropUncommittedLfsRefs(int64_t before_ms) = 0;
  // For the LFS garbage collector: nullopt when some repo holds `oid` (and any orphan mark is
  // cleared); otherwise the time it was first seen held by none (`now_ms` on the first call).
  virtual Result<std::optional<int64_t>> TrackLfsOrphan(std::string_view oid, int64_t now_ms) = 0;
  virtual Status ForgetLfsOrphan(std::string_view oid) = 0;
  // Repos whose git history was never scanned for LFS pointers (records made before lfs_refs
  // existed, or imported from disk), and marking one scanned.
  virtual Result<std::vector<RepoKey>> ReposWithoutLfsScan() = 0;
  virtual Status MarkLfsScanned(const RepoKey& key) = 0;

  // --- change detection (for caches above the DB) ------------------------------------------
  // A value that differs from every earlier answer once any change has been committed to the
  // database since then, by this process or another one (e.g. `mhub admin` next to a running
  // server). Unsupported when the backend cannot tell; callers must then not cache.
  virtual Result<uint64_t> ChangeCounter() { return Status::Unsupported("this database cannot report changes"); }

  // --- repo redirects (repo_redirects in the SQLite schema) ---------------------------------
  // Records that `from` now lives at `to`; redirects that pointed at `from` follow it to `to`, and
  // one leaving `to` is dropped (a real repo answers there). Unsupported by default.
  virtual Status AddRepoRedirect(const RepoRedirect& redirect) {
    (void)redirect;
    return Status::Unsupported("this database has no repo redirects");
  }
  // Where `from` went; NotFound when it has no redirect.
  virtual Result<RepoRedirect> LookupRepoRedirect(RepoType type, std::string_view from) {
    (void)type, (void)from;
    return Status::NotFound("no redirect");
  }
  // Removes the redirect of `from`; NotFound when there is none.
  virtual Status DeleteRepoRedirect(RepoType type, std::string_view from) {
    (void)type, (void)from;
    return Status::NotFound("no redirect");
  }
  virtual Result<std::vector<RepoRedirect>> ListRepoRedirects() { return std::vector<RepoRedirect>{}; }

  // --- collections (sqlite_collections.cpp) ------------------------------------------------
  // Inserts `c` (its row_id and times are set); AlreadyExists when `c.ns` has one of that title.
  virtual Result<Collection> CreateCollection(const Collection& c) {
    (void)c;
    return Status::Unsupported("this database has no collections");
  }
  // With its items. NotFound.
  virtual Result<Collection> GetCollection(int64_t row_id) {
    (void)row_id;
    return Status::NotFound("no such collection");
  }
  virtual Status UpdateCollection(int64_t row_id, const CollectionUpdate& update) {
    (void)row_id, (void)update;
    return Status::NotFound("no such collection");
  }
  virtual Status DeleteCollection(int64_t row_id) {
    (void)row_id;
    return Status::NotFound("no such collection");
  }
  // Collections (with items) owned by `ns` ("" = any) holding `item_type`/`item_id` ("" = any),
  // newest change first. Private ones included: the caller filters by reader.
  virtual Result<std::vector<Collection>> ListCollections(std::string_view ns, std::string_view item_type,
                                                          std::string_view item_id) {
    (void)ns, (void)item_type, (void)item_id;
    return std::vector<Collection>{};
  }
  // Appends an item; AlreadyExists when the collection holds it, NotFound without the collection.
  virtual Result<CollectionItem> AddCollectionItem(int64_t collection, const CollectionItem& item) {
    (void)collection, (void)item;
    return Status::Unsupported("this database has no collections");
  }
  // Moves or re-notes an item; NotFound.
  virtual Status UpdateCollectionItem(int64_t collection, int64_t item, std::optional<int64_t> position,
                                      std::optional<std::string> note) {
    (void)collection, (void)item, (void)position, (void)note;
    return Status::NotFound("no such collection item");
  }
  virtual Status DeleteCollectionItem(int64_t collection, int64_t item) {
    (void)collection, (void)item;
    return Status::NotFound("no such collection item");
  }

  // --- permissions (built on the calls above) ----------------------------------------------
  // True when `user` may write into namespace `ns`: it is the user's own name, or the user is a
  // write/admin member of org `ns`.
  Result<bool> CanWriteNamespace(std::string_view user, std::string_view ns);
  // True when `viewer` ("" = anonymous) may read `repo`: public, or the viewer can read `ns`
  // (owner or any member of the org).
  Result<bool> CanRead(std::string_view viewer, const RepoRecord& repo);
  // True when `viewer` may read some repo holding LFS object `oid` (ReposHoldingLfsObject).
  Result<bool> CanReadLfsObject(std::string_view viewer, std::string_view oid);
};

// Opens (creating if needed) the SQLite database at `path` and migrates its schema.
Result<std::unique_ptr<MetadataDb>> OpenSqliteMetadataDb(const std::string& path);

}  // namespace mhub::server
