// Spaces (issue 15, reference/web.md 3): static Spaces served from their repo at
// /spaces/{owner}/{name}/..., and the runtime API /api/spaces/{id}/runtime.
#pragma once

#include <string>
#include <vector>

#include "server/http/handler_common.h"

namespace mhub::server::spaces {

// True for a GET/HEAD of a static Space's content: /spaces/{o}/{n}/ (trailing slash) or
// /spaces/{o}/{n}/{path} where the first path segment is not one of the repo's own routes
// (tree, blob, resolve, raw, commits, commit, settings, edit, discussions, info, git-*): those keep
// their pages and endpoints, so a Space file under such a top folder is not reachable here.
bool IsSpaceAppRoute(const HttpRequest& req, const std::vector<std::string>& seg);

// Serves a file of a `sdk: static` Space from main's head (or `?revision=`): index.html or the
// card's app_file for the root, content types by extension, ETag = git blob sha with no-cache and
// If-None-Match revalidation (304), LFS files by content, and a CSP sandbox without
// allow-same-origin so the Space's scripts run in an opaque origin (no hub cookies, no hub API
// with them). Private Spaces answer as every other repo route (401/404 RepoNotFound).
HubError HandleSpaceApp(HubContext& ctx, const HttpRequest& req, HttpResponse& res, const Principal& who,
                        const std::vector<std::string>& seg);

// GET /api/spaces/{id}/runtime: the Hub's SpaceRuntime object.
HubError HandleSpaceRuntime(RepoCall& call);
// POST /api/spaces/{id}/restart (answers the runtime; nothing to restart for a static Space) and
// .../pause (400: this hub runs no Space hardware; the Hub refuses to pause static Spaces too).
// Both need write access.
HubError HandleSpaceControl(RepoCall& call, const std::string& action);

// What a Space's README says about how it runs, read at commit `sha` ("" = no commit).
struct SpaceConfig {
  std::string sdk;       // card `sdk`, else the sdk given at creation
  std::string app_file;  // card `app_file`, else index.html for static Spaces
  bool app_file_exists = false;
  std::string card_error;  // malformed YAML: the parser's message
};
SpaceConfig ReadSpaceConfig(HubContext& ctx, const RepoRecord& record, const std::string& sha);

// The runtime object for a Space at main's head.
Json SpaceRuntimeJson(HubContext& ctx, const RepoRecord& record);

// If-None-Match lists entity tags ("a", W/"b") or is "*": true when one matches `etag` (a quoted
// strong tag) by RFC 9110 13.1.2's weak comparison.
bool IfNoneMatchMatches(const std::string& header, const std::string& etag);

// The repo file a Space URL names. `seg` is SplitRawPath of the URL (seg[0..2] = spaces/{o}/{n}),
// `trailing_slash` whether the URL ended in '/': a folder means its index.html, the root means
// `app_file`. The result is normalized (repo_path.h); InvalidArgument for what escapes the repo.
Result<std::string> SpaceFilePath(const std::vector<std::string>& seg, bool trailing_slash,
                                  const std::string& app_file);

// "text/html; charset=utf-8" etc. from the file name's extension; application/octet-stream else.
std::string ContentTypeForPath(const std::string& path);

}  // namespace mhub::server::spaces
