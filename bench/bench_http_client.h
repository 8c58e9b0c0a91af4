// Shared by the HTTP load benches (pages, viewer rows): a blocking keep-alive client over loopback,
// the CPU name for the printed figures, the last line of a command's output, and percentiles of
// latencies (header-only; not a bench program itself).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace mhub::bench {

inline std::string CpuName() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

// A TCP connection to 127.0.0.1:port with Nagle off; -1 when refused.
inline int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// One request on a keep-alive connection (the response must carry Content-Length); returns the
// status, 0 on a broken connection.
inline int Exchange(int fd, const std::string& request, std::string& body) {
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return 0;
    sent += static_cast<size_t>(n);
  }
  std::string buf;
  char chunk[65536];
  size_t head_end = std::string::npos;
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return 0;
    buf.append(chunk, static_cast<size_t>(n));
  }
  std::string head = buf.substr(0, head_end);
  size_t length = 0;
  for (size_t p = head.find("\r\n"); p != std::string::npos; p = head.find("\r\n", p + 2)) {
    if (strncasecmp(head.c_str() + p + 2, "content-length:", 15) == 0)
      length = std::strtoull(head.c_str() + p + 17, nullptr, 10);
  }
  body = buf.substr(head_end + 4);
  while (body.size() < length) {
    ssize_t n = ::recv(fd, chunk, std::min(sizeof(chunk), length - body.size()), 0);
    if (n <= 0) return 0;
    body.append(chunk, static_cast<size_t>(n));
  }
  return std::atoi(head.c_str() + 9);
}

// The last line of a shell command's standard output ("" when it cannot start).
inline std::string LastOutputLine(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  ::pclose(p);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  size_t nl = out.rfind('\n');
  return nl == std::string::npos ? out : out.substr(nl + 1);
}

struct Percentiles {
  double p50, p90, p99, max;
};

inline Percentiles Summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
  return {at(0.5), at(0.9), at(0.99), v.empty() ? 0.0 : v.back()};
}

}  // namespace mhub::bench
