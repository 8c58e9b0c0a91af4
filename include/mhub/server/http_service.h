// HttpService: the hub's own HTTP/1.1 engine (epoll event loop, head limits, slowloris
// protection, worker pool) serving one handler, for servers other than the hub (`mhub serve`).
//
//   auto svc = HttpService::Start({.host = "127.0.0.1", .port = 0},
//                                 [](const HttpRequest& req, HttpResponse& res) { res.SetText(200, "hi"); });
//   int port = (*svc)->port();
//
// The handler runs on a worker thread, one request per worker at a time; it reads the body with
// req.ReadBody and may answer in one piece or stream (HttpResponse::stream: chunked, for SSE).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "mhub/base/result.h"
#include "mhub/server/http_types.h"

namespace mhub::server {

struct HttpServiceOptions {
  std::string host = "127.0.0.1";
  int port = 0;      // 0: any free port (see port())
  int threads = 16;  // workers; a streamed answer holds one for its whole duration
  int head_timeout_ms = 10000;
  int max_connections_per_ip = 256;
  // Log one line per request at info level (method, path without query, status, bytes, ms).
  bool access_log = true;
};

using HttpHandler = std::function<void(const HttpRequest& req, HttpResponse& res)>;

class HttpService {
 public:
  // Binds and starts serving at once (Unavailable when the port is taken).
  static Result<std::unique_ptr<HttpService>> Start(const HttpServiceOptions& options, HttpHandler handler);
  ~HttpService();  // Stop()
  HttpService(const HttpService&) = delete;
  HttpService& operator=(const HttpService&) = delete;

  int port() const;
  // Stops accepting, ends the connections, waits for the workers. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit HttpService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mhub::server
