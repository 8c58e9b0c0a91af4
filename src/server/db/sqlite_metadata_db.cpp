// The SQLite MetadataDb (see metadata_db.h): schema, accounts, tokens, repos, likes, search.
#include <openssl/rand.h>

#include <algorithm>
#include <mutex>
#include <optional>

#include "mhub/base/json.h"
#include "mhub/base/sha256.h"
#include "mhub/server/iso_time.h"
#include "mhub/server/metadata_db.h"
#include "mhub/server/repo_errors.h"
#include "server/db/sqlite_collections.h"
#include "server/db/sqlite_conn.h"
#include "server/db/sqlite_lfs_refs.h"
#include "server/db/sqlite_name_index.h"
#include "server/db/sqlite_schema.h"

namespace mhub::server {
namespace {

using sqlite::Conn;
using sqlite::ConnPool;
using sqlite::Stmt;

constexpr const char* kRepoColumns =
    "r.id, r.type, r.ns, r.name, r.private, r.gated, r.disabled, r.created_ms, r.last_modified_ms, r.sha, "
    "r.downloads, r.likes, r.author, r.sdk, r.card_data, r.tags, r.pipeline_tag, r.library_name, r.license, "
    "r.languages";

std::vector<std::string> JsonStrings(const std::string& text) {
  std::vector<std::string> out;
  auto parsed = ParseJson(text, "stored list");
  if (!parsed.ok() || !parsed->is_array()) return out;
  for (const Json& v : *parsed) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string JsonList(const std::vector<std::string>& items) { return DumpJson(Json(items)); }

RepoRecord ReadRepo(const Stmt& s) {
  RepoRecord r;
  r.row_id = s.Int(0);
  const int64_t type = s.Int(1);
  r.key.type = type == 1 ? RepoType::kDataset : type == 2 ? RepoType::kSpace : RepoType::kModel;
  r.key.id = RepoId{s.Text(2), s.Text(3)};
  r.is_private = s.Int(4) != 0;
  r.gated = s.Text(5);
  r.disabled = s.Int(6) != 0;
  r.created_ms = s.Int(7);
  r.last_modified_ms = s.Int(8);
  r.sha = s.Text(9);
  r.downloads = s.Int(10);
  r.likes = s.Int(11);
  r.author = s.Text(12);
  r.sdk = s.Text(13);
  r.card_data_json = s.Text(14);
  r.tags = JsonStrings(s.Text(15));
  r.pipeline_tag = s.Text(16);
  r.library_name = s.Text(17);
  r.license = s.Text(18);
  r.languages = JsonStrings(s.Text(19));
  return r;
}

int64_t TypeCode(RepoType t) { return t == RepoType::kDataset ? 1 : t == RepoType::kSpace ? 2 : 0; }

// "hf_" + 34 characters of [A-Za-z0-9], from OpenSSL's CSPRNG.
Result<std::string> NewSecret() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out = "hf_";
  while (out.size() < 37) {
    unsigned char buf[64];
    if (RAND_bytes(buf, sizeof buf) != 1) return Status::Internal("the system random generator failed");
    for (unsigned char b : buf) {
      if (b >= 248) continue;  // 248 = 62 * 4: keeps the draw uniform
      out += kAlphabet[b % 62];
      if (out.size() == 37) break;
    }
  }
  return out;
}

// Every tag a `filter` value can match: the API tags plus "language:x", "license:x", the
// pipeline tag and the library (the Hub accepts all of these as filters).
std::vector<std::string> FilterTags(const RepoRecord& r) {
  std::vector<std::string> out = r.tags;
  for (const auto& l : r.languages) {
    out.push_back(l);
    out.push_back("language:" + l);
  }
  if (!r.license.empty()) out.push_back("license:" + r.license);
  if (!r.pipeline_tag.empty()) out.push_back(r.pipeline_tag);
  if (!r.library_name.empty()) out.push_back(r.library_name);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

class SqliteMetadataDb final : public MetadataDb {
 public:
  explicit SqliteMetadataDb(std::string path) : pool_(std::move(path)) {}

  Status Init() {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_RETURN_IF_ERROR(c->Exec(sqlite::kSchema));
    MHUB_RETURN_IF_ERROR(c->Exec(sqlite::kLfsRefsSchema));
    return c->Exec(sqlite::kNameIndexSchema);
  }

  // --- accounts ---
  Result<Account> CreateAccount(std::string_view name, std::string_view email, std::string_view fullname, bool org) {
    MHUB_RETURN_IF_ERROR(ValidateRepoIdPart(name, org ? "organization name" : "user name"));
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    Account a;
    a.name = std::string(name);
    a.email = std::string(email);
    a.fullname = std::string(fullname.empty() ? name : fullname);
    a.is_org = org;
    a.created_ms = NowMillis();
    MHUB_ASSIGN_OR_RETURN(
        Stmt s, c->Prepare("INSERT INTO accounts(name, fullname, email, is_org, created_ms) VALUES(?,?,?,?,?)"));
    s.Bind(1, a.name).Bind(2, a.fullname).Bind(3, a.email).Bind(4, int64_t{org}).Bind(5, a.created_ms);
    Status st = s.Run();
    if (st.code() == StatusCode::kAlreadyExists) {
      return Status::AlreadyExists("the name '" + a.name + "' is already taken");
    }
    MHUB_RETURN_IF_ERROR(st);
    a.id = sqlite3_last_insert_rowid(c->db);
    return a;
  }

  Result<Account> CreateUser(std::string_view name, std::string_view email, std::string_view fullname) override {
    return CreateAccount(name, email, fullname, false);
  }
  Result<Account> CreateOrg(std::string_view name, std::string_view fullname) override {
    return CreateAccount(name, "", fullname, true);
  }

  Result<Account> GetAccount(std::string_view name) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return GetAccountOn(*c, name);
  }

  static Result<Account> GetAccountOn(Conn& c, std::string_view name) {
    MHUB_ASSIGN_OR_RETURN(Stmt s,
                          c.Prepare("SELECT id, name, fullname, email, is_org, created_ms FROM accounts WHERE name=?"));
    s.Bind(1, name);
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::NotFound("no user or organization named '" + std::string(name.substr(0, 100)) + "'");
    Account a;
    a.id = s.Int(0);
    a.name = s.Text(1);
    a.fullname = s.Text(2);
    a.email = s.Text(3);
    a.is_org = s.Int(4) != 0;
    a.created_ms = s.Int(5);
    return a;
  }

  Status SetOrgMember(std::string_view org, std::string_view user, OrgRole role) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(Account o, GetAccountOn(*c, org));
    if (!o.is_org) return Status::InvalidArgument("'" + o.name + "' is a user, not an organization");
    MHUB_ASSIGN_OR_RETURN(Account u, GetAccountOn(*c, user));
    if (u.is_org) return Status::InvalidArgument("'" + u.name + "' is an organization, not a user");
    MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare("INSERT INTO members(org_id, user_id, role) VALUES(?,?,?) "
                                             "ON CONFLICT(org_id, user_id) DO UPDATE SET role=excluded.role"));
    s.Bind(1, o.id).Bind(2, u.id).Bind(3, OrgRoleName(role));
    return s.Run();
  }

