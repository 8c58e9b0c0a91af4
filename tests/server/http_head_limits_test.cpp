// The request head is untrusted input: limits on header count, head size and target length, the
// framings used for request smuggling, and bodies refused before they are read. Checked on the
// wire with exact bytes (curl would refuse to send most of these).
#include <sys/time.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "server/http_test_support.h"
#include "server/raw_http_client.h"

namespace mhub::testing {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string Headers(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += "X-H" + std::to_string(i) + ": v\r\n";
  return out;
}

RawAnswer OneRequest(int port, const std::string& bytes) {
  RawClient c(port);
  if (!c.Send(bytes)) return {};
  return c.Read(10000);
}

TEST(HttpHeadLimits, HeaderCountHeadSizeAndTargetLength) {
  InProcessHub hub;
  const int port = PortOfUrl(hub.url());
  const std::string get = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  // 100 header lines in all are fine; 101 are not (431, with the Hub's error JSON).
  EXPECT_EQ(OneRequest(port, get + Headers(99) + "\r\n").status, 200);
  RawAnswer many = OneRequest(port, get + Headers(100) + "\r\n");
  EXPECT_EQ(many.status, 431) << many.head;
  EXPECT_NE(many.body.find("\"error\""), std::string::npos) << many.body;
  // One header of 70 KB: the head is over 64 KiB.
  EXPECT_EQ(OneRequest(port, get + "X-Big: " + std::string(70000, 'a') + "\r\n\r\n").status, 431);
  // A target over 8000 bytes: 414.
  EXPECT_EQ(OneRequest(port, "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n").status, 414);
}

// The hub runs in this process: its resident memory is ours. "VmRSS:" or "VmHWM:" (the peak since
// ResetPeakRss) of /proc/self/status, in kB; -1 when absent.
int64_t StatusKb(const std::string& key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, key.size(), key) == 0) return std::atoll(line.c_str() + key.size());
  }
  return -1;
}

