// core::Linear on the BERT-base matmul shapes (M = 128 tokens and 4096 = 32 x 128; fused QKV,
// attention output, FFN up with GELU, FFN down with the residual add), fp32 and bf16: the own GEMM
// on packed weights (MatmulBackend::kPacked, AVX-512) and on the weights where they are (kUnpacked)
// against oneDNN (kOneDnn) and PyTorch's F.linear in the same run.
// Prints GFLOP/s from the fastest of the runs of each (the least disturbed by other load on the
// machine) and the ratios.
//   core_gemm_bench [--threads N] [--runs R]   (core_matmul_bench has the decode shapes and GEMV)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_cpu.h"
#include "mhub/core/cpu.h"
#include "mhub/core/linear.h"

using namespace mhub;
using namespace mhub::core;

namespace {

double NowMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

Tensor Random(const Shape& shape, uint32_t seed) {
  Tensor t = Tensor::Empty(DType::kF32, shape);
  uint32_t s = seed * 2654435761u + 1;
  for (int64_t i = 0; i < t.numel(); ++i) {
    s = s * 1664525u + 1013904223u;
    t.data<float>()[i] = static_cast<float>(s >> 8) / static_cast<float>(1 << 24) - 0.5f;
  }
  return t;
}

struct Case {
  const char* name;
  int64_t k, n;
  Activation act;
  bool accumulate;
};

// Fastest of `runs` calls, in ms.
double Time(const Linear& lin, const Tensor& x, Tensor& y, const Case& c, int runs) {
  double best = 1e30;
  for (int i = 0; i < runs; ++i) {
    const double t0 = NowMs();
    if (!lin.Forward(x, y, c.act, c.accumulate).ok()) return -1;
    best = std::min(best, NowMs() - t0);
  }
  return best;
}

// PyTorch's fastest F.linear (+ activation / residual) per case, in ms, one line per case.
std::vector<double> TorchTimes(const std::vector<Case>& cases, int64_t m, const char* dtype, int threads, int runs) {
  std::string script =
      "import time,torch,torch.nn.functional as F\n"
      "torch.set_num_threads(" +
      std::to_string(threads) + ")\ndt=torch." + dtype + "\nm=" + std::to_string(m) + "\n";
  script += "cases=[";
  for (const Case& c : cases)
    script += "(" + std::to_string(c.k) + "," + std::to_string(c.n) + "," +
              std::to_string(c.act == Activation::kGeluErf ? 1 : 0) + "," + std::to_string(c.accumulate ? 1 : 0) + "),";
  script += "]\n";
  script +=
      "with torch.no_grad():\n"
      "  for k,n,gelu,acc in cases:\n"
      "    x=torch.randn(m,k).to(dt); w=torch.randn(n,k).to(dt); b=torch.randn(n).to(dt); r=torch.randn(m,n).to(dt)\n"
      "    best=1e30\n"
      "    for i in range(" +
      std::to_string(runs + 1) +
      "):\n"
      "      t0=time.perf_counter(); y=F.linear(x,w,b)\n"
      "      if gelu: y=F.gelu(y)\n"
      "      if acc: y=y+r\n"
      "      if i: best=min(best,(time.perf_counter()-t0)*1000)\n"
      "    print(best,flush=True)\n";
  const std::string path = "/tmp/mhub_core_gemm_bench.py";
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return {};
  std::fputs(script.c_str(), f);
  std::fclose(f);
  const std::string cmd = mhub::bench::PeerEnv() + " /usr/bin/python3 " + path;
  FILE* p = popen(cmd.c_str(), "r");
  std::vector<double> out;
  if (p == nullptr) return out;
  char line[256];
  while (std::fgets(line, sizeof(line), p) != nullptr) out.push_back(std::atof(line));
  pclose(p);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2, runs = 15;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--threads") == 0) threads = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atoi(argv[i + 1]);
  }
  SetNumThreads(threads);
  const std::vector<Case> cases = {{"qkv 768->2304", 768, 2304, Activation::kNone, false},
                                   {"attn out 768->768 +res", 768, 768, Activation::kNone, true},
                                   {"ffn up 768->3072 gelu", 768, 3072, Activation::kGeluErf, false},
                                   {"ffn down 3072->768 +res", 3072, 768, Activation::kNone, true}};
  const std::string tag = mhub::bench::CpuTag();
  std::printf("CPU: %s\nPyTorch peer env: %s\n", CpuSummary().c_str(), mhub::bench::PeerEnv().c_str());
  std::printf("core::Linear, BERT-base shapes, %d threads, isa %s; GFLOP/s of the fastest of %d runs\n", threads,
              std::string(IsaName(ActiveIsa())).c_str(), runs);
  std::printf("%-5s %-5s %-26s %9s %9s %9s %9s %8s %8s %8s\n", "dtype", "M", "case", "own", "unpacked", "oneDNN",
              "pytorch", "own/dnn", "own/pt", "unp/own");
  for (const char* dtype : {"float32", "bfloat16"}) {
    const DType compute = std::strcmp(dtype, "float32") == 0 ? DType::kF32 : DType::kBF16;
    for (const int64_t m : {int64_t{128}, int64_t{4096}}) {
      const std::vector<double> torch = TorchTimes(cases, m, dtype, threads, m > 1000 ? std::max(3, runs / 5) : runs);
      for (size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        Tensor w = Random({c.n, c.k}, 1), b = Random({c.n}, 2), x = Random({m, c.k}, 3);
        if (compute == DType::kBF16) {
          w = w.To(DType::kBF16).value();
          x = x.To(DType::kBF16).value();
        }
        // The own GEMM on its packed panels, the same on the weights where they are (what a model's
        // first calls use while the panels are packed in the background), oneDNN.
        double best[3] = {0, 0, 0};
        const MatmulBackend backends[3] = {MatmulBackend::kPacked, MatmulBackend::kUnpacked, MatmulBackend::kOneDnn};
        for (int backend = 0; backend < 3; ++backend) {
          LinearOptions opt;
          opt.compute = compute;
          opt.backend = backends[backend];
          Result<Linear> lin = Linear::Create(w, b, WeightLayout::kOutIn, opt);
          if (!lin.ok()) {
            std::fprintf(stderr, "%s\n", lin.status().ToString().c_str());
            return 1;
          }
          Tensor y = Random({m, c.n}, 4);
          (void)lin->Forward(x, y, c.act, c.accumulate);  // packs the weights (kPacked)
          best[backend] = Time(*lin, x, y, c, m > 1000 ? std::max(3, runs / 5) : runs);
        }
        const double flop = 2.0 * static_cast<double>(m * c.k * c.n);
        const double pt = i < torch.size() ? torch[i] : 0;
        std::printf("%-5s %-5lld %-26s %9.1f %9.1f %9.1f %9.1f %7.2fx %7.2fx %7.2fx  %s\n",
                    compute == DType::kF32 ? "fp32" : "bf16", static_cast<long long>(m), c.name, flop / best[0] / 1e6,
                    flop / best[1] / 1e6, flop / best[2] / 1e6, pt > 0 ? flop / pt / 1e6 : 0.0, best[2] / best[0],
                    pt > 0 ? pt / best[0] : 0.0, best[0] / best[1], tag.c_str());
        std::fflush(stdout);
      }
    }
  }
  return 0;
}
