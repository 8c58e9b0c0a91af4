// HttpRequest / HttpResponse: the server's own view of one HTTP exchange, so that handlers never
// include the (heavy) HTTP library. Only src/server/http/http_server.cpp converts to and from it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mhub/base/result.h"

namespace mhub::server {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Receives body bytes in order; returns false to stop reading.
using BodyChunkSink = std::function<bool(const char* data, size_t size)>;

struct HttpRequest {
  std::string method;    // "GET", "HEAD", "POST", ...
  std::string target;    // raw request target as sent (path + query, still percent-encoded)
  std::string raw_path;  // `target` up to '?', still percent-encoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order ('+' is a space)
  HeaderList headers;                                      // names as sent
  std::string remote_addr;
  // The declared Content-Length; unset for chunked bodies and bodiless requests.
  std::optional<uint64_t> content_length;
  // Streams the request body into `sink` (once). Unset or returning OK with no call for an empty body.
  std::function<Status(const BodyChunkSink& sink)> read_body;

  // Case-insensitive header lookup; "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // First value of `key` (also accepted as `key[]`), or "" when absent.
  std::string Query(std::string_view key) const;
  bool HasQuery(std::string_view key) const;
  // Every value of `key` and `key[]`, in order.
  std::vector<std::string> QueryAll(std::string_view key) const;
  // true for "1", "true", "True", "yes" (case-insensitive); `fallback` when absent or empty.
  bool QueryBool(std::string_view key, bool fallback = false) const;
  // Reads the whole body; ResourceExhausted (HTTP 413) when it exceeds `limit` bytes. A declared
  // Content-Length over the limit is refused before any body byte is read.
  Result<std::string> ReadBody(size_t limit) const;
};

// A response body streamed from a file slice instead of memory (downloads, git packs).
struct FileBody {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
  bool remove_after = false;  // delete the file once sent (temp files of CGI runs)
};

// Where a streamed answer (HttpResponse::stream) writes its body, on a worker thread.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // Sends `data` to the client at once (one HTTP chunk; empty data sends nothing). False once the
  // client is gone or too slow: stop producing, the connection is closed.
  virtual bool Write(std::string_view data) = 0;
  // True when the client closed its side of the connection (a non-blocking check): an abandoned
  // generation can stop between tokens before it has anything to write.
  virtual bool ClientGone() = 0;
};
using StreamBodyFn = std::function<void(BodyStream& out)>;

struct HttpResponse {
  int status = 200;
  HeaderList headers;
  std::string content_type;
  std::string body;
  std::optional<FileBody> file;  // when set, replaces `body`
  // When set (and `file` is not), replaces `body`: called after the head is sent, its writes go
  // out chunked (Server-Sent Events, token streams).
  StreamBodyFn stream;
  // For HEAD answers: the Content-Length to announce without a body.
  std::optional<uint64_t> head_content_length;

  // Replaces any header of that name (case-insensitive).
  void SetHeader(std::string_view name, std::string value);
  std::string Header(std::string_view name) const;
  void SetText(int status_code, std::string text, std::string type = "text/plain; charset=utf-8");
};

bool HeaderNameEquals(std::string_view a, std::string_view b);

}  // namespace mhub::server
