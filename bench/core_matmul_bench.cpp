// Matmul throughput: mhub_core Linear (own GEMV for decode rows, oneDNN with pre-packed weights
// otherwise) against PyTorch F.linear on the same shapes, threads and dtypes, in the same run.
//
//   core_matmul_bench [--threads N] [--min-time SECONDS]
//
// Shapes: a BERT-base layer (B*S = 4096 and 128 rows; K/N = 768/2304/3072) and GPT-2 small decode
// (M = 1: c_attn 768->2304, c_fc 768->3072, c_proj 3072->768 / 768->768, lm_head 768->50257).
// bf16 rows use bf16 weights on both sides (PyTorch: bf16 activations too; mhub: f32 activations
// rounded to bf16 on the oneDNN path, f32 activations against bf16 weights in the GEMV path).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "mhub/core/cpu.h"
#include "mhub/core/linear.h"

namespace {

using mhub::core::DType;
using mhub::core::Linear;
using mhub::core::Tensor;

struct Shape {
  int64_t m, k, n;
  const char* what;
};

Tensor Random(int64_t rows, int64_t cols, float scale, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(static_cast<size_t>(rows * cols));
  for (float& f : v) f = d(rng);
  return Tensor::FromVector(v, {rows, cols});
}

template <typename Fn>
double SecondsPerCall(Fn fn, double min_time) {
  for (int i = 0; i < 3; ++i) fn();
  int n = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    fn();
    ++n;
    double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (el >= min_time && n >= 3) return el / n;
  }
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  double min_time = 0.4;
  for (int i = 1; i + 1 < argc; ++i) {
    std::string a = argv[i];
    if (a == "--threads") threads = std::atoi(argv[++i]);
    else if (a == "--min-time") min_time = std::atof(argv[++i]);
  }
  mhub::core::SetNumThreads(threads);
  const std::vector<Shape> shapes = {
      {4096, 768, 3072, "BERT B*S=4096 ffn up"},   {4096, 3072, 768, "BERT B*S=4096 ffn down"},
      {4096, 768, 2304, "BERT B*S=4096 qkv"},      {128, 768, 768, "BERT S=128 attn out"},
      {128, 768, 3072, "BERT S=128 ffn up"},       {128, 3072, 768, "BERT S=128 ffn down"},
      {1, 768, 2304, "GPT-2 decode c_attn"},       {1, 768, 3072, "GPT-2 decode c_fc"},
      {1, 3072, 768, "GPT-2 decode mlp c_proj"},   {1, 768, 768, "GPT-2 decode attn c_proj"},
      {1, 768, 50257, "GPT-2 decode lm_head"},
  };
  std::vector<std::string> specs;
  for (const char* dt : {"f32", "bf16"})
    for (const Shape& s : shapes)
      specs.push_back(std::to_string(s.m) + "," + std::to_string(s.k) + "," + std::to_string(s.n) + "," + dt);

  // Peer first (its own process), then ours, so neither warms caches for the other.
  const char* src_env = std::getenv("MHUB_SOURCE_DIR");  // lets a copied binary find the peer script
  const std::string src_dir = src_env ? src_env : MHUB_SOURCE_DIR;
  std::string cmd = "OPENBLAS_CORETYPE=Cooperlake /usr/bin/python3 " + src_dir +
                    "/tests/clients/core_matmul_peer.py --threads " + std::to_string(threads) +
                    " --min-time " + std::to_string(min_time);
  for (const auto& s : specs) cmd += " " + s;
  std::map<std::string, double> torch_sec;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char line[512];
    while (std::fgets(line, sizeof line, p)) {
      char shape[128];
      double sec;
      if (std::sscanf(line, "{\"shape\": \"%127[^\"]\", \"seconds\": %lf}", shape, &sec) == 2) torch_sec[shape] = sec;
    }
    pclose(p);
  }
  if (torch_sec.empty()) std::fprintf(stderr, "warning: the PyTorch peer printed nothing (%s)\n", cmd.c_str());

  std::printf("mhub_core Linear vs PyTorch %s F.linear, %d threads, ISA %s\n", "1.13", threads,
              std::string(mhub::core::IsaName(mhub::core::ActiveIsa())).c_str());
  std::printf("%-28s %5s %6s %6s %5s | %10s %10s | %8s\n", "shape", "M", "K", "N", "dtype", "mhub GF/s",
              "torch GF/s", "speedup");
  uint32_t seed = 1;
  for (const char* dt : {"f32", "bf16"}) {
    for (const Shape& s : shapes) {
      Tensor w = Random(s.n, s.k, 0.02f, seed++);
      if (std::string(dt) == "bf16") w = w.To(DType::kBF16).value();
      Tensor b = Tensor::Zeros(DType::kF32, {s.n});
      Linear lin = Linear::Create(w, b, mhub::core::WeightLayout::kOutIn).value();
      Tensor x = Random(s.m, s.k, 1.0f, seed++);
      Tensor y = Tensor::Empty(DType::kF32, {s.m, s.n});
      double sec = SecondsPerCall([&] { (void)lin.Forward(x, y); }, min_time);
      const double flops = 2.0 * s.m * s.k * s.n;
      const std::string spec =
          std::to_string(s.m) + "," + std::to_string(s.k) + "," + std::to_string(s.n) + "," + dt;
      auto it = torch_sec.find(spec);
      const double tsec = it == torch_sec.end() ? 0 : it->second;
      std::printf("%-28s %5ld %6ld %6ld %5s | %10.1f %10.1f | %7.2fx\n", s.what, static_cast<long>(s.m),
                  static_cast<long>(s.k), static_cast<long>(s.n), dt, flops / sec / 1e9, tsec > 0 ? flops / tsec / 1e9 : 0.0,
                  tsec > 0 ? tsec / sec : 0.0);
      std::fflush(stdout);
    }
  }
  return 0;
}
