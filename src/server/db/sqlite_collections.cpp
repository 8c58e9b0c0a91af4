// Repo redirects and collections in SQLite (see sqlite_collections.h).
#include "server/db/sqlite_collections.h"

#include "mhub/server/iso_time.h"

namespace mhub::server::sqlite {
namespace {

// The same codes as the repos table.
int64_t TypeCode(RepoType t) { return t == RepoType::kDataset ? 1 : t == RepoType::kSpace ? 2 : 0; }
RepoType TypeFromCode(int64_t code) {
  return code == 1 ? RepoType::kDataset : code == 2 ? RepoType::kSpace : RepoType::kModel;
}

RepoRedirect ReadRedirect(const Stmt& s) {
  RepoRedirect r;
  r.type = TypeFromCode(s.Int(0));
  r.from = s.Text(1);
  r.to = RepoId{s.Text(2), s.Text(3)};
  r.legacy = s.Int(4) != 0;
  r.created_ms = s.Int(5);
  return r;
}

constexpr const char* kRedirectColumns = "type, from_id, to_ns, to_name, legacy, created_ms";
constexpr const char* kCollectionColumns =
    "id, ns, title, description, private, theme, position, created_ms, updated_ms";

Collection ReadCollectionRow(const Stmt& s) {
  Collection c;
  c.row_id = s.Int(0);
  c.ns = s.Text(1);
  c.title = s.Text(2);
  c.description = s.Text(3);
  c.is_private = s.Int(4) != 0;
  c.theme = s.Text(5);
  c.position = s.Int(6);
  c.created_ms = s.Int(7);
  c.updated_ms = s.Int(8);
  return c;
}

Status ReadItems(Conn& c, Collection* collection) {
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT id, item_type, item_id, position, note, added_ms FROM "
                                          "collection_items WHERE collection_id=? ORDER BY position, id"));
  s.Bind(1, collection->row_id);
  for (;;) {
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    CollectionItem item;
    item.row_id = s.Int(0);
    item.item_type = s.Text(1);
    item.item_id = s.Text(2);
    item.position = s.Int(3);
    item.note = s.Text(4);
    item.added_ms = s.Int(5);
    collection->items.push_back(std::move(item));
  }
  return Status::OK();
}

Status Touch(Conn& c, int64_t collection) {
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE collections SET updated_ms=? WHERE id=?"));
  s.Bind(1, NowMillis()).Bind(2, collection);
  MHUB_RETURN_IF_ERROR(s.Run());
  if (sqlite3_changes(c.db) == 0) return Status::NotFound("no such collection");
  return Status::OK();
}

// Positions 0..n-1 in the current order, so "move to position p" stays a simple shift.
Status Renumber(Conn& c, int64_t collection, int64_t moved, int64_t target) {
  MHUB_ASSIGN_OR_RETURN(Stmt s,
                        c.Prepare("SELECT id FROM collection_items WHERE collection_id=? ORDER BY position, id"));
  s.Bind(1, collection);
  std::vector<int64_t> order;
  for (;;) {
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    if (s.Int(0) != moved) order.push_back(s.Int(0));
  }
  if (moved != 0) {
    if (target < 0) target = 0;
    if (target > static_cast<int64_t>(order.size())) target = static_cast<int64_t>(order.size());
    order.insert(order.begin() + target, moved);
  }
  for (size_t i = 0; i < order.size(); ++i) {
    MHUB_ASSIGN_OR_RETURN(Stmt u, c.Prepare("UPDATE collection_items SET position=? WHERE id=?"));
    u.Bind(1, static_cast<int64_t>(i)).Bind(2, order[i]);
    MHUB_RETURN_IF_ERROR(u.Run());
  }
  return Status::OK();
}

}  // namespace