  Status RemoveOrgMember(std::string_view org, std::string_view user) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare("DELETE FROM members WHERE org_id=(SELECT id FROM accounts WHERE name=?) "
                                             "AND user_id=(SELECT id FROM accounts WHERE name=?)"));
    s.Bind(1, org).Bind(2, user);
    return s.Run();
  }

  Result<std::vector<OrgMembership>> ListMemberships(std::string_view user) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare("SELECT o.name, m.role FROM members m JOIN accounts o ON o.id=m.org_id "
                                             "JOIN accounts u ON u.id=m.user_id WHERE u.name=? ORDER BY o.name"));
    s.Bind(1, user);
    std::vector<OrgMembership> out;
    for (;;) {
      MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      OrgMembership m;
      m.org = s.Text(0);
      m.user = std::string(user);
      m.role = ParseOrgRole(s.Text(1)).value_or(OrgRole::kRead);
      out.push_back(std::move(m));
    }
    return out;
  }

  Result<std::optional<OrgRole>> MemberRole(std::string_view org, std::string_view user) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare("SELECT m.role FROM members m JOIN accounts o ON o.id=m.org_id "
                                             "JOIN accounts u ON u.id=m.user_id WHERE o.name=? AND u.name=?"));
    s.Bind(1, org).Bind(2, user);
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::optional<OrgRole>();
    return std::optional<OrgRole>(ParseOrgRole(s.Text(0)).value_or(OrgRole::kRead));
  }

  // --- tokens ---
  Result<IssuedToken> CreateToken(std::string_view user, std::string_view name, TokenRole role) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(Account u, GetAccountOn(*c, user));
    if (u.is_org) return Status::InvalidArgument("tokens belong to users, not to organization '" + u.name + "'");
    IssuedToken t;
    MHUB_ASSIGN_OR_RETURN(t.secret, NewSecret());
    t.info.user = u.name;
    t.info.name = std::string(name.empty() ? "token" : name);
    t.info.role = role;
    t.info.created_ms = NowMillis();
    MHUB_ASSIGN_OR_RETURN(Stmt s,
                          c->Prepare("INSERT INTO tokens(user_id, name, role, hash, created_ms) VALUES(?,?,?,?,?)"));
    s.Bind(1, u.id).Bind(2, t.info.name).Bind(3, TokenRoleName(role)).Bind(4, Sha256Hex(t.secret));
    s.Bind(5, t.info.created_ms);
    MHUB_RETURN_IF_ERROR(s.Run());
    t.info.id = sqlite3_last_insert_rowid(c->db);
    return t;
  }

  Result<TokenInfo> LookupToken(std::string_view secret) override {
    if (secret.empty() || secret.size() > 256)
      return Status::Unauthenticated("Invalid credentials in Authorization header");
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare("SELECT t.id, u.name, t.name, t.role, t.created_ms FROM tokens t "
                                             "JOIN accounts u ON u.id=t.user_id WHERE t.hash=?"));
    s.Bind(1, Sha256Hex(secret));
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Unauthenticated("Invalid credentials in Authorization header");
    return ReadToken(s);
  }

  static TokenInfo ReadToken(const Stmt& s) {
    TokenInfo t;
    t.id = s.Int(0);
    t.user = s.Text(1);
    t.name = s.Text(2);
    t.role = s.Text(3) == "write" ? TokenRole::kWrite : TokenRole::kRead;
    t.created_ms = s.Int(4);
    return t;
  }

  Result<std::vector<TokenInfo>> ListTokens(std::string_view user) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare("SELECT t.id, u.name, t.name, t.role, t.created_ms FROM tokens t "
                                             "JOIN accounts u ON u.id=t.user_id WHERE u.name=? ORDER BY t.id"));
    s.Bind(1, user);
    std::vector<TokenInfo> out;
    for (;;) {
      MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(ReadToken(s));
    }
    return out;
  }

  Status RevokeToken(std::string_view user, int64_t token_id) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(
        Stmt s, c->Prepare("DELETE FROM tokens WHERE id=? AND user_id=(SELECT id FROM accounts WHERE name=?)"));
    s.Bind(1, token_id).Bind(2, user);
    MHUB_RETURN_IF_ERROR(s.Run());
    if (sqlite3_changes(c->db) == 0) return Status::NotFound("no token " + std::to_string(token_id) + " for this user");
    return Status::OK();
  }

  // --- repos ---
  static Result<int64_t> RepoRowId(Conn& c, const RepoKey& key) {
    MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT id FROM repos WHERE type=? AND ns=? AND name=?"));
    s.Bind(1, TypeCode(key.type)).Bind(2, key.id.ns).Bind(3, key.id.name);
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return RepoNotFoundError("repository " + key.ToString() + " not found");
    return s.Int(0);
  }

  static Status WriteTags(Conn& c, int64_t row_id, const RepoRecord& r) {
    {
      MHUB_ASSIGN_OR_RETURN(Stmt del, c.Prepare("DELETE FROM repo_tags WHERE repo_id=?"));
      del.Bind(1, row_id);
      MHUB_RETURN_IF_ERROR(del.Run());
    }
    for (const std::string& tag : FilterTags(r)) {
      MHUB_ASSIGN_OR_RETURN(Stmt ins, c.Prepare("INSERT OR IGNORE INTO repo_tags(tag, repo_id) VALUES(?,?)"));
      ins.Bind(1, tag).Bind(2, row_id);
      MHUB_RETURN_IF_ERROR(ins.Run());
    }
    return Status::OK();
  }

  Result<RepoRecord> InsertRepo(const RepoRecord& record) override {
    MHUB_RETURN_IF_ERROR(ValidateRepoIdPart(record.key.id.ns, "namespace"));
    MHUB_RETURN_IF_ERROR(ValidateRepoIdPart(record.key.id.name, "repo name"));
    RepoRecord r = record;
    const int64_t now = NowMillis();
    if (r.created_ms == 0) r.created_ms = now;
    if (r.last_modified_ms == 0) r.last_modified_ms = r.created_ms;
    if (r.author.empty()) r.author = r.key.id.ns;
    if (r.card_data_json.empty()) r.card_data_json = "{}";
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    sqlite::Transaction tx(&*c);
    MHUB_RETURN_IF_ERROR(tx.Begin());
    {
      MHUB_ASSIGN_OR_RETURN(
          Stmt s, c->Prepare("INSERT INTO repos(type, ns, name, full_id, private, gated, disabled, created_ms, "
                             "last_modified_ms, sha, downloads, likes, author, sdk, card_data, tags, pipeline_tag, "
                             "library_name, license, languages) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
      s.Bind(1, TypeCode(r.key.type)).Bind(2, r.key.id.ns).Bind(3, r.key.id.name).Bind(4, r.key.id.ToString());
      s.Bind(5, int64_t{r.is_private}).Bind(6, r.gated).Bind(7, int64_t{r.disabled}).Bind(8, r.created_ms);
      s.Bind(9, r.last_modified_ms).Bind(10, r.sha).Bind(11, r.downloads).Bind(12, r.likes).Bind(13, r.author);
      s.Bind(14, r.sdk).Bind(15, r.card_data_json).Bind(16, JsonList(r.tags)).Bind(17, r.pipeline_tag);
      s.Bind(18, r.library_name).Bind(19, r.license).Bind(20, JsonList(r.languages));
      Status st = s.Run();
      if (st.code() == StatusCode::kAlreadyExists) {
        return Status::AlreadyExists("repository " + r.key.ToString() + " already exists");
      }
      MHUB_RETURN_IF_ERROR(st);
    }
    r.row_id = sqlite3_last_insert_rowid(c->db);
    MHUB_RETURN_IF_ERROR(WriteTags(*c, r.row_id, r));
    // A new record has no LFS history to scan (ImportMissingRepos scans what it imports).
    MHUB_RETURN_IF_ERROR(sqlite::MarkLfsScanned(*c, TypeCode(r.key.type), r.key));
    MHUB_RETURN_IF_ERROR(tx.Commit());
    return r;
  }

  Result<RepoRecord> GetRepo(const RepoKey& key) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare(std::string("SELECT ") + kRepoColumns +
                                             " FROM repos r WHERE r.type=? AND r.ns=? AND r.name=?"));
    s.Bind(1, TypeCode(key.type)).Bind(2, key.id.ns).Bind(3, key.id.name);
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return RepoNotFoundError("repository " + key.ToString() + " not found");
    return ReadRepo(s);
  }

  Status DeleteRepo(const RepoKey& key) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare("DELETE FROM repos WHERE type=? AND ns=? AND name=?"));
    s.Bind(1, TypeCode(key.type)).Bind(2, key.id.ns).Bind(3, key.id.name);
    MHUB_RETURN_IF_ERROR(s.Run());
    if (sqlite3_changes(c->db) == 0) return RepoNotFoundError("repository " + key.ToString() + " not found");
    return Status::OK();
  }

  Status RenameRepo(const RepoKey& from, const RepoKey& to) override {
    if (from.type != to.type) return Status::InvalidArgument("cannot move a repo to another repo type");
    MHUB_RETURN_IF_ERROR(ValidateRepoIdPart(to.id.ns, "namespace"));
    MHUB_RETURN_IF_ERROR(ValidateRepoIdPart(to.id.name, "repo name"));
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare("UPDATE repos SET ns=?, name=?, full_id=?, author=? "
                                             "WHERE type=? AND ns=? AND name=?"));
    s.Bind(1, to.id.ns).Bind(2, to.id.name).Bind(3, to.id.ToString()).Bind(4, to.id.ns);
    s.Bind(5, TypeCode(from.type)).Bind(6, from.id.ns).Bind(7, from.id.name);
    Status st = s.Run();
    if (st.code() == StatusCode::kAlreadyExists)
      return Status::AlreadyExists("repository " + to.ToString() + " already exists");
    MHUB_RETURN_IF_ERROR(st);
    if (sqlite3_changes(c->db) == 0) return RepoNotFoundError("repository " + from.ToString() + " not found");
    return Status::OK();
  }

  Status UpdateRepoSettings(const RepoKey& key, std::optional<bool> is_private,
                            std::optional<std::string> gated) override {
    if (gated && !gated->empty() && *gated != "auto" && *gated != "manual") {
      return Status::InvalidArgument("gated must be false, 'auto' or 'manual'");
    }
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare("UPDATE repos SET private=COALESCE(?, private), gated=COALESCE(?, gated) "
                                             "WHERE type=? AND ns=? AND name=?"));
    if (is_private) {
      s.Bind(1, int64_t{*is_private});
    } else {
      s.BindNull(1);
    }
    if (gated) {
      s.Bind(2, *gated);
    } else {
      s.BindNull(2);
    }
    s.Bind(3, TypeCode(key.type)).Bind(4, key.id.ns).Bind(5, key.id.name);
    MHUB_RETURN_IF_ERROR(s.Run());
    if (sqlite3_changes(c->db) == 0) return RepoNotFoundError("repository " + key.ToString() + " not found");
    return Status::OK();
  }

  Status UpdateRepoCard(const RepoKey& key, const RepoCardUpdate& update) override {
    RepoRecord r;
    r.key = key;
    r.tags = DeriveSearchTags(update.card, key.type);
    r.languages = update.card.languages;
    r.license = update.card.license;
    r.pipeline_tag = update.card.pipeline_tag;
    r.library_name = update.card.library_name;
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    sqlite::Transaction tx(&*c);
    MHUB_RETURN_IF_ERROR(tx.Begin());
    MHUB_ASSIGN_OR_RETURN(int64_t row_id, RepoRowId(*c, key));
    {
      MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare("UPDATE repos SET sha=?, last_modified_ms=?, card_data=?, tags=?, "
                                               "pipeline_tag=?, library_name=?, license=?, languages=? WHERE id=?"));
      s.Bind(1, update.sha).Bind(2, update.last_modified_ms ? update.last_modified_ms : NowMillis());
      s.Bind(3, DumpJson(update.card.raw.is_object() ? update.card.raw : Json::object())).Bind(4, JsonList(r.tags));
      s.Bind(5, r.pipeline_tag).Bind(6, r.library_name).Bind(7, r.license).Bind(8, JsonList(r.languages));
      s.Bind(9, row_id);
      MHUB_RETURN_IF_ERROR(s.Run());
    }
    MHUB_RETURN_IF_ERROR(WriteTags(*c, row_id, r));
    return tx.Commit();
  }

  Status IncrementDownloads(const RepoKey& key, int64_t count) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(Stmt s,
                          c->Prepare("UPDATE repos SET downloads=downloads+? WHERE type=? AND ns=? AND name=?"));
    s.Bind(1, count).Bind(2, TypeCode(key.type)).Bind(3, key.id.ns).Bind(4, key.id.name);
    MHUB_RETURN_IF_ERROR(s.Run());
    if (sqlite3_changes(c->db) == 0) return RepoNotFoundError("repository " + key.ToString() + " not found");
    return Status::OK();
  }

  Result<int64_t> SetLike(std::string_view user, const RepoKey& key, bool like) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    sqlite::Transaction tx(&*c);
    MHUB_RETURN_IF_ERROR(tx.Begin());
    MHUB_ASSIGN_OR_RETURN(Account u, GetAccountOn(*c, user));
    MHUB_ASSIGN_OR_RETURN(int64_t row_id, RepoRowId(*c, key));
    {
      MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare(like ? "INSERT OR IGNORE INTO likes(user_id, repo_id, created_ms) "
                                                      "VALUES(?,?,?)"
                                                    : "DELETE FROM likes WHERE user_id=? AND repo_id=? AND ?>=0"));
      s.Bind(1, u.id).Bind(2, row_id).Bind(3, NowMillis());
      MHUB_RETURN_IF_ERROR(s.Run());
    }
    {
      MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare("UPDATE repos SET likes=(SELECT COUNT(*) FROM likes WHERE repo_id=?1) "
                                               "WHERE id=?1"));
      s.Bind(1, row_id);
      MHUB_RETURN_IF_ERROR(s.Run());
    }
    int64_t count = 0;
    {
      MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare("SELECT likes FROM repos WHERE id=?"));
      s.Bind(1, row_id);
      MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
      if (row) count = s.Int(0);
    }
    MHUB_RETURN_IF_ERROR(tx.Commit());
    return count;
  }

  Result<std::vector<RepoLike>> ListUserLikes(std::string_view user) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(Account u, GetAccountOn(*c, user));
    MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare(std::string("SELECT ") + kRepoColumns +
                                             ", l.created_ms FROM likes l JOIN repos r ON r.id=l.repo_id "
                                             "WHERE l.user_id=? ORDER BY l.created_ms DESC, r.id DESC"));
    s.Bind(1, u.id);
    std::vector<RepoLike> out;
    for (;;) {
      MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(RepoLike{ReadRepo(s), s.Int(20)});
    }
    return out;
  }

  Result<std::vector<RepoLiker>> ListRepoLikers(const RepoKey& key) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(int64_t row_id, RepoRowId(*c, key));
    MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare("SELECT a.id, a.name, a.fullname, a.email, a.is_org, a.created_ms, "
                                             "l.created_ms FROM likes l JOIN accounts a ON a.id=l.user_id "
                                             "WHERE l.repo_id=? ORDER BY l.created_ms DESC, a.id DESC"));
    s.Bind(1, row_id);
    std::vector<RepoLiker> out;
    for (;;) {
      MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      RepoLiker liker;
      liker.user.id = s.Int(0);
      liker.user.name = s.Text(1);
      liker.user.fullname = s.Text(2);
      liker.user.email = s.Text(3);
      liker.user.is_org = s.Int(4) != 0;
      liker.user.created_ms = s.Int(5);
      liker.liked_ms = s.Int(6);
      out.push_back(std::move(liker));
    }
    return out;
  }

  Result<std::vector<RepoKey>> ListLikes(std::string_view user) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare("SELECT r.type, r.ns, r.name FROM likes l JOIN repos r ON r.id=l.repo_id "
                                             "JOIN accounts u ON u.id=l.user_id WHERE u.name=? "
                                             "ORDER BY l.created_ms DESC, r.id DESC"));
    s.Bind(1, user);
    std::vector<RepoKey> out;
    for (;;) {
      MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      const int64_t t = s.Int(0);
      out.push_back(RepoKey{t == 1   ? RepoType::kDataset
                            : t == 2 ? RepoType::kSpace
                                     : RepoType::kModel,
                            RepoId{s.Text(1), s.Text(2)}});
    }
    return out;
  }

  Result<RepoPage> SearchRepos(const RepoQuery& q) override;

  // --- LFS references (sqlite_lfs_refs.h) ---
  Status AddLfsRef(const RepoKey& key, std::string_view oid, uint64_t size, bool committed) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::AddLfsRef(*c, TypeCode(key.type), key, oid, size, committed, NowMillis());
  }
  Result<bool> HasLfsRef(const RepoKey& key, std::string_view oid) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::HasLfsRef(*c, TypeCode(key.type), key, oid);
  }
  Result<std::vector<RepoRecord>> ReposHoldingLfsObject(std::string_view oid, size_t limit) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare(std::string("SELECT ") + kRepoColumns +
                                             " FROM lfs_refs f JOIN repos r ON r.id=f.repo_id WHERE f.oid=? "
                                             "ORDER BY r.private, r.id LIMIT ?"));
    s.Bind(1, oid).Bind(2, static_cast<int64_t>(limit));
    std::vector<RepoRecord> out;
    for (;;) {
      MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(ReadRepo(s));
    }
    return out;
  }
  Result<uint64_t> LfsBytesOfNamespace(std::string_view ns) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::LfsBytesOfNamespace(*c, ns);
  }
  static std::vector<RepoKey> KeysOf(const std::vector<sqlite::RepoRow>& rows) {
    std::vector<RepoKey> out;
    for (const auto& r : rows) {
      RepoKey key;
      key.type = r.type_code == 1 ? RepoType::kDataset : r.type_code == 2 ? RepoType::kSpace : RepoType::kModel;
      key.id = RepoId{r.ns, r.name};
      out.push_back(std::move(key));
    }
    return out;
  }
  Result<std::vector<RepoKey>> ReposWithUncommittedLfsRefs(int64_t before_ms) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(std::vector<sqlite::RepoRow> rows, sqlite::ReposWithUncommittedLfsRefs(*c, before_ms));
    return KeysOf(rows);
  }
  Result<int64_t> DropUncommittedLfsRefs(int64_t before_ms) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::DropUncommittedLfsRefs(*c, before_ms);
  }
  Result<std::optional<int64_t>> TrackLfsOrphan(std::string_view oid, int64_t now_ms) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::TrackLfsOrphan(*c, oid, now_ms);
  }
  Status ForgetLfsOrphan(std::string_view oid) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::ForgetLfsOrphan(*c, oid);
  }
  Result<std::vector<RepoKey>> ReposWithoutLfsScan() override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    MHUB_ASSIGN_OR_RETURN(std::vector<sqlite::RepoRow> rows, sqlite::ReposWithoutLfsScan(*c));
    return KeysOf(rows);
  }
  Status MarkLfsScanned(const RepoKey& key) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::MarkLfsScanned(*c, TypeCode(key.type), key);
  }

  // PRAGMA data_version on a connection kept for this alone: it changes whenever another
  // connection (any of the pool's, or another process's) has committed since the last call.
  Result<uint64_t> ChangeCounter() override {
    std::lock_guard<std::mutex> lock(watch_mu_);
    if (!watch_) {
      MHUB_ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
      watch_.emplace(std::move(lease));
    }
    MHUB_ASSIGN_OR_RETURN(Stmt s, (*watch_)->Prepare("PRAGMA data_version"));
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Internal("PRAGMA data_version returned no row");
    return static_cast<uint64_t>(s.Int(0));
  }

  // --- repo redirects and collections (sqlite_collections.cpp) ---
  Status AddRepoRedirect(const RepoRedirect& redirect) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::AddRepoRedirect(*c, redirect);
  }
  Result<RepoRedirect> LookupRepoRedirect(RepoType type, std::string_view from) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::LookupRepoRedirect(*c, type, from);
  }
  Status DeleteRepoRedirect(RepoType type, std::string_view from) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::DeleteRepoRedirect(*c, type, from);
  }
  Result<std::vector<RepoRedirect>> ListRepoRedirects() override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::ListRepoRedirects(*c);
  }
  Result<Collection> CreateCollection(const Collection& collection) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::CreateCollection(*c, collection);
  }
  Result<Collection> GetCollection(int64_t row_id) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::GetCollection(*c, row_id);
  }
  Status UpdateCollection(int64_t row_id, const CollectionUpdate& update) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::UpdateCollection(*c, row_id, update);
  }
  Status DeleteCollection(int64_t row_id) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::DeleteCollection(*c, row_id);
  }
  Result<std::vector<Collection>> ListCollections(std::string_view ns, std::string_view item_type,
                                                  std::string_view item_id) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::ListCollections(*c, ns, item_type, item_id);
  }
  Result<CollectionItem> AddCollectionItem(int64_t collection, const CollectionItem& item) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::AddCollectionItem(*c, collection, item);
  }
  Status UpdateCollectionItem(int64_t collection, int64_t item, std::optional<int64_t> position,
                              std::optional<std::string> note) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::UpdateCollectionItem(*c, collection, item, position, std::move(note));
  }
  Status DeleteCollectionItem(int64_t collection, int64_t item) override {
    MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return sqlite::DeleteCollectionItem(*c, collection, item);
  }

 private:
  ConnPool pool_;
  sqlite::RepoNameIndex names_;
  std::mutex watch_mu_;
  std::optional<ConnPool::Lease> watch_;  // never used for writing; after pool_ (released first)
};

