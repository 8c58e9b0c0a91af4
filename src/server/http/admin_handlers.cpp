// whoami (hub-api.md 2), repo create/delete/move/settings (3), auth-check and validate-yaml (3.5).
#include <algorithm>
#include <cctype>

#include "mhub/base/logging.h"
#include "mhub/server/iso_time.h"
#include "mhub/server/model_card.h"
#include "mhub/server/repo_errors.h"
#include "mhub/server/repo_sync.h"
#include "server/http/handlers.h"
#include "server/http/url_codec.h"

namespace mhub::server {
namespace {

Result<Json> JsonBody(const HubContext& ctx, const HttpRequest& req) {
  MHUB_ASSIGN_OR_RETURN(std::string body, req.ReadBody(ctx.limits.max_json_body));
  MHUB_ASSIGN_OR_RETURN(Json j, ParseJson(body, "request body"));
  if (!j.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  return j;
}

Result<RepoType> TypeField(const Json& body) {
  MHUB_ASSIGN_OR_RETURN(std::string type, JsonStringOr(body, "type", "body", "model"));
  if (type.empty()) return RepoType::kModel;
  return ParseRepoType(type);
}

// {"name": "x", "organization": "ns"} or {"name": "ns/x"}; the namespace defaults to the caller.
Result<RepoKey> RepoKeyFromBody(const Json& body, const Principal& who) {
  MHUB_ASSIGN_OR_RETURN(RepoType type, TypeField(body));
  MHUB_ASSIGN_OR_RETURN(std::string name, JsonString(body, "name", "body"));
  MHUB_ASSIGN_OR_RETURN(std::string org, JsonStringOr(body, "organization", "body", ""));
  size_t slash = name.find('/');
  if (slash != std::string::npos && org.empty()) {
    org = name.substr(0, slash);
    name = name.substr(slash + 1);
  }
  if (org.empty()) {
    if (!who.authenticated) return Status::Unauthenticated("You must be authenticated to name no organization");
    org = who.user();
  }
  MHUB_ASSIGN_OR_RETURN(RepoId id, MakeRepoId(org, name));
  return RepoKey{type, id};
}

// `license` on create: the Hub writes it into a new README.md's front matter (the file clients look
// for afterwards). Only license-id characters, so the value cannot break out of the YAML.
Result<std::optional<std::string>> LicenseReadme(const Json& body) {
  if (!body.contains("license") || body["license"].is_null()) return std::optional<std::string>();
  if (!body["license"].is_string()) return Status::InvalidArgument("license must be a string");
  std::string license = body["license"].get<std::string>();
  bool ok = !license.empty() && license.size() <= 64;
  for (char c : license) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_');
  if (!ok) return Status::InvalidArgument("license must be a license id such as mit or apache-2.0");
  return std::optional<std::string>("---\nlicense: " + license + "\n---\n");
}

Result<std::optional<bool>> PrivateField(const Json& body) {
  if (body.contains("visibility") && body["visibility"].is_string()) {
    std::string v = body["visibility"].get<std::string>();
    if (v == "private") return std::optional<bool>(true);
    if (v == "public") return std::optional<bool>(false);
    if (v == "protected") return std::optional<bool>(true);
    return Status::InvalidArgument("visibility must be public or private");
  }
  if (body.contains("private") && !body["private"].is_null()) {
    if (!body["private"].is_boolean()) return Status::InvalidArgument("private must be a boolean");
    return std::optional<bool>(body["private"].get<bool>());
  }
  return std::optional<bool>();
}

}  // namespace

HubError HandleWhoami(HubContext& ctx, const HttpRequest& req, const Principal& who, HttpResponse& res) {
  if (!who.authenticated) return HubError::InvalidCredentials();
  MHUB_ASSIGN_OR_RETURN(Account account, ctx.db->GetAccount(who.user()));
  MHUB_ASSIGN_OR_RETURN(auto memberships, ctx.db->ListMemberships(who.user()));
  Json orgs = Json::array();
  for (const auto& m : memberships) {
    auto org = ctx.db->GetAccount(m.org);
    if (!org.ok()) continue;
    orgs.push_back({{"type", "org"},
                    {"id", std::to_string(org->id)},
                    {"name", org->name},
                    {"fullname", org->fullname.empty() ? org->name : org->fullname},
                    {"email", nullptr},
                    {"canPay", false},
                    {"avatarUrl", ""},
                    {"periodEnd", nullptr},
                    {"roleInOrg", std::string(OrgRoleName(m.role))}});
  }
  Json out{{"type", "user"},
           {"id", std::to_string(account.id)},
           {"name", account.name},
           {"fullname", account.fullname.empty() ? account.name : account.fullname},
           {"email", account.email.empty() ? Json(nullptr) : Json(account.email)},
           {"emailVerified", !account.email.empty()},
           {"isPro", false},
           {"canPay", false},
           {"avatarUrl", ""},
           {"periodEnd", nullptr},
           {"billingMode", "prepaid"},
           {"orgs", orgs},
           {"auth",
            {{"type", "access_token"},
             {"accessToken",
              {{"displayName", who.token.name},
               {"role", std::string(TokenRoleName(who.token.role))},
               {"createdAt", FormatIsoMillis(who.token.created_ms)}}}}}};
  SetJson(res, out);
  return {};
}

HubError HandleCreateRepo(HubContext& ctx, const HttpRequest& req, const Principal& who, HttpResponse& res) {
  if (!who.authenticated) return HubError(Status::Unauthenticated("You must be authenticated to create a repo"));
  MHUB_ASSIGN_OR_RETURN(Json body, JsonBody(ctx, req));
  MHUB_ASSIGN_OR_RETURN(RepoKey key, RepoKeyFromBody(body, who));
  MHUB_RETURN_IF_ERROR(RequireNamespaceWrite(ctx, who, key.id.ns));
  MHUB_ASSIGN_OR_RETURN(std::optional<bool> is_private, PrivateField(body));
  MHUB_ASSIGN_OR_RETURN(std::string sdk, JsonStringOr(body, "sdk", "body", ""));
  if (key.type == RepoType::kSpace && sdk.empty()) {
    return HubError::BadRequest("Space creation needs an sdk (gradio, streamlit, docker or static)");
  }
  std::vector<CommitOperation> files;
  if (body.contains("files") && body["files"].is_array()) {
    for (const auto& f : body["files"]) {
      MHUB_ASSIGN_OR_RETURN(std::string path, JsonString(f, "path", "files[]"));
      MHUB_ASSIGN_OR_RETURN(path, NormalizeRepoFilePath(path));
      MHUB_ASSIGN_OR_RETURN(std::string content, JsonString(f, "content", "files[]"));
      MHUB_ASSIGN_OR_RETURN(std::string encoding, JsonStringOr(f, "encoding", "files[]", "utf-8"));
      if (encoding == "base64") {
        MHUB_ASSIGN_OR_RETURN(content, Base64Decode(content));
      }
      files.push_back(CommitOperation::AddFile(path, content));
    }
  }
  MHUB_ASSIGN_OR_RETURN(std::optional<std::string> license_readme, LicenseReadme(body));
  if (license_readme &&
      std::none_of(files.begin(), files.end(), [](const CommitOperation& op) { return op.path == "README.md"; })) {
    files.push_back(CommitOperation::AddFile("README.md", *license_readme));
  }
  std::string url = RepoWebUrl(BaseUrl(ctx, req), key);
  if (ctx.db->GetRepo(key).ok() || ctx.repos->Exists(key)) {
    SetJson(res,
            Json{{"error", "You already created this " + std::string(RepoTypeName(key.type)) + " repo"}, {"url", url}},
            409);
    res.SetHeader("X-Error-Message", "You already created this " + std::string(RepoTypeName(key.type)) + " repo");
    return {};
  }
  CommitAuthor author{who.user(), who.user() + "@users.noreply.mhub"};
  MHUB_RETURN_IF_ERROR(ctx.repos->Create(key, author, files).status());
  RepoRecord record;
  record.key = key;
  record.is_private = is_private.value_or(false);
  record.author = key.id.ns;
  record.sdk = sdk;
  auto inserted = ctx.db->InsertRepo(record);
  if (!inserted.ok()) {
    (void)ctx.repos->Delete(key);
    return inserted.status();
  }
  // A new repo at an old name ends the redirect that name had.
  (void)ctx.db->DeleteRepoRedirect(key.type, key.id.ToString());
  MHUB_RETURN_IF_ERROR(RefreshRepoMetadata(*ctx.repos, *ctx.db, key));
  SetJson(res, Json{{"url", url}, {"name", key.id.ToString()}, {"id", key.id.ToString()}});
  return {};
}

HubError HandleDeleteRepo(HubContext& ctx, const HttpRequest& req, const Principal& who, HttpResponse& res) {
  MHUB_ASSIGN_OR_RETURN(Json body, JsonBody(ctx, req));
  MHUB_ASSIGN_OR_RETURN(RepoKey key, RepoKeyFromBody(body, who));
  MHUB_RETURN_IF_ERROR(RequireWrite(ctx, who, key).status());
  // The git repo goes first: a crash in between leaves a record whose every read is a 404.
  Status st = ctx.repos->Delete(key);
  if (!st.ok() && NotFoundKindOf(st) != NotFoundKind::kRepo) return st;
  MHUB_RETURN_IF_ERROR(ctx.db->DeleteRepo(key));
  SetJson(res, Json::object());
  return {};
}

HubError HandleMoveRepo(HubContext& ctx, const HttpRequest& req, const Principal& who, HttpResponse& res) {
  MHUB_ASSIGN_OR_RETURN(Json body, JsonBody(ctx, req));
  MHUB_ASSIGN_OR_RETURN(RepoType type, TypeField(body));
  MHUB_ASSIGN_OR_RETURN(std::string from_text, JsonString(body, "fromRepo", "body"));
  MHUB_ASSIGN_OR_RETURN(std::string to_text, JsonString(body, "toRepo", "body"));
  MHUB_ASSIGN_OR_RETURN(RepoId from_id, ParseRepoId(from_text));
  MHUB_ASSIGN_OR_RETURN(RepoId to_id, ParseRepoId(to_text));
  RepoKey from{type, from_id}, to{type, to_id};
  MHUB_RETURN_IF_ERROR(RequireWrite(ctx, who, from).status());
  MHUB_RETURN_IF_ERROR(RequireNamespaceWrite(ctx, who, to.id.ns));
  if (ctx.db->GetRepo(to).ok() || ctx.repos->Exists(to)) {
    return HubError(Status::AlreadyExists("repo " + to.id.ToString() + " already exists"));
  }
  MHUB_RETURN_IF_ERROR(ctx.repos->Move(from, to));
  Status st = ctx.db->RenameRepo(from, to);
  if (!st.ok()) {
    (void)ctx.repos->Move(to, from);
    return st;
  }
  // The old name keeps answering with a redirect, as on the Hub (API, resolve and git).
  RepoRedirect redirect;
  redirect.type = type;
  redirect.from = from.id.ToString();
  redirect.to = to.id;
  Status kept = ctx.db->AddRepoRedirect(redirect);
  if (!kept.ok()) {
    MHUB_LOG(kWarn) << "move " << from.ToString() << ": redirect not kept: " << kept;
  }
  SetJson(res, Json{{"url", RepoWebUrl(BaseUrl(ctx, req), to)}});
  return {};
}

HubError HandleRepoSettings(RepoCall& call) {
  MHUB_RETURN_IF_ERROR(RequireWrite(call.ctx, call.who, call.key).status());
  MHUB_ASSIGN_OR_RETURN(Json body, JsonBody(call.ctx, call.req));
  MHUB_ASSIGN_OR_RETURN(std::optional<bool> is_private, PrivateField(body));
  std::optional<std::string> gated;
  if (body.contains("gated")) {
    const Json& g = body["gated"];
    if (g.is_boolean() && !g.get<bool>()) {
      gated = "";
    } else if (g.is_string() && (g == "auto" || g == "manual")) {
      gated = g.get<std::string>();
    } else {
      return HubError::BadRequest("gated must be \"auto\", \"manual\" or false");
    }
  }
  MHUB_RETURN_IF_ERROR(call.ctx.db->UpdateRepoSettings(call.key, is_private, gated));
  MHUB_ASSIGN_OR_RETURN(RepoRecord record, call.ctx.db->GetRepo(call.key));
  SetJson(call.res,
          Json{{"private", record.is_private}, {"gated", record.gated.empty() ? Json(false) : Json(record.gated)}});
  return {};
}

HubError HandleAuthCheck(RepoCall& call, bool write) {
  if (write) {
    MHUB_RETURN_IF_ERROR(RequireWrite(call.ctx, call.who, call.key).status());
  } else {
    MHUB_RETURN_IF_ERROR(RequireRead(call.ctx, call.who, call.key).status());
  }
  SetJson(call.res, Json{{"id", call.key.id.ToString()}});
  return {};
}

// A model card's YAML is a few KB, and parsing YAML takes tens of times its size in memory: this
// route (open to anonymous callers) takes small bodies only, refused before they are read.
constexpr size_t kMaxValidateYamlAnonymous = 256 << 10;
constexpr size_t kMaxValidateYamlWithToken = 4 << 20;

HubError HandleValidateYaml(HubContext& ctx, const HttpRequest& req, HttpResponse& res) {
  // The router has already refused unknown tokens: a header here is a valid one.
  size_t limit = req.HasHeader("Authorization") ? kMaxValidateYamlWithToken : kMaxValidateYamlAnonymous;
  MHUB_ASSIGN_OR_RETURN(std::string text, req.ReadBody(limit));
  MHUB_ASSIGN_OR_RETURN(Json body, ParseJson(text, "request body"));
  if (!body.is_object()) return HubError::BadRequest("request body must be a JSON object");
  MHUB_ASSIGN_OR_RETURN(std::string content, JsonString(body, "content", "body"));
  MHUB_ASSIGN_OR_RETURN(std::string type_text, JsonStringOr(body, "repoType", "body", "model"));
  MHUB_ASSIGN_OR_RETURN(RepoType type, ParseRepoType(type_text.empty() ? "model" : type_text));
  YamlValidation v = ValidateCardYaml(content, type);
  Json errors = Json::array(), warnings = Json::array();
  for (const auto& e : v.errors) errors.push_back({{"message", e}});
  for (const auto& w : v.warnings) warnings.push_back({{"message", w}});
  SetJson(res, Json{{"errors", errors}, {"warnings", warnings}}, v.ok() ? 200 : 400);
  return {};
}

}  // namespace mhub::server