Status AddRepoRedirect(Conn& c, const RepoRedirect& redirect) {
  Transaction tx(&c);
  MHUB_RETURN_IF_ERROR(tx.Begin());
  const int64_t type = TypeCode(redirect.type);
  {
    // Older names of `from` now lead straight to the new name (no chains to follow).
    MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE repo_redirects SET to_ns=?, to_name=? WHERE type=? AND "
                                            "to_ns || '/' || to_name=?"));
    s.Bind(1, redirect.to.ns).Bind(2, redirect.to.name).Bind(3, type).Bind(4, redirect.from);
    MHUB_RETURN_IF_ERROR(s.Run());
  }
  {
    // The new name is a real repo again: nothing redirects away from it (or onto itself).
    MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("DELETE FROM repo_redirects WHERE type=? AND (from_id=? OR "
                                            "from_id=to_ns || '/' || to_name)"));
    s.Bind(1, type).Bind(2, redirect.to.ToString());
    MHUB_RETURN_IF_ERROR(s.Run());
  }
  {
    MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO repo_redirects(type, from_id, to_ns, to_name, legacy, "
                                            "created_ms) VALUES(?,?,?,?,?,?) ON CONFLICT(type, from_id) DO UPDATE "
                                            "SET to_ns=excluded.to_ns, to_name=excluded.to_name, "
                                            "legacy=excluded.legacy, created_ms=excluded.created_ms"));
    s.Bind(1, type).Bind(2, redirect.from).Bind(3, redirect.to.ns).Bind(4, redirect.to.name);
    s.Bind(5, int64_t{redirect.legacy}).Bind(6, redirect.created_ms ? redirect.created_ms : NowMillis());
    MHUB_RETURN_IF_ERROR(s.Run());
  }
  {
    // Collections keep pointing at a renamed repo.
    MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE OR IGNORE collection_items SET item_id=? WHERE item_type=? "
                                            "AND item_id=?"));
    s.Bind(1, redirect.to.ToString()).Bind(2, RepoTypeName(redirect.type)).Bind(3, redirect.from);
    MHUB_RETURN_IF_ERROR(s.Run());
  }
  return tx.Commit();
}

Result<RepoRedirect> LookupRepoRedirect(Conn& c, RepoType type, std::string_view from) {
  MHUB_ASSIGN_OR_RETURN(
      Stmt s, c.Prepare(std::string("SELECT ") + kRedirectColumns + " FROM repo_redirects WHERE type=? AND from_id=?"));
  s.Bind(1, TypeCode(type)).Bind(2, from);
  MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status::NotFound("no redirect for " + std::string(from.substr(0, 200)));
  return ReadRedirect(s);
}

Status DeleteRepoRedirect(Conn& c, RepoType type, std::string_view from) {
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("DELETE FROM repo_redirects WHERE type=? AND from_id=?"));
  s.Bind(1, TypeCode(type)).Bind(2, from);
  MHUB_RETURN_IF_ERROR(s.Run());
  if (sqlite3_changes(c.db) == 0) return Status::NotFound("no redirect for " + std::string(from.substr(0, 200)));
  return Status::OK();
}

Result<std::vector<RepoRedirect>> ListRepoRedirects(Conn& c) {
  MHUB_ASSIGN_OR_RETURN(
      Stmt s, c.Prepare(std::string("SELECT ") + kRedirectColumns + " FROM repo_redirects ORDER BY type, from_id"));
  std::vector<RepoRedirect> out;
  for (;;) {
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadRedirect(s));
  }
  return out;
}

Result<Collection> CreateCollection(Conn& c, const Collection& collection) {
  Collection out = collection;
  out.created_ms = out.updated_ms = NowMillis();
  out.items.clear();
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO collections(ns, title, description, private, theme, "
                                          "position, created_ms, updated_ms) VALUES(?,?,?,?,?,?,?,?)"));
  s.Bind(1, out.ns).Bind(2, out.title).Bind(3, out.description).Bind(4, int64_t{out.is_private});
  s.Bind(5, out.theme).Bind(6, out.position).Bind(7, out.created_ms).Bind(8, out.updated_ms);
  Status st = s.Run();
  if (st.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("a collection titled '" + out.title + "' already exists in " + out.ns);
  }
  MHUB_RETURN_IF_ERROR(st);
  out.row_id = sqlite3_last_insert_rowid(c.db);
  return out;
}

Result<Collection> GetCollection(Conn& c, int64_t row_id) {
  MHUB_ASSIGN_OR_RETURN(Stmt s,
                        c.Prepare(std::string("SELECT ") + kCollectionColumns + " FROM collections WHERE id=?"));
  s.Bind(1, row_id);
  MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status::NotFound("no such collection");
  Collection out = ReadCollectionRow(s);
  MHUB_RETURN_IF_ERROR(ReadItems(c, &out));
  return out;
}

Status UpdateCollection(Conn& c, int64_t row_id, const CollectionUpdate& update) {
  MHUB_ASSIGN_OR_RETURN(Collection current, GetCollection(c, row_id));
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE collections SET title=?, description=?, private=?, theme=?, "
                                          "position=?, updated_ms=? WHERE id=?"));
  s.Bind(1, update.title.value_or(current.title)).Bind(2, update.description.value_or(current.description));
  s.Bind(3, int64_t{update.is_private.value_or(current.is_private)}).Bind(4, update.theme.value_or(current.theme));
  s.Bind(5, update.position.value_or(current.position)).Bind(6, NowMillis()).Bind(7, row_id);
  Status st = s.Run();
  if (st.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("a collection with this title already exists in " + current.ns);
  }
  return st;
}