Result<RepoPage> SqliteMetadataDb::SearchRepos(const RepoQuery& q) {
  // Built from fixed fragments; every user value goes through a bound parameter.
  std::string sql = std::string("SELECT ") + kRepoColumns + " FROM repos r WHERE r.type=?";
  std::vector<std::string> text_params;  // bound after the type, in order
  const uint64_t limit = std::min<uint64_t>(q.limit, 100000);
  MHUB_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
  if (std::any_of(q.search.begin(), q.search.end(), [](const std::string& t) { return !t.empty(); })) {
    // The repos whose id holds every term, found in memory. Reading just those rows beats
    // scanning in sort order unless matches are so dense that the first page comes quickly:
    // the scan reads about (offset + limit) * total / matches rows, the id list `matches` rows.
    MHUB_ASSIGN_OR_RETURN(sqlite::NameMatch match, names_.Match(*c, TypeCode(q.type), q.search));
    if (match.row_ids.empty()) return RepoPage{};
    const double wanted = static_cast<double>(std::min<uint64_t>(q.offset, 1u << 30) + limit + 1);
    const double matches = static_cast<double>(match.row_ids.size());
    if (matches <= 64 || matches * matches <= wanted * static_cast<double>(match.repos_of_type)) {
      // `+r.type` keeps the planner on the id list instead of a type index.
      sql = std::string("SELECT ") + kRepoColumns +
            " FROM repos r WHERE +r.type=? AND r.id IN (SELECT value FROM json_each(?))";
      text_params.push_back(DumpJson(Json(match.row_ids)));
    }
  }
  if (q.viewer.empty()) {
    sql += " AND r.private=0";
  } else {
    sql +=
        " AND (r.private=0 OR r.ns=? OR r.ns IN (SELECT o.name FROM members m JOIN accounts o ON o.id=m.org_id "
        "JOIN accounts u ON u.id=m.user_id WHERE u.name=?))";
    text_params.push_back(q.viewer);
    text_params.push_back(q.viewer);
  }
  for (const std::string& term : q.search) {
    if (term.empty()) continue;
    sql += " AND instr(lower(r.full_id), lower(?)) > 0";
    text_params.push_back(term);
  }
  if (!q.author.empty()) {
    sql += " AND r.ns=?";
    text_params.push_back(q.author);
  }
  auto tag_clause = [&](const std::string& tag) {
    sql += " AND (EXISTS(SELECT 1 FROM repo_tags t WHERE t.tag=? AND t.repo_id=r.id) OR r.full_id=?)";
    text_params.push_back(tag);
    text_params.push_back(tag);
  };
  for (const std::string& f : q.filters) {
    if (!f.empty()) tag_clause(f);
  }
  for (const auto& group : q.any_tag_groups) {
    if (group.empty()) continue;
    sql += " AND EXISTS(SELECT 1 FROM repo_tags t WHERE t.repo_id=r.id AND t.tag IN (SELECT value FROM json_each(?)))";
    text_params.push_back(DumpJson(Json(group)));
  }
  if (!q.pipeline_tag.empty()) {
    sql += " AND r.pipeline_tag=?";
    text_params.push_back(q.pipeline_tag);
  }
  if (!q.library.empty()) tag_clause(q.library);
  if (!q.language.empty()) tag_clause("language:" + q.language);
  if (!q.license.empty()) tag_clause("license:" + q.license);
  if (q.gated) sql += *q.gated ? " AND r.gated<>''" : " AND r.gated=''";
  const char* dir = q.descending ? " DESC" : " ASC";
  switch (q.sort) {
    case RepoSort::kDefault:
    case RepoSort::kDownloads:
      sql += std::string(" ORDER BY r.downloads") + dir + ", r.id" + dir;
      break;
    case RepoSort::kLikes:
    case RepoSort::kTrending:
      sql += std::string(" ORDER BY r.likes") + dir + ", r.id" + dir;
      break;
    case RepoSort::kLastModified:
      sql += std::string(" ORDER BY r.last_modified_ms") + dir + ", r.id" + dir;
      break;
    case RepoSort::kCreatedAt:
      sql += std::string(" ORDER BY r.created_ms") + dir + ", r.id" + dir;
      break;
    case RepoSort::kId:
      sql += std::string(" ORDER BY r.full_id") + dir;
      break;
  }
  sql += " LIMIT ? OFFSET ?";
  MHUB_ASSIGN_OR_RETURN(Stmt s, c->Prepare(sql));
  int index = 1;
  s.Bind(index++, TypeCode(q.type));
  for (const std::string& p : text_params) s.Bind(index++, p);
  s.Bind(index++, static_cast<int64_t>(limit + 1));
  s.Bind(index++, static_cast<int64_t>(std::min<uint64_t>(q.offset, INT64_MAX)));
  RepoPage page;
  for (;;) {
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    if (page.repos.size() == limit) {
      page.has_more = true;
      break;
    }
    page.repos.push_back(ReadRepo(s));
  }
  return page;
}

}  // namespace

Result<std::unique_ptr<MetadataDb>> OpenSqliteMetadataDb(const std::string& path) {
  auto db = std::make_unique<SqliteMetadataDb>(path);
  MHUB_RETURN_IF_ERROR(db->Init().WithContext("opening metadata database " + path));
  return std::unique_ptr<MetadataDb>(std::move(db));
}

}  // namespace mhub::server
