// Requests that may carry a body but send neither Content-Length nor Transfer-Encoding have no
// body (RFC 9112 section 6.3): the server must answer them at once, as bodiless requests, and keep
// the connection usable. Checked on the wire with a raw socket (curl always frames its bodies).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

struct RawReply {
  int status = 0;
  std::string head;
  std::string body;
};

class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{};
    tv.tv_sec = 15;  // the old behaviour waited 60 s (httplib's read timeout) for a body
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }

  bool Send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads one response framed by Content-Length; status 0 when the connection ended or timed out.
  RawReply Read() {
    RawReply reply;
    for (;;) {
      const size_t end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::string head = buffer_.substr(0, end + 2);
        std::string lower = head;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const size_t cl = lower.find("\r\ncontent-length:");
        size_t length = 0;
        if (cl != std::string::npos) length = std::strtoul(head.c_str() + cl + 17, nullptr, 10);
        if (buffer_.size() >= end + 4 + length) {
          reply.head = head;
          reply.body = buffer_.substr(end + 4, length);
          reply.status = head.size() > 12 ? std::atoi(head.c_str() + 9) : 0;
          buffer_.erase(0, end + 4 + length);
          return reply;
        }
      }
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return reply;
      buffer_.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

int PortOf(const std::string& url) { return std::atoi(url.substr(url.rfind(':') + 1).c_str()); }

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(HttpNoContentLength, BodilessPostAndDeleteAnswerAtOnceAndKeepTheConnection) {
  InProcessHub hub;
  const std::string token = hub.CreateUser("alice");
  RawConnection conn(PortOf(hub.url()));
  ASSERT_TRUE(conn.connected());
  const std::string auth = "Authorization: Bearer " + token + "\r\n";

  // A create without a body: the handler sees an empty body and refuses it (4xx), fast.
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(conn.Send("POST /api/repos/create HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n"));
  RawReply post = conn.Read();
  EXPECT_GE(post.status, 400) << post.head;
  EXPECT_LT(post.status, 500) << post.head << post.body;
  EXPECT_LT(SecondsSince(t0), 5.0);

  // The same connection carries the next requests: a framed create, then a bodiless delete.
  const std::string create = R"({"type":"model","name":"nolen"})";
  ASSERT_TRUE(conn.Send("POST /api/repos/create HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                        "Content-Type: application/json\r\nContent-Length: " + std::to_string(create.size()) +
                        "\r\n\r\n" + create));
  RawReply created = conn.Read();
  EXPECT_EQ(created.status, 200) << created.head << created.body;

  t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(conn.Send("DELETE /api/repos/delete HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n"));
  RawReply del = conn.Read();
  EXPECT_GE(del.status, 400) << del.head;
  EXPECT_LT(del.status, 500) << del.head << del.body;
  EXPECT_LT(SecondsSince(t0), 5.0);

  ASSERT_TRUE(conn.Send("GET /api/models/alice/nolen HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n"));
  RawReply info = conn.Read();
  EXPECT_EQ(info.status, 200) << info.head << info.body;
  EXPECT_NE(info.body.find("\"alice/nolen\""), std::string::npos) << info.body;

  // The repo is still there for curl too (the bodiless delete named no repo).
  EXPECT_EQ(Curl("GET", hub.url() + "/api/models/alice/nolen", {"Authorization: Bearer " + token}).status, 200);
}

}  // namespace
}  // namespace mhub::testing
