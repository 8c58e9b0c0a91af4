// Writing HTTP/1.1 answers on a connection's socket: status lines, heads, and the short error
// answers the event loop sends without a worker.
#pragma once

#include <cstdint>
#include <string>

#include "mhub/server/http_types.h"

namespace mhub::server {

const char* ReasonPhrase(int status);

// The status line and header block of `res` (ending with the blank line). Content-Length is
// `content_length` unless the status has no body (1xx, 204, 304); hop-by-hop headers the handler
// set (Connection, Transfer-Encoding, Content-Length) are replaced by the server's own.
std::string FormatResponseHead(const HttpResponse& res, uint64_t content_length, bool keep_alive);

// The same for a streamed answer (HttpResponse::stream): "Transfer-Encoding: chunked", no length.
std::string FormatStreamedResponseHead(const HttpResponse& res, bool keep_alive);

// Best effort, never blocks: a JSON error answer ({"error": message}, X-Error-Message) to a client
// whose request never reached a handler. `fd` is non-blocking.
void WriteSimpleAnswer(int fd, int status, const std::string& message, bool keep_alive);

// True for statuses that never carry a body.
bool StatusHasNoBody(int status);

}  // namespace mhub::server
