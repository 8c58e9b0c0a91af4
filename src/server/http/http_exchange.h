// The worker side of one HTTP/1.1 exchange: reads the request body (Content-Length or chunked,
// sending "100 Continue" only when the handler asks for the body, so a refused upload is never
// sent), calls the handler, drains what it left unread, and writes the answer (file bodies with
// sendfile). Slow clients are bounded by ConnectionLimits' idle timeout and minimum rate.
#pragma once

#include <cstdint>
#include <functional>

#include "mhub/server/http_types.h"
#include "server/http/http_connection.h"
#include "server/http/http_head_parser.h"

namespace mhub::server {

using RequestHandler = std::function<void(const HttpRequest& req, HttpResponse& res)>;

struct ExchangeOutcome {
  bool keep_alive = false;  // the connection may carry another request
  int status = 0;
  uint64_t body_bytes_sent = 0;
};

ExchangeOutcome ServeExchange(HttpConnection& conn, RequestHead head, const ConnectionLimits& limits,
                              const RequestHandler& handler);

}  // namespace mhub::server
