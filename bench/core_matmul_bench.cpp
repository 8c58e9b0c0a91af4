// Matmul throughput: mhub_core Linear (own GEMV for decode rows, oneDNN with pre-packed weights
// otherwise) against PyTorch F.linear on the same shapes, threads and dtypes, in the same run.
// The peer runs as a child process answering one shape at a time, so both sides are measured
// back to back per shape (fairer on a shared, noisy machine).
//
//   core_matmul_bench [--threads N] [--min-time SECONDS]
//
// Shapes: a BERT-base layer (B*S = 4096 and 128 rows; K/N = 768/2304/3072) and GPT-2 small decode
// (M = 1: c_attn 768->2304, c_fc 768->3072, c_proj 3072->768 / 768->768, lm_head 768->50257).
// bf16 rows use bf16 weights on both sides (PyTorch: bf16 activations too; mhub: f32 activations
// rounded to bf16 on the oneDNN path, f32 activations against bf16 weights in the GEMV path).
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core_bench_common.h"
#include "mhub/core/cpu.h"
#include "mhub/core/linear.h"

namespace {

using mhub::core::DType;
using mhub::core::Linear;
using mhub::core::Tensor;
using mhub::core::bench::Peer;
using mhub::core::bench::SecondsPerCall;

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

}  // namespace

int main(int argc, char** argv) {
  const mhub::core::bench::BenchArgs args = mhub::core::bench::ParseBenchArgs(argc, argv);
  const int threads = args.threads;
  const double min_time = args.min_time;
  mhub::core::SetNumThreads(threads);
  const std::vector<Shape> shapes = {
      {4096, 768, 3072, "BERT B*S=4096 ffn up"}, {4096, 3072, 768, "BERT B*S=4096 ffn down"},
      {4096, 768, 2304, "BERT B*S=4096 qkv"},    {128, 768, 768, "BERT S=128 attn out"},
      {128, 768, 3072, "BERT S=128 ffn up"},     {128, 3072, 768, "BERT S=128 ffn down"},
      {1, 768, 2304, "GPT-2 decode c_attn"},     {1, 768, 3072, "GPT-2 decode c_fc"},
      {1, 3072, 768, "GPT-2 decode mlp c_proj"}, {1, 768, 768, "GPT-2 decode attn c_proj"},
      {1, 768, 50257, "GPT-2 decode lm_head"},
  };
  mhub::core::bench::Peer peer(mhub::core::bench::PeerScript(), threads, min_time);
  if (!peer.ready()) std::fprintf(stderr, "warning: the PyTorch peer did not start; its columns read 0\n");

  const std::string tag = mhub::bench::CpuTag();
  std::printf("CPU: %s\nPyTorch peer env: %s\n", mhub::core::CpuSummary().c_str(), mhub::bench::PeerEnv().c_str());
  std::printf("mhub_core Linear vs PyTorch F.linear (%s), %d threads, mhub ISA %s\n",
              peer.ready() ? "peer ready" : "no peer", threads,
              std::string(mhub::core::IsaName(mhub::core::ActiveIsa())).c_str());
  std::printf("%-26s %5s %6s %6s %5s | %9s %9s | %9s %9s | %7s\n", "shape", "M", "K", "N", "dtype", "mhub ms",
              "torch ms", "mhub GF/s", "torch GF/s", "speedup");
  uint32_t seed = 1;
  for (const char* dt : {"f32", "bf16"}) {
    for (const Shape& s : shapes) {
      Tensor w = Random(s.n, s.k, 0.02f, seed++);
      if (std::string(dt) == "bf16") w = w.To(DType::kBF16).value();
      Tensor b = Tensor::Zeros(DType::kF32, {s.n});
      Linear lin = Linear::Create(w, b, mhub::core::WeightLayout::kOutIn).value();
      Tensor x = Random(s.m, s.k, 1.0f, seed++);
      Tensor y = Tensor::Empty(DType::kF32, {s.m, s.n});
      const std::string spec = std::to_string(s.m) + "," + std::to_string(s.k) + "," + std::to_string(s.n) + "," + dt;
      const double tsec = peer.Time("linear", spec);
      const double sec = SecondsPerCall(
          [&] {
            if (!lin.Forward(x, y).ok()) std::abort();
          },
          min_time);
      const double flops = 2.0 * s.m * s.k * s.n;
      std::printf("%-26s %5ld %6ld %6ld %5s | %9.3f %9.3f | %9.1f %9.1f | %6.2fx  %s\n", s.what, static_cast<long>(s.m),
                  static_cast<long>(s.k), static_cast<long>(s.n), dt, sec * 1e3, tsec * 1e3, flops / sec / 1e9,
                  tsec > 0 ? flops / tsec / 1e9 : 0.0, tsec > 0 ? tsec / sec : 0.0, tag.c_str());
      std::fflush(stdout);
    }
  }
  return 0;
}
