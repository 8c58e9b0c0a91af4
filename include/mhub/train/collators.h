// Data collators (training.md §4): tokenized examples -> one padded TrainBatch, as transformers'
// DataCollatorWithPadding, DataCollatorForTokenClassification and DataCollatorForLanguageModeling
// (MLM and causal) build it, plus run_ner.py's subword label alignment.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/models/trainable.h"

namespace mhub::train {

// One tokenized example (a row after the tokenize map).
struct Feature {
  std::vector<int64_t> input_ids;
  std::vector<int64_t> attention_mask;             // empty = all ones
  std::vector<int64_t> token_type_ids;             // empty = zeros
  std::vector<int64_t> special_tokens_mask;        // MLM: 1 = never mask; empty = ask `special_ids`
  std::vector<int64_t> labels;                     // token-level labels (token classification), -100 ignored
  std::optional<int64_t> label;                    // sequence classification class id
  std::vector<float> float_labels;                 // regression / multi-label targets
  int64_t start_position = -1, end_position = -1;  // extractive QA
};

struct PaddingOptions {
  int64_t pad_token_id = 0;
  bool pad_left = false;  // tokenizer padding_side == "left"
  int64_t pad_to_multiple_of = 0;
  int64_t max_length = 0;  // > 0: pad to this length ("max_length" padding); longer rows are refused
};

// DataCollatorWithPadding: pads input_ids with the pad id, attention_mask with 0, token_type_ids
// with 0 to the longest row (rounded up to pad_to_multiple_of); `label` -> labels (B),
// float_labels stacked, QA positions stacked. InvalidArgument for an empty batch, rows that mix
// having and lacking a label, or a row longer than max_length.
Result<models::TrainBatch> CollateWithPadding(std::span<const Feature> features, const PaddingOptions& options);

// DataCollatorForTokenClassification: as above, then each labels row padded with
// `label_pad_token_id` on the padding side to the padded length.
Result<models::TrainBatch> CollateForTokenClassification(std::span<const Feature> features,
                                                         const PaddingOptions& options,
                                                         int64_t label_pad_token_id = -100);

// DataCollatorForLanguageModeling(mlm=False): labels = input_ids with every pad_token_id position
// (and padding) set to -100. No shift: the model shifts (pad == eos also hides eos labels, as HF).
Result<models::TrainBatch> CollateForCausalLM(std::span<const Feature> features, const PaddingOptions& options);

struct MlmOptions {
  int64_t mask_token_id = -1;  // required
  int64_t vocab_size = 0;      // random replacements are uniform in [0, vocab_size) (len(tokenizer))
  double mlm_probability = 0.15;
  double mask_replace_prob = 0.8;
  double random_replace_prob = 0.1;
  std::vector<int64_t> special_ids;  // ids never masked when a row has no special_tokens_mask
  uint64_t seed = 0;                 // the collator's private generator (HF `seed`)
};

// DataCollatorForLanguageModeling(mlm=True): per position Bernoulli(mlm_probability), never a special
// token nor padding; labels -100 except selected; selected -> mask with Bernoulli(mask_replace_prob),
// else random id with Bernoulli(random_replace_prob / (1 - mask_replace_prob)), else unchanged.
// Stateful: consecutive batches draw from one seeded stream (reproducible across runs).
class MlmCollator {
 public:
  static Result<MlmCollator> Create(const MlmOptions& mlm, const PaddingOptions& padding);
  Result<models::TrainBatch> operator()(std::span<const Feature> features);
  // Generator state for checkpoints (a decimal string of std::mt19937_64's state).
  std::string SaveState() const;
  Status LoadState(const std::string& state);

 private:
  MlmCollator(MlmOptions m, PaddingOptions p) : m_(std::move(m)), p_(p), rng_(m_.seed) {}
  MlmOptions m_;
  PaddingOptions p_;
  std::mt19937_64 rng_;
};

// run_ner.py's tokenize_and_align_labels for one row: word_ids (-1 for special tokens, as word_ids()
// None) and the word-level label ids -> token labels: specials -100, the first sub-token of a word
// its label, later sub-tokens -100 or, with label_all_tokens, b_to_i[label] (the I- of a B- label;
// b_to_i empty = the same label). InvalidArgument when a word id has no label.
Result<std::vector<int64_t>> AlignLabelsWithTokens(std::span<const int64_t> word_ids,
                                                   std::span<const int64_t> word_labels, bool label_all_tokens = false,
                                                   std::span<const int64_t> b_to_i = {});

}  // namespace mhub::train
