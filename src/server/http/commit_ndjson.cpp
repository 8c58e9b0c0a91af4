// Streamed commit body parser (see commit_ndjson.h). Each line goes through a JsonStreamParser
// that hands value.content to the spool as it arrives; once the line ends, base64 contents are
// decoded in place in the spool (decoded bytes never overtake the encoded ones being read).
#include "server/http/commit_ndjson.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/server/lfs_pointer.h"
#include "server/http/json_stream_parser.h"

namespace mhub::server {
namespace {

constexpr size_t kIoChunk = 1u << 20;

bool IsHexPrefix(std::string_view s) {
  if (s.size() < 5 || s.size() > 40) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

int Base64Value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Incremental base64 with mhub::Base64Decode's rules: standard or URL-safe alphabet, whitespace
// ignored, '=' padding only at the end.
class Base64Stream {
 public:
  Status Decode(std::string_view in, std::string* out) {
    for (char ch : in) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
      if (c == '=') {
        ++padding_;
        continue;
      }
      if (padding_ > 0) return Status::InvalidArgument("base64: data after '=' padding");
      const int v = Base64Value(c);
      if (v < 0) return Status::InvalidArgument("base64: invalid character");
      acc_ = (acc_ << 6) | static_cast<uint32_t>(v);
      bits_ += 6;
      if (bits_ >= 8) {
        bits_ -= 8;
        out->push_back(static_cast<char>((acc_ >> bits_) & 0xFF));
      }
    }
    return Status::OK();
  }
  Status Finish() const {
    if (padding_ > 2 || bits_ >= 6) return Status::InvalidArgument("base64: truncated input");
    return Status::OK();
  }

 private:
  uint32_t acc_ = 0;
  int bits_ = 0;
  size_t padding_ = 0;
};

std::string LfsAdvice(uint64_t cap) {
  return "regular (non-LFS) files are limited to " + std::to_string(cap) +
         " bytes: upload this file with Git LFS (huggingface_hub and git-lfs do so for large files; "
         "with git, `git lfs track` it)";
}

}  // namespace

struct CommitNdjsonParser::Impl : JsonStreamParser::StringSink {
  Impl(std::string path, const CommitNdjsonLimits& l)
      : spool_path(std::move(path)),
        limits(l),
        json(
            l.max_line_json_bytes,
            [](const std::vector<std::string>& keys) {
              return keys.size() == 2 && keys[0] == "value" && keys[1] == "content";
            },
            this) {
    fd = ::open(spool_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) error = Status::IOError("cannot create " + spool_path + ": " + std::strerror(errno));
  }
  ~Impl() override {
    if (fd >= 0) ::close(fd);
  }

  // ---- the spool ----
  Status WriteAt(uint64_t offset, const char* data, size_t n) {
    while (n > 0) {
      const ssize_t w = ::pwrite(fd, data, n, static_cast<off_t>(offset));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return Status::IOError("cannot write " + spool_path + ": " + std::strerror(errno));
      data += w;
      n -= static_cast<size_t>(w);
      offset += static_cast<uint64_t>(w);
    }
    return Status::OK();
  }
  Status Flush() {
    if (pending.empty()) return Status::OK();
    MHUB_RETURN_IF_ERROR(WriteAt(spool_end, pending.data(), pending.size()));
    spool_end += pending.size();
    pending.clear();
    return Status::OK();
  }
  Status Truncate(uint64_t size) {
    pending.clear();
    spool_end = size;
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) return Status::IOError("cannot truncate " + spool_path);
    return Status::OK();
  }

  // ---- StringSink: value.content of the current line ----
  Status Begin() override {
    if (content_seen) return Status::InvalidArgument("'content' given twice");
    content_seen = true;
    MHUB_RETURN_IF_ERROR(Flush());
    content_start = spool_end;
    content_raw = 0;
    content_over_cap = false;
    return Status::OK();
  }
  Status Append(std::string_view bytes) override {
    content_raw += bytes.size();
    // Past what even base64 of a capped file can take, keep counting but stop spooling, so the
    // line is still read to its end and the error can name the path.
    if (limits.max_regular_file != 0 && content_raw > limits.max_regular_file / 3 * 4 + 8) {
      content_over_cap = true;
      return Status::OK();
    }
    pending.append(bytes);
    if (pending.size() >= kIoChunk) return Flush();
    return Status::OK();
  }
  Status End() override { return Flush(); }

