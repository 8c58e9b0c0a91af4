// The generate() loop, independent of any model: it asks `next_logits` for the logits of the
// next position, picks a token (logits_processing.h), and stops on max_new_tokens, an eos id or a
// stop string. Stop strings match on the decoded text, so one that ends in the middle of a token
// still stops generation and the text is cut right after it (TGI's semantics: the stop string is
// part of generated_text).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/pipelines/logits_processing.h"

namespace mhub::pipelines {

struct GenerationOptions {
  int max_new_tokens = 20;
  std::vector<int32_t> eos_token_ids;  // any of them ends generation (it is not part of the text)
  std::vector<std::string> stop;       // stop strings on the decoded text
  SamplingParams sampling;
  uint64_t seed = 0;  // the RNG seed when sampling (same seed, same output)
};

struct GenerationResult {
  std::vector<int32_t> tokens;  // the new tokens (eos excluded)
  std::string text;             // decoded new tokens, cut after a stop string
  std::string finish_reason;    // "length", "eos_token" or "stop_sequence"
};

// Feeds the tokens not yet seen by the model (the whole prompt first, then one token per step)
// and returns the logits (V,) for the position after the last of them.
using NextLogitsFn = std::function<Result<std::vector<float>>(std::span<const int32_t> new_tokens)>;
// Decodes generated token ids to text (skipping special tokens).
using DecodeFn = std::function<std::string(std::span<const int32_t> ids)>;
// Called with each new token and the text it completed (may be empty while a UTF-8 sequence or a
// possible stop string is still open). Return false to stop early.
using StreamFn = std::function<bool(int32_t token, std::string_view text)>;

Result<GenerationResult> Generate(std::span<const int32_t> prompt, const GenerationOptions& options,
                                  const NextLogitsFn& next_logits, const DecodeFn& decode,
                                  const StreamFn& stream = nullptr);

// Where the first stop string ends in `text` (index just past it), or npos. Exposed for tests.
size_t FindStopEnd(std::string_view text, const std::vector<std::string>& stop);

}  // namespace mhub::pipelines
