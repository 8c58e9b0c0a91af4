#include "server/http/http_head_parser.h"

#include <cctype>
#include <string>

namespace mhub::server {
namespace {

HeadParseResult Error(int status, std::string message) {
  HeadParseResult r;
  r.state = HeadState::kError;
  r.status = status;
  r.message = std::move(message);
  return r;
}

// tchar of RFC 9110 5.6.2 (method and field names).
bool IsTokenChar(unsigned char c) {
  if (std::isalnum(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool EqualsNoCase(std::string_view a, std::string_view b) { return HeaderNameEquals(a, b); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls `fn` with each trimmed, non-empty element of a comma-separated list.
template <typename Fn>
void ForEachListItem(std::string_view value, Fn fn) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view item = Trim(value.substr(0, comma));
    if (!item.empty()) fn(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

// The method must be a token followed by a space within the first 33 bytes.
bool MethodOk(std::string_view line, size_t* sp1) {
  *sp1 = line.find(' ');
  return *sp1 != std::string_view::npos && *sp1 <= 32 && IsToken(line.substr(0, *sp1));
}

// Checks a request line that is not complete yet (or too long to be): 400 or 414, or OK while
// it may still become valid. The same checks, in the same order, as ParseRequestLine.
HeadParseResult CheckPartialRequestLine(std::string_view line, const HttpHeadLimits& limits) {
  if (line.size() <= limits.max_target_bytes + 42) return {};
  size_t sp1 = 0;
  if (!MethodOk(line, &sp1)) return Error(400, "malformed request line");
  size_t sp2 = line.find(' ', sp1 + 1);
  size_t target_size = (sp2 == std::string_view::npos ? line.size() : sp2) - sp1 - 1;
  if (target_size > limits.max_target_bytes) return Error(414, "URL too long");
  if (sp2 != std::string_view::npos && line.size() - sp2 - 1 > 8) return Error(400, "malformed HTTP version");
  return {};
}

HeadParseResult ParseRequestLine(std::string_view line, const HttpHeadLimits& limits, RequestHead* out) {
  HeadParseResult partial = CheckPartialRequestLine(line, limits);
  if (partial.state == HeadState::kError) return partial;
  size_t sp1 = 0;
  if (!MethodOk(line, &sp1)) return Error(400, "malformed request line");
  size_t sp2 = line.find(' ', sp1 + 1);
  std::string_view target =
      line.substr(sp1 + 1, sp2 == std::string_view::npos ? std::string_view::npos : sp2 - sp1 - 1);
  if (target.size() > limits.max_target_bytes) return Error(414, "URL too long");
  if (sp2 == std::string_view::npos) return Error(400, "malformed request line");
  std::string_view version = line.substr(sp2 + 1);
  if (target.empty()) return Error(400, "empty request target");
  for (unsigned char c : target) {
    if (c <= 0x20 || c == 0x7f) return Error(400, "invalid character in request target");
  }
  // origin-form, or "*" for OPTIONS; this server is no proxy (no absolute-form, no CONNECT).
  if (target.front() != '/' && target != "*") return Error(400, "request target must start with '/'");
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !std::isdigit(static_cast<unsigned char>(version[5])) ||
      version[6] != '.' || !std::isdigit(static_cast<unsigned char>(version[7]))) {
    return Error(400, "malformed HTTP version");
  }
  if (version[5] != '1') return Error(505, "only HTTP/1.x is served");
  out->method.assign(line.substr(0, sp1));
  out->target.assign(target);
  out->version_minor = version[7] - '0';
  return {};
}

HeadParseResult ParseHeaderLine(std::string_view line, RequestHead* out) {
  if (line.front() == ' ' || line.front() == '\t') return Error(400, "obsolete line folding in header");
  size_t colon = line.find(':');
  // No whitespace between the name and the colon (RFC 9112 5.1: a known smuggling vector).
  if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) return Error(400, "malformed header line");
  std::string_view value = Trim(line.substr(colon + 1));
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return Error(400, "invalid character in header value");
  }
  out->headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  return {};
}

// Body framing and connection handling from the parsed header fields (RFC 9112 6, 9.3).
HeadParseResult DeriveFraming(RequestHead* out) {
  bool has_te = false, has_cl = false;
  int hosts = 0;
  std::string te;
  out->keep_alive = out->version_minor >= 1;
  for (const auto& [name, value] : out->headers) {
    if (EqualsNoCase(name, "Transfer-Encoding")) {
      has_te = true;
      if (!te.empty()) te += ',';
      te += value;
    } else if (EqualsNoCase(name, "Content-Length")) {
      if (value.empty() || value.size() > 18) return Error(400, "invalid Content-Length");
      uint64_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return Error(400, "invalid Content-Length");
        n = n * 10 + static_cast<uint64_t>(c - '0');
      }
      if (has_cl && *out->content_length != n) return Error(400, "conflicting Content-Length headers");
      has_cl = true;
      out->content_length = n;
    } else if (EqualsNoCase(name, "Connection")) {
      ForEachListItem(value, [&](std::string_view item) {
        if (EqualsNoCase(item, "close")) out->keep_alive = false;
        if (EqualsNoCase(item, "keep-alive") && out->version_minor == 0) out->keep_alive = true;
      });
    } else if (EqualsNoCase(name, "Expect")) {
      if (EqualsNoCase(value, "100-continue")) out->expect_continue = true;
    } else if (EqualsNoCase(name, "Host")) {
      ++hosts;
    }
  }
  if (out->version_minor >= 1 && hosts != 1) return Error(400, "an HTTP/1.1 request needs exactly one Host header");
  if (hosts > 1) return Error(400, "more than one Host header");
  if (has_te) {
    // Either framing alone is unambiguous; both together is how requests get smuggled.
    if (has_cl) return Error(400, "both Transfer-Encoding and Content-Length");
    if (out->version_minor == 0) return Error(400, "Transfer-Encoding in an HTTP/1.0 request");
    int codings = 0;
    bool only_chunked = true;
    ForEachListItem(te, [&](std::string_view item) {
      ++codings;
      if (!EqualsNoCase(item, "chunked")) only_chunked = false;
    });
    if (codings != 1 || !only_chunked) return Error(501, "only Transfer-Encoding: chunked is supported");
    out->chunked = true;
    out->content_length.reset();
  }
  if (out->expect_continue && !out->chunked && !out->content_length) out->expect_continue = false;
  return {};
}

}  // namespace

HeadParseResult ParseRequestHead(std::string_view input, const HttpHeadLimits& limits, RequestHead* out) {
  *out = RequestHead();
  size_t pos = 0;
  while (pos < input.size() && (input[pos] == '\r' || input[pos] == '\n')) {
    if (pos >= 64) return Error(400, "too many empty lines before the request");
    ++pos;
  }
  bool request_line = true;
  size_t lines = 0;
  for (;;) {
    size_t nl = input.find('\n', pos);
    if (nl == std::string_view::npos || nl + 1 > limits.max_head_bytes) {
      // Not complete (within the limit): refuse now if it can no longer fit.
      if (request_line) {
        HeadParseResult r =
            CheckPartialRequestLine(input.substr(pos, nl == std::string_view::npos ? nl : nl - pos), limits);
        if (r.state == HeadState::kError) return r;
      }
      if (input.size() > limits.max_head_bytes) return Error(431, "request header fields too large");
      return {};
    }
    std::string_view line = input.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) return Error(400, "bare CR in request head");
    pos = nl + 1;
    if (request_line) {
      HeadParseResult r = ParseRequestLine(line, limits, out);
      if (r.state == HeadState::kError) return r;
      request_line = false;
      continue;
    }
    if (line.empty()) break;
    if (++lines > limits.max_headers) return Error(431, "too many header fields");
    HeadParseResult r = ParseHeaderLine(line, out);
    if (r.state == HeadState::kError) return r;
  }
  HeadParseResult r = DeriveFraming(out);
  if (r.state == HeadState::kError) return r;
  r.state = HeadState::kComplete;
  r.head_bytes = pos;
  return r;
}

}  // namespace mhub::server