  // Decodes base64 in [content_start, spool_end) to content_start; returns the decoded size.
  Result<uint64_t> DecodeInPlace() {
    Base64Stream b64;
    std::string in(kIoChunk, '\0'), out;
    uint64_t read_at = content_start, write_at = content_start;
    while (read_at < spool_end) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(kIoChunk, spool_end - read_at));
      const ssize_t r = ::pread(fd, in.data(), want, static_cast<off_t>(read_at));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return Status::IOError("cannot read " + spool_path);
      read_at += static_cast<uint64_t>(r);
      out.clear();
      MHUB_RETURN_IF_ERROR(b64.Decode(std::string_view(in.data(), static_cast<size_t>(r)), &out));
      MHUB_RETURN_IF_ERROR(WriteAt(write_at, out.data(), out.size()));
      write_at += out.size();
    }
    MHUB_RETURN_IF_ERROR(b64.Finish());
    MHUB_RETURN_IF_ERROR(Truncate(write_at));
    return write_at - content_start;
  }

  // ---- lines ----
  Status Remember(size_t bytes) {
    total_json += bytes;
    if (total_json > limits.max_total_json_bytes) {
      return Status::ResourceExhausted("commit has more than " + std::to_string(limits.max_total_json_bytes) +
                                       " bytes of paths and messages");
    }
    return Status::OK();
  }

  Result<std::string> PathField(const Json& value, const std::string& where, bool folder, bool added) {
    MHUB_ASSIGN_OR_RETURN(std::string raw, JsonString(value, "path", where));
    auto normalized = folder  ? NormalizeRepoFolderPath(raw)
                      : added ? NormalizeNewRepoFilePath(raw)
                              : NormalizeRepoFilePath(raw);
    if (!normalized.ok()) return normalized.status().WithContext(where);
    if (folder && normalized->empty()) return Status::InvalidArgument(where + ": cannot delete the repo root");
    MHUB_RETURN_IF_ERROR(Remember(normalized->size()));
    return normalized;
  }

  Status Header(const Json& value, const std::string& where) {
    if (!value.is_object()) return Status::InvalidArgument(where + ": header value must be an object");
    MHUB_ASSIGN_OR_RETURN(request.summary, JsonStringOr(value, "summary", where, ""));
    MHUB_ASSIGN_OR_RETURN(request.description, JsonStringOr(value, "description", where, ""));
    MHUB_RETURN_IF_ERROR(Remember(request.summary.size() + request.description.size()));
    MHUB_ASSIGN_OR_RETURN(std::string parent, JsonStringOr(value, "parentCommit", where, ""));
    if (!parent.empty()) {
      if (!IsHexPrefix(parent)) return Status::InvalidArgument(where + ": parentCommit must be 5 to 40 hex characters");
      request.parent_commit = parent;
    }
    return Status::OK();
  }

  Result<CommitOperation> FileOp(const Json& value, const std::string& where) {
    MHUB_ASSIGN_OR_RETURN(std::string path, PathField(value, where, false, true));
    if (!content_seen) {
      if (value.contains("content")) return Status::InvalidArgument(where + ": 'content' must be a string");
      return Status::InvalidArgument(where + ": missing 'content'");
    }
    MHUB_ASSIGN_OR_RETURN(std::string encoding, JsonStringOr(value, "encoding", where, "base64"));
    if (encoding != "base64" && encoding != "utf-8" && encoding != "utf8") {
      return Status::InvalidArgument(where + ": unknown encoding '" + encoding.substr(0, 64) + "'");
    }
    const std::string too_large = where + ": file '" + path + "' is too large: " + LfsAdvice(limits.max_regular_file);
    if (content_over_cap) return Status::InvalidArgument(too_large);
    uint64_t size = content_raw;
    if (encoding == "base64") {
      auto decoded = DecodeInPlace();
      if (!decoded.ok()) return decoded.status().WithContext(where + ": content");
      size = *decoded;
    }
    if (limits.max_regular_file != 0 && size > limits.max_regular_file) return Status::InvalidArgument(too_large);
    CommitOperation op = CommitOperation::AddFile(std::move(path), "");
    op.content_file = spool_path;
    op.content_offset = content_start;
    op.content_size = size;
    content_used = true;
    return op;
  }

  Result<CommitOperation> Operation(const std::string& key, const Json& value, const std::string& where) {
    if (!value.is_object()) return Status::InvalidArgument(where + ": value must be an object");
    if (key == "file") return FileOp(value, where);
    if (key == "lfsFile") {
      MHUB_ASSIGN_OR_RETURN(std::string path, PathField(value, where, false, true));
      MHUB_ASSIGN_OR_RETURN(std::string algo, JsonStringOr(value, "algo", where, "sha256"));
      if (algo != "sha256") return Status::InvalidArgument(where + ": unsupported algo '" + algo.substr(0, 64) + "'");
      MHUB_ASSIGN_OR_RETURN(std::string oid, JsonString(value, "oid", where));
      if (!IsSha256Hex(oid)) return Status::InvalidArgument(where + ": oid must be 64 lowercase hex characters");
      MHUB_RETURN_IF_ERROR(Remember(oid.size()));
      std::optional<uint64_t> size;
      if (value.contains("size") && !value["size"].is_null()) {
        MHUB_ASSIGN_OR_RETURN(int64_t s, JsonInt(value, "size", where));
        if (s < 0) return Status::InvalidArgument(where + ": size must not be negative");
        size = static_cast<uint64_t>(s);
      }
      return CommitOperation::AddLfsFile(std::move(path), std::move(oid), size);
    }
    if (key == "deletedFile") {
      MHUB_ASSIGN_OR_RETURN(std::string path, PathField(value, where, false, false));
      return CommitOperation::DeleteFile(std::move(path));
    }
    if (key == "deletedFolder") {
      MHUB_ASSIGN_OR_RETURN(std::string path, PathField(value, where, true, false));
      return CommitOperation::DeleteFolder(std::move(path));
    }
    return Status::InvalidArgument(where + ": unknown operation key '" + key.substr(0, 64) + "'");
  }

  Status EndLine() {
    const std::string where = "commit line " + std::to_string(line_no);
    if (json.Empty()) {
      json.Reset();
      return Status::OK();  // a blank line
    }
    auto parsed = json.Finish();
    if (!parsed.ok()) return parsed.status().WithContext(where);
    const Json obj = std::move(parsed).value();
    json.Reset();
    content_used = false;
    Status st = Line(obj, where);
    // Content of a line that did not become a file (or failed) is dropped from the spool.
    if (content_seen && !content_used) {
      Status t = Truncate(content_start);
      if (st.ok()) st = t;
    }
    content_seen = false;
    return st;
  }

  Status Line(const Json& obj, const std::string& where) {
    if (!obj.is_object()) return Status::InvalidArgument(where + ": expected a JSON object");
    MHUB_ASSIGN_OR_RETURN(std::string key, JsonString(obj, "key", where));
    if (!obj.contains("value")) return Status::InvalidArgument(where + ": missing 'value'");
    const Json& value = obj["value"];
    if (key == "header") {
      if (have_header) return Status::InvalidArgument(where + ": a second header line");
      MHUB_RETURN_IF_ERROR(Header(value, where));
      have_header = true;
      return Status::OK();
    }
    if (!have_header) return Status::InvalidArgument(where + ": the first line must be the header");
    if (request.operations.size() >= limits.max_operations) {
      return Status::ResourceExhausted("commit has more than " + std::to_string(limits.max_operations) + " operations");
    }
    MHUB_ASSIGN_OR_RETURN(CommitOperation op, Operation(key, value, where));
    request.operations.push_back(std::move(op));
    return Status::OK();
  }

  Status Feed(std::string_view data) {
    if (!error.ok()) return error;
    body_bytes += data.size();
    if (body_bytes > limits.max_body_bytes) {
      error =
          Status::ResourceExhausted("commit body is larger than " + std::to_string(limits.max_body_bytes) + " bytes");
      return error;
    }
    while (!data.empty()) {
      const size_t nl = data.find('\n');
      const std::string_view part = data.substr(0, nl);
      Status st = json.Feed(part);
      if (!st.ok()) {
        error = st.WithContext("commit line " + std::to_string(line_no));
        return error;
      }
      if (nl == std::string_view::npos) break;
      data.remove_prefix(nl + 1);
      st = EndLine();
      ++line_no;
      if (!st.ok()) {
        error = st;
        return error;
      }
    }
    return Status::OK();
  }

  Result<CommitRequest> Finish() {
    if (!error.ok()) return error;
    MHUB_RETURN_IF_ERROR(EndLine());
    MHUB_RETURN_IF_ERROR(Flush());
    if (!have_header) return Status::InvalidArgument("commit body has no header line");
    return std::move(request);
  }

  std::string spool_path;
  CommitNdjsonLimits limits;
  JsonStreamParser json;
  int fd = -1;
  Status error = Status::OK();
  std::string pending;     // spool bytes not yet written (at spool_end)
  uint64_t spool_end = 0;  // bytes written to the spool
  uint64_t content_start = 0, content_raw = 0;
  bool content_seen = false, content_used = false, content_over_cap = false;
  uint64_t body_bytes = 0;
  size_t total_json = 0;
  size_t line_no = 1;
  bool have_header = false;
  CommitRequest request;
};

CommitNdjsonParser::CommitNdjsonParser(std::string spool_path, const CommitNdjsonLimits& limits)
    : impl_(std::make_unique<Impl>(std::move(spool_path), limits)) {}

CommitNdjsonParser::~CommitNdjsonParser() = default;

Status CommitNdjsonParser::Feed(std::string_view data) { return impl_->Feed(data); }

Result<CommitRequest> CommitNdjsonParser::Finish() { return impl_->Finish(); }

Result<CommitRequest> ParseCommitNdjson(std::string_view body, const std::string& spool_path,
                                        const CommitNdjsonLimits& limits) {
  CommitNdjsonParser parser(spool_path, limits);
  MHUB_RETURN_IF_ERROR(parser.Feed(body));
  return parser.Finish();
}

}  // namespace mhub::server
