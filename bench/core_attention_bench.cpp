// Attention latency: mhub_core Attention (fused over heads, no (T,T) buffer) against PyTorch eager
// attention (matmul, scale + mask, softmax, matmul: transformers' BERT/GPT-2 eager path) on the same
// shapes and threads, measured back to back per shape.
//
//   core_attention_bench [--threads N] [--min-time SECONDS]
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core_bench_common.h"
#include "mhub/core/attention.h"
#include "mhub/core/cpu.h"

namespace {

using mhub::core::DType;
using mhub::core::HeadsView;
using mhub::core::Tensor;
using mhub::core::bench::SecondsPerCall;

struct Case {
  int64_t b, tq, tk, h, d;
  bool causal;
  const char* what;
};

Tensor Random(const mhub::core::Shape& shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(shape.numel()));
  for (float& f : v) f = dist(rng);
  return Tensor::FromVector(v, shape);
}

}  // namespace

int main(int argc, char** argv) {
  const mhub::core::bench::BenchArgs args = mhub::core::bench::ParseBenchArgs(argc, argv);
  const int threads = args.threads;
  const double min_time = args.min_time;
  mhub::core::SetNumThreads(threads);
  const std::vector<Case> cases = {
      {1, 128, 128, 12, 64, false, "BERT-base S=128 B=1"}, {8, 128, 128, 12, 64, false, "BERT-base S=128 B=8"},
      {1, 512, 512, 12, 64, false, "BERT-base S=512 B=1"}, {1, 512, 512, 12, 64, true, "GPT-2 prefill T=512"},
      {1, 1, 512, 12, 64, true, "GPT-2 decode cache=512"}, {1, 1, 1024, 32, 128, true, "Llama-7B-like decode 1024"},
  };
  mhub::core::bench::Peer peer(mhub::core::bench::PeerScript(), threads, min_time);
  if (!peer.ready()) std::fprintf(stderr, "warning: the PyTorch peer did not start; its columns read 0\n");
  const std::string tag = mhub::bench::CpuTag();
  std::printf("CPU: %s\nPyTorch peer env: %s\n", mhub::core::CpuSummary().c_str(), mhub::bench::PeerEnv().c_str());
  std::printf("mhub_core Attention vs PyTorch eager attention (%s), %d threads, mhub ISA %s\n",
              peer.ready() ? "peer ready" : "no peer", threads,
              std::string(mhub::core::IsaName(mhub::core::ActiveIsa())).c_str());
  std::printf("%-28s %3s %5s %5s %3s %4s | %9s %9s | %7s\n", "case", "B", "Tq", "Tk", "H", "D", "mhub ms", "torch ms",
              "speedup");
  uint32_t seed = 1;
  for (const Case& c : cases) {
    Tensor q = Random({c.b, c.tq, c.h, c.d}, seed++), k = Random({c.b, c.tk, c.h, c.d}, seed++),
           v = Random({c.b, c.tk, c.h, c.d}, seed++);
    Tensor out = Tensor::Empty(DType::kF32, {c.b, c.tq, c.h, c.d});
    HeadsView qv = HeadsView::Of(q, c.h).value(), kv = HeadsView::Of(k, c.h).value(),
              vv = HeadsView::Of(v, c.h).value(), ov = HeadsView::Of(out, c.h).value();
    mhub::core::AttentionOptions opt;
    opt.causal = c.causal;
    opt.q_offset = c.tk - c.tq;
    const std::string spec = std::to_string(c.b) + "," + std::to_string(c.tq) + "," + std::to_string(c.tk) + "," +
                             std::to_string(c.h) + "," + std::to_string(c.d) + "," + (c.causal ? "1" : "0");
    const double tsec = peer.Time("attention", spec);
    const double sec = SecondsPerCall(
        [&] {
          if (!mhub::core::Attention(qv, kv, vv, ov, opt).ok()) std::abort();
        },
        min_time);
    std::printf("%-28s %3ld %5ld %5ld %3ld %4ld | %9.3f %9.3f | %6.2fx  %s\n", c.what, static_cast<long>(c.b),
                static_cast<long>(c.tq), static_cast<long>(c.tk), static_cast<long>(c.h), static_cast<long>(c.d),
                sec * 1e3, tsec * 1e3, tsec > 0 ? tsec / sec : 0.0, tag.c_str());
    std::fflush(stdout);
  }
  return 0;
}
