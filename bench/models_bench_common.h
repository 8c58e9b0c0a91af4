// Helpers shared by bench/models_*_bench.cpp (header-only; not a bench program itself).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "bench_cpu.h"
#include "mhub/base/json.h"

namespace mhub::models::bench {

// libgomp reads OMP_WAIT_POLICY when it loads, so a bench that wants "passive" (threads sleep at
// barriers instead of spinning, which on a shared machine with more runnable threads than cores is
// several times faster) re-executes itself with it set. It governs the PyTorch child's OpenMP team
// (and oneDNN's, where mhub falls back to it); mhub's own kernels run on their worker pool (spin
// MHUB_SPIN_US, then sleep), as PyTorch's OpenBLAS workers spin after a call. Keeps a policy the
// caller already set.
inline void EnsurePassiveOmpWait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv);  // returns only on failure; then run with the default policy
}

inline double NowMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// A fresh folder under $TMPDIR (or /tmp), removed by the destructor.
struct ScratchDir {
  std::string path;
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp ? tmp : "/tmp") + "/mhub_models_bench_XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    path = mkdtemp(buf.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// Runs tests/clients/models_bench_reference.py with PyTorch at its best here; returns its JSON
// line (null on failure, with the reason on stderr).
inline Json RunTorch(const std::string& args) {
  const std::string cmd = mhub::bench::PeerEnv() + " /usr/bin/python3 " + std::string(MHUB_SOURCE_DIR) +
                          "/tests/clients/models_bench_reference.py " + args;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return nullptr;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int rc = pclose(p);
  if (rc != 0) {
    std::fprintf(stderr, "torch reference failed (%d): %s\n", rc, cmd.c_str());
    return nullptr;
  }
  Result<Json> j = ParseJson(out);
  return j.ok() ? *j : Json(nullptr);
}

// A PyTorch process (models_bench_reference.py encoder-serve) that runs one forward per Run(), so
// the bench can alternate its own runs with PyTorch's and both see the same machine load.
class TorchEncoder {
 public:
  // Starts the process and waits for its warm-up; ok() is false when that failed.
  TorchEncoder(const std::string& dir, const std::string& dtype, int64_t batch, int64_t seq) {
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0) return;
    if (pipe(from_child) != 0) {
      close(to_child[0]);
      close(to_child[1]);
      return;
    }
    pid_ = fork();
    if (pid_ == 0) {
      dup2(to_child[0], 0);
      dup2(from_child[1], 1);
      close(to_child[0]);
      close(to_child[1]);
      close(from_child[0]);
      close(from_child[1]);
      mhub::bench::SetPeerEnv();
      const std::string script = std::string(MHUB_SOURCE_DIR) + "/tests/clients/models_bench_reference.py";
      const std::string b = std::to_string(batch), s = std::to_string(seq);
      execl("/usr/bin/python3", "python3", script.c_str(), "encoder-serve", dir.c_str(), dtype.c_str(), b.c_str(),
            s.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    if (pid_ < 0) {
      close(to_child[1]);
      close(from_child[0]);
      return;
    }
    in_ = fdopen(to_child[1], "w");
    out_ = fdopen(from_child[0], "r");
    ok_ = in_ != nullptr && out_ != nullptr && ReadLine() == "ready";
  }
  ~TorchEncoder() {
    if (in_) {
      std::fputs("quit\n", in_);
      std::fclose(in_);
    }
    if (out_) std::fclose(out_);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
  }
  TorchEncoder(const TorchEncoder&) = delete;
  TorchEncoder& operator=(const TorchEncoder&) = delete;

  bool ok() const { return ok_; }
  // One forward's ms as PyTorch timed it; negative on failure.
  double Run() {
    if (!ok_) return -1;
    std::fputs("run\n", in_);
    std::fflush(in_);
    const std::string line = ReadLine();
    if (line.empty()) {
      ok_ = false;
      return -1;
    }
    return std::atof(line.c_str());
  }

 private:
  std::string ReadLine() {
    std::string line;
    int c;
    while ((c = std::fgetc(out_)) != EOF && c != '\n') line.push_back(static_cast<char>(c));
    return line;
  }

  pid_t pid_ = -1;
  FILE* in_ = nullptr;
  FILE* out_ = nullptr;
  bool ok_ = false;
};

inline std::vector<int64_t> BenchIds(int64_t n, int64_t vocab, int64_t offset = 0) {
  std::vector<int64_t> ids;
  for (int64_t i = 0; i < n; ++i) ids.push_back(((i + offset) * 7 + 3) % vocab);
  return ids;
}

}  // namespace mhub::models::bench
