// Static Spaces: the files of a `sdk: static` Space repo served as a website at
// /spaces/{owner}/{name}/ (reference/web.md 3.2). The Hub serves Spaces from their own origin
// (*.hf.space); here they share the hub's origin, so the sandbox is a CSP instead: the document
// gets an opaque origin and cannot read the hub's cookies or call the API with them.
#include <string_view>

#include "mhub/server/lfs_access.h"
#include "mhub/server/model_card.h"
#include "mhub/server/repo_errors.h"
#include "server/http/blob_file.h"
#include "server/http/url_codec.h"
#include "server/spaces/space_handlers.h"

namespace mhub::server::spaces {
namespace {

// No allow-same-origin: scripts run, but in an opaque origin (no cookies, no same-origin API
// calls with the visitor's session).
constexpr const char* kSandboxCsp = "sandbox allow-scripts allow-forms allow-popups";

bool IsGetLike(const HttpRequest& req) { return req.method == "GET" || req.method == "HEAD"; }

// The repo's own routes under /spaces/{o}/{n}/ (router.cpp, web/web_site.cpp).
bool IsRepoRoute(const std::string& s) {
  return s == "tree" || s == "blob" || s == "resolve" || s == "raw" || s == "commits" || s == "commit" ||
         s == "settings" || s == "edit" || s == "discussions" || s == "info" || s == "git-upload-pack" ||
         s == "git-receive-pack";
}

bool EndsWith(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

bool IsSpaceAppRoute(const HttpRequest& req, const std::vector<std::string>& seg) {
  if (!IsGetLike(req) || seg.size() < 3 || seg[0] != "spaces") return false;
  if (EndsWith(seg[2], ".git")) return false;
  if (seg.size() == 3) return EndsWith(req.raw_path, "/");
  return !IsRepoRoute(seg[3]);
}

bool IfNoneMatchMatches(const std::string& header, const std::string& etag) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t comma = header.find(',', pos);
    if (comma == std::string::npos) comma = header.size();
    std::string_view tag(header.data() + pos, comma - pos);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    pos = comma + 1;
  }
  return false;
}

Result<std::string> SpaceFilePath(const std::vector<std::string>& seg, bool trailing_slash,
                                  const std::string& app_file) {
  std::string path;
  for (size_t i = 3; i < seg.size(); ++i) {
    MHUB_ASSIGN_OR_RETURN(std::string part, PercentDecode(seg[i]));
    if (i > 3) path += "/";
    path += part;
  }
  if (path.empty()) {
    path = app_file;
  } else if (trailing_slash) {
    path += "/index.html";
  }
  return NormalizeRepoFilePath(path);
}

std::string ContentTypeForPath(const std::string& path) {
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "application/octet-stream";
  std::string ext = path.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::pair<const char*, const char*> kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
      {"txt", "text/plain; charset=utf-8"},
      {"md", "text/markdown; charset=utf-8"},
      {"csv", "text/csv; charset=utf-8"},
      {"xml", "application/xml"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"ico", "image/x-icon"},
      {"wasm", "application/wasm"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},
      {"otf", "font/otf"},
      {"mp3", "audio/mpeg"},
      {"wav", "audio/wav"},
      {"ogg", "audio/ogg"},
      {"mp4", "video/mp4"},
      {"webm", "video/webm"},
      {"pdf", "application/pdf"},
  };
  for (const auto& [e, type] : kTypes) {
    if (ext == e) return type;
  }
  return "application/octet-stream";
}

SpaceConfig ReadSpaceConfig(HubContext& ctx, const RepoRecord& record, const std::string& sha) {
  SpaceConfig config;
  config.sdk = record.sdk;
  if (!sha.empty()) {
    auto readme = ctx.repos->ReadFile(record.key, sha, "README.md");
    if (readme.ok()) {
      auto card = ParseModelCard(readme->data);
      if (!card.ok()) {
        config.card_error = card.status().message();
      } else if (card->data.raw.is_object()) {
        const Json& raw = card->data.raw;
        if (raw.contains("sdk") && raw["sdk"].is_string()) config.sdk = raw["sdk"].get<std::string>();
        if (raw.contains("app_file") && raw["app_file"].is_string()) {
          config.app_file = raw["app_file"].get<std::string>();
        }
      }
    }
  }
  if (config.app_file.empty()) {
    // The Hub's defaults (spaces-config-reference.md): index.html for static, app.py for Python SDKs.
    config.app_file = config.sdk == "static" ? "index.html" : config.sdk == "docker" ? "Dockerfile" : "app.py";
  }
  auto normalized = NormalizeRepoFilePath(config.app_file);
  if (normalized.ok() && !sha.empty()) {
    config.app_file = *normalized;
    auto stat = ctx.repos->StatFile(record.key, sha, config.app_file);
    config.app_file_exists = stat.ok() && stat->type == TreeEntry::Type::kFile;
  }
  return config;
}

