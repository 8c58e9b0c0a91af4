// HubServer: the hub's HTTP server (Hub API, downloads, LFS, git smart HTTP) over a data
// directory laid out as DESIGN.md "Hub storage" says. `mhub server` is a thin wrapper.
//
//   auto server = HubServer::Open({.data_dir = "/srv/hub", .port = 8080});
//   server.value()->Start();   // background thread; or Run() to block
//
// Thread safety: Start/Stop/port may be called from any thread; requests are served on a pool.
#pragma once

#include <memory>
#include <string>

#include "mhub/base/result.h"

namespace mhub::server {

struct ServerOptions {
  std::string data_dir;  // created if missing
  std::string host = "127.0.0.1";
  int port = 8080;         // 0: any free port (see port())
  std::string public_url;  // base URL in links and LFS hrefs; empty: from the Host header
  int threads = 128;       // request worker threads
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
