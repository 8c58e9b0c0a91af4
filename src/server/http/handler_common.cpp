#include "server/http/handler_common.h"

#include <cctype>
#include <cstdio>

#include "mhub/server/iso_time.h"
#include "server/http/url_codec.h"

namespace mhub::server {

void SetJson(HttpResponse& res, const Json& value, int status) {
  res.status = status;
  res.content_type = "application/json; charset=utf-8";
  res.body = DumpJson(value);
  res.file.reset();
}

std::string BaseUrl(const HubContext& ctx, const HttpRequest& req) {
  if (!ctx.public_url.empty()) return ctx.public_url;
  std::string host = req.Header("Host");
  if (host.empty()) host = "127.0.0.1";
  // A Host header is client input: keep it to the characters a host:port can have.
  std::string clean;
  for (char c : host) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']') {
      clean.push_back(c);
    }
  }
  return "http://" + clean;
}

std::string RepoWebUrl(const std::string& base, const RepoKey& key) {
  return base + "/" + std::string(RepoTypeUrlPrefix(key.type)) + key.id.ToString();
}

std::string RepoApiUrl(const std::string& base, const RepoKey& key) {
  return base + "/api/" + std::string(RepoTypePlural(key.type)) + "/" + key.id.ToString();
}

std::string NextPageUrl(const HubContext& ctx, const HttpRequest& req, const std::string& cursor) {
  std::string url = BaseUrl(ctx, req) + req.raw_path + "?";
  bool first = true;
  for (const auto& [k, v] : req.query) {
    if (k == "cursor") continue;
    if (!first) url += "&";
    first = false;
    url += UrlEncode(k) + "=" + UrlEncode(v);
  }
  if (!first) url += "&";
  url += "cursor=" + cursor;
  return url;
}

Result<uint64_t> DecodeCursor(const std::string& cursor) {
  if (cursor.empty()) return uint64_t{0};
  auto decoded = Base64Decode(cursor);
  if (!decoded.ok() || decoded->rfind("o:", 0) != 0) return Status::InvalidArgument("invalid cursor");
  uint64_t value = 0;
  std::string digits = decoded->substr(2);
  if (digits.empty() || digits.size() > 18) return Status::InvalidArgument("invalid cursor");
  for (char c : digits) {
    if (c < '0' || c > '9') return Status::InvalidArgument("invalid cursor");
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

std::string EncodeCursor(uint64_t offset) {
  std::string b64 = Base64Encode("o:" + std::to_string(offset));
  std::string out;
  for (char c : b64) {
    if (c != '=') out.push_back(c);  // no padding: the cursor stays URL-safe apart from '+' '/'
  }
  return UrlEncode(out);
}

Result<uint64_t> ParseLimit(const HttpRequest& req, uint64_t fallback, uint64_t max) {
  std::string text = req.Query("limit");
  if (text.empty()) return fallback;
  uint64_t value = 0;
  if (text.size() > 12) return max;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::InvalidArgument("limit must be a non-negative integer");
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value == 0) value = 1;
  return value > max ? max : value;
}

std::string RepoObjectId(const RepoRecord& record) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "6d6875620000%012llx", static_cast<unsigned long long>(record.row_id));
  return buf;
}

Json CommitJson(const CommitInfo& commit) {
  Json authors = Json::array();
  for (const auto& a : commit.authors) authors.push_back({{"user", a}, {"avatar", nullptr}});
  return Json{{"id", commit.id},
              {"title", commit.title},
              {"message", commit.message},
              {"authors", authors},
              {"date", FormatIsoMillis(commit.date_ms)},
              {"parents", commit.parents},
              {"formatted", {{"title", commit.title}, {"message", commit.message}}}};
}

Json TreeEntryJson(const TreeEntry& entry) {
  Json j{{"type", entry.type == TreeEntry::Type::kFile ? "file" : "directory"},
         {"oid", entry.oid},
         {"size", entry.size},
         {"path", entry.path}};
  if (entry.lfs) {
    j["lfs"] = {{"oid", entry.lfs->oid}, {"size", entry.lfs->size}, {"pointerSize", entry.lfs->pointer_size}};
  }
  if (entry.last_commit) {
    j["lastCommit"] = {{"id", entry.last_commit->id},
                       {"title", entry.last_commit->title},
                       {"date", FormatIsoMillis(entry.last_commit->date_ms)}};
  }
  return j;
}

Json RepoInfoJson(const RepoRecord& record, const std::string& sha, const Json& siblings,
                  const std::set<std::string>& expand) {
  Json card = Json::object();
  auto parsed = ParseJson(record.card_data_json, "cardData");
  if (parsed.ok() && parsed->is_object()) card = std::move(parsed).value();
  Json gated = record.gated.empty() ? Json(false) : Json(record.gated);
  Json all{{"_id", RepoObjectId(record)},
           {"id", record.key.id.ToString()},
           {"author", record.key.id.ns},
           {"sha", sha.empty() ? Json(nullptr) : Json(sha)},
           {"lastModified", FormatIsoMillis(record.last_modified_ms)},
           {"createdAt", FormatIsoMillis(record.created_ms)},
           {"private", record.is_private},
           {"gated", gated},
           {"disabled", record.disabled},
           {"downloads", record.downloads},
           {"downloadsAllTime", record.downloads},
           {"likes", record.likes},
           {"trendingScore", 0},
           {"tags", record.tags},
           {"cardData", card}};
  if (record.key.type == RepoType::kModel) {
    all["modelId"] = record.key.id.ToString();
    all["library_name"] = record.library_name.empty() ? Json(nullptr) : Json(record.library_name);
    all["pipeline_tag"] = record.pipeline_tag.empty() ? Json(nullptr) : Json(record.pipeline_tag);
  }
  if (record.key.type == RepoType::kSpace) {
    all["sdk"] = record.sdk.empty() ? Json(nullptr) : Json(record.sdk);
  }
  if (!siblings.is_null()) all["siblings"] = siblings;
  if (expand.empty()) return all;
  // With expand, the Hub returns the asked fields plus the identity fields.
  Json out{{"_id", all["_id"]}, {"id", all["id"]}};
  for (const auto& key : expand) {
    if (all.contains(key)) out[key] = all[key];
  }
  return out;
}

Result<std::string> ResolveRevision(const RepoCall& call, const std::string& revision) {
  return call.ctx.repos->ResolveRevision(call.key, revision.empty() ? "main" : revision);
}

}  // namespace mhub::server
