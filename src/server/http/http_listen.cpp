#include "server/http/http_listen.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace mhub::server {
namespace {

constexpr int kListenBacklog = 1024;

}  // namespace

void RaiseFileLimit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

Result<int> ListenTcp(const std::string& host, int port, bool reuse_port, int* bound_port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port_text = std::to_string(port);
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port_text.c_str(), &hints, &found);
  if (rc != 0) return Status::InvalidArgument("cannot resolve host '" + host + "': " + ::gai_strerror(rc));
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(found, ::freeaddrinfo);
  const std::string where = host + ":" + port_text;
  int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, found->ai_protocol);
  if (fd < 0) return Status::IOError("cannot create a socket for " + where + ": " + std::strerror(errno));
  int one = 1;
  // SO_REUSEADDR only lets a restarted server bind over connections in TIME_WAIT.
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (reuse_port) ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EADDRINUSE) {
      return Status::Unavailable("cannot listen on " + where +
                                 ": the port is already in use (is another server running there?)");
    }
    return Status::Unavailable("cannot listen on " + where + ": " + std::strerror(err));
  }
  if (::listen(fd, kListenBacklog) != 0) {
    int err = errno;
    ::close(fd);
    return Status::Unavailable("cannot listen on " + where + ": " + std::strerror(err));
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *bound_port = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6&>(addr).sin6_port)
                                           : ntohs(reinterpret_cast<sockaddr_in&>(addr).sin_port);
  return fd;
}

}  // namespace mhub::server
