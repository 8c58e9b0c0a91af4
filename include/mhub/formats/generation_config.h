// generation_config.json: the decoding defaults a model ships with (transformers GenerationConfig).
// Missing fields take transformers' defaults; unknown fields are kept in `raw` and written back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::formats {

inline constexpr std::string_view kGenerationConfigName = "generation_config.json";

// transformers' `early_stopping`: False, True or "never" (beam search only).
enum class EarlyStopping { kFalse, kTrue, kNever };

struct GenerationConfig {
  // Length.
  int64_t max_length = 20;                // prompt included
  std::optional<int64_t> max_new_tokens;  // overrides max_length when set
  int64_t min_length = 0;
  std::optional<int64_t> min_new_tokens;
  EarlyStopping early_stopping = EarlyStopping::kFalse;
  std::optional<double> max_time;
  std::vector<std::string> stop_strings;  // "stop_strings": a string or a list

  // Strategy.
  bool do_sample = false;
  int64_t num_beams = 1;
  int64_t num_beam_groups = 1;
  std::optional<double> penalty_alpha;
  bool use_cache = true;

  // Logits processing (order in transformers: processors, then temperature -> top_k -> top_p -> min_p).
  double temperature = 1.0;
  int64_t top_k = 50;
  double top_p = 1.0;
  std::optional<double> min_p;
  double typical_p = 1.0;
  double epsilon_cutoff = 0.0;
  double eta_cutoff = 0.0;
  double diversity_penalty = 0.0;
  double repetition_penalty = 1.0;
  double encoder_repetition_penalty = 1.0;
  double length_penalty = 1.0;
  int64_t no_repeat_ngram_size = 0;
  std::vector<std::vector<int64_t>> bad_words_ids;
  std::vector<int64_t> suppress_tokens;
  std::vector<int64_t> begin_suppress_tokens;
  std::optional<int64_t> forced_bos_token_id;
  std::optional<int64_t> forced_eos_token_id;  // a list is kept in `raw` only
  bool renormalize_logits = false;

  // Output.
  int64_t num_return_sequences = 1;

  // Special tokens.
  std::optional<int64_t> bos_token_id;
  std::optional<int64_t> pad_token_id;
  std::optional<int64_t> decoder_start_token_id;
  std::vector<int64_t> eos_token_ids;  // "eos_token_id": an int or a list; empty when absent
  bool eos_token_id_is_list = false;   // how to write it back

  // The JSON as read (empty object for a default config).
  Json raw = Json::object();

  // The effective cap on new tokens for a prompt of `prompt_length` tokens: max_new_tokens when
  // set, else max_length - prompt_length (at least 0).
  int64_t MaxNewTokensFor(int64_t prompt_length) const;

  // `raw` with every typed field written over it, as transformers would save it.
  Json ToJson() const;
};

// Reads the object's known fields (defaults for the missing ones). InvalidArgument naming the field
// on a wrong type.
Result<GenerationConfig> ParseGenerationConfig(const Json& json);
// `path`: generation_config.json or a folder holding one. NotFound when absent.
Result<GenerationConfig> LoadGenerationConfig(const std::string& path);
// Writes ToJson() (indent 2) atomically; `path` is a file or a folder (then generation_config.json).
Status SaveGenerationConfig(const GenerationConfig& config, const std::string& path);

}  // namespace mhub::formats
