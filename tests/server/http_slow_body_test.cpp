// Slow request bodies: clients that send a head at once and then trickle the body (one byte every
// second) must not hold the hub's worker threads, so other clients are still answered at once.
// Small bodies are read by the event loop under the head deadline; a refused body is dropped by
// the event loop; a large body a handler does read must keep a minimum rate. Driven on the wire
// from several loopback source addresses against a hub with 16 worker threads.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "server/http_test_support.h"
#include "server/raw_http_client.h"

namespace mhub::testing {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Clients that each sent `head` (and `start`), then send one body byte per second (none when
// `silent`) until the server closes them; the closing time of each is noted.
class Tricklers {
 public:
  Tricklers(int port, int count, const std::string& head, const std::string& start, bool silent = false)
      : closed_at_(count, -1) {
    for (int i = 0; i < count; ++i) {
      // 16 per source address: well under the per-address connection limit.
      auto c = std::make_unique<RawClient>(port, "127.0.0." + std::to_string(2 + i / 16));
      ok_ = ok_ && c->connected() && c->Send(head) && c->Send(start);
      clients_.push_back(std::move(c));
    }
    t0_ = Clock::now();
    thread_ = std::thread([this, silent] {
      auto next_byte = Clock::now() + std::chrono::seconds(1);
      while (!stop_) {
        bool send_now = Clock::now() >= next_byte;
        if (send_now) next_byte += std::chrono::seconds(1);
        for (size_t i = 0; i < clients_.size(); ++i) {
          if (closed_at_[i] >= 0) continue;
          if (clients_[i]->ClosedByServer(0)) {
            closed_at_[i] = Since(t0_);
          } else if (send_now && !silent) {
            (void)::send(clients_[i]->fd(), " ", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
          }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
  }
  ~Tricklers() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  bool ok() const { return ok_; }
  // After Stop(): seconds from the start until the server closed each (-1: still open).
  const std::vector<double>& closed_at() const { return closed_at_; }
  // After Stop(): what each received.
  const std::string& received(int i) const { return clients_[i]->received(); }

 private:
  std::vector<std::unique_ptr<RawClient>> clients_;
  std::vector<double> closed_at_;
  std::atomic<bool> stop_{false};
  bool ok_ = true;
  Clock::time_point t0_;
  std::thread thread_;
};

struct Probe {
  int requests = 0, failed = 0, slow = 0;
  double worst = 0;
};

// A normal client: GET /health on a new connection every 200 ms for `seconds`.
Probe ProbeFor(int port, double seconds) {
  Probe p;
  const auto t0 = Clock::now();
  while (Since(t0) < seconds) {
    auto start = Clock::now();
    RawClient c(port);
    bool ok = c.connected() && c.Send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    RawAnswer a = ok ? c.Read(5000) : RawAnswer{};
    double took = Since(start);
    p.worst = std::max(p.worst, took);
    ++p.requests;
    if (a.status != 200) ++p.failed;
    if (took > 1.0) ++p.slow;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return p;
}

std::string Post(const std::string& path, size_t content_length) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(content_length) + "\r\n\r\n";
}

// 64 clients (4 per worker) trickle small bodies to a route that reads them anonymously. Before
// the event loop read small bodies, each held a worker for the 10 s rate grace and the hub
// stopped answering anyone else.
TEST(HttpSlowBody, TrickledSmallBodiesHoldNoWorker) {
  InProcessHub hub;  // 16 workers, 10 s head deadline
  const int port = PortOfUrl(hub.url());
  Tricklers slow(port, 64, Post("/api/validate-yaml", 1000), "{\"content\":\"");
  ASSERT_TRUE(slow.ok());
  Probe p = ProbeFor(port, 12);
  slow.Stop();
  EXPECT_GT(p.requests, 30);
  EXPECT_EQ(p.failed, 0) << "of " << p.requests;
  EXPECT_EQ(p.slow, 0) << "requests over 1 s; worst " << p.worst << " s";
  // The body, like the head, must arrive within the head deadline (10 s, plus the loop's sweep):
  // then the client is told 408 and closed.
  for (int i = 0; i < 64; ++i) {
    EXPECT_GE(slow.closed_at()[i], 9.0) << i;
    EXPECT_LT(slow.closed_at()[i], 12.0) << i;
    EXPECT_NE(slow.received(i).find("HTTP/1.1 408"), std::string::npos) << slow.received(i);
  }
}

// Bodies the handler refuses without reading them (an anonymous repo create: 401; a validate-yaml
// body over the anonymous cap: 413) are answered at once; what the client still trickles is
// dropped by the event loop, not by a worker waiting on it.
TEST(HttpSlowBody, RefusedBodiesAreDroppedWithoutAWorker) {
  InProcessHub hub;
  const int port = PortOfUrl(hub.url());
  // 512 KiB left to send: kept alive and dropped; 16 MiB: too much to drop, a lingering close.
  Tricklers kept(port, 32, Post("/api/repos/create", 512 << 10), "{");
  Tricklers closing(port, 32, Post("/api/validate-yaml", 16 << 20), "{");
  ASSERT_TRUE(kept.ok() && closing.ok());
  Probe p = ProbeFor(port, 8);
  kept.Stop();
  closing.Stop();
  EXPECT_EQ(p.failed, 0) << "of " << p.requests;
  EXPECT_EQ(p.slow, 0) << "requests over 1 s; worst " << p.worst << " s";
  for (int i = 0; i < 32; ++i) {
    EXPECT_NE(kept.received(i).find("HTTP/1.1 401"), std::string::npos) << kept.received(i);
    EXPECT_NE(closing.received(i).find("HTTP/1.1 413"), std::string::npos) << closing.received(i);
  }
}

// A large body that a handler does read (an anonymous validate-yaml body under its 256 KiB cap,
// above what the event loop reads first) must keep the minimum rate once its worker has waited
// 5 s: a client that sends 64 KiB and then one byte a second is cut off then (it used to hold
// the worker for 10 s, and a silent one for the 30 s idle timeout).
TEST(HttpSlowBody, LargeBodyReadByAHandlerMustKeepTheMinimumRate) {
  InProcessHub hub;
  const int port = PortOfUrl(hub.url());
  Tricklers trickling(port, 8, Post("/api/validate-yaml", 200 << 10), "{\"content\":\"" + std::string(64 << 10, 'a'));
  Tricklers silent(port, 8, Post("/api/validate-yaml", 200 << 10), "{\"content\":\"" + std::string(64 << 10, 'a'),
                   /*silent=*/true);
  ASSERT_TRUE(trickling.ok() && silent.ok());
  const auto t0 = Clock::now();
  while (Since(t0) < 9) {
    bool all = true;
    for (double t : trickling.closed_at()) all = all && t >= 0;
    for (double t : silent.closed_at()) all = all && t >= 0;
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  trickling.Stop();
  silent.Stop();
  for (int i = 0; i < 8; ++i) {
    EXPECT_GE(trickling.closed_at()[i], 0) << i << ": still open after 9 s";
    EXPECT_LT(trickling.closed_at()[i], 8.0) << i;
    EXPECT_GE(silent.closed_at()[i], 0) << i << ": still open after 9 s";
    EXPECT_LT(silent.closed_at()[i], 8.0) << i;
  }
  // The hub still serves a normal body at once.
  RawClient c(port);
  const std::string yaml = R"({"content":"---\nlicense: mit\n---\n# hi\n","repoType":"model"})";
  ASSERT_TRUE(c.Send(Post("/api/validate-yaml", yaml.size()) + yaml));
  EXPECT_EQ(c.Read(3000).status, 200);
}

}  // namespace
}  // namespace mhub::testing
