// A raw HTTP/1.1 client socket for the server's wire tests (header-only): it can bind a chosen
// loopback source address (127.0.0.0/8 is all loopback on Linux, so tests can play many client
// IPs), send exact bytes, stall, and read answers framed by Content-Length.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <string>

namespace mhub::testing {

struct RawAnswer {
  int status = 0;  // 0: no answer (closed or timed out)
  std::string head;
  std::string body;
};

class RawClient {
 public:
  RawClient(int port, const std::string& source_ip = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    ::inet_pton(AF_INET, source_ip.c_str(), &src.sin_addr);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof(src));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }

  bool Send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // True once the server closed (or reset) the connection; waits at most `timeout_ms`.
  bool ClosedByServer(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
      if (n == 0) return true;
      if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
      received_.append(buf, static_cast<size_t>(n));
    }
  }
  const std::string& received() const { return received_; }

  // Reads one answer (HEAD answers: pass head_request so no body is expected); status 0 when the
  // connection ended or `timeout_ms` passed.
  RawAnswer Read(int timeout_ms = 15000, bool head_request = false) {
    RawAnswer answer;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      size_t end = received_.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::string head = received_.substr(0, end + 2);
        std::string lower = head;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t length = 0;
        size_t cl = lower.find("\r\ncontent-length:");
        if (cl != std::string::npos && !head_request) length = std::strtoul(head.c_str() + cl + 17, nullptr, 10);
        int status = head.size() > 12 ? std::atoi(head.c_str() + 9) : 0;
        if (status == 100) {  // an interim answer: skip it
          received_.erase(0, end + 4);
          continue;
        }
        if (received_.size() >= end + 4 + length) {
          answer.head = head;
          answer.body = received_.substr(end + 4, length);
          answer.status = status;
          received_.erase(0, end + 4 + length);
          return answer;
        }
      }
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
      if (left <= 0) return answer;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, left) <= 0) return answer;
      char buf[65536];
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return answer;
      received_.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string received_;
};

inline int PortOfUrl(const std::string& url) { return std::atoi(url.substr(url.rfind(':') + 1).c_str()); }

}  // namespace mhub::testing