namespace {

HubError ServeSpaceFile(HubContext& ctx, const HttpRequest& req, HttpResponse& res, const Principal& who,
                        const std::vector<std::string>& seg) {
  MHUB_ASSIGN_OR_RETURN(std::string ns, PercentDecode(seg[1]));
  MHUB_ASSIGN_OR_RETURN(std::string name, PercentDecode(seg[2]));
  auto id = MakeRepoId(ns, name);
  if (!id.ok()) return HubError::RepoNotFound(ns.substr(0, 100) + "/" + name.substr(0, 100));
  RepoCall call{ctx, req, res, who, RepoKey{RepoType::kSpace, *id}};
  MHUB_ASSIGN_OR_RETURN(RepoRecord record, RequireRead(ctx, who, call.key));
  std::string revision = req.HasQuery("revision") ? req.Query("revision") : "main";
  MHUB_ASSIGN_OR_RETURN(std::string sha, ResolveRevision(call, revision));
  SpaceConfig config = ReadSpaceConfig(ctx, record, sha);
  if (config.sdk != "static") {
    return HubError(Status::NotFound("Space " + id->ToString() + " has sdk '" + config.sdk +
                                     "': only static Spaces are served by this hub"),
                    "EntryNotFound", 404);
  }
  auto file = SpaceFilePath(seg, EndsWith(req.raw_path, "/"), config.app_file);
  if (!file.ok()) return HubError(file.status()).WithRepoCommit(sha);
  const std::string& path = *file;
  auto stat = ctx.repos->StatFile(call.key, sha, path);
  bool folder = stat.ok()
                    ? stat->type == TreeEntry::Type::kDirectory
                    : !EndsWith(req.raw_path, "/") && ctx.repos->StatFile(call.key, sha, path + "/index.html").ok();
  if (folder) {
    // A folder without its slash: relative links inside its index.html need the slash.
    res.status = 301;
    std::string location = req.raw_path + "/";
    if (req.HasQuery("revision")) location += "?revision=" + UrlEncode(revision);
    res.SetHeader("Location", location);
    return {};
  }
  if (!stat.ok()) return HubError(stat.status()).WithRepoCommit(sha);

  const std::string etag = "\"" + stat->oid + "\"";
  res.SetHeader("Content-Security-Policy", kSandboxCsp);
  res.SetHeader("X-Content-Type-Options", "nosniff");
  res.SetHeader("Referrer-Policy", "no-referrer");
  // Revalidate every time (a push changes the files) but cheaply: 304 while the blob is the same.
  res.SetHeader("Cache-Control", "no-cache");
  res.SetHeader("ETag", etag);
  res.SetHeader("X-Repo-Commit", sha);
  if (IfNoneMatchMatches(req.Header("If-None-Match"), etag)) {
    res.status = 304;
    res.body.clear();
    return {};
  }
  res.status = 200;
  res.content_type = ContentTypeForPath(path);
  bool head = req.method == "HEAD";
  if (stat->lfs) {
    // Only an object this repo holds (lfs_access.h).
    auto stored = LfsObjectSizeIn(*ctx.lfs, *ctx.db, call.key, stat->lfs->oid);
    if (!stored.ok() || *stored != stat->lfs->size) {
      return HubError(Status::NotFound("the LFS object of " + path + " is missing on this server"), "EntryNotFound",
                      404)
          .WithRepoCommit(sha);
    }
    if (head) {
      res.head_content_length = stat->lfs->size;
    } else {
      res.file = FileBody{ctx.lfs->PathOf(stat->lfs->oid), 0, stat->lfs->size, false};
    }
    return {};
  }
  if (head) {
    res.head_content_length = stat->size;
    return {};
  }
  if (stat->size > kInlineBlobMaxBytes) {
    MHUB_ASSIGN_OR_RETURN(BlobForSending sent, BlobFileForSending(ctx, call.key, stat->oid, stat->size));
    res.file = FileBody{sent.path, 0, stat->size, sent.remove_after};
    return {};
  }
  MHUB_ASSIGN_OR_RETURN(FileBlob blob, ctx.repos->ReadFile(call.key, sha, path));
  res.body = std::move(blob.data);
  return {};
}

}  // namespace

HubError HandleSpaceApp(HubContext& ctx, const HttpRequest& req, HttpResponse& res, const Principal& who,
                        const std::vector<std::string>& seg) {
  HubError error = ServeSpaceFile(ctx, req, res, who, seg);
  // As on every repo route (router.cpp): an anonymous miss is 401, as signing in may help.
  if (!who.authenticated && error.IsRepoNotFound()) return error.ForAnonymous();
  return error;
}

}  // namespace mhub::server::spaces
