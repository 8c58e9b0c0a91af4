#include "server/http/commit_ndjson.h"

#include <cctype>

#include "mhub/base/json.h"
#include "mhub/server/lfs_pointer.h"
#include "server/http/url_codec.h"

namespace mhub::server {
namespace {

bool IsHexPrefix(std::string_view s) {
  if (s.size() < 5 || s.size() > 40) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

Result<std::string> PathField(const Json& value, const std::string& where, bool folder) {
  MHUB_ASSIGN_OR_RETURN(std::string raw, JsonString(value, "path", where));
  auto normalized = folder ? NormalizeRepoFolderPath(raw) : NormalizeRepoFilePath(raw);
  if (!normalized.ok()) return normalized.status().WithContext(where);
  if (folder && normalized->empty()) return Status::InvalidArgument(where + ": cannot delete the repo root");
  return normalized;
}

Status ParseHeader(const Json& value, const std::string& where, CommitRequest* out) {
  if (!value.is_object()) return Status::InvalidArgument(where + ": header value must be an object");
  MHUB_ASSIGN_OR_RETURN(out->summary, JsonStringOr(value, "summary", where, ""));
  MHUB_ASSIGN_OR_RETURN(out->description, JsonStringOr(value, "description", where, ""));
  MHUB_ASSIGN_OR_RETURN(std::string parent, JsonStringOr(value, "parentCommit", where, ""));
  if (!parent.empty()) {
    if (!IsHexPrefix(parent)) return Status::InvalidArgument(where + ": parentCommit must be 5 to 40 hex characters");
    out->parent_commit = parent;
  }
  return Status::OK();
}

Result<CommitOperation> ParseOperation(const std::string& key, const Json& value, const std::string& where) {
  if (!value.is_object()) return Status::InvalidArgument(where + ": value must be an object");
  if (key == "file") {
    MHUB_ASSIGN_OR_RETURN(std::string path, PathField(value, where, false));
    MHUB_ASSIGN_OR_RETURN(std::string content, JsonString(value, "content", where));
    MHUB_ASSIGN_OR_RETURN(std::string encoding, JsonStringOr(value, "encoding", where, "base64"));
    if (encoding == "base64") {
      auto decoded = Base64Decode(content);
      if (!decoded.ok()) return decoded.status().WithContext(where + ": content");
      content = std::move(decoded).value();
    } else if (encoding != "utf-8" && encoding != "utf8") {
      return Status::InvalidArgument(where + ": unknown encoding '" + encoding + "'");
    }
    return CommitOperation::AddFile(std::move(path), std::move(content));
  }
  if (key == "lfsFile") {
    MHUB_ASSIGN_OR_RETURN(std::string path, PathField(value, where, false));
    MHUB_ASSIGN_OR_RETURN(std::string algo, JsonStringOr(value, "algo", where, "sha256"));
    if (algo != "sha256") return Status::InvalidArgument(where + ": unsupported algo '" + algo + "'");
    MHUB_ASSIGN_OR_RETURN(std::string oid, JsonString(value, "oid", where));
    if (!IsSha256Hex(oid)) return Status::InvalidArgument(where + ": oid must be 64 lowercase hex characters");
    std::optional<uint64_t> size;
    if (value.contains("size") && !value["size"].is_null()) {
      MHUB_ASSIGN_OR_RETURN(int64_t s, JsonInt(value, "size", where));
      if (s < 0) return Status::InvalidArgument(where + ": size must not be negative");
      size = static_cast<uint64_t>(s);
    }
    return CommitOperation::AddLfsFile(std::move(path), std::move(oid), size);
  }
  if (key == "deletedFile") {
    MHUB_ASSIGN_OR_RETURN(std::string path, PathField(value, where, false));
    return CommitOperation::DeleteFile(std::move(path));
  }
  if (key == "deletedFolder") {
    MHUB_ASSIGN_OR_RETURN(std::string path, PathField(value, where, true));
    return CommitOperation::DeleteFolder(std::move(path));
  }
  return Status::InvalidArgument(where + ": unknown operation key '" + key + "'");
}

}  // namespace

Result<CommitRequest> ParseCommitNdjson(std::string_view body, const CommitNdjsonLimits& limits) {
  CommitRequest request;
  bool have_header = false;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool blank = true;
    for (char c : line) {
      if (c != ' ' && c != '\t') blank = false;
    }
    if (blank) continue;
    std::string where = "commit line " + std::to_string(line_no);
    if (line.size() > limits.max_line_bytes) return Status::ResourceExhausted(where + " is too long");
    MHUB_ASSIGN_OR_RETURN(Json obj, ParseJson(line, where));
    if (!obj.is_object()) return Status::InvalidArgument(where + ": expected a JSON object");
    MHUB_ASSIGN_OR_RETURN(std::string key, JsonString(obj, "key", where));
    if (!obj.contains("value")) return Status::InvalidArgument(where + ": missing 'value'");
    const Json& value = obj["value"];
    if (key == "header") {
      if (have_header) return Status::InvalidArgument(where + ": a second header line");
      MHUB_RETURN_IF_ERROR(ParseHeader(value, where, &request));
      have_header = true;
      continue;
    }
    if (!have_header) return Status::InvalidArgument(where + ": the first line must be the header");
    if (request.operations.size() >= limits.max_operations) {
      return Status::ResourceExhausted("commit has more than " + std::to_string(limits.max_operations) + " operations");
    }
    MHUB_ASSIGN_OR_RETURN(CommitOperation op, ParseOperation(key, value, where));
    request.operations.push_back(std::move(op));
  }
  if (!have_header) return Status::InvalidArgument("commit body has no header line");
  return request;
}

}  // namespace mhub::server
