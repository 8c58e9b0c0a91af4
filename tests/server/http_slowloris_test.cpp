// Slowloris: hundreds of clients that send a request head one byte at a time must neither stop
// other clients from being served nor keep their connections past the head deadline; one client
// address cannot hold more than its share of connections. Driven on the wire from many loopback
// source addresses (127.0.0.0/8), against a hub with only 16 worker threads.
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

TEST(HttpSlowloris, StalledHeadsDoNotBlockOtherClientsAndAreClosedAfterTheHeadDeadline) {
  InProcessHub hub;  // 16 workers, the default 10 s head deadline
  const int port = PortOfUrl(hub.url());
  constexpr int kStalled = 400;
  std::vector<std::unique_ptr<RawClient>> stalled;
  const auto t0 = Clock::now();
  for (int i = 0; i < kStalled; ++i) {
    // 100 per source address: under the default per-address limit, so only the deadline acts.
    auto c = std::make_unique<RawClient>(port, "127.0.0." + std::to_string(2 + i / 100));
    ASSERT_TRUE(c->connected()) << i;
    ASSERT_TRUE(c->Send("GET /api/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
    stalled.push_back(std::move(c));
  }
  // One byte per stalled connection every 2 s; each one's closing time is noted.
  std::vector<double> closed_at(kStalled, -1);
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    auto next_byte = Clock::now();
    while (!stop) {
      bool send_now = Clock::now() >= next_byte;
      if (send_now) next_byte += std::chrono::seconds(2);
      for (int i = 0; i < kStalled; ++i) {
        if (closed_at[i] >= 0) continue;
        if (stalled[i]->ClosedByServer(0)) {
          closed_at[i] = Since(t0);
        } else if (send_now) {
          (void)::send(stalled[i]->fd(), "a", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });

  // Meanwhile a normal client makes a request every 200 ms for 20 s, each on a new connection.
  int requests = 0, slow = 0, failed = 0;
  double worst = 0;
  while (Since(t0) < 20) {
    auto start = Clock::now();
    RawClient c(port);
    bool ok = c.connected() && c.Send("GET /api/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    RawAnswer a = ok ? c.Read(3000) : RawAnswer{};
    double took = Since(start);
    worst = std::max(worst, took);
    ++requests;
    if (a.status != 200) ++failed;
    if (took > 1.0) ++slow;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  stop = true;
  trickle.join();

  EXPECT_GT(requests, 50);
  EXPECT_EQ(failed, 0) << "of " << requests << " requests";
  EXPECT_EQ(slow, 0) << "requests over 1 s; worst " << worst << " s";
  int open = 0, early = 0;
  for (int i = 0; i < kStalled; ++i) {
    if (closed_at[i] < 0) ++open;
    if (closed_at[i] >= 0 && closed_at[i] < 9.0) ++early;
  }
  // The whole head must arrive within 10 s: every stalled connection is closed by then (plus the
  // loop's sweep interval), none long before.
  EXPECT_EQ(open, 0) << "stalled connections still open after 20 s";
  EXPECT_EQ(early, 0) << "stalled connections closed before the head deadline";
  for (int i = 0; i < kStalled; ++i) EXPECT_LT(closed_at[i], 13.0) << i;
}

TEST(HttpSlowloris, OneAddressCannotHoldMoreThanItsConnectionLimit) {
  TempDir data;
  server::ServerOptions options;
  options.data_dir = data.path();
  options.port = 0;
  options.threads = 4;
  options.max_connections_per_ip = 8;
  auto server = server::HubServer::Open(options);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE((*server)->Start().ok());
  const int port = (*server)->port();

  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 8; ++i) {
    idle.push_back(std::make_unique<RawClient>(port, "127.0.0.9"));
    ASSERT_TRUE(idle.back()->connected());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (auto& c : idle) EXPECT_FALSE(c->ClosedByServer(0));
  // The ninth from that address is answered 503 and closed at once.
  RawClient extra(port, "127.0.0.9");
  RawAnswer refused = extra.Read(3000);
  EXPECT_EQ(refused.status, 503) << refused.head;
  EXPECT_TRUE(extra.ClosedByServer(3000));
  // Another address is served.
  RawClient other(port, "127.0.0.1");
  ASSERT_TRUE(other.Send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  EXPECT_EQ(other.Read(3000).status, 200);
  // Closing one frees a place.
  idle.pop_back();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  RawClient again(port, "127.0.0.9");
  ASSERT_TRUE(again.Send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  EXPECT_EQ(again.Read(3000).status, 200);
  (*server)->Stop();
}

}  // namespace
}  // namespace mhub::testing
