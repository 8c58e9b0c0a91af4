// A small blocking HTTP client over libcurl, used by the hub client. Thread-safe: each thread keeps
// its own curl handle (so connections are reused per thread); one HttpClient may be shared.
//
// Errors: a transport failure (connection refused, timeout, reset) is Unavailable; any HTTP status,
// including 4xx/5xx, is a successful Result whose `status` the caller inspects.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/hub/url_encode.h"  // UrlEncode, which the callers of this client use

namespace mhub::hub {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;               // sent when not empty (or when method needs a body)
  std::string body_file;          // if set, the request body is streamed from this file instead
  uint64_t body_file_offset = 0;  // with body_file: the slice [offset, offset + length) is sent
  uint64_t body_file_length = 0;  //   (length 0 = up to the end of the file)
  bool follow_redirects = true;
  long timeout_seconds = 0;  // whole transfer; 0 = none (a stall of 60 s still aborts)
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; repeated headers joined by ", "
  std::string body;                            // empty when the body went to a sink
  std::string effective_url;                   // after redirects

  // Header value or "" (name is lower-case).
  std::string header(const std::string& lower_name) const;
  bool ok() const { return status >= 200 && status < 300; }
};

// Receives the body in pieces, with the response status (200 or 206...), when the final response
// status is 2xx; a non-OK Status aborts the transfer and is returned by Perform.
using BodySink = std::function<Status(long status, const char* data, size_t size)>;
// Called with the number of bytes sent so far (uploads).
using SendProgress = std::function<void(uint64_t sent)>;

class HttpClient {
 public:
  HttpClient();

  // Runs the request and buffers the response body.
  Result<HttpResponse> Perform(const HttpRequest& request) const;
  // Runs the request; 2xx bodies go to `sink`, other bodies are buffered in the response.
  Result<HttpResponse> Perform(const HttpRequest& request, const BodySink& sink,
                               const SendProgress& progress = nullptr) const;
};

// The URL of rel="next" in a GitHub-style Link header, or "".
std::string NextLinkFromHeader(std::string_view link_header);
// Resolves `location` (absolute, or relative to `base`) to an absolute URL.
std::string ResolveUrl(const std::string& base, const std::string& location);

}  // namespace mhub::hub
