// Downloads: HEAD/GET /{prefix}{repo}/resolve/{rev}/{path} and /raw/ (hub-api.md 8).
// LFS files are served here directly (no redirect): 200/206 with X-Linked-Etag / X-Linked-Size
// and the sha256 ETag, which is what huggingface_hub (HEAD, then GET) and @huggingface/hub
// (GET Range 0-0, reads Content-Range and X-Linked-ETag) need. Bodies stream from disk.
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <optional>
#include <string_view>

#include "mhub/server/iso_time.h"
#include "mhub/server/lfs_access.h"
#include "server/http/blob_file.h"
#include "server/http/download_counting.h"
#include "server/http/handlers.h"
#include "server/http/url_codec.h"

namespace mhub::server {
namespace {

struct ByteRange {
  uint64_t first = 0;
  uint64_t length = 0;
};

enum class RangeOutcome { kNone, kSatisfiable, kUnsatisfiable };

// Parses one "bytes=a-b" / "bytes=a-" / "bytes=-n" range against `size` (RFC 9110 14.1.2; the
// unit is case-insensitive). Several ranges, other units and anything unparsable (e.g. a-b with
// b < a) are ignored and the whole file is sent, as RFC 9110 14.2 allows and S3 does; a suffix
// longer than the file selects the whole file (206). Unsatisfiable (416) only for a start at or
// past the end, or a zero-length suffix.
RangeOutcome ParseRange(const std::string& header, uint64_t size, ByteRange* out) {
  if (header.size() < 6) return RangeOutcome::kNone;
  std::string unit = header.substr(0, 6);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (unit != "bytes=") return RangeOutcome::kNone;
  std::string spec = header.substr(6);
  while (!spec.empty() && (spec.back() == ' ' || spec.back() == '\t')) spec.pop_back();
  if (spec.find(',') != std::string::npos) return RangeOutcome::kNone;
  size_t dash = spec.find('-');
  if (dash == std::string::npos) return RangeOutcome::kNone;
  auto parse = [](const std::string& s, uint64_t* v) {
    if (s.empty() || s.size() > 19) return false;
    uint64_t x = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      x = x * 10 + static_cast<uint64_t>(c - '0');
    }
    *v = x;
    return true;
  };
  std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
  uint64_t first = 0, last = 0;
  if (a.empty()) {  // suffix range: the last n bytes
    uint64_t n = 0;
    if (!parse(b, &n)) return RangeOutcome::kNone;
    if (n == 0 || size == 0) return RangeOutcome::kUnsatisfiable;
    n = std::min(n, size);
    *out = {size - n, n};
    return RangeOutcome::kSatisfiable;
  }
  if (!parse(a, &first)) return RangeOutcome::kNone;
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else if (!parse(b, &last) || last < first) {
    return RangeOutcome::kNone;
  }
  if (first >= size) return RangeOutcome::kUnsatisfiable;
  last = std::min(last, size - 1);
  *out = {first, last - first + 1};
  return RangeOutcome::kSatisfiable;
}

constexpr size_t kTextSniffBytes = 8192;

// Text: valid UTF-8 without NUL bytes (a sequence cut at the end of a sample is allowed).
bool LooksLikeText(std::string_view sample) {
  size_t i = 0;
  while (i < sample.size()) {
    unsigned char c = static_cast<unsigned char>(sample[i]);
    if (c == 0) return false;
    size_t extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : 4;
    if (extra == 4) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if (i + k >= sample.size()) return sample.size() == kTextSniffBytes;
      if ((static_cast<unsigned char>(sample[i + k]) & 0xc0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

std::string ReadPrefix(const std::string& file, size_t n) {
  std::string out(n, '\0');
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  ssize_t got = ::pread(fd, out.data(), n, 0);
  ::close(fd);
  out.resize(got > 0 ? static_cast<size_t>(got) : 0);
  return out;
}

std::string ContentDisposition(const std::string& path) {
  std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  std::string ascii;
  for (unsigned char c : base)
    ascii.push_back(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? static_cast<char>(c) : '_');
  return "inline; filename*=UTF-8''" + UrlEncode(base) + "; filename=\"" + ascii + "\";";
}

Status CheckGated(RepoCall& call, const RepoRecord& record) {
  if (record.gated.empty()) return Status::OK();
  if (call.who.authenticated) {
    if (call.who.user() == record.key.id.ns) return Status::OK();
    MHUB_ASSIGN_OR_RETURN(auto role, call.ctx.db->MemberRole(record.key.id.ns, call.who.user()));
    if (role) return Status::OK();
  }
  return Status::PermissionDenied("Access to " + std::string(RepoTypeName(record.key.type)) + " " +
                                  record.key.id.ToString() +
                                  " is restricted. You must have access to it and be authenticated to access it.");
}

}  // namespace

HubError HandleResolve(RepoCall& call, const std::string& revision, const std::string& raw_path, bool raw) {
  MHUB_ASSIGN_OR_RETURN(RepoRecord record, RequireRead(call.ctx, call.who, call.key));
  Status gated = CheckGated(call, record);
  if (!gated.ok()) return HubError(gated, "GatedRepo", 403);
  MHUB_ASSIGN_OR_RETURN(std::string sha, ResolveRevision(call, revision));
  auto normalized = NormalizeRepoFilePath(raw_path);
  if (!normalized.ok()) return HubError(normalized.status()).WithRepoCommit(sha);
  const std::string& path = *normalized;
  bool head = call.req.method == "HEAD";

  auto stat = call.ctx.repos->StatFile(call.key, sha, path);
  if (!stat.ok()) return HubError(stat.status()).WithRepoCommit(sha);
  bool serve_lfs = stat->lfs.has_value() && !raw;

  HttpResponse& res = call.res;
  res.SetHeader("X-Repo-Commit", sha);
  res.SetHeader("Accept-Ranges", "bytes");
  res.SetHeader("Access-Control-Expose-Headers",
                "X-Repo-Commit, X-Linked-Etag, X-Linked-Size, ETag, Content-Range, X-Error-Code, X-Error-Message");
  if (!call.req.QueryBool("noContentDisposition")) res.SetHeader("Content-Disposition", ContentDisposition(path));
  res.content_type = "application/octet-stream";

  uint64_t size = 0;
  std::string content;    // small regular files (and raw LFS pointers) are read from git
  std::string blob_path;  // larger regular files: their inflated file
  std::string lfs_path;
  if (serve_lfs) {
    size = stat->lfs->size;
    res.SetHeader("ETag", "\"" + stat->lfs->oid + "\"");
    res.SetHeader("X-Linked-Etag", "\"" + stat->lfs->oid + "\"");
    res.SetHeader("X-Linked-Size", std::to_string(size));
    lfs_path = call.ctx.lfs->PathOf(stat->lfs->oid);
    // Only an object this repo holds (lfs_access.h): a pointer to another repo's object is a 404.
    auto stored = LfsObjectSizeIn(*call.ctx.lfs, *call.ctx.db, call.key, stat->lfs->oid);
    if (!stored.ok() || *stored != size) {
      return HubError(Status::NotFound("the LFS object of " + path + " is missing on this server"), "EntryNotFound",
                      404)
          .WithRepoCommit(sha);
    }
  } else {
    res.SetHeader("ETag", "\"" + stat->oid + "\"");
    size = stat->lfs ? stat->lfs->pointer_size : stat->size;
    // Small files are read into memory; larger ones are sent from their inflated file, so a
    // download costs bounded memory whatever the size (blob_file.h).
    if (size > kInlineBlobMaxBytes) {
      if (!head || raw) {
        MHUB_ASSIGN_OR_RETURN(blob_path, InflatedBlobFile(call.ctx, call.key, stat->oid, size));
      }
    } else if (!head || raw) {
      MHUB_ASSIGN_OR_RETURN(FileBlob blob, call.ctx.repos->ReadFile(call.key, sha, path));
      content = std::move(blob.data);
      size = content.size();
    }
    // `raw` shows text as text in a browser; `resolve` stays application/octet-stream, as on the Hub.
    if (raw && LooksLikeText(blob_path.empty() ? content : ReadPrefix(blob_path, kTextSniffBytes))) {
      res.content_type = "text/plain; charset=utf-8";
    }
  }

  ByteRange range;
  RangeOutcome outcome = ParseRange(call.req.Header("Range"), size, &range);
  if (outcome == RangeOutcome::kUnsatisfiable && size == 0) outcome = RangeOutcome::kNone;
  if (outcome == RangeOutcome::kUnsatisfiable) {
    res.status = 416;
    res.SetHeader("Content-Range", "bytes */" + std::to_string(size));
    res.body.clear();
    return {};
  }
  if (outcome == RangeOutcome::kNone) {
    range = {0, size};
    res.status = 200;
    // An empty file still tells a Range 0-0 probe its size (@huggingface/hub reads Content-Range).
    if (size == 0 && !call.req.Header("Range").empty()) res.SetHeader("Content-Range", "bytes */0");
  } else {
    res.status = 206;
    res.SetHeader("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                       std::to_string(range.first + range.length - 1) + "/" + std::to_string(size));
  }
  // The Hub counts every GET and HEAD of a query file (download_counting.h).
  CountDownload(call, record, path, NowMillis());
  if (head) {
    res.head_content_length = range.length;
    return {};
  }
  if (serve_lfs) {
    res.file = FileBody{lfs_path, range.first, range.length, false};
  } else if (!blob_path.empty()) {
    // A link of this download's own: the bounded blob cache may evict the file meanwhile.
    MHUB_ASSIGN_OR_RETURN(BlobForSending sent, BlobFileForSending(call.ctx, call.key, stat->oid, size));
    res.file = FileBody{sent.path, range.first, range.length, sent.remove_after};
  } else {
    res.body = range.first == 0 && range.length == content.size() ? std::move(content)
                                                                  : content.substr(range.first, range.length);
  }
  return {};
}

}  // namespace mhub::server