Status DeleteCollection(Conn& c, int64_t row_id) {
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("DELETE FROM collections WHERE id=?"));
  s.Bind(1, row_id);
  MHUB_RETURN_IF_ERROR(s.Run());
  if (sqlite3_changes(c.db) == 0) return Status::NotFound("no such collection");
  return Status::OK();
}

Result<std::vector<Collection>> ListCollections(Conn& c, std::string_view ns, std::string_view item_type,
                                                std::string_view item_id) {
  std::string sql = std::string("SELECT ") + kCollectionColumns + " FROM collections k WHERE 1=1";
  if (!ns.empty()) sql += " AND k.ns=?";
  if (!item_id.empty()) {
    sql +=
        " AND EXISTS(SELECT 1 FROM collection_items i WHERE i.collection_id=k.id AND i.item_type=? AND "
        "i.item_id=?)";
  }
  sql += " ORDER BY k.updated_ms DESC, k.id DESC";
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql));
  int index = 1;
  if (!ns.empty()) s.Bind(index++, ns);
  if (!item_id.empty()) {
    s.Bind(index++, item_type);
    s.Bind(index++, item_id);
  }
  std::vector<Collection> out;
  for (;;) {
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadCollectionRow(s));
  }
  for (Collection& k : out) MHUB_RETURN_IF_ERROR(ReadItems(c, &k));
  return out;
}

Result<CollectionItem> AddCollectionItem(Conn& c, int64_t collection, const CollectionItem& item) {
  Transaction tx(&c);
  MHUB_RETURN_IF_ERROR(tx.Begin());
  MHUB_RETURN_IF_ERROR(Touch(c, collection));
  CollectionItem out = item;
  out.added_ms = NowMillis();
  {
    MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT COALESCE(MAX(position) + 1, 0) FROM collection_items WHERE "
                                            "collection_id=?"));
    s.Bind(1, collection);
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    out.position = row ? s.Int(0) : 0;
  }
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO collection_items(collection_id, item_type, item_id, "
                                          "position, note, added_ms) VALUES(?,?,?,?,?,?)"));
  s.Bind(1, collection).Bind(2, out.item_type).Bind(3, out.item_id).Bind(4, out.position).Bind(5, out.note);
  s.Bind(6, out.added_ms);
  Status st = s.Run();
  if (st.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("this collection already holds " + out.item_type + " " + out.item_id);
  }
  MHUB_RETURN_IF_ERROR(st);
  out.row_id = sqlite3_last_insert_rowid(c.db);
  MHUB_RETURN_IF_ERROR(tx.Commit());
  return out;
}

Status UpdateCollectionItem(Conn& c, int64_t collection, int64_t item, std::optional<int64_t> position,
                            std::optional<std::string> note) {
  Transaction tx(&c);
  MHUB_RETURN_IF_ERROR(tx.Begin());
  MHUB_RETURN_IF_ERROR(Touch(c, collection));
  {
    MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT 1 FROM collection_items WHERE id=? AND collection_id=?"));
    s.Bind(1, item).Bind(2, collection);
    MHUB_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::NotFound("no such collection item");
  }
  if (note) {
    MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE collection_items SET note=? WHERE id=?"));
    s.Bind(1, *note).Bind(2, item);
    MHUB_RETURN_IF_ERROR(s.Run());
  }
  if (position) MHUB_RETURN_IF_ERROR(Renumber(c, collection, item, *position));
  return tx.Commit();
}

Status DeleteCollectionItem(Conn& c, int64_t collection, int64_t item) {
  Transaction tx(&c);
  MHUB_RETURN_IF_ERROR(tx.Begin());
  MHUB_RETURN_IF_ERROR(Touch(c, collection));
  MHUB_ASSIGN_OR_RETURN(Stmt s, c.Prepare("DELETE FROM collection_items WHERE id=? AND collection_id=?"));
  s.Bind(1, item).Bind(2, collection);
  MHUB_RETURN_IF_ERROR(s.Run());
  if (sqlite3_changes(c.db) == 0) return Status::NotFound("no such collection item");
  MHUB_RETURN_IF_ERROR(Renumber(c, collection, 0, 0));
  return tx.Commit();
}

}  // namespace mhub::server::sqlite
