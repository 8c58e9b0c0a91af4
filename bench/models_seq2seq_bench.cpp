// T5-small-shaped summarization with beam search (d_model 512, 6+6 layers, 8 heads, d_ff 2048,
// vocab 32128, tied head; random weights): num_beams 4, length_penalty 2, no_repeat_ngram_size 3,
// min_length = max_length so both sides decode the same number of steps, a 256-token source; mhub
// (GenerateSeq2Seq: encoder once, cached decoder reordered per step) vs PyTorch fp32 with a KV
// cache (tests/models/oracle/seq2seq_bench_peer.py), runs alternating, in the same run; the tokens
// must be identical.
//   models_seq2seq_bench [--quick]
#include <cstdio>
#include <cstring>

#include "mhub/core/cpu.h"
#include "mhub/core/linear.h"
#include "mhub/models/seq2seq.h"
#include "mhub/pipelines/seq2seq_generation.h"
#include "models_bench_common.h"

using namespace mhub;
using namespace mhub::models;
using namespace mhub::models::bench;

namespace {

Json T5Small() {
  return Json{{"model_type", "t5"},
              {"architectures", {"T5ForConditionalGeneration"}},
              {"vocab_size", 32128},
              {"d_model", 512},
              {"d_kv", 64},
              {"num_heads", 8},
              {"d_ff", 2048},
              {"num_layers", 6},
              {"initializer_range", 0.05},
              {"pad_token_id", 0},
              {"eos_token_id", 1},
              {"decoder_start_token_id", 0}};
}

// Runs the PyTorch peer; its JSON line, or null (the reason on stderr).
Json RunPeer(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return nullptr;
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) text.append(buf, n);
  if (pclose(p) != 0) {
    std::fprintf(stderr, "torch peer failed: %s\n", cmd.c_str());
    return nullptr;
  }
  Result<Json> j = ParseJson(text);
  return j.ok() ? *j : Json(nullptr);
}

int Run(bool quick) {
  core::SetNumThreads(2);
  ScratchDir scratch;
  const int64_t src_len = quick ? 64 : 256;
  const int max_length = quick ? 16 : 48, runs = quick ? 1 : 3;
  std::printf("CPU: %s\nPyTorch peer env: %s\n", core::CpuSummary().c_str(), mhub::bench::PeerEnv().c_str());
  std::printf("T5-small beam search: source %lld tokens, 4 beams, %d decoder positions, 2 threads, fp32\n",
              static_cast<long long>(src_len), max_length);
  const std::string dir = scratch.path + "/t5_small";
  {
    auto fresh = Seq2SeqLMFromConfig(T5Small(), 1);
    if (!fresh.ok() || !(*fresh)->SavePretrained(dir).ok()) {
      std::fprintf(stderr, "cannot build the model: %s\n", fresh.status().ToString().c_str());
      return 1;
    }
  }
  auto lm = LoadSeq2SeqLM(dir);
  if (!lm.ok()) {
    std::fprintf(stderr, "load failed: %s\n", lm.status().ToString().c_str());
    return 1;
  }
  ModelInputs in;
  in.batch = 1;
  in.seq_len = src_len;
  for (int64_t i = 0; i < src_len; ++i) in.input_ids.push_back((i * 7 + 3) % 32128);
  pipelines::BeamSearchOptions o;
  o.num_beams = 4;
  o.max_length = max_length;
  o.min_length = max_length;
  o.length_penalty = 2.0f;
  o.early_stopping = pipelines::EarlyStopping::kTrue;
  o.no_repeat_ngram_size = 3;
  o.eos_token_ids = {1};
  o.pad_token_id = 0;
  // Warm-up: the first run prepares (packs) the weights.
  Result<pipelines::BeamSearchOutput> out = pipelines::GenerateSeq2Seq(**lm, in, o);
  core::WaitForPackedWeights();
  if (!out.ok()) {
    std::fprintf(stderr, "generate failed: %s\n", out.status().ToString().c_str());
    return 1;
  }
  // Where the time goes: the encoder alone (Encode with its cross keys/values) on the same input.
  const double e0 = NowMs();
  if (!(*lm)->Encode(in, o.num_beams, max_length).ok()) return 1;
  std::printf("mhub encoder (Encode, %lld tokens): %.1f ms\n", static_cast<long long>(src_len), NowMs() - e0);
  // Our runs alternate with PyTorch's (a fresh peer each time, its second, warm run timed), so both
  // see the same load on a shared machine.
  const std::string cmd = mhub::bench::PeerEnv() + " /usr/bin/python3 " + std::string(MHUB_SOURCE_DIR) +
                          "/tests/models/oracle/seq2seq_bench_peer.py " + dir + " " + std::to_string(src_len) + " " +
                          std::to_string(o.num_beams) + " " + std::to_string(max_length) + " 2";
  std::vector<double> ours, theirs;
  bool same = true;
  for (int r = 0; r < runs; ++r) {
    const double t0 = NowMs();
    out = pipelines::GenerateSeq2Seq(**lm, in, o);
    ours.push_back(NowMs() - t0);
    if (!out.ok()) return 1;
    Json t = RunPeer(cmd);
    if (!t.is_object()) return 1;
    theirs.push_back(t["ms"].back().get<double>());
    same = same && t["sequences"].get<std::vector<std::vector<int64_t>>>() == out->sequences;
    std::printf("  run %d: mhub %.1f ms, pytorch %.1f ms\n", r + 1, ours.back(), theirs.back());
  }
  const double mine = Median(ours), peer = Median(theirs);
  std::printf("%-28s %9.1f ms %9.1f ms %6.2fx  tokens %s  %s\n", "beam-4 summarization (median)", mine, peer,
              peer / mine, same ? "identical" : "DIFFER", mhub::bench::CpuTag().c_str());
  return same ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  EnsurePassiveOmpWait(argv);
  return Run(argc > 1 && std::strcmp(argv[1], "--quick") == 0);
}
