// Collections over HTTP (see collection_handlers.h). Slugs are "{ns}/{title-slug}-{24 hex}", the
// hex being the row id (as the Hub's are Mongo ids); only the id and the namespace are checked, so
// a retitled collection keeps answering at its old slug.
#include "server/http/collection_handlers.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "mhub/server/iso_time.h"
#include "server/http/url_codec.h"

namespace mhub::server {
namespace {

using Segments = std::vector<std::string>;

constexpr const char* kThemes[] = {"orange", "blue", "green", "purple", "pink", "indigo"};
constexpr size_t kMaxTitle = 60;
constexpr size_t kMaxDescription = 150;
constexpr size_t kMaxNote = 500;
constexpr size_t kMaxItems = 1000;

HubError CollectionNotFound() { return HubError(Status::NotFound("Collection not found"), "CollectionNotFound", 404); }

std::string HexId(const char* prefix, int64_t row_id) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s0000%012llx", prefix, static_cast<unsigned long long>(row_id));
  return buf;
}
std::string CollectionHexId(int64_t row_id) { return HexId("636f6c6c", row_id); }  // "coll"
std::string ItemHexId(int64_t row_id) { return HexId("6974656d", row_id); }        // "item"

// The row id behind a 24-hex id made by HexId(prefix), or -1.
int64_t RowIdFromHex(const std::string& hex, const char* prefix) {
  if (hex.size() != 24 || hex.compare(0, 8, prefix) != 0 || hex.compare(8, 4, "0000") != 0) return -1;
  int64_t value = 0;
  for (size_t i = 12; i < 24; ++i) {
    char c = hex[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return -1;
    value = value * 16 + d;
  }
  return value;
}

// "My Best Models!" -> "my-best-models".
std::string TitleSlug(const std::string& title) {
  std::string out;
  for (unsigned char c : title) {
    if (std::isalnum(c)) {
      out.push_back(static_cast<char>(std::tolower(c)));
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "collection" : out;
}

std::string Slug(const Collection& c) { return c.ns + "/" + TitleSlug(c.title) + "-" + CollectionHexId(c.row_id); }

Result<Json> JsonObjectBody(const HubContext& ctx, const HttpRequest& req) {
  MHUB_ASSIGN_OR_RETURN(std::string body, req.ReadBody(ctx.limits.max_json_body));
  if (body.empty()) return Json::object();
  MHUB_ASSIGN_OR_RETURN(Json j, ParseJson(body, "request body"));
  if (!j.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  return j;
}

// Optional string field with a length limit; `present` says whether it was given.
Result<std::optional<std::string>> OptionalString(const Json& body, const char* key, size_t max_len) {
  if (!body.contains(key) || body[key].is_null()) return std::optional<std::string>();
  if (!body[key].is_string()) return Status::InvalidArgument(std::string(key) + " must be a string");
  std::string value = body[key].get<std::string>();
  if (value.size() > max_len) {
    return Status::InvalidArgument(std::string(key) + " is longer than " + std::to_string(max_len) + " characters");
  }
  return std::optional<std::string>(std::move(value));
}

// Who may see a collection: anyone when public, else the owner and the owning org's members.
Result<bool> CanSee(HubContext& ctx, const Principal& who, const Collection& c) {
  if (!c.is_private) return true;
  if (!who.authenticated) return false;
  if (who.user() == c.ns) return true;
  MHUB_ASSIGN_OR_RETURN(std::optional<OrgRole> role, ctx.db->MemberRole(c.ns, who.user()));
  return role.has_value();
}

// The collection named by seg[2] ("ns") and seg[3] ("title-slug-<hex>"), when `who` may see it.
Result<Collection> LoadCollection(HubContext& ctx, const Principal& who, const Segments& seg) {
  MHUB_ASSIGN_OR_RETURN(std::string ns, PercentDecode(seg[2]));
  MHUB_ASSIGN_OR_RETURN(std::string name, PercentDecode(seg[3]));
  std::string hex = name.size() >= 24 ? name.substr(name.size() - 24) : name;
  int64_t row_id = RowIdFromHex(hex, "636f6c6c");
  if (row_id < 0) return CollectionNotFound().status();
  auto c = ctx.db->GetCollection(row_id);
  if (!c.ok() || c->ns != ns) return Status::NotFound("Collection not found");
  MHUB_ASSIGN_OR_RETURN(bool visible, CanSee(ctx, who, *c));
  if (!visible) return Status::NotFound("Collection not found");
  return c;
}

Json OwnerJson(HubContext& ctx, const std::string& ns) {
  auto account = ctx.db->GetAccount(ns);
  bool is_org = account.ok() && account->is_org;
  char id[32];
  std::snprintf(id, sizeof(id), "6d6875620000%012llx", static_cast<unsigned long long>(account.ok() ? account->id : 0));
  return Json{{"_id", id},
              {"name", ns},
              {"fullname", account.ok() && !account->fullname.empty() ? account->fullname : ns},
              {"type", is_org ? "org" : "user"},
              {"avatarUrl", ""},
              {"isHf", false},
              {"isHfAdmin", false},
              {"isMod", false},
              {"followerCount", 0},
              {"isUserFollowing", false}};
}

// One item as the Hub shows it, or null when `who` may not see what it names.
Json ItemJson(HubContext& ctx, const Principal& who, const CollectionItem& item, const std::string& base) {
  Json out = nullptr;
  if (item.item_type == "model" || item.item_type == "dataset" || item.item_type == "space") {
    auto type = ParseRepoType(item.item_type);
    auto id = ParseRepoId(item.item_id);
    if (!type.ok() || !id.ok()) return nullptr;
    auto record = RequireRead(ctx, who, RepoKey{*type, *id});
    if (!record.ok()) return nullptr;
    out = RepoInfoJson(*record, record->sha, nullptr,
                       {"author", "downloads", "likes", "lastModified", "private", "gated", "pipeline_tag",
                        "library_name", "sdk", "tags"});
    out["repoType"] = item.item_type;
    out["isLikedByUser"] = false;
  } else if (item.item_type == "collection") {
    size_t slash = item.item_id.find('/');
    if (slash == std::string::npos) return nullptr;
    Segments seg{"api", "collections", item.item_id.substr(0, slash), item.item_id.substr(slash + 1)};
    auto inner = LoadCollection(ctx, who, seg);
    if (!inner.ok()) return nullptr;
    out = Json{{"id", CollectionHexId(inner->row_id)},
               {"slug", Slug(*inner)},
               {"title", inner->title},
               {"description", inner->description},
               {"lastUpdated", FormatIsoMillis(inner->updated_ms)},
               {"numberItems", inner->items.size()},
               {"owner", OwnerJson(ctx, inner->ns)},
               {"theme", inner->theme},
               {"shareUrl", base + "/collections/" + Slug(*inner)},
               {"upvotes", 0},
               {"isUpvotedByUser", false}};
  } else {
    out = Json{{"id", item.item_id}};  // a paper: this hub has no paper pages to summarize
  }
  out["_id"] = ItemHexId(item.row_id);
  out["type"] = item.item_type;
  out["position"] = item.position;
  if (!item.note.empty()) out["note"] = Json{{"text", item.note}, {"html", item.note}};
  return out;
}

Json CollectionJson(HubContext& ctx, const Principal& who, const Collection& c, const std::string& base,
                    size_t max_items) {
  Json items = Json::array();
  for (const CollectionItem& item : c.items) {
    if (items.size() >= max_items) break;
    Json j = ItemJson(ctx, who, item, base);
    if (!j.is_null()) items.push_back(std::move(j));
  }
  return Json{{"slug", Slug(c)},
              {"title", c.title},
              {"description", c.description},
              {"owner", OwnerJson(ctx, c.ns)},
              {"items", items},
              {"lastUpdated", FormatIsoMillis(c.updated_ms)},
              {"position", c.position},
              {"private", c.is_private},
              {"theme", c.theme},
              {"upvotes", 0},
              {"isUpvotedByUser", false},
              {"gating", false},
              {"shareUrl", base + "/collections/" + Slug(c)}};
}

Status RequireCollectionWrite(HubContext& ctx, const Principal& who, const std::string& ns) {
  return RequireNamespaceWrite(ctx, who, ns);
}

// {"type": "model", "id": "ns/name"} -> a storable item; the named thing must exist for `who`.
Result<CollectionItem> ParseItem(HubContext& ctx, const Principal& who, const Json& item) {
  if (!item.is_object()) return Status::InvalidArgument("item must be an object {type, id}");
  MHUB_ASSIGN_OR_RETURN(std::string type, JsonString(item, "type", "item"));
  MHUB_ASSIGN_OR_RETURN(std::string id, JsonString(item, "id", "item"));
  CollectionItem out;
  out.item_type = type;
  out.item_id = id;
  if (type == "model" || type == "dataset" || type == "space") {
    MHUB_ASSIGN_OR_RETURN(RepoType repo_type, ParseRepoType(type));
    auto repo_id = ParseRepoId(id);
    if (!repo_id.ok()) return HubError::RepoNotFound(id.substr(0, 200)).status();
    MHUB_RETURN_IF_ERROR(RequireRead(ctx, who, RepoKey{repo_type, *repo_id}).status());
    return out;
  }
  if (type == "collection") {
    size_t slash = id.find('/');
    if (slash == std::string::npos) return Status::NotFound("Collection not found");
    MHUB_RETURN_IF_ERROR(
        LoadCollection(ctx, who, Segments{"api", "collections", id.substr(0, slash), id.substr(slash + 1)}).status());
    return out;
  }
  if (type == "paper") {
    // arXiv ids: 4 digits, '.', 4 or 5 digits.
    bool ok = id.size() >= 9 && id.size() <= 10 && id[4] == '.';
    for (size_t i = 0; ok && i < id.size(); ++i) ok = i == 4 || std::isdigit(static_cast<unsigned char>(id[i]));
    if (!ok) return Status::InvalidArgument("paper ids look like 2510.04871");
    return out;
  }
  return Status::InvalidArgument("item type must be model, dataset, space, paper or collection");
}

HubError HandleCreateCollection(HubContext& ctx, const HttpRequest& req, const Principal& who, HttpResponse& res) {
  if (!who.authenticated) return HubError(Status::Unauthenticated("You must be authenticated to create a collection"));
  MHUB_ASSIGN_OR_RETURN(Json body, JsonObjectBody(ctx, req));
  MHUB_ASSIGN_OR_RETURN(std::optional<std::string> title, OptionalString(body, "title", kMaxTitle));
  if (!title || title->empty()) return HubError::BadRequest("title is required");
  MHUB_ASSIGN_OR_RETURN(std::optional<std::string> ns, OptionalString(body, "namespace", 96));
  MHUB_ASSIGN_OR_RETURN(std::optional<std::string> description, OptionalString(body, "description", kMaxDescription));
  Collection c;
  c.ns = ns && !ns->empty() ? *ns : who.user();
  c.title = *title;
  c.description = description.value_or("");
  if (body.contains("private") && !body["private"].is_null()) {
    if (!body["private"].is_boolean()) return HubError::BadRequest("private must be a boolean");
    c.is_private = body["private"].get<bool>();
  }
  MHUB_RETURN_IF_ERROR(RequireCollectionWrite(ctx, who, c.ns));
  std::optional<CollectionItem> first;
  if (body.contains("item") && !body["item"].is_null()) {
    MHUB_ASSIGN_OR_RETURN(CollectionItem item, ParseItem(ctx, who, body["item"]));
    first = item;
  }
  auto created = ctx.db->CreateCollection(c);
  if (!created.ok() && created.status().code() == StatusCode::kAlreadyExists) {
    // huggingface_hub's create_collection(exists_ok=True) reads the slug from the 409 body.
    MHUB_ASSIGN_OR_RETURN(auto existing, ctx.db->ListCollections(c.ns, "", ""));
    Json conflict{{"error", created.status().message()}};
    for (const Collection& k : existing) {
      if (k.title == c.title) conflict["slug"] = Slug(k);
    }
    SetJson(res, conflict, 409);
    res.SetHeader("X-Error-Message", created.status().message());
    return {};
  }
  MHUB_RETURN_IF_ERROR(created.status());
  if (first) MHUB_RETURN_IF_ERROR(ctx.db->AddCollectionItem(created->row_id, *first).status());
  MHUB_ASSIGN_OR_RETURN(Collection stored, ctx.db->GetCollection(created->row_id));
  SetJson(res, CollectionJson(ctx, who, stored, BaseUrl(ctx, req), kMaxItems));
  return {};
}

HubError HandleListCollections(HubContext& ctx, const HttpRequest& req, const Principal& who, HttpResponse& res) {
  std::vector<std::string> owners = req.QueryAll("owner");
  std::string item_type, item_id;
  std::string item = req.Query("item");
  if (!item.empty()) {
    // "models/ns/name" (also "datasets/...", "spaces/...", "papers/2510.04871", "collections/...").
    size_t slash = item.find('/');
    if (slash == std::string::npos) return HubError::BadRequest("item must look like models/ns/name");
    std::string plural = item.substr(0, slash);
    if (plural == "papers") {
      item_type = "paper";
    } else if (plural == "collections") {
      item_type = "collection";
    } else {
      MHUB_ASSIGN_OR_RETURN(RepoType t, ParseRepoType(plural));
      item_type = std::string(RepoTypeName(t));
    }
    item_id = item.substr(slash + 1);
  }
  std::string sort = req.Query("sort");
  if (!sort.empty() && sort != "lastModified" && sort != "trending" && sort != "upvotes") {
    return HubError::BadRequest("sort must be lastModified, trending or upvotes");
  }
  std::string q = req.Query("q");
  std::transform(q.begin(), q.end(), q.begin(), [](unsigned char ch) { return std::tolower(ch); });
  MHUB_ASSIGN_OR_RETURN(uint64_t limit, ParseLimit(req, 100, 100));
  MHUB_ASSIGN_OR_RETURN(uint64_t offset, DecodeCursor(req.Query("cursor")));

  std::vector<Collection> found;
  if (owners.empty()) owners.push_back("");
  for (const std::string& owner : owners) {
    MHUB_ASSIGN_OR_RETURN(auto some, ctx.db->ListCollections(owner, item_type, item_id));
    for (Collection& c : some) {
      MHUB_ASSIGN_OR_RETURN(bool visible, CanSee(ctx, who, c));
      if (!visible) continue;
      if (!q.empty()) {
        std::string title = c.title;
        std::transform(title.begin(), title.end(), title.begin(), [](unsigned char ch) { return std::tolower(ch); });
        if (title.find(q) == std::string::npos) continue;
      }
      found.push_back(std::move(c));
    }
  }
  // Newest change first (upvotes and trending are all zero here: same order).
  std::stable_sort(found.begin(), found.end(),
                   [](const Collection& a, const Collection& b) { return a.updated_ms > b.updated_ms; });
  Json out = Json::array();
  std::string base = BaseUrl(ctx, req);
  for (uint64_t i = offset; i < found.size() && out.size() < limit; ++i) {
    out.push_back(CollectionJson(ctx, who, found[i], base, 4));  // the Hub shows 4 items per listed one
  }
  if (offset + out.size() < found.size()) {
    res.SetHeader("Link", "<" + NextPageUrl(ctx, req, EncodeCursor(offset + out.size())) + ">; rel=\"next\"");
  }
  SetJson(res, out);
  return {};
}

HubError HandleUpdateCollection(HubContext& ctx, const HttpRequest& req, const Principal& who, const Collection& c,
                                HttpResponse& res) {
  MHUB_RETURN_IF_ERROR(RequireCollectionWrite(ctx, who, c.ns));
  MHUB_ASSIGN_OR_RETURN(Json body, JsonObjectBody(ctx, req));
  CollectionUpdate update;
  MHUB_ASSIGN_OR_RETURN(update.title, OptionalString(body, "title", kMaxTitle));
  if (update.title && update.title->empty()) return HubError::BadRequest("title must not be empty");
  MHUB_ASSIGN_OR_RETURN(update.description, OptionalString(body, "description", kMaxDescription));
  MHUB_ASSIGN_OR_RETURN(update.theme, OptionalString(body, "theme", 16));
  if (update.theme && std::find(std::begin(kThemes), std::end(kThemes), *update.theme) == std::end(kThemes)) {
    return HubError::BadRequest("theme must be one of orange, blue, green, purple, pink, indigo");
  }
  if (body.contains("private") && !body["private"].is_null()) {
    if (!body["private"].is_boolean()) return HubError::BadRequest("private must be a boolean");
    update.is_private = body["private"].get<bool>();
  }
  if (body.contains("position") && !body["position"].is_null()) {
    if (!body["position"].is_number_integer()) return HubError::BadRequest("position must be an integer");
    update.position = body["position"].get<int64_t>();
  }
  MHUB_RETURN_IF_ERROR(ctx.db->UpdateCollection(c.row_id, update));
  MHUB_ASSIGN_OR_RETURN(Collection stored, ctx.db->GetCollection(c.row_id));
  SetJson(res, Json{{"success", true}, {"data", CollectionJson(ctx, who, stored, BaseUrl(ctx, req), kMaxItems)}});
  return {};
}

// /api/collections/{ns}/{slug}/item(s)[/{item}]
HubError RouteItems(HubContext& ctx, const HttpRequest& req, const Principal& who, const Collection& c,
                    const Segments& seg, HttpResponse& res) {
  MHUB_RETURN_IF_ERROR(RequireCollectionWrite(ctx, who, c.ns));
  if (seg.size() == 5) {
    if (req.method != "POST") return HubError(Status::InvalidArgument("use POST to add an item"), "", 405);
    MHUB_ASSIGN_OR_RETURN(Json body, JsonObjectBody(ctx, req));
    if (!body.contains("item")) return HubError::BadRequest("item is required");
    MHUB_ASSIGN_OR_RETURN(CollectionItem item, ParseItem(ctx, who, body["item"]));
    MHUB_ASSIGN_OR_RETURN(std::optional<std::string> note, OptionalString(body, "note", kMaxNote));
    item.note = note.value_or("");
    if (c.items.size() >= kMaxItems) return HubError::BadRequest("a collection holds at most 1000 items");
    MHUB_RETURN_IF_ERROR(ctx.db->AddCollectionItem(c.row_id, item).status());
    MHUB_ASSIGN_OR_RETURN(Collection stored, ctx.db->GetCollection(c.row_id));
    SetJson(res, CollectionJson(ctx, who, stored, BaseUrl(ctx, req), kMaxItems));
    return {};
  }
  int64_t item = RowIdFromHex(seg[5], "6974656d");
  if (item < 0) return HubError(Status::NotFound("Collection item not found"));
  if (req.method == "DELETE") {
    MHUB_RETURN_IF_ERROR(ctx.db->DeleteCollectionItem(c.row_id, item));
    SetJson(res, Json{{"success", true}});
    return {};
  }
  if (req.method != "PATCH") return HubError(Status::InvalidArgument("use PATCH or DELETE on an item"), "", 405);
  MHUB_ASSIGN_OR_RETURN(Json body, JsonObjectBody(ctx, req));
  MHUB_ASSIGN_OR_RETURN(std::optional<std::string> note, OptionalString(body, "note", kMaxNote));
  std::optional<int64_t> position;
  if (body.contains("position") && !body["position"].is_null()) {
    if (!body["position"].is_number_integer()) return HubError::BadRequest("position must be an integer");
    position = body["position"].get<int64_t>();
  }
  MHUB_RETURN_IF_ERROR(ctx.db->UpdateCollectionItem(c.row_id, item, position, note));
  SetJson(res, Json{{"success", true}});
  return {};
}

}  // namespace

HubError RouteCollections(HubContext& ctx, const HttpRequest& req, HttpResponse& res, const Principal& who,
                          const Segments& seg) {
  if (seg.size() == 2) {
    if (req.method == "POST") return HandleCreateCollection(ctx, req, who, res);
    if (req.method == "GET" || req.method == "HEAD") return HandleListCollections(ctx, req, who, res);
    return HubError(Status::InvalidArgument("use GET or POST on /api/collections"), "", 405);
  }
  if (seg.size() < 4) return CollectionNotFound();
  MHUB_ASSIGN_OR_RETURN(Collection c, LoadCollection(ctx, who, seg));
  if (seg.size() == 4) {
    if (req.method == "GET" || req.method == "HEAD") {
      SetJson(res, CollectionJson(ctx, who, c, BaseUrl(ctx, req), kMaxItems));
      return {};
    }
    if (req.method == "PATCH") return HandleUpdateCollection(ctx, req, who, c, res);
    if (req.method == "DELETE") {
      MHUB_RETURN_IF_ERROR(RequireCollectionWrite(ctx, who, c.ns));
      MHUB_RETURN_IF_ERROR(ctx.db->DeleteCollection(c.row_id));
      SetJson(res, Json::object());
      return {};
    }
    return HubError(Status::InvalidArgument("use GET, PATCH or DELETE on a collection"), "", 405);
  }
  if ((seg[4] == "items" || seg[4] == "item") && seg.size() <= 6) return RouteItems(ctx, req, who, c, seg, res);
  return CollectionNotFound();
}

}  // namespace mhub::server
