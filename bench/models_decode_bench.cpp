// GPT-2-small-shaped greedy decode (12 layers, n_embd 768, vocab 50257, random weights) with the
// KV cache, fp32 and bf16, mhub vs the PyTorch reference (tests/clients/models_reference.py with a
// KV cache) in the same run; and from_pretrained of the ~500 MB fp32 checkpoint. An int8 row runs the
// fp32 checkpoint with int8 linear layers (LoadOptions::quantize) against PyTorch's fp32 figure.
//   models_decode_bench [--quick]
#include <cstdio>
#include <cstring>

#include <unistd.h>

#include "mhub/core/cpu.h"
#include "mhub/core/linear.h"
#include "mhub/models/auto_model.h"
#include "models_bench_common.h"

using namespace mhub;
using namespace mhub::models;
using namespace mhub::models::bench;

namespace {

Json Gpt2Small(const std::string& dtype) {
  return Json{{"model_type", "gpt2"}, {"architectures", {"GPT2LMHeadModel"}},
              {"vocab_size", 50257},  {"n_embd", 768},
              {"n_layer", 12},        {"n_head", 12},
              {"n_positions", 1024},  {"torch_dtype", dtype}};
}

int Run(bool quick) {
  core::SetNumThreads(2);
  ScratchDir scratch;
  const int64_t prompt_len = 8, steps = quick ? 16 : 32;
  const std::string tag = mhub::bench::CpuTag();
  std::printf("CPU: %s\nPyTorch peer env: %s\n", core::CpuSummary().c_str(), mhub::bench::PeerEnv().c_str());
  std::printf("GPT-2-small greedy decode, prompt %lld, %lld new tokens, 2 threads\n",
              static_cast<long long>(prompt_len), static_cast<long long>(steps));
  std::printf("%-6s %-22s %12s %12s %8s\n", "dtype", "figure", "mhub", "pytorch", "ratio");
  double torch_fp32 = 0;
  std::vector<int64_t> torch_fp32_tokens;
  for (const std::string mode : {"float32", "bfloat16", "int8"}) {
    const bool int8 = mode == "int8";
    const std::string dtype = int8 ? "float32" : mode;
    const std::string dir = scratch.path + "/gpt2_" + dtype;
    if (!int8) {
      auto fresh = AutoModelForCausalLM::FromConfig(Gpt2Small(dtype), 1);
      if (!fresh.ok() || !(*fresh)->SavePretrained(dir).ok()) {
        std::fprintf(stderr, "cannot build the model: %s\n", fresh.status().ToString().c_str());
        return 1;
      }
    }
    ::sync();  // load a checkpoint at rest, not one whose pages are still being written back
    LoadOptions options;
    if (int8) options.quantize = Quantization::kInt8;
    double t0 = NowMs();
    auto loaded = LoadModel(dir, Task::kCausalLM, options);
    const double load_ms = NowMs() - t0;
    CausalLM* lm = loaded.ok() ? dynamic_cast<CausalLM*>(loaded->get()) : nullptr;
    if (lm == nullptr) {
      std::fprintf(stderr, "load failed: %s\n", loaded.status().ToString().c_str());
      return 1;
    }
    auto cache = lm->NewCache(1, prompt_len + steps + 1);
    if (!cache.ok()) return 1;
    ModelInputs in{1, prompt_len, BenchIds(prompt_len, 50257), {}, {}, {}};
    t0 = NowMs();
    auto logits = lm->ForwardCausal(in, cache->get());
    const double prefill_ms = NowMs() - t0;
    core::WaitForPackedWeights();  // the prefill queued its layers for packing: time the steady state
    std::vector<int64_t> tokens;
    t0 = NowMs();
    for (int64_t s = 0; s < steps && logits.ok(); ++s) {
      const auto& v = logits->values;
      tokens.push_back(std::max_element(v.begin(), v.end()) - v.begin());
      logits = lm->ForwardCausal(ModelInputs{1, 1, {tokens.back()}, {}, {}, {}}, cache->get());
    }
    const double ours = steps * 1000.0 / (NowMs() - t0);
    if (!logits.ok()) {
      std::fprintf(stderr, "decode failed: %s\n", logits.status().ToString().c_str());
      return 1;
    }
    // int8 runs against PyTorch's fp32 run of the same checkpoint (its tokens may differ: the
    // logits are quantized ones).
    double theirs = torch_fp32;
    std::vector<int64_t> their_tokens = torch_fp32_tokens;
    if (!int8) {
      Json t = RunTorch("decode " + dir + " " + dtype + " " + std::to_string(prompt_len) + " " + std::to_string(steps));
      theirs = t.is_object() ? t["tok_per_s"].get<double>() : 0;
      their_tokens = t.is_object() ? t["tokens"].get<std::vector<int64_t>>() : std::vector<int64_t>{};
      if (dtype == "float32") {
        torch_fp32 = theirs;
        torch_fp32_tokens = their_tokens;
      }
    }
    const bool same = their_tokens == tokens;
    const char* d = int8 ? "int8" : dtype == "float32" ? "fp32" : "bf16";
    std::printf("%-6s %-22s %9.1f ms  (%.0f MB)\n", d, "from_pretrained", load_ms,
                std::filesystem::file_size(dir + "/model.safetensors") / 1e6);
    std::printf("%-6s %-22s %9.1f ms\n", d, "prefill (1st forward)", prefill_ms);
    std::printf("%-6s %-22s %7.1f tok/s %7.1f tok/s %6.2fx  tokens %s  %s\n", d, "greedy decode", ours, theirs,
                theirs > 0 ? ours / theirs : 0, same ? "identical" : "differ", tag.c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  EnsurePassiveOmpWait(argv);
  std::printf("OMP_WAIT_POLICY=%s\n", std::getenv("OMP_WAIT_POLICY"));
  return Run(argc > 1 && std::strcmp(argv[1], "--quick") == 0);
}
