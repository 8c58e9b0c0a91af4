// Parses an HTTP/1.1 request head (request line + header fields, RFC 9112) from bytes a client
// sent, without trusting them: every limit is checked while scanning, so a head that will never
// be accepted (too many header lines, too long) is refused as soon as that is known, not when it
// ends. Also derives the body framing, refusing the ambiguous framings used for request smuggling.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mhub/server/http_types.h"

namespace mhub::server {

struct HttpHeadLimits {
  size_t max_head_bytes = 64 << 10;  // request line + headers + blank line
  size_t max_headers = 100;          // header field lines
  size_t max_target_bytes = 8000;    // request target (414 beyond)
};

struct RequestHead {
  std::string method;
  std::string target;
  int version_minor = 1;  // HTTP/1.<minor>
  HeaderList headers;     // names as sent, values without surrounding whitespace
  // Body framing (RFC 9112 6): chunked, or content_length bytes, or no body when neither is set.
  bool chunked = false;
  std::optional<uint64_t> content_length;
  bool keep_alive = true;        // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with keep-alive
  bool expect_continue = false;  // "Expect: 100-continue"
};

enum class HeadState { kIncomplete, kComplete, kError };

struct HeadParseResult {
  HeadState state = HeadState::kIncomplete;
  size_t head_bytes = 0;  // kComplete: bytes of `input` the head took (the body starts there)
  int status = 0;         // kError: the HTTP status to answer with (400, 414, 431, 501, 505)
  std::string message;    // kError: why
};

// Parses the head at the start of `input` (leading empty lines are skipped, RFC 9112 2.2).
// kIncomplete: more bytes are needed and nothing seen so far breaks a limit.
HeadParseResult ParseRequestHead(std::string_view input, const HttpHeadLimits& limits, RequestHead* out);

}  // namespace mhub::server
