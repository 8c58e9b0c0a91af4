// The listening socket of an HTTP server (the hub's and `mhub serve`'s).
#pragma once

#include <string>

#include "mhub/base/result.h"

namespace mhub::server {

// Each connection is a file descriptor: a server that keeps idle clients cheaply needs more than
// the usual soft limit of 1024.
void RaiseFileLimit();

// A non-blocking listening socket on host:port (any free port for 0); `bound_port` receives the
// port. SO_REUSEPORT only when asked: without it, Linux refuses to bind a port another socket
// listens on. Unavailable when the port is taken.
Result<int> ListenTcp(const std::string& host, int port, bool reuse_port, int* bound_port);

}  // namespace mhub::server
