// The event loop of the hub's HTTP server: one thread that accepts connections and reads request
// heads (and the first bytes of their bodies) with epoll, so that slow or idle clients cost a
// buffer, not a worker thread (slowloris). It enforces the head deadline, the head limits and the
// per-IP connection limit, and hands each complete head to `on_head` (which runs it on a worker). Workers give
// connections back with Return(), to wait for their next request here.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "mhub/base/result.h"
#include "server/http/http_connection.h"
#include "server/http/http_head_parser.h"

namespace mhub::server {

// A parsed head whose body the event loop still waits for (phase kBody), and how far it has
// followed the chunked framing of what arrived (so each byte is looked at once).
struct PendingBody {
  RequestHead head;
  enum class Chunk { kSizeLine, kData, kDataEnd, kTrailers, kDone } chunk = Chunk::kSizeLine;
  uint64_t chunk_left = 0;  // kData: bytes of the current chunk still to come
  size_t scanned = 0;       // bytes of the connection's buffer already followed
};

class HttpEventLoop {
 public:
  using HeadHandler = std::function<void(std::unique_ptr<HttpConnection> conn, RequestHead head)>;

  // Takes `listen_fd` (a listening socket); closes it when destroyed.
  HttpEventLoop(int listen_fd, const ConnectionLimits& limits, const HttpHeadLimits& head_limits, HeadHandler on_head);
  ~HttpEventLoop();
  HttpEventLoop(const HttpEventLoop&) = delete;
  HttpEventLoop& operator=(const HttpEventLoop&) = delete;

  Status Init();
  // Serves until Stop(); closes the connections it holds when it returns.
  void Run();
  // Thread-safe.
  void Stop();
  // Thread-safe: a worker is done with `conn`. fd < 0: it was closed (only its count goes).
  void Return(std::unique_ptr<HttpConnection> conn);

 private:
  void Accept();
  void OnReadable(HttpConnection* conn);
  void TryParse(HttpConnection* conn, bool force);
  // Hands `conn` and its parsed head (awaiting_body_) to a worker.
  void Dispatch(HttpConnection* conn);
  void Refuse(HttpConnection* conn, int status, const std::string& message);
  void Close(HttpConnection* conn);
  void Forget(const std::string& ip);
  void TakeReturned();
  void Sweep(int64_t now);
  void Watch(HttpConnection* conn);

  int listen_fd_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  ConnectionLimits limits_;
  HttpHeadLimits head_limits_;
  HeadHandler on_head_;
  std::unordered_map<HttpConnection*, std::unique_ptr<HttpConnection>> held_;  // waiting for bytes
  std::unordered_map<HttpConnection*, PendingBody> awaiting_body_;             // phase kBody: their heads
  std::unordered_map<std::string, size_t> per_ip_;  // open connections per peer (held or working)
  size_t open_ = 0;

  std::mutex mu_;  // guards returned_ and stopping_
  std::vector<std::unique_ptr<HttpConnection>> returned_;
  bool stopping_ = false;
};

}  // namespace mhub::server
