// /api/viewer/rows and /first-rows under load: a 1M-row dataset (10 JSONL files committed through
// the Hub's commit API, converted to Parquet by the server's own job queue), then 64 closed-loop
// clients on keep-alive connections ask for random 100-row pages (rows) or the first rows
// (first-rows) for a fixed time. Prints p50/p90/p99/max per route and the CPU; the target is
// p99 < 20 ms.
//
//   server_viewer_rows_bench [--rows N] [--clients C] [--seconds S] [--mhub PATH]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_http_client.h"
#include "mhub/base/base64.h"
#include "mhub/base/json.h"
#include "mhub/server/server.h"

namespace {

using mhub::bench::Connect;
using mhub::bench::CpuName;
using mhub::bench::Exchange;
using mhub::bench::Percentiles;
using mhub::bench::Summarize;
using Clock = std::chrono::steady_clock;

int Run(const std::string& cmd) { return std::system(cmd.c_str()); }

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 1000000;
  int clients = 64;
  double seconds = 10;
  std::string mhub =
      (std::filesystem::canonical("/proc/self/exe").parent_path().parent_path() / "apps/mhub/mhub").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--rows") rows = std::atoll(argv[i + 1]);
    if (a == "--clients") clients = std::atoi(argv[i + 1]);
    if (a == "--seconds") seconds = std::atof(argv[i + 1]);
    if (a == "--mhub") mhub = argv[i + 1];
  }
  const std::string data =
      (std::filesystem::temp_directory_path() / ("viewer-bench-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(data);
  mhub::server::ServerOptions options;
  options.data_dir = data;
  options.port = 0;
  options.threads = 128;
  auto server = mhub::server::HubServer::Open(options);
  if (!server.ok() || !(*server)->Start().ok()) {
    std::fprintf(stderr, "cannot start the hub\n");
    return 1;
  }
  const int port = (*server)->port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const std::string token = mhub::bench::LastOutputLine(mhub + " admin create-user bench --data " + data);
  if (token.rfind("hf_", 0) != 0) {
    std::fprintf(stderr, "mhub admin create-user failed (is %s built?)\n", mhub.c_str());
    return 1;
  }
  const std::string auth = "-H 'Authorization: Bearer " + token + "'";
  Run("curl -sS -o /dev/null " + auth +
      " -H 'Content-Type: application/json' -d '{\"name\":\"big\",\"type\":\"dataset\"}' " + url + "/api/repos/create");

  // The dataset: rows in 10 JSONL files, one NDJSON commit.
  const auto t0 = Clock::now();
  std::string commit = "{\"key\":\"header\",\"value\":{\"summary\":\"bench data\"}}\n";
  std::mt19937 rng(1);
  const int64_t per_file = (rows + 9) / 10;
  for (int64_t f = 0, id = 0; f < 10 && id < rows; ++f) {
    std::string jsonl;
    for (int64_t i = 0; i < per_file && id < rows; ++i, ++id) {
      jsonl += "{\"id\": " + std::to_string(id) + ", \"text\": \"row " + std::to_string(id) + " says " +
               std::to_string(rng()) + "\", \"label\": " + std::to_string(rng() % 5) +
               ", \"score\": " + std::to_string((rng() % 100000) / 1000.0) + "}\n";
    }
    char name[64];
    std::snprintf(name, sizeof(name), "data/train-%05lld-of-00010.jsonl", static_cast<long long>(f));
    commit += mhub::DumpJson(mhub::Json{
                  {"key", "file"},
                  {"value", {{"path", name}, {"content", mhub::Base64Encode(jsonl)}, {"encoding", "base64"}}}}) +
              "\n";
  }
  const std::string body_file = data + "/commit.ndjson";
  std::ofstream(body_file, std::ios::binary) << commit;
  commit.clear();
  if (Run("curl -sS -o /dev/null -w '%{http_code}\\n' " + auth +
          " -H 'Content-Type: application/x-ndjson' --data-binary @" + body_file + " " + url +
          "/api/datasets/bench/big/commit/main") != 0) {
    return 1;
  }
  const auto t1 = Clock::now();
  // Wait for the conversion.
  int fd = Connect(port);
  std::string body;
  const std::string valid = "GET /api/viewer/is-valid?dataset=bench/big HTTP/1.1\r\nHost: b\r\n\r\n";
  while (true) {
    int status = Exchange(fd, valid, body);
    if (status == 200 && body.find("\"viewer\":true") != std::string::npos) break;
    if (Clock::now() - t1 > std::chrono::minutes(10)) {
      std::fprintf(stderr, "the conversion did not finish in 10 minutes\n");
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ::close(fd);
  const auto t2 = Clock::now();
  std::printf("dataset: %lld rows, commit %.1f s, conversion to Parquet %.1f s\n", static_cast<long long>(rows),
              std::chrono::duration<double>(t1 - t0).count(), std::chrono::duration<double>(t2 - t1).count());

  for (const std::string route : {"rows", "first-rows"}) {
    std::vector<std::vector<double>> lat(static_cast<size_t>(clients));
    std::atomic<int> errors{0};
    const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        std::mt19937_64 r(static_cast<uint64_t>(c) + 7);
        int cfd = Connect(port);
        std::string b;
        while (Clock::now() < deadline) {
          std::string target = "/api/viewer/" + route + "?dataset=bench/big&config=default&split=train";
          if (route == "rows")
            target += "&offset=" + std::to_string(r() % static_cast<uint64_t>(rows - 100)) + "&length=100";
          const std::string req = "GET " + target + " HTTP/1.1\r\nHost: b\r\n\r\n";
          const auto s = Clock::now();
          int status = Exchange(cfd, req, b);
          if (status == 0) {  // the server closed the kept-alive connection: reconnect, as clients do
            ::close(cfd);
            cfd = Connect(port);
            status = Exchange(cfd, req, b);
          }
          const double ms = std::chrono::duration<double, std::milli>(Clock::now() - s).count();
          if (status != 200) {
            if (errors++ < 3) {
              std::fprintf(stderr, "/%s error: status %d after %.1f ms: %.200s\n", route.c_str(), status, ms,
                           b.c_str());
            }
            ::close(cfd);
            cfd = Connect(port);
            continue;
          }
          lat[static_cast<size_t>(c)].push_back(ms);
        }
        ::close(cfd);
      });
    }
    for (auto& t : threads) t.join();
    std::vector<double> all;
    for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
    Percentiles p = Summarize(all);
    std::printf(
        "/%s, %d clients, %.0f s: %zu requests (%.0f/s), %d errors; latency ms p50 %.2f p90 %.2f p99 %.2f "
        "max %.2f -> %s (target p99 < 20 ms)\n",
        route.c_str(), clients, seconds, all.size(), static_cast<double>(all.size()) / seconds, errors.load(), p.p50,
        p.p90, p.p99, p.max, p.p99 < 20 ? "PASS" : "FAIL");
  }
  std::printf("CPU: %s, %u hardware threads (server and clients share them)\n", CpuName().c_str(),
              std::thread::hardware_concurrency());
  (*server)->Stop();
  std::error_code ec;
  std::filesystem::remove_all(data, ec);
  return 0;
}
