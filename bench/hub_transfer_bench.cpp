// Hub transfer and API benchmark, mhub server + mhub client vs Debian nginx in the same run:
//   1. upload of one large LFS file (sha256 + preupload + LFS PUT + commit), MB/s;
//   2. download of that file over loopback: hf_hub_download (HEAD, GET, fsync, rename, symlink)
//      and a plain GET of the resolve URL, vs a plain GET of the same bytes from nginx -> ratio;
//   3. API latency p50/p99 with 64 concurrent clients on a hub holding --repos repositories
//      created through the API. Closed loop: each client sends model info (a random repo), a
//      search listing (one of 100 terms) and a sorted listing (one of 8 orders), one after the
//      other, each as soon as the previous answer is in. Plain GETs with the token, checked for
//      status 200 and a JSON body; the figures are wall time per request as the client sees it,
//      from the first byte sent (or the connect, when the server closed the kept-alive
//      connection) to the last byte of the body. The client is lean so that it leaves the CPU to
//      the server: one thread drives all connections with epoll over raw non-blocking sockets and
//      a minimal HTTP/1.1 response parser (status line, Content-Length, Connection: close). The
//      CPU time the server and this client used in that window is printed too.
// Usage: hub_transfer_bench [--size-mb 512] [--repos 2000] [--clients 64] [--seconds 10]
//                           [--data DIR] [--warmup 0|1] [--stalled 0]
//   --size-mb 0 skips parts 1 and 2. --data DIR keeps the hub's data there and reuses it (and
//   its repos) on the next run, so parts of a comparison can share one populated hub.
//   --warmup 1 reads every URL of the workload once before the timed window (a warm server:
//   caches filled); the default measures from cold, first reads of most repos included.
//   --stalled N keeps N slowloris connections open during part 3 (each sent half a request head and
//   sends one more byte every 2 s; those the server closes are opened again), from source
//   addresses 127.0.0.2... (200 each), to show that stalled clients do not slow the others.
// The server's environment passes through (e.g. MHUB_RESPONSE_CACHE_MB=0 turns its cache off).
// Needs the mhub binary (MHUB_BIN, default <this dir>/../apps/mhub/mhub) and nginx (NGINX_BIN, default
// /usr/sbin/nginx).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mhub/hub/hub_client.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

