// The logits processors and samplers of generate(), with transformers' semantics and order:
// repetition penalty -> no-repeat-ngram -> (sampling only) temperature -> top_k -> top_p -> min_p,
// then argmax (greedy) or a multinomial draw. Each works in place on one row of logits (V,).
#pragma once

#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <vector>

namespace mhub::pipelines {

inline constexpr float kFilterValue = -std::numeric_limits<float>::infinity();

struct SamplingParams {
  bool do_sample = false;
  float temperature = 1.0f;         // > 0; 1 = unchanged
  int top_k = 50;                   // 0 = off (transformers' default is 50, applied only when sampling)
  float top_p = 1.0f;               // 1 = off
  float min_p = 0.0f;               // 0 = off
  float repetition_penalty = 1.0f;  // 1 = off
  int no_repeat_ngram_size = 0;     // 0 = off
  int min_tokens_to_keep = 1;
};

// CTRL-style: for every token id present in `context` (prompt included), a positive logit is
// divided by `penalty`, a negative one multiplied.
void ApplyRepetitionPenalty(std::span<float> logits, std::span<const int32_t> context, float penalty);
// Bans every token that would complete an n-gram already present in `context`.
void ApplyNoRepeatNgram(std::span<float> logits, std::span<const int32_t> context, int n);
void ApplyTemperature(std::span<float> logits, float temperature);
// Keeps the k highest logits (ties with the k-th kept), others -> kFilterValue.
void ApplyTopK(std::span<float> logits, int k, int min_tokens_to_keep = 1);
// Nucleus: keeps the smallest set of most likely tokens whose probability reaches top_p
// (transformers: sorts ascending, removes the tail whose cumulative probability <= 1 - top_p).
void ApplyTopP(std::span<float> logits, float top_p, int min_tokens_to_keep = 1);
// Removes tokens with probability < min_p * (max probability).
void ApplyMinP(std::span<float> logits, float min_p, int min_tokens_to_keep = 1);

// Runs the processors (and the sampling warpers when params.do_sample) in transformers' order.
void ProcessLogits(std::span<float> logits, std::span<const int32_t> context, const SamplingParams& params);

// Index of the largest logit (first one on ties, like torch.argmax).
int32_t ArgMax(std::span<const float> logits);
// Draws from softmax(logits); -inf entries are never drawn.
int32_t SampleFromLogits(std::span<const float> logits, std::mt19937_64& rng);
// Numerically stable softmax into `out` (same size).
void Softmax(std::span<const float> logits, std::span<float> out);

// Picks the next token: processes a copy of `logits` and returns argmax or a sample.
int32_t SelectNextToken(std::span<const float> logits, std::span<const int32_t> context, const SamplingParams& params,
                        std::mt19937_64& rng);

}  // namespace mhub::pipelines
