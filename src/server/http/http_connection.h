// One client connection of the hub's HTTP server and the limits it is served under. A connection
// is owned by the event loop while it waits for a request head (or idles between requests) and by
// one worker while a request is served; it is never shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace mhub::server {

struct ConnectionLimits {
  int64_t head_timeout_ms = 10000;      // the whole request head must arrive within this
  int64_t keep_alive_idle_ms = 15000;   // an idle kept-alive connection is closed after this
  int64_t io_idle_timeout_ms = 30000;   // body read / answer write: longest wait for progress
  uint64_t min_bytes_per_s = 1024;      // body read / answer write: average rate after 10 s
  size_t max_connections_per_ip = 256;  // beyond: answered 503 and closed at once
  size_t max_connections = 16384;       // all clients together
  size_t max_requests_per_connection = 1000;
};

struct HttpConnection {
  int fd = -1;
  std::string peer_ip;
  std::string buffer;  // bytes received and not consumed yet (the start of the next request)
  size_t requests = 0;
  // Event loop bookkeeping (monotonic ms).
  enum class Phase { kHead, kIdle, kLingering } phase = Phase::kHead;
  int64_t deadline_ms = 0;
};

// Monotonic clock in milliseconds.
int64_t MonotonicMs();

}  // namespace mhub::server
