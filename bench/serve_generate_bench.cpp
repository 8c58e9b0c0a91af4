// Continuous batching speed: 16 concurrent greedy streams through the BatchScheduler (the path
// `mhub serve` runs for every generation route) against one stream alone through the same
// scheduler, on a random Llama-architecture model of ~40M parameters (no checkpoint needed).
// Prints aggregate decode tokens/s, the ratio (issue 14 target: >= 5x) and the time to first token
// p50/p99 of the 16-stream rounds. In process: no HTTP or tokenizer time is counted.
//
//   serve_generate_bench [--rounds N] [--new-tokens N] [--prompt N] [--hidden N] [--layers N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "bench_cpu.h"
#include "mhub/models/auto_model.h"
#include "serve/batch_scheduler.h"

namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct Run {
  double seconds = 0;
  int64_t tokens = 0;
  std::vector<double> ttft;  // seconds, one per stream
};

// `streams` greedy generations started together; each feeds its prompt, then `new_tokens` tokens.
Run Generate(mhub::serve::BatchScheduler& s, int streams, int prompt_len, int new_tokens, int vocab, int round) {
  Run run;
  run.ttft.assign(static_cast<size_t>(streams), 0);
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < streams; ++i) {
    threads.emplace_back([&, i] {
      std::vector<int32_t> feed;
      // Distinct prompts (no prefix-cache hits between streams or rounds).
      for (int t = 0; t < prompt_len; ++t) feed.push_back((round * 7919 + i * 131 + t * 17 + 3) % vocab);
      mhub::serve::BatchScheduler::Stream stream = s.Open();
      for (int k = 0; k < new_tokens; ++k) {
        auto logits = stream.Next(feed, std::numeric_limits<int64_t>::max() / 4);
        if (!logits.ok()) {
          std::fprintf(stderr, "error: %s\n", logits.status().ToString().c_str());
          std::exit(1);
        }
        if (k == 0) run.ttft[static_cast<size_t>(i)] = Since(start);
        feed = {static_cast<int32_t>(std::max_element(logits->begin(), logits->end()) - logits->begin())};
      }
    });
  }
  for (auto& t : threads) t.join();
  run.seconds = Since(start);
  run.tokens = static_cast<int64_t>(streams) * new_tokens;
  return run;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5));
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 3, new_tokens = 64, prompt = 32, hidden = 512, layers = 8;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const int v = std::atoi(argv[i + 1]);
    if (a == "--rounds") rounds = v;
    if (a == "--new-tokens") new_tokens = v;
    if (a == "--prompt") prompt = v;
    if (a == "--hidden") hidden = v;
    if (a == "--layers") layers = v;
  }
  const int vocab = 32000;
  mhub::Json config = {{"model_type", "llama"},
                       {"vocab_size", vocab},
                       {"hidden_size", hidden},
                       {"intermediate_size", hidden * 11 / 4},
                       {"num_hidden_layers", layers},
                       {"num_attention_heads", hidden / 64},
                       {"num_key_value_heads", std::max(1, hidden / 128)},
                       {"max_position_embeddings", 2048},
                       {"tie_word_embeddings", true},
                       {"initializer_range", 0.05}};
  auto lm = mhub::models::AutoModelForCausalLM::FromConfig(config, 1);
  if (!lm.ok()) {
    std::fprintf(stderr, "error: %s\n", lm.status().ToString().c_str());
    return 1;
  }
  mhub::serve::SchedulerOptions o;
  o.prefix_cache = false;
  auto sched = mhub::serve::BatchScheduler::Start(**lm, o);
  if (!sched.ok()) {
    std::fprintf(stderr, "error: %s\n", sched.status().ToString().c_str());
    return 1;
  }
  std::printf("serve_generate_bench: Llama hidden %d, %d layers, vocab %d; prompt %d, %d new tokens, %d rounds\n",
              hidden, layers, vocab, prompt, new_tokens, rounds);
  std::printf("cpu: %s, %u hardware threads\n", mhub::bench::CpuTag().c_str(), std::thread::hardware_concurrency());
  Generate(**sched, 1, prompt, 4, vocab, 100);  // warm-up (weights packed, pages touched)
  std::vector<double> one_rate, many_rate, ttft1, ttft16;
  for (int r = 0; r < rounds; ++r) {
    Run one = Generate(**sched, 1, prompt, new_tokens, vocab, 2 * r);
    Run many = Generate(**sched, 16, prompt, new_tokens, vocab, 2 * r + 1);
    one_rate.push_back(static_cast<double>(one.tokens) / one.seconds);
    many_rate.push_back(static_cast<double>(many.tokens) / many.seconds);
    ttft1.insert(ttft1.end(), one.ttft.begin(), one.ttft.end());
    ttft16.insert(ttft16.end(), many.ttft.begin(), many.ttft.end());
    std::printf("round %d: 1 stream %.1f tok/s, 16 streams %.1f tok/s aggregate (%.2fx)\n", r, one_rate.back(),
                many_rate.back(), many_rate.back() / one_rate.back());
  }
  const double one = Percentile(one_rate, 0.5), many = Percentile(many_rate, 0.5);
  const mhub::serve::SchedulerStats st = (*sched)->stats();
  std::printf("median: 1 stream %.1f tok/s, 16 streams %.1f tok/s: ratio %.2fx (target >= 5x)\n", one, many,
              many / one);
  std::printf("TTFT 1 stream p50 %.1f ms; 16 streams p50 %.1f ms p99 %.1f ms; largest step %llu sequences\n",
              1e3 * Percentile(ttft1, 0.5), 1e3 * Percentile(ttft16, 0.5), 1e3 * Percentile(ttft16, 0.99),
              static_cast<unsigned long long>(st.max_batch));
  return 0;
}
