// generate() with num_beams > 1 as transformers' BeamSearchScorer / BeamHypotheses do it, and the
// greedy search of the same options (num_beams == 1), independent of any model: encoder-decoder
// models (the prompt is the decoder start token) and decoder-only models (the prompt) plug in
// through a step function that returns the next-position logits of every row.
//
// Per step (beam search): log_softmax of the logits, then the processors (no_repeat_ngram,
// banned tokens, min_length, forced BOS at length 1, forced EOS at max_length - 1), plus each
// beam's running score; top 2*num_beams (more with several EOS ids) over num_beams x V; EOS
// candidates ranked within the first num_beams become finished hypotheses scored
// sum_logprobs / generated_len^length_penalty (generated_len counts the new tokens, EOS included);
// early_stopping True / False (heuristic) / "never" decide when a batch item is done.
// Greedy applies the same processors to the raw logits and takes the argmax; finished rows get
// pad_token_id until all are finished or max_length is reached.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::pipelines {

enum class EarlyStopping { kFalse, kTrue, kNever };

struct BeamSearchOptions {
  int num_beams = 1;  // 1 = greedy search
  // Total ids per row, prompt (or decoder start token) included, as transformers' max_length.
  int max_length = 20;
  int min_length = 0;  // EOS is banned while a row is shorter (prompt included)
  float length_penalty = 1.0f;
  EarlyStopping early_stopping = EarlyStopping::kFalse;
  int num_return_sequences = 1;  // <= num_beams
  int no_repeat_ngram_size = 0;
  std::vector<int64_t> eos_token_ids;  // the first is appended to finished beams that end early
  int64_t pad_token_id = -1;           // needed when rows end at different lengths
  int64_t forced_bos_token_id = -1;    // forced as the first generated token (-1 = none)
  int64_t forced_eos_token_id = -1;    // forced at position max_length - 1 (-1 = none)
  std::vector<int64_t> bad_token_ids;  // never generated (bad_words_ids of single tokens)
};

// Reads the generate() keys of an HF parameters object over `base` (unknown keys ignored):
// num_beams, max_length, max_new_tokens (max_length = prompt_len + it), min_length,
// min_new_tokens, length_penalty, early_stopping (true/false/"never"), num_return_sequences,
// no_repeat_ngram_size. InvalidArgument naming the key on a wrong type or value.
Result<BeamSearchOptions> BeamSearchOptionsFromJson(const Json& params, BeamSearchOptions base, int prompt_len);

struct BeamSearchOutput {
  // batch * num_return_sequences rows (best first within each batch item), prompt included,
  // right-padded with pad_token_id to one length.
  std::vector<std::vector<int64_t>> sequences;
  std::vector<float> scores;  // beam search: the length-normalised score of each row; greedy: empty
};

// Logits (rows x V, row-major) of the position after each row. `step` counts calls from 0.
// At step 0 rows hold the prompts (each repeated num_beams times for beam search); later, row i
// continues what row `order[i]` of the previous call was (a model cache must be reordered so) with
// `sequences[i].back()` appended.
using BeamStepFn = std::function<Result<std::vector<float>>(int step, std::span<const int64_t> order,
                                                            const std::vector<std::vector<int64_t>>& sequences)>;

// `prompts`: one row per batch item, all of one length. InvalidArgument on inconsistent options
// (num_return_sequences > num_beams, max_length <= prompt length, beams ending early without a
// pad id); the step function's errors are returned as they are.
Result<BeamSearchOutput> BeamSearch(const std::vector<std::vector<int64_t>>& prompts, const BeamSearchOptions& options,
                                    const BeamStepFn& step);

}  // namespace mhub::pipelines
