// BERT-base-shaped encoder (12 layers, hidden 768, 12 heads, ffn 3072, random weights), S=128:
// B=1 latency and B=32 throughput in fp32 and bf16 (and mhub's int8 dynamic quantization against
// PyTorch fp32), mhub vs the PyTorch reference
// (tests/clients/models_reference.py) in the same run, plus from_pretrained time.
// mhub's runs alternate with PyTorch's (a PyTorch process kept alive for the figure), so both see
// the same machine load; each run follows the same idle pause and the order inside a pair
// alternates; the ratio printed is the median of the per-pair ratios.
//   models_encoder_bench [--quick]   (--quick: fewer runs)
//   models_encoder_bench --profile MODE BATCH RUNS   (mhub only, for perf: MODE float32|bfloat16|int8)
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include <sys/resource.h>

#include <unistd.h>

#include "mhub/core/cpu.h"
#include "mhub/core/linear.h"
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
  const int runs1 = quick ? 3 : 11, runs32 = quick ? 1 : 5;
  const std::string tag = mhub::bench::CpuTag();
  std::printf("CPU: %s\n", core::CpuSummary().c_str());
  std::printf("BERT-base encoder, S=128, 2 threads (PyTorch: %s, 2 threads)\n", mhub::bench::PeerEnv().c_str());
  std::printf("%-6s %-22s %12s %12s %8s\n", "dtype", "figure", "mhub", "pytorch", "ratio");
  std::printf("(medians; ratio = median over alternating mhub/PyTorch run pairs of the speed-up)\n");
  // "int8": the float32 checkpoint loaded with LoadOptions::quantize = kInt8, against PyTorch float32.
  for (const std::string mode : {"float32", "bfloat16", "int8"}) {
    // MHUB_BENCH_MODES=float32,bfloat16: only these rows (a shorter run on a busy machine).
    const char* only = std::getenv("MHUB_BENCH_MODES");
    if (only != nullptr && ("," + std::string(only) + ",").find("," + mode + ",") == std::string::npos) continue;
    const bool int8 = mode == "int8";
    const std::string dtype = int8 ? "float32" : mode;
    const std::string dir = scratch.path + "/bert_" + mode;
    {
      auto fresh = ModelFromConfig(BertBase(dtype), Task::kBase, 1);
      if (!fresh.ok() || !(*fresh)->SavePretrained(dir).ok()) {
        std::fprintf(stderr, "cannot build the model: %s\n", fresh.status().ToString().c_str());
        return 1;
      }
    }
    ::sync();  // load a checkpoint at rest, not one whose pages are still being written back
    std::fprintf(stderr, "[%s] model written\n", mode.c_str());
    LoadOptions options;
    if (int8) options.quantize = Quantization::kInt8;
    double t0 = NowMs();
    auto model = LoadModel(dir, Task::kBase, options);
    const double load_ms = NowMs() - t0;
    if (!model.ok()) {
      std::fprintf(stderr, "load failed: %s\n", model.status().ToString().c_str());
      return 1;
    }
    t0 = NowMs();
    auto first = (*model)->Forward(Batch(1, 128));
    const double first_ms = NowMs() - t0;
    if (!first.ok()) {
      std::fprintf(stderr, "forward failed: %s\n", first.status().ToString().c_str());
      return 1;
    }
    std::fprintf(stderr, "[%s] first forward %.0f ms\n", mode.c_str(), first_ms);
    core::WaitForPackedWeights();  // measure the steady state (the panels packed in the background)
    const char* d = int8 ? "int8" : dtype == "float32" ? "fp32" : "bf16";
    std::printf("%-6s %-22s %9.1f ms\n", d, "from_pretrained", load_ms);
    std::printf("%-6s %-22s %9.1f ms\n", d, "first forward B=1", first_ms);
    for (const int64_t batch : {int64_t{1}, int64_t{32}}) {
      const ModelInputs in = Batch(batch, 128);
      const int runs = batch == 1 ? runs1 : runs32;
      TorchEncoder torch(dir, dtype, batch, 128);
      if (!torch.ok()) std::fprintf(stderr, "[%s] PyTorch reference did not start\n", mode.c_str());
      if (batch > 1) (void)(*model)->Forward(in);  // warm-up at this shape
      std::vector<double> ours, theirs, ratios;
      // Both sides start from the same state: an idle pause before every run (PyTorch's OpenBLAS
      // workers spin with sched_yield for a while after a call; and a run that follows another
      // directly finds the CPU warm), and the order inside a pair alternates.
      auto pause = [] { std::this_thread::sleep_for(std::chrono::milliseconds(200)); };
      for (int i = 0; i < runs; ++i) {
        double mine = 0, t = 0;
        for (int side = 0; side < 2; ++side) {
          pause();
          if ((side == 0) == (i % 2 == 0)) {
            t0 = NowMs();
            if (!(*model)->Forward(in).ok()) return 1;
            mine = NowMs() - t0;
          } else {
            t = torch.Run();
          }
        }
        ours.push_back(mine);
        if (t > 0) {
          theirs.push_back(t);
          ratios.push_back(t / mine);
        }
      }
      std::fprintf(stderr, "[%s] B=%lld runs (mhub/PyTorch ms):", mode.c_str(), static_cast<long long>(batch));
      for (size_t i = 0; i < ours.size(); ++i)
        std::fprintf(stderr, " %.0f/%.0f", ours[i], i < theirs.size() ? theirs[i] : 0.0);
      std::fprintf(stderr, "\n");
      if (batch == 1) {
        std::printf("%-6s %-22s %9.1f ms %9.1f ms %7.2fx  %s\n", d, "latency B=1", Median(ours), Median(theirs),
                    Median(ratios), tag.c_str());
      } else {
        const double ours_s = 1000.0 * batch / Median(ours);
        const double theirs_s = theirs.empty() ? 0 : 1000.0 * batch / Median(theirs);
        std::printf("%-6s %-22s %8.1f seq/s %7.1f seq/s %6.2fx  %s\n", d, "throughput B=32", ours_s, theirs_s,
                    Median(ratios), tag.c_str());
      }
      std::fflush(stdout);
    }
  }
  return 0;
}

double CpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

// mhub alone, RUNS forwards at one shape (to run under perf); prints the median ms.
int Profile(const std::string& mode, int64_t batch, int runs) {
  core::SetNumThreads(2);
  ScratchDir scratch;
  // MHUB_BENCH_MODEL_DIR: a folder to keep the model in between runs (written when it has no
  // config.json), so a run under perf times loading and the first forward alone.
  const char* keep = std::getenv("MHUB_BENCH_MODEL_DIR");
  const std::string dir = keep != nullptr ? std::string(keep) : scratch.path + "/bert";
  const std::string dtype = mode == "int8" ? "float32" : mode;
  if (keep == nullptr || !std::filesystem::exists(dir + "/config.json")) {
    auto fresh = ModelFromConfig(BertBase(dtype), Task::kBase, 1);
    if (!fresh.ok() || !(*fresh)->SavePretrained(dir).ok()) return 1;
  }
  LoadOptions options;
  if (mode == "int8") options.quantize = Quantization::kInt8;
  auto model = LoadModel(dir, Task::kBase, options);
  if (!model.ok()) return 1;
  const ModelInputs in = Batch(batch, 128);
  const double first0 = NowMs();
  (void)(*model)->Forward(in);
  std::printf("%s B=%lld: first forward %.1f ms\n", mode.c_str(), static_cast<long long>(batch), NowMs() - first0);
  core::WaitForPackedWeights();
  std::vector<double> ms;
  const double cpu0 = CpuMs();
  const char* pause = std::getenv("MHUB_BENCH_PAUSE_MS");  // idle time between forwards, as in the main run
  for (int i = 0; i < runs; ++i) {
    if (pause != nullptr) std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(pause)));
    const double t0 = NowMs();
    if (!(*model)->Forward(in).ok()) return 1;
    ms.push_back(NowMs() - t0);
  }
  std::printf("%s B=%lld: median %.1f ms, %.1f CPU-ms per forward over %d runs\n", mode.c_str(),
              static_cast<long long>(batch), Median(ms), (CpuMs() - cpu0) / runs, runs);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  EnsurePassiveOmpWait(argv);
  if (argc == 5 && std::strcmp(argv[1], "--profile") == 0)
    return Profile(argv[2], std::atoll(argv[3]), std::atoi(argv[4]));
  std::printf("OMP_WAIT_POLICY=%s\n", std::getenv("OMP_WAIT_POLICY"));
  return Run(argc > 1 && std::strcmp(argv[1], "--quick") == 0);
}