bool WaitForPort(int port) {
  for (int i = 0; i < 300; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    if (up) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, copy[0].c_str(), &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

void Stop(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  int st = 0;
  ::waitpid(pid, &st, 0);
}

std::string LastLineOf(const std::string& cmd) {
  std::string out, last;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return "";
  char buf[4096];
  while (std::fgets(buf, sizeof(buf), p)) out += buf;
  ::pclose(p);
  size_t end = out.find_last_not_of("\n");
  if (end == std::string::npos) return "";
  size_t start = out.rfind('\n', end);
  return out.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

// Plain GET of `url` into `path` (pwrite as it arrives); returns seconds or <0 on failure.
double TimedGet(const mhub::hub::HttpClient& http, const std::string& url, const std::string& path, uint64_t expect) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  uint64_t pos = 0;
  mhub::hub::BodySink sink = [&](long, const char* d, size_t n) -> mhub::Status {
    if (::pwrite(fd, d, n, static_cast<off_t>(pos)) != static_cast<ssize_t>(n)) return mhub::Status::IOError("write");
    pos += n;
    return mhub::Status::OK();
  };
  mhub::hub::HttpRequest req;
  req.url = url;
  auto t0 = Clock::now();
  auto r = http.Perform(req, sink);
  auto t1 = Clock::now();
  ::close(fd);
  if (!r.ok() || !r->ok() || pos != expect) {
    std::fprintf(stderr, "GET %s failed: %s\n", url.c_str(),
                 r.ok() ? std::to_string(r->status).c_str() : r.status().ToString().c_str());
    return -1;
  }
  return Seconds(t0, t1);
}

// User + system CPU seconds of process `pid` so far (from /proc).
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::vector<std::string> fields;
  std::string field;
  for (size_t i = close + 2; i <= stat.size(); ++i) {
    if (i == stat.size() || stat[i] == ' ') {
      fields.push_back(field);
      field.clear();
    } else {
      field += stat[i];
    }
  }
  // Fields after the command: state is [0]; utime and stime are [11] and [12], in clock ticks.
  if (fields.size() < 13) return 0;
  return (std::atof(fields[11].c_str()) + std::atof(fields[12].c_str())) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

// ---- Lean closed-loop HTTP/1.1 load client (part 3) ----

// Blocking connect to 127.0.0.1:port, then non-blocking with TCP_NODELAY; -1 on failure.
int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
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
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

bool HeaderNameIs(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = line[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != name[i]) return false;
  }
  return true;
}

std::string_view HeaderValue(std::string_view line) {
  size_t p = line.find(':') + 1;
  while (p < line.size() && (line[p] == ' ' || line[p] == '\t')) ++p;
  size_t e = line.size();
  while (e > p && (line[e - 1] == ' ' || line[e - 1] == '\t')) --e;
  return line.substr(p, e - p);
}

// What the parser made of one response head.
struct ResponseHead {
  int status = 0;
  size_t head_bytes = 0;  // through the blank line
  long long content_length = -1;
  bool close = false;    // Connection: close
  bool chunked = false;  // unsupported here: counted as an error
};

// Parses the head in buf[0, n) once it is complete; false while more bytes are needed.
bool ParseHead(std::string_view buf, ResponseHead* head) {
  const size_t end = buf.find("\r\n\r\n");
  if (end == std::string_view::npos) return false;
  head->head_bytes = end + 4;
  std::string_view rest = buf.substr(0, end + 2);
  size_t eol = rest.find("\r\n");
  std::string_view status_line = rest.substr(0, eol);
  // "HTTP/1.1 200 OK"
  if (status_line.size() >= 12 && status_line.substr(0, 5) == "HTTP/") {
    head->status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  }
  rest.remove_prefix(eol + 2);
  while (!rest.empty()) {
    eol = rest.find("\r\n");
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol + 2);
    if (HeaderNameIs(line, "content-length")) {
      head->content_length = std::atoll(std::string(HeaderValue(line)).c_str());
    } else if (HeaderNameIs(line, "connection")) {
      std::string v(HeaderValue(line));
      for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      head->close = v == "close";
    } else if (HeaderNameIs(line, "transfer-encoding")) {
      head->chunked = true;
    }
  }
  return true;
}

struct LeanConn {
  int fd = -1;
  int client = 0;
  std::mt19937 rng;
  int repo = 0;
  size_t route = 0;  // of the request in flight
  std::string request;
  size_t sent = 0;
  std::string in;
  Clock::time_point started;
  uint32_t watching = 0;  // the epoll events registered for fd
};

struct LeanResult {
  std::vector<std::vector<double>> lat;  // per route, ms
  int errors = 0;
  int reconnects = 0;
};

