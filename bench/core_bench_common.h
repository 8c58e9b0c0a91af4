// Shared by bench/core_*_bench.cpp: argument parsing, timing, and the PyTorch peer
// (tests/clients/core_bench_peer.py) run as a child process that answers one request line with one
// JSON line such as {"shape": "...", "seconds": 0.001}.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench_cpu.h"

namespace mhub::core::bench {

struct BenchArgs {
  int threads = 2;
  double min_time = 0.4;  // seconds of timed calls per shape and side
};

inline BenchArgs ParseBenchArgs(int argc, char** argv) {
  BenchArgs a;
  for (int i = 1; i + 1 < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--threads")
      a.threads = std::atoi(argv[++i]);
    else if (flag == "--min-time")
      a.min_time = std::atof(argv[++i]);
  }
  return a;
}

// Mean seconds per call of fn after 3 warm-up calls, timing at least min_time and 3 calls.
template <typename Fn>
double SecondsPerCall(Fn fn, double min_time) {
  for (int i = 0; i < 3; ++i) fn();
  int n = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    fn();
    ++n;
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (el >= min_time && n >= 3) return el / n;
  }
}

// The peer script's path: $MHUB_SOURCE_DIR (lets a copied binary find it) or the build's source dir.
inline std::string PeerScript() {
  const char* src = std::getenv("MHUB_SOURCE_DIR");
  return std::string(src ? src : MHUB_SOURCE_DIR) + "/tests/clients/core_bench_peer.py";
}

// The peer as a child process with a request pipe and a reply pipe.
class Peer {
 public:
  Peer(const std::string& script, int threads, double min_time) {
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(to_child[0], 0);
      dup2(from_child[1], 1);
      close(to_child[1]);
      close(from_child[0]);
      mhub::bench::SetPeerEnv();
      const std::string t = std::to_string(threads), mt = std::to_string(min_time);
      execl("/usr/bin/python3", "python3", script.c_str(), "--threads", t.c_str(), "--min-time", mt.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    out_ = fdopen(to_child[1], "w");
    in_ = fdopen(from_child[0], "r");
    char line[256];
    if (in_ && std::fgets(line, sizeof line, in_)) ready_ = std::string(line).find("ready") != std::string::npos;
    if (ready_) version_ = line;
  }
  ~Peer() {
    if (out_) std::fclose(out_);
    if (in_) std::fclose(in_);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
  }
  bool ready() const { return ready_; }
  const std::string& version() const { return version_; }
  // Seconds per call for request `kind` ("linear", "attention") with `spec`, or 0 when the peer failed.
  double Time(const std::string& kind, const std::string& spec) {
    if (!ready_) return 0;
    std::fprintf(out_, "%s %s\n", kind.c_str(), spec.c_str());
    std::fflush(out_);
    char line[512];
    if (!std::fgets(line, sizeof line, in_)) return 0;
    char shape[128];
    double sec = 0;
    if (std::sscanf(line, "{\"shape\": \"%127[^\"]\", \"seconds\": %lf}", shape, &sec) != 2) return 0;
    return sec;
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  FILE* in_ = nullptr;
  bool ready_ = false;
  std::string version_;
};

}  // namespace mhub::core::bench
