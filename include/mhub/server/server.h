// HubServer: the hub's HTTP server (Hub API, downloads, LFS, git smart HTTP) over a data
// directory laid out as DESIGN.md "Hub storage" says. `mhub server` is a thin wrapper.
//
//   auto server = HubServer::Open({.data_dir = "/srv/hub", .port = 8080});
//   server.value()->Start();   // background thread; or Run() to block
//
// Thread safety: Start/Stop/port may be called from any thread; requests are served on a pool.
// Each request gets one access-log line at the info level (mhub/base/logging.h).
#pragma once

#include <memory>
#include <string>

#include "mhub/base/result.h"

namespace mhub::server {

struct ServerOptions {
  std::string data_dir;  // created if missing (the CLI refuses a missing one unless --init)
  std::string host = "127.0.0.1";
  int port = 8080;         // 0: any free port (see port())
  std::string public_url;  // base URL in links and LFS hrefs; empty: from the Host header
  int threads = 128;       // request worker threads (a request holds one only while it is served)
  // Share the port with other sockets that set SO_REUSEPORT (load balancing between processes).
  // Off: a port another server listens on is refused with Unavailable.
  bool reuse_port = false;
  // Connections wait for their request head in one event-loop thread, not in a worker: a client
  // must send the whole head within head_timeout_ms, and one address may hold at most
  // max_connections_per_ip connections (more are answered 503).
  int head_timeout_ms = 10000;
  int max_connections_per_ip = 256;
};

class HubServer {
 public:
  // Opens (creating if needed) the stores and the DB under data_dir, imports repos found on disk
  // without a DB record. Does not bind yet.
  static Result<std::unique_ptr<HubServer>> Open(const ServerOptions& options);
  ~HubServer();
  HubServer(const HubServer&) = delete;
  HubServer& operator=(const HubServer&) = delete;

  // Binds and serves on a background thread. Unavailable when the address cannot be bound.
  Status Start();
  // Binds and serves on the calling thread until Stop() (from another thread or a signal).
  Status Run();
  void Stop();
  // The bound port (after Start/Run bound it).
  int port() const;

 private:
  struct Impl;
  explicit HubServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mhub::server
