// Shared plumbing of the HTTP handlers: the request a repo route receives, JSON replies, the
// absolute URLs clients need (Link headers, LFS hrefs, commit URLs), and the JSON shapes of
// repo info, tree entries and commits (hub-api.md 5, 6).
#pragma once

#include <set>
#include <string>

#include "mhub/base/json.h"
#include "mhub/server/http_types.h"
#include "mhub/server/metadata_db.h"
#include "mhub/server/repo_store.h"
#include "server/http/auth.h"
#include "server/http/hub_context.h"
#include "server/http/hub_error.h"

namespace mhub::server {

// One request on a repo route, already authenticated.
struct RepoCall {
  HubContext& ctx;
  const HttpRequest& req;
  HttpResponse& res;
  const Principal& who;
  RepoKey key;
};

void SetJson(HttpResponse& res, const Json& value, int status = 200);

// "http://127.0.0.1:8080" (no trailing slash): the configured public URL or the Host header.
std::string BaseUrl(const HubContext& ctx, const HttpRequest& req);
// "<base>/datasets/ns/name" etc.
std::string RepoWebUrl(const std::string& base, const RepoKey& key);
// "<base>/api/datasets/ns/name".
std::string RepoApiUrl(const std::string& base, const RepoKey& key);

// Absolute URL of this request with `cursor` replaced: for `Link: <...>; rel="next"`.
std::string NextPageUrl(const HubContext& ctx, const HttpRequest& req, const std::string& cursor);
// `offset` from an opaque cursor query value ("" -> 0). InvalidArgument on garbage.
Result<uint64_t> DecodeCursor(const std::string& cursor);
std::string EncodeCursor(uint64_t offset);
// Parses `limit` (clamped to [1, max]); `fallback` when absent.
Result<uint64_t> ParseLimit(const HttpRequest& req, uint64_t fallback, uint64_t max);

// A 24-hex `_id` derived from the DB row id (the Hub's ids are Mongo object ids).
std::string RepoObjectId(const RepoRecord& record);

Json CommitJson(const CommitInfo& commit);
// `lfs` uses "oid" (tree/paths-info); `lastCommit` when present.
Json TreeEntryJson(const TreeEntry& entry);

// Repo info (hub-api.md 5). `sha` is the resolved commit ("" for a repo without commits).
// `siblings` may be null (not computed). `expand` limits the fields (empty = all).
Json RepoInfoJson(const RepoRecord& record, const std::string& sha, const Json& siblings,
                  const std::set<std::string>& expand);

// Resolves `revision` (RevisionNotFound when unknown; "HEAD" is main's head).
Result<std::string> ResolveRevision(const RepoCall& call, const std::string& revision);

}  // namespace mhub::server
