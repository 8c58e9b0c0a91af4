#include "mhub/pipelines/logits_processing.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <unordered_set>

namespace mhub::pipelines {

void ApplyRepetitionPenalty(std::span<float> logits, std::span<const int32_t> context, float penalty) {
  if (penalty == 1.0f) return;
  std::unordered_set<int32_t> seen;
  for (int32_t id : context) {
    if (id < 0 || static_cast<size_t>(id) >= logits.size() || !seen.insert(id).second) continue;
    float& l = logits[id];
    l = l < 0 ? l * penalty : l / penalty;
  }
}

void ApplyNoRepeatNgram(std::span<float> logits, std::span<const int32_t> context, int n) {
  if (n <= 0 || context.size() + 1 < static_cast<size_t>(n)) return;
  // The last n-1 tokens form the prefix; any earlier n-gram starting with that prefix bans its last token.
  size_t len = context.size();
  size_t prefix_start = len - static_cast<size_t>(n - 1);
  for (size_t start = 0; start + static_cast<size_t>(n) <= len; ++start) {
    bool match = true;
    for (int j = 0; j < n - 1; ++j) {
      if (context[start + j] != context[prefix_start + j]) {
        match = false;
        break;
      }
    }
    if (!match) continue;
    int32_t banned = context[start + n - 1];
    if (banned >= 0 && static_cast<size_t>(banned) < logits.size()) logits[banned] = kFilterValue;
  }
}

void ApplyTemperature(std::span<float> logits, float temperature) {
  if (temperature == 1.0f || temperature <= 0.0f) return;
  for (float& l : logits) l /= temperature;
}

void ApplyTopK(std::span<float> logits, int k, int min_tokens_to_keep) {
  if (k <= 0) return;
  size_t keep = std::min(logits.size(), static_cast<size_t>(std::max(k, min_tokens_to_keep)));
  if (keep >= logits.size()) return;
  std::vector<float> sorted(logits.begin(), logits.end());
  std::nth_element(sorted.begin(), sorted.begin() + (keep - 1), sorted.end(), std::greater<float>());
  float kth = sorted[keep - 1];
  for (float& l : logits)
    if (l < kth) l = kFilterValue;
}

void Softmax(std::span<const float> logits, std::span<float> out) {
  float mx = kFilterValue;
  for (float l : logits) mx = std::max(mx, l);
  if (mx == kFilterValue) {
    std::fill(out.begin(), out.end(), 1.0f / static_cast<float>(out.size()));
    return;
  }
  double sum = 0;
  for (size_t i = 0; i < logits.size(); ++i) {
    out[i] = std::exp(logits[i] - mx);
    sum += out[i];
  }
  for (float& p : out) p = static_cast<float>(p / sum);
}

void ApplyTopP(std::span<float> logits, float top_p, int min_tokens_to_keep) {
  if (top_p >= 1.0f) return;
  size_t n = logits.size();
  std::vector<int32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Ascending like transformers (stable, so ties keep index order).
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return logits[a] < logits[b]; });
  std::vector<float> sorted(n), probs(n);
  for (size_t i = 0; i < n; ++i) sorted[i] = logits[order[i]];
  Softmax(sorted, probs);
  float cum = 0;
  std::vector<bool> remove(n, false);
  for (size_t i = 0; i < n; ++i) {
    cum += probs[i];
    remove[i] = cum <= 1.0f - top_p;
  }
  for (size_t i = n - std::min<size_t>(n, static_cast<size_t>(min_tokens_to_keep)); i < n; ++i) remove[i] = false;
  for (size_t i = 0; i < n; ++i)
    if (remove[i]) logits[order[i]] = kFilterValue;
}

void ApplyMinP(std::span<float> logits, float min_p, int min_tokens_to_keep) {
  if (min_p <= 0.0f) return;
  size_t n = logits.size();
  std::vector<float> probs(n);
  Softmax(logits, probs);
  float top = *std::max_element(probs.begin(), probs.end());
  float threshold = min_p * top;
  // Always keep the min_tokens_to_keep most likely tokens.
  std::vector<int32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return probs[a] > probs[b]; });
  std::vector<bool> keep(n, false);
  for (size_t i = 0; i < std::min<size_t>(n, static_cast<size_t>(min_tokens_to_keep)); ++i) keep[order[i]] = true;
  for (size_t i = 0; i < n; ++i)
    if (probs[i] < threshold && !keep[i]) logits[i] = kFilterValue;
}

void ProcessLogits(std::span<float> logits, std::span<const int32_t> context, const SamplingParams& p) {
  ApplyRepetitionPenalty(logits, context, p.repetition_penalty);
  ApplyNoRepeatNgram(logits, context, p.no_repeat_ngram_size);
  if (!p.do_sample) return;
  ApplyTemperature(logits, p.temperature);
  ApplyTopK(logits, p.top_k, p.min_tokens_to_keep);
  ApplyTopP(logits, p.top_p, p.min_tokens_to_keep);
  ApplyMinP(logits, p.min_p, p.min_tokens_to_keep);
}

int32_t ArgMax(std::span<const float> logits) {
  if (logits.empty()) return -1;
  return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

int32_t SampleFromLogits(std::span<const float> logits, std::mt19937_64& rng) {
  std::vector<float> probs(logits.size());
  Softmax(logits, probs);
  double total = 0;
  for (float p : probs) total += p;
  std::uniform_real_distribution<double> dist(0.0, total);
  double r = dist(rng);
  int32_t last_valid = -1;
  for (size_t i = 0; i < probs.size(); ++i) {
    if (probs[i] <= 0) continue;
    last_valid = static_cast<int32_t>(i);
    r -= probs[i];
    if (r < 0) return last_valid;
  }
  return last_valid;
}

int32_t SelectNextToken(std::span<const float> logits, std::span<const int32_t> context, const SamplingParams& params,
                        std::mt19937_64& rng) {
  std::vector<float> work(logits.begin(), logits.end());
  ProcessLogits(work, context, params);
  return params.do_sample ? SampleFromLogits(work, rng) : ArgMax(work);
}

}  // namespace mhub::pipelines
