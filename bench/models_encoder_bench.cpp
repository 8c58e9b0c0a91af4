// BERT-base-shaped encoder (12 layers, hidden 768, 12 heads, ffn 3072, random weights), S=128:
// B=1 latency and B=32 throughput in fp32 and bf16, mhub vs the PyTorch reference
// (tests/clients/models_reference.py) in the same run, plus from_pretrained time.
//   models_encoder_bench [--quick]   (--quick: fewer runs)
#include <cstdio>
#include <cstring>

#include "mhub/core/cpu.h"
#include "mhub/models/auto_model.h"
#include "models_bench_common.h"

using namespace mhub;
using namespace mhub::models;
using namespace mhub::models::bench;

namespace {

Json BertBase(const std::string& dtype) {
  return Json{{"model_type", "bert"},      {"architectures", {"BertModel"}}, {"vocab_size", 30522},
              {"hidden_size", 768},        {"num_hidden_layers", 12},        {"num_attention_heads", 12},
              {"intermediate_size", 3072}, {"max_position_embeddings", 512}, {"torch_dtype", dtype}};
}

ModelInputs Batch(int64_t batch, int64_t seq) {
  ModelInputs in;
  in.batch = batch;
  in.seq_len = seq;
  for (int64_t b = 0; b < batch; ++b) {
    auto ids = BenchIds(seq, 30522, b);
    in.input_ids.insert(in.input_ids.end(), ids.begin(), ids.end());
  }
  return in;
}

int Run(bool quick) {
  core::SetNumThreads(2);
  ScratchDir scratch;
  const int runs1 = quick ? 3 : 10, runs32 = quick ? 1 : 2;
  std::printf("BERT-base encoder, S=128, 2 threads (PyTorch: OPENBLAS_CORETYPE=Cooperlake, 2 threads)\n");
  std::printf("%-6s %-22s %12s %12s %8s\n", "dtype", "figure", "mhub", "pytorch", "ratio");
  for (const std::string dtype : {"float32", "bfloat16"}) {
    const std::string dir = scratch.path + "/bert_" + dtype;
    {
      auto fresh = ModelFromConfig(BertBase(dtype), Task::kBase, 1);
      if (!fresh.ok() || !(*fresh)->SavePretrained(dir).ok()) {
        std::fprintf(stderr, "cannot build the model: %s\n", fresh.status().ToString().c_str());
        return 1;
      }
    }
    std::fprintf(stderr, "[%s] model written\n", dtype.c_str());
    double t0 = NowMs();
    auto model = LoadModel(dir, Task::kBase);
    const double load_ms = NowMs() - t0;
    if (!model.ok()) {
      std::fprintf(stderr, "load failed: %s\n", model.status().ToString().c_str());
      return 1;
    }
    const ModelInputs one = Batch(1, 128), many = Batch(32, 128);
    t0 = NowMs();
    auto first = (*model)->Forward(one);
    const double first_ms = NowMs() - t0;
    if (!first.ok()) {
      std::fprintf(stderr, "forward failed: %s\n", first.status().ToString().c_str());
      return 1;
    }
    std::fprintf(stderr, "[%s] first forward %.0f ms\n", dtype.c_str(), first_ms);
    std::vector<double> lat;
    for (int i = 0; i < runs1; ++i) {
      t0 = NowMs();
      (void)(*model)->Forward(one);
      lat.push_back(NowMs() - t0);
    }
    std::fprintf(stderr, "[%s] B=1 median %.0f ms\n", dtype.c_str(), Median(lat));
    std::vector<double> big;
    if (!quick) (void)(*model)->Forward(many);  // warm-up at this shape
    for (int i = 0; i < runs32; ++i) {
      t0 = NowMs();
      (void)(*model)->Forward(many);
      big.push_back(NowMs() - t0);
    }
    const double ours_b1 = Median(lat), ours_b32 = 32000.0 / Median(big);
    std::fprintf(stderr, "[%s] mhub done, running PyTorch\n", dtype.c_str());
    Json t1 = RunTorch("encoder " + dir + " " + dtype + " 1 128 " + std::to_string(quick ? 2 : 5));
    Json t32 = RunTorch("encoder " + dir + " " + dtype + " 32 128 1");
    const double torch_b1 = t1.is_object() ? Median(t1["ms"].get<std::vector<double>>()) : 0;
    const double torch_b32 = t32.is_object() ? 32000.0 / Median(t32["ms"].get<std::vector<double>>()) : 0;
    const char* d = dtype == "float32" ? "fp32" : "bf16";
    std::printf("%-6s %-22s %9.1f ms\n", d, "from_pretrained", load_ms);
    std::printf("%-6s %-22s %9.1f ms\n", d, "first forward B=1", first_ms);
    std::printf("%-6s %-22s %9.1f ms %9.1f ms %7.2fx\n", d, "latency B=1", ours_b1, torch_b1,
                ours_b1 > 0 ? torch_b1 / ours_b1 : 0);
    std::printf("%-6s %-22s %8.1f seq/s %7.1f seq/s %6.2fx\n", d, "throughput B=32", ours_b32, torch_b32,
                torch_b32 > 0 ? ours_b32 / torch_b32 : 0);
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
