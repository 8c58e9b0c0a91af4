// One client connection of the hub's HTTP server and the limits it is served under. A connection
// is owned by the event loop while it waits for a request head (or idles between requests) and by
// one worker while a request is served; it is never shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace mhub::server {

struct ConnectionLimits {
  int64_t head_timeout_ms = 10000;     // the whole request head must arrive within this
  int64_t keep_alive_idle_ms = 15000;  // an idle kept-alive connection is closed after this
  int64_t io_idle_timeout_ms = 30000;  // body read / answer write: longest wait for progress
  uint64_t min_bytes_per_s = 1024;     // body read / answer write: average rate after a grace
  // A body of up to this many bytes (or the first this many of a chunked one) must arrive within
  // head_timeout_ms after the head, while the event loop holds the connection; only then does a
  // worker take it, so a trickled small body holds no thread. Not when the client waits for "100
  // Continue".
  size_t body_preread_bytes = 64 << 10;
  size_t max_connections_per_ip = 256;  // beyond: answered 503 and closed at once
  size_t max_connections = 16384;       // all clients together
  size_t max_requests_per_connection = 1000;
};

struct HttpConnection {
  int fd = -1;
  std::string peer_ip;
  std::string buffer;  // bytes received and not consumed yet (the start of the next request)
  size_t requests = 0;
  // Event loop bookkeeping (monotonic ms). kBody: the head is parsed, the body's first bytes are
  // awaited (ConnectionLimits::body_preread_bytes). kDiscard: the answer is sent, `discard_bytes`
  // of a body the handler left unread are dropped before the next request. kLingering: the
  // answer is sent, our side is shut down, what still comes is dropped until the client stops.
  enum class Phase { kHead, kBody, kDiscard, kIdle, kLingering } phase = Phase::kHead;
  int64_t deadline_ms = 0;
  int64_t linger_end_ms = 0;  // kLingering: the deadline moves with progress, never past this
  // Set by the worker when it gives the connection back: the loop, not a worker, waits for the
  // rest of a body nobody reads (so a refused body trickled by its client holds no thread).
  uint64_t discard_bytes = 0;
  bool linger = false;
};

// Monotonic clock in milliseconds.
int64_t MonotonicMs();

}  // namespace mhub::server
