// Helpers shared by bench/models_*_bench.cpp (header-only; not a bench program itself).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include "mhub/base/json.h"

namespace mhub::models::bench {

// libgomp reads OMP_WAIT_POLICY when it loads, so a bench that wants "passive" (threads sleep at
// barriers instead of spinning, which on a shared machine with more runnable threads than cores is
// several times faster for both mhub and PyTorch) re-executes itself with it set. The PyTorch child
// inherits the same policy, so the comparison stays even. Keeps a policy the caller already set.
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
  const std::string cmd = "OPENBLAS_CORETYPE=Cooperlake /usr/bin/python3 " + std::string(MHUB_SOURCE_DIR) +
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

inline std::vector<int64_t> BenchIds(int64_t n, int64_t vocab, int64_t offset = 0) {
  std::vector<int64_t> ids;
  for (int64_t i = 0; i < n; ++i) ids.push_back(((i + offset) * 7 + 3) % vocab);
  return ids;
}

}  // namespace mhub::models::bench