bool ResetPeakRss() {  // "5" resets VmHWM to the current RSS (Linux 4.0+, proc(5))
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

TEST(HttpHeadLimits, EndlessHeadersAreRefusedEarlyNotBuffered) {
  InProcessHub hub;
  RawClient c(PortOfUrl(hub.url()));
  ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  timeval send_timeout{15, 0};  // a server that neither reads nor closes fails the test, not hangs it
  ::setsockopt(c.fd(), SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout));
  ASSERT_TRUE(ResetPeakRss());
  const int64_t rss_before_kb = StatusKb("VmRSS:");
  ASSERT_GT(rss_before_kb, 0);
  // A head that never ends: 12 MiB of header lines, sent as fast as the server takes them (after
  // the 431 it drains and discards for a bounded time, so the client may get to send all of it),
  // then a line every 50 ms until a send fails because the server has closed the connection.
  const std::string chunk = Headers(1000);
  constexpr size_t kEndlessBytes = size_t{12} << 20;
  size_t sent = 0;
  bool closed = false;
  Clock::time_point closed_at{};
  auto t0 = Clock::now();
  std::thread sender([&] {
    while (sent < kEndlessBytes) {
      ssize_t n = ::send(c.fd(), chunk.data(), chunk.size(), MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    while (Since(t0) < 20.0) {
      if (::send(c.fd(), "X-More: v\r\n", 11, MSG_NOSIGNAL) <= 0) {
        closed = true;
        closed_at = Clock::now();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  RawAnswer a = c.Read(10000);
  auto answered_at = Clock::now();
  EXPECT_EQ(a.status, 431) << a.head;
  EXPECT_LT(Since(t0), 6.0);
  EXPECT_TRUE(c.ClosedByServer(5000));
  sender.join();
  // The server kept no more than a head's worth (64 KiB) of it: a server that buffered the endless
  // head would have grown by the 12 MiB the client could send. 4 MiB leaves room for allocator
  // and thread-stack noise, far below that.
  const int64_t peak_kb = StatusKb("VmHWM:");
  EXPECT_LT(peak_kb - rss_before_kb, 4096) << "peak RSS grew from " << rss_before_kb << " kB to " << peak_kb
                                           << " kB while the client sent " << sent << " bytes";
  // The drain after a refused head lasts 2 s; the connection is gone well within 10 s of the answer.
  ASSERT_TRUE(closed) << "the server still read the endless head 20 s later (" << sent << " bytes sent)";
  EXPECT_LT(std::chrono::duration<double>(closed_at - answered_at).count(), 10.0);
}

TEST(HttpHeadLimits, AmbiguousFramingAndBadBytesAreRefused) {
  InProcessHub hub;
  const int port = PortOfUrl(hub.url());
  // Content-Length with Transfer-Encoding: the classic smuggling pair.
  EXPECT_EQ(OneRequest(port,
                       "POST /api/validate-yaml HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                .status,
            400);
  EXPECT_EQ(
      OneRequest(port, "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab").status,
      400);
  EXPECT_EQ(OneRequest(port, std::string("GET /health HTTP/1.1\r\nHost: x\r\nX-Nul: a\0b\r\n\r\n", 46)).status, 400);
  EXPECT_EQ(OneRequest(port, "GET /health HTTP/1.1\r\nHost : x\r\n\r\n").status, 400);
  EXPECT_EQ(OneRequest(port, "GET /health HTTP/1.1\r\n\r\n").status, 400);  // no Host
  EXPECT_EQ(OneRequest(port, "GET /health HTTP/2.0\r\nHost: x\r\n\r\n").status, 505);
  EXPECT_EQ(OneRequest(port, "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n").status, 501);
}

TEST(HttpHeadLimits, PipelinedRequestsAndChunkedBodies) {
  InProcessHub hub;
  RawClient c(PortOfUrl(hub.url()));
  // Two requests in one write; the answers come in order on the same connection.
  ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /api/models/nobody/none HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 200);
  EXPECT_EQ(c.Read().status, 401);  // an anonymous miss, as on the Hub (401 + RepoNotFound)
  // A chunked body (as git sends large pushes) with a chunk extension and a trailer.
  const std::string yaml = R"({"content":"---\nlicense: mit\n---\n# hi\n","repoType":"model"})";
  std::string chunked =
      "POST /api/validate-yaml HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  chunked += "a;ext=1\r\n" + yaml.substr(0, 10) + "\r\n";
  char size[16];
  std::snprintf(size, sizeof(size), "%zx", yaml.size() - 10);
  chunked += std::string(size) + "\r\n" + yaml.substr(10) + "\r\n0\r\nX-Trailer: t\r\n\r\n";
  ASSERT_TRUE(c.Send(chunked));
  RawAnswer a = c.Read();
  EXPECT_EQ(a.status, 200) << a.head << a.body;
  // The connection is still in step.
  ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 200);
}

TEST(HttpHeadLimits, LargeAnonymousValidateYamlBodyIsRefusedWithoutBeingRead) {
  InProcessHub hub;
  const int port = PortOfUrl(hub.url());
  // 16 MiB announced, with "Expect: 100-continue" as curl sends it: refused before the go-ahead,
  // so the client never sends the body.
  {
    RawClient c(port);
    auto t0 = Clock::now();
    ASSERT_TRUE(
        c.Send("POST /api/validate-yaml HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Content-Length: 16777216\r\nExpect: 100-continue\r\n\r\n"));
    RawAnswer a = c.Read(10000);
    EXPECT_EQ(a.status, 413) << a.head;
    EXPECT_EQ(a.head.find("100 Continue"), std::string::npos);
    EXPECT_LT(Since(t0), 2.0);
  }
  // Without Expect: answered as soon as the head is in, not after the 16 MiB.
  {
    RawClient c(port);
    auto t0 = Clock::now();
    ASSERT_TRUE(
        c.Send("POST /api/validate-yaml HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Content-Length: 16777216\r\n\r\n{\"content\":\""));
    RawAnswer a = c.Read(10000);
    EXPECT_EQ(a.status, 413) << a.head;
    EXPECT_LT(Since(t0), 2.0);
  }
  // A card of normal size is still validated anonymously, and with curl (100-continue over 1 MiB).
  const std::string card = R"({"content":"---\nlicense: mit\n---\n","repoType":"model"})";
  EXPECT_EQ(ApiCall(hub.url(), "POST", "/api/validate-yaml", "", card).status, 200);
}

}  // namespace
}  // namespace mhub::testing
