// One training step (forward + loss + backward, fp32) of a BERT-mini sequence classifier
// (L4 H256 A4 I1024, issue 13's figure) at B=32 S=128: mhub's TrainableModel against PyTorch
// (tests/models/oracle/train_grad_oracle.py --bench, the same math as the parity oracle) in the same
// run. Prints ms/step, samples/s and peak RSS of each, and the ratios, with the CPU.
//
// The same for a GPT-2-mini causal LM (n_layer 4, n_embd 256, n_head 4, GPT-2's 50257-token vocabulary)
// with `gpt2` as the fourth argument.
//
// Usage: models_train_step_bench [steps] [batch] [seq] [bert|gpt2]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include "bench_cpu.h"
#include "mhub/base/json.h"
#include "mhub/models/trainable.h"

namespace {

double PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// User + system CPU seconds of this process (all threads).
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mhub;
  const int steps = argc > 1 ? std::atoi(argv[1]) : 3;
  const int64_t B = argc > 2 ? std::atoll(argv[2]) : 32, T = argc > 3 ? std::atoll(argv[3]) : 128;
  const bool gpt2 = argc > 4 && std::string(argv[4]) == "gpt2";
  Json config = {{"model_type", "bert"},
                 {"vocab_size", 30522},
                 {"hidden_size", 256},
                 {"num_hidden_layers", 4},
                 {"num_attention_heads", 4},
                 {"intermediate_size", 1024},
                 {"max_position_embeddings", 512},
                 {"type_vocab_size", 2},
                 {"hidden_act", "gelu"},
                 {"id2label", {{"0", "NEG"}, {"1", "POS"}}}};
  if (gpt2) {
    config = {{"model_type", "gpt2"}, {"vocab_size", 50257}, {"n_positions", 1024},
              {"n_embd", 256},        {"n_layer", 4},        {"n_head", 4}};
  }
  const char* what = gpt2 ? "GPT-2-mini causal LM" : "BERT-mini seq-cls";
  auto model = models::NewTrainable(config, gpt2 ? models::Task::kCausalLM : models::Task::kSequenceClassification, 1);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  models::TrainBatch batch;
  batch.batch = B;
  batch.seq_len = T;
  std::mt19937_64 rng(1);
  for (int64_t i = 0; i < B * T; ++i) batch.input_ids.push_back(1 + static_cast<int64_t>(rng() % 30000));
  if (gpt2) {
    batch.labels = batch.input_ids;
  } else {
    for (int64_t b = 0; b < B; ++b) batch.labels.push_back(static_cast<int64_t>(rng() % 2));
  }
  models::StepOptions options;  // train mode: dropout 0.1 as the config says
  double total_ms = 0, cpu_s = 0;
  for (int s = 0; s <= steps; ++s) {
    (*model)->ZeroGrad();
    options.seed = static_cast<uint64_t>(s);
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = CpuSeconds();
    auto r = (*model)->Step(batch, options);
    if (s > 0) cpu_s += CpuSeconds() - c0;
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 1;
    }
    if (s > 0) total_ms += ms;  // the first step is warm-up (allocation, page faults)
  }
  const double ours_ms = total_ms / steps, ours_rss = PeakRssMb();
  std::printf("cpu: %s\n", bench::CpuTag().c_str());
  const double ours_cpu_ms = 1000.0 * cpu_s / steps;
  std::printf("mhub    %s B=%lld S=%lld fp32 train step: %8.1f ms  %6.1f samples/s  cpu %8.1f ms  peak RSS %6.0f MB\n",
              what, static_cast<long long>(B), static_cast<long long>(T), ours_ms, 1000.0 * B / ours_ms, ours_cpu_ms,
              ours_rss);
  std::fflush(stdout);

  const std::string config_path = "/tmp/mhub_train_step_bench_config.json";
  std::ofstream(config_path) << DumpJson(config);
  const std::string cmd = bench::PeerEnv() +
                          " /usr/bin/python3 " MHUB_SOURCE_DIR "/tests/models/oracle/train_grad_oracle.py --bench " +
                          config_path + " " + std::to_string(B) + " " + std::to_string(T) + " " + std::to_string(steps);
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (pipe != nullptr && fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  if (pipe == nullptr || pclose(pipe) != 0) {
    std::printf("pytorch: failed to run (%s)\n", cmd.c_str());
    return 1;
  }
  auto peer = ParseJson(out);
  if (!peer.ok()) {
    std::printf("pytorch: unreadable output: %s\n", out.c_str());
    return 1;
  }
  const double torch_ms = (*peer)["ms"].get<double>(), torch_rss = (*peer)["peak_rss_mb"].get<double>();
  const double torch_cpu_ms = (*peer)["cpu_ms"].get<double>();
  std::printf("pytorch %s B=%lld S=%lld fp32 train step: %8.1f ms  %6.1f samples/s  cpu %8.1f ms  peak RSS %6.0f MB\n",
              what, static_cast<long long>(B), static_cast<long long>(T), torch_ms, 1000.0 * B / torch_ms, torch_cpu_ms,
              torch_rss);
  // (CPU time is the fairer figure on a shared, loaded machine: wall time there is mostly waiting.)
  std::printf(
      "ratio: %.2fx samples/s by wall time, %.2fx by CPU time (target >= 2x); peak memory %.2fx of PyTorch's "
      "(target <= 0.5x)\n",
      torch_ms / ours_ms, torch_cpu_ms / ours_cpu_ms, ours_rss / torch_rss);
  return 0;
}
