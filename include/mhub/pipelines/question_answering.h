// Post-processing of extractive question answering, as transformers' QuestionAnsweringPipeline:
// per window (a long context is split with doc_stride), softmax over allowed positions (context
// tokens and the CLS token), best (start <= end < start + max_answer_len) spans by start*end
// probability, mapped to character offsets in the context (aligned to whole words by default).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::pipelines {

// One window of question + context tokens.
struct QaWindow {
  std::vector<float> start_logits, end_logits;     // (T,)
  std::vector<bool> allowed;                       // (T,) context tokens, plus the CLS token
  std::vector<int> attention_mask;                 // (T,)
  std::vector<std::pair<size_t, size_t>> offsets;  // (T,) code point offsets into the context
  std::vector<int> word_ids;                       // (T,) word index within the context, -1 for none
  std::vector<bool> is_context;                    // (T,) tokens of the context sequence
};

struct QaOptions {
  int top_k = 1;
  int max_answer_len = 15;
  bool handle_impossible_answer = false;
  bool align_to_words = true;
};

// Returns [{score, start, end, answer}] sorted by score, at most top_k entries.
Result<Json> PostprocessQuestionAnswering(const std::string& context, const std::vector<QaWindow>& windows,
                                          const QaOptions& options);

}  // namespace mhub::pipelines