// Runs `clients` closed-loop clients on one thread until `deadline`; each client sends the three
// routes of one random repo in turn, one request in flight at a time.
LeanResult RunLeanClients(int port, int clients, int repos, const std::string& token,
                          const std::function<std::string(size_t, int)>& target_of, Clock::time_point deadline) {
  LeanResult result;
  result.lat.resize(3);
  for (auto& v : result.lat) v.reserve(1 << 18);
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<LeanConn> conns(static_cast<size_t>(clients));
  auto build = [&](LeanConn& c) {
    c.request = "GET ";
    c.request += target_of(c.route, c.repo);
    // The Host the warm-up's client sent too (the server's cache keys include it).
    c.request += " HTTP/1.1\r\nHost: 127.0.0.1:";
    c.request += std::to_string(port);
    c.request += "\r\nAuthorization: Bearer ";
    c.request += token;
    c.request += "\r\nAccept: */*\r\n\r\n";
    c.sent = 0;
    c.in.clear();
  };
  // Writes what the socket takes; false on a broken connection.
  auto pump_out = [&](LeanConn& c) {
    while (c.sent < c.request.size()) {
      ssize_t n = ::send(c.fd, c.request.data() + c.sent, c.request.size() - c.sent, MSG_NOSIGNAL);
      if (n > 0) {
        c.sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
      return false;
    }
    // Registered for reading all along; for writing only while a request is stuck (rare).
    const uint32_t want = c.sent < c.request.size() ? EPOLLOUT : EPOLLIN;
    if (want != c.watching) {
      epoll_event ev{};
      ev.events = want;
      ev.data.u32 = static_cast<uint32_t>(c.client);
      ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
      c.watching = want;
    }
    return true;
  };
  auto open_conn = [&](LeanConn& c) {
    if (c.fd >= 0) {
      ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
      ::close(c.fd);
    }
    c.fd = ConnectLoopback(port);
    if (c.fd < 0) return false;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<uint32_t>(c.client);
    ::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
    c.watching = EPOLLIN;
    return true;
  };
  // Sends the next request of client `c` (a new repo after the third route).
  auto start_next = [&](LeanConn& c, bool reconnect) {
    c.sent = 0;
    c.in.clear();
    if (reconnect) {
      ++result.reconnects;
      c.started = Clock::now();  // the reconnect is part of this request's latency
      while (!open_conn(c)) {
        ++result.errors;
        if (Clock::now() >= deadline) return false;
      }
    } else {
      c.started = Clock::now();
    }
    if (!pump_out(c)) return false;
    return true;
  };
  auto advance = [&](LeanConn& c) {
    c.route = (c.route + 1) % 3;
    if (c.route == 0) c.repo = static_cast<int>(c.rng() % static_cast<uint32_t>(std::max(1, repos)));
    build(c);
  };
  int active = 0;
  for (int i = 0; i < clients; ++i) {
    LeanConn& c = conns[static_cast<size_t>(i)];
    c.client = i;
    c.rng.seed(static_cast<uint32_t>(i));
    c.repo = static_cast<int>(c.rng() % static_cast<uint32_t>(std::max(1, repos)));
    c.route = 0;
    build(c);
    if (!open_conn(c)) {
      ++result.errors;
      continue;
    }
  }
  for (auto& c : conns) {
    if (c.fd >= 0 && start_next(c, false)) ++active;
  }
  std::vector<epoll_event> events(static_cast<size_t>(std::max(1, clients)));
  char buf[1 << 16];
  while (active > 0) {
    const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    if (n < 0 && errno != EINTR) break;
    if (Clock::now() > deadline + std::chrono::seconds(10)) {  // answers that never came
      result.errors += active;
      break;
    }
    for (int k = 0; k < n; ++k) {
      LeanConn& c = conns[events[static_cast<size_t>(k)].data.u32];
      if (c.sent < c.request.size()) {
        if (!pump_out(c)) {
          ++result.errors;
          if (Clock::now() >= deadline || !start_next(c, true)) --active;
        }
        continue;
      }
      bool broken = false;
      for (;;) {
        ssize_t r = ::recv(c.fd, buf, sizeof(buf), 0);
        if (r > 0) {
          c.in.append(buf, static_cast<size_t>(r));
          // A whole answer in: stop here rather than spend a recv() on EAGAIN.
          ResponseHead so_far;
          if (ParseHead(c.in, &so_far) && so_far.content_length >= 0 &&
              c.in.size() >= so_far.head_bytes + static_cast<size_t>(so_far.content_length)) {
            break;
          }
          continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) break;
        broken = true;  // EOF or error before the full answer
        break;
      }
      ResponseHead head;
      const bool have_head = ParseHead(c.in, &head);
      const bool complete = have_head && head.content_length >= 0 && !head.chunked &&
                            c.in.size() >= head.head_bytes + static_cast<size_t>(head.content_length);
      if (!complete) {
        if (!broken && !(have_head && (head.chunked || head.content_length < 0))) continue;  // more to come
        ++result.errors;  // the answer can't be completed: retry this request on a new connection
        if (Clock::now() >= deadline || !start_next(c, true)) --active;
        continue;
      }
      const auto done = Clock::now();
      const char first = head.content_length > 0 ? c.in[head.head_bytes] : '\0';
      if (head.status != 200 || (first != '{' && first != '[') ||
          c.in.size() != head.head_bytes + static_cast<size_t>(head.content_length)) {
        ++result.errors;
      }
      result.lat[c.route].push_back(std::chrono::duration<double, std::milli>(done - c.started).count());
      if (done >= deadline) {
        --active;
        continue;
      }
      advance(c);
      if (!start_next(c, head.close || broken)) --active;
    }
  }
  for (auto& c : conns) {
    if (c.fd >= 0) ::close(c.fd);
  }
  ::close(ep);
  return result;
}

// Slowloris connections held open on a thread until destroyed (--stalled).
class StalledClients {
 public:
  StalledClients(int port, int count) : port_(port), fds_(static_cast<size_t>(count), -1) {
    if (count > 0) thread_ = std::thread([this] { Loop(); });
  }
  ~StalledClients() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (int fd : fds_) {
      if (fd >= 0) ::close(fd);
    }
  }
  int reopened() const { return reopened_; }
  int open() const { return open_; }

 private:
  int Open(size_t i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(0x7f000002u + static_cast<uint32_t>(i / 200));
    ::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof(src));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    static const char kHalfHead[] = "GET /api/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::send(fd, kHalfHead, sizeof(kHalfHead) - 1, MSG_NOSIGNAL) <= 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  void Loop() {
    auto next_byte = Clock::now();
    while (!stop_) {
      const bool trickle = Clock::now() >= next_byte;
      if (trickle) next_byte += std::chrono::seconds(2);
      int open = 0;
      for (size_t i = 0; i < fds_.size() && !stop_; ++i) {
        char buf[512];
        if (fds_[i] >= 0) {
          ssize_t n = ::recv(fds_[i], buf, sizeof(buf), MSG_DONTWAIT);
          if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) || n > 0) {
            ::close(fds_[i]);  // closed (or answered 408) by the server
            fds_[i] = -1;
            ++reopened_;
          }
        }
        if (fds_[i] < 0) fds_[i] = Open(i);
        if (fds_[i] >= 0 && trickle) (void)::send(fds_[i], "a", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (fds_[i] >= 0) ++open;
      }
      open_ = open;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  int port_;
  std::vector<int> fds_;
  std::atomic<bool> stop_{false};
  std::atomic<int> reopened_{0};
  std::atomic<int> open_{0};
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
  int size_mb = 512, repos = 2000, clients = 64;
  double seconds = 10;
  std::string data_dir;
  bool warmup = false;
  int stalled = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--size-mb")
      size_mb = std::atoi(argv[i + 1]);
    else if (a == "--repos")
      repos = std::atoi(argv[i + 1]);
    else if (a == "--clients")
      clients = std::atoi(argv[i + 1]);
    else if (a == "--seconds")
      seconds = std::atof(argv[i + 1]);
    else if (a == "--data")
      data_dir = argv[i + 1];
    else if (a == "--warmup")
      warmup = std::atoi(argv[i + 1]) != 0;
    else if (a == "--stalled")
      stalled = std::atoi(argv[i + 1]);
  }
  std::string mhub_bin = std::getenv("MHUB_BIN") ? std::getenv("MHUB_BIN") : "";
  if (mhub_bin.empty()) mhub_bin = (fs::canonical("/proc/self/exe").parent_path() / "../apps/mhub/mhub").string();
  char tmpl[] = "/tmp/mhub_hub_bench_XXXXXX";
  if (!::mkdtemp(tmpl)) return 1;
  const std::string tmp = tmpl;
  ::chmod(tmp.c_str(), 0755);  // nginx workers run as nobody
  ::setenv("MHUB_NO_PROGRESS", "1", 1);

  const bool reuse = !data_dir.empty() && fs::exists(data_dir + "/bench-token");
  if (data_dir.empty()) data_dir = tmp + "/data";
  int port = FreePort();
  pid_t server =
      Spawn({mhub_bin, "server", "--data", data_dir, "--init", "--port", std::to_string(port)}, tmp + "/server.log");
  if (server < 0 || !WaitForPort(port)) {
    std::fprintf(stderr, "mhub server did not start (log: %s/server.log)\n", tmp.c_str());
    return 1;
  }
  std::string token;
  if (reuse) {
    std::ifstream in(data_dir + "/bench-token");
    std::getline(in, token);
  } else {
    token = LastLineOf(mhub_bin + " admin create-user bench --data " + data_dir);
    std::ofstream(data_dir + "/bench-token") << token << "\n";
  }
  mhub::hub::HubConfig config;
  config.endpoint = "http://127.0.0.1:" + std::to_string(port);
  config.token = token;
  config.cache_dir = tmp + "/cache";
  mhub::hub::HubClient client(config);
  mhub::hub::RepoRef repo{"bench/big", mhub::hub::RepoType::kModel};
  mhub::hub::HttpClient http;
  if (size_mb > 0) {
    mhub::hub::CreateRepoOptions create_options;
    create_options.exist_ok = true;
    if (auto s = client.create_repo(repo, create_options); !s.ok()) {
      std::fprintf(stderr, "create_repo: %s\n", s.status().ToString().c_str());
      return 1;
    }

    // 1. Upload.
    const uint64_t size = static_cast<uint64_t>(size_mb) << 20;
    {
      std::ofstream out(tmp + "/big.bin", std::ios::binary);
      std::mt19937_64 rng(42);
      std::vector<uint64_t> block(1 << 17);
      for (uint64_t done = 0; done < size; done += block.size() * 8) {
        for (auto& w : block) w = rng();
        out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(block.size() * 8));
      }
    }
    auto t0 = Clock::now();
    auto commit = client.upload_file(repo, tmp + "/big.bin", "big.bin");
    auto t1 = Clock::now();
    if (!commit.ok()) {
      std::fprintf(stderr, "upload: %s\n", commit.status().ToString().c_str());
      return 1;
    }
    double mb = static_cast<double>(size) / (1 << 20);
    std::printf("upload   %d MB (sha256 + preupload + LFS PUT + commit): %.2f s, %.0f MB/s\n", size_mb, Seconds(t0, t1),
                mb / Seconds(t0, t1));

    // 2. Download: mhub vs nginx serving the same bytes.
    int nginx_port = FreePort();
    fs::create_directories(tmp + "/www");
    fs::create_hard_link(tmp + "/big.bin", tmp + "/www/big.bin");
    {
      std::ofstream conf(tmp + "/nginx.conf");
      conf << "daemon off;\nworker_processes 1;\npid " << tmp << "/nginx.pid;\nerror_log " << tmp
           << "/nginx.err;\nevents {}\nhttp {\n access_log off;\n sendfile on;\n client_body_temp_path " << tmp
           << "/nb;\n proxy_temp_path " << tmp << "/np;\n fastcgi_temp_path " << tmp << "/nf;\n uwsgi_temp_path " << tmp
           << "/nu;\n scgi_temp_path " << tmp << "/ns;\n server {\n  listen 127.0.0.1:" << nginx_port << ";\n  root "
           << tmp << "/www;\n }\n}\n";
    }
    const char* nginx_env = std::getenv("NGINX_BIN");
    pid_t nginx =
        Spawn({nginx_env ? nginx_env : "/usr/sbin/nginx", "-c", tmp + "/nginx.conf", "-p", tmp}, tmp + "/nginx.log");
    if (nginx < 0 || !WaitForPort(nginx_port)) {
      std::fprintf(stderr, "nginx did not start (see %s/nginx.err)\n", tmp.c_str());
      Stop(server);
      return 1;
    }
    const std::string resolve_url = config.endpoint + "/bench/big/resolve/main/big.bin";
    const std::string nginx_url = "http://127.0.0.1:" + std::to_string(nginx_port) + "/big.bin";
    double best_cache = 1e9, best_get = 1e9, best_nginx = 1e9;
    for (int run = 0; run < 3; ++run) {
      double n = TimedGet(http, nginx_url, tmp + "/nginx.out", size);
      double g = TimedGet(http, resolve_url, tmp + "/mhub.out", size);
      auto c0 = Clock::now();
      auto path = client.hf_hub_download(repo, "big.bin", {"main", "", "", /*force_download=*/true});
      auto c1 = Clock::now();
      if (n < 0 || g < 0 || !path.ok()) {
        std::fprintf(stderr, "download failed%s\n", path.ok() ? "" : (": " + path.status().ToString()).c_str());
        Stop(nginx);
        Stop(server);
        return 1;
      }
      best_nginx = std::min(best_nginx, n);
      best_get = std::min(best_get, g);
      best_cache = std::min(best_cache, Seconds(c0, c1));
    }
    std::printf("download %d MB, best of 3 over loopback:\n", size_mb);
    std::printf("  nginx GET                         %7.0f MB/s\n", mb / best_nginx);
    std::printf("  mhub server GET (resolve URL)     %7.0f MB/s   ratio vs nginx %.2fx\n", mb / best_get,
                best_nginx / best_get);
    std::printf("  mhub hf_hub_download (into cache) %7.0f MB/s   ratio vs nginx %.2fx\n", mb / best_cache,
                best_nginx / best_cache);
    Stop(nginx);
  }

  // 3. API latency on a hub with many repos.
  int existing = 0;
  {
    std::ifstream in(data_dir + "/bench-repos");
    in >> existing;
  }
  if (existing < repos) {
    auto r0 = Clock::now();
    std::atomic<int> next{existing}, failures{0};
    std::vector<std::thread> creators;
    mhub::hub::CreateRepoOptions create_options;
    create_options.exist_ok = true;
    for (int t = 0; t < 16; ++t) {
      creators.emplace_back([&] {
        for (int i = next++; i < repos; i = next++) {
          mhub::hub::RepoRef r{"bench/repo-" + std::to_string(i), mhub::hub::RepoType::kModel};
          if (!client.create_repo(r, create_options).ok()) ++failures;
        }
      });
    }
    for (auto& t : creators) t.join();
    auto r1 = Clock::now();
    std::printf("created %d repos through the API in %.1f s (%.0f/s, %d failures)\n", repos - existing, Seconds(r0, r1),
                (repos - existing) / Seconds(r0, r1), failures.load());
    if (failures.load() == 0) std::ofstream(data_dir + "/bench-repos") << repos << "\n";
  } else {
    std::printf("reusing %d repos in %s\n", existing, data_dir.c_str());
  }

  // The routes, as URLs. Listing as huggingface_hub sends it (search, limit) and a sorted page.
  const std::vector<std::string> sorts = {"downloads", "likes", "lastModified", "createdAt"};
  auto info_url = [&](int i) { return config.endpoint + "/api/models/bench/repo-" + std::to_string(i); };
  auto search_url = [&](int i) {
    return config.endpoint + "/api/models?search=repo-" + std::to_string(i % 100) + "&limit=20";
  };
  auto sorted_url = [&](int i) {
    return config.endpoint + "/api/models?author=bench&sort=" + sorts[static_cast<size_t>(i) % 4] +
           "&direction=" + (i % 8 < 4 ? "-1" : "1") + "&limit=20";
  };
  // One answer of each route checked against the client library's parse of it.
  {
    auto info = client.model_info("bench/repo-" + std::to_string(repos / 2));
    mhub::hub::ListModelsOptions o;
    o.search = "repo-" + std::to_string((repos / 2) % 100);
    o.limit = 20;
    auto list = client.list_models(o);
    if (!info.ok() || !list.ok() || list->empty()) {
      std::fprintf(stderr, "API check failed: %s\n",
                   (!info.ok()  ? info.status()
                    : list.ok() ? mhub::Status::Internal("empty list")
                                : list.status())
                       .ToString()
                       .c_str());
      Stop(server);
      return 1;
    }
  }
  if (warmup) {
    auto w0 = Clock::now();
    std::atomic<int> next{0}, bad{0};
    std::vector<std::thread> warmers;
    for (int t = 0; t < clients; ++t) {
      warmers.emplace_back([&] {
        mhub::hub::HttpRequest req;
        req.headers.emplace_back("Authorization", "Bearer " + token);
        for (int i = next++; i < repos + 108; i = next++) {
          req.url = i < repos ? info_url(i) : i < repos + 100 ? search_url(i - repos) : sorted_url(i - repos - 100);
          auto r = http.Perform(req);
          if (!r.ok() || r->status != 200) ++bad;
        }
      });
    }
    for (auto& t : warmers) t.join();
    std::printf("warm-up: every URL of the workload read once in %.1f s (%d errors)\n", Seconds(w0, Clock::now()),
                bad.load());
  }
  const std::vector<std::string> route_names = {"model_info", "list_models(search)", "list_models(sort)"};
  const std::string host_prefix = config.endpoint;
  auto target_of = [&](size_t route, int i) {
    const std::string url = route == 0 ? info_url(i) : route == 1 ? search_url(i) : sorted_url(i);
    return url.substr(host_prefix.size());
  };
  if (stalled > 0) {  // one descriptor per stalled connection
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
      lim.rlim_cur = lim.rlim_max;
      ::setrlimit(RLIMIT_NOFILE, &lim);
    }
  }
  StalledClients slow(port, stalled);
  if (stalled > 0) {
    for (int i = 0; i < 100 && slow.open() < stalled; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::printf("%d stalled connections open (slowloris) during the API run\n", slow.open());
  }
  const double server_cpu0 = ProcessCpuSeconds(server), client_cpu0 = SelfCpuSeconds();
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  LeanResult run = RunLeanClients(port, clients, repos, token, target_of, deadline);
  const double wall = Seconds(start, Clock::now());
  const double server_cpu = ProcessCpuSeconds(server) - server_cpu0, client_cpu = SelfCpuSeconds() - client_cpu0;
  std::atomic<int> errors{run.errors};
  std::vector<std::vector<std::vector<double>>> lat(3);
  for (size_t route = 0; route < 3; ++route) lat[route].push_back(std::move(run.lat[route]));
  std::printf("API, %d concurrent clients (closed loop), %d repos, %.1f s, %d errors, %u CPUs:\n", clients, repos, wall,
              errors.load(), std::thread::hardware_concurrency());
  for (size_t route = 0; route < 3; ++route) {
    std::vector<double> all;
    for (auto& v : lat[route]) all.insert(all.end(), v.begin(), v.end());
    std::printf("  %-20s n=%-7zu p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %7.2f ms  %6.0f req/s\n",
                route_names[route].c_str(), all.size(), Percentile(all, 0.5), Percentile(all, 0.9),
                Percentile(all, 0.99), all.empty() ? 0.0 : *std::max_element(all.begin(), all.end()),
                static_cast<double>(all.size()) / wall);
  }
  std::printf("  CPU used in the window: server %.1f s, bench client %.1f s (of %.1f s x %u CPUs); %d reconnects\n",
              server_cpu, client_cpu, wall, std::thread::hardware_concurrency(), run.reconnects);
  if (stalled > 0) {
    std::printf("  stalled connections at the end: %d open, %d closed by the server and reopened\n", slow.open(),
                slow.reopened());
  }
  Stop(server);
  std::error_code ec;
  fs::remove_all(tmp, ec);
  return 0;
}
