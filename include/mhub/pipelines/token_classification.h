// Post-processing of token-classification (NER) logits, as transformers'
// TokenClassificationPipeline does it: per-token softmax, subword detection, word aggregation
// (none / simple / first / average / max), B-/I- entity grouping and ignore_labels.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::pipelines {

enum class AggregationStrategy { kNone, kSimple, kFirst, kAverage, kMax };
Result<AggregationStrategy> ParseAggregationStrategy(std::string_view name);

// One tokenized input with what the post-processing needs to know about each token.
struct TokenInfo {
  int32_t id = 0;
  std::string token;          // the vocabulary string (e.g. "##ing", "Ġworld")
  size_t start = 0, end = 0;  // character offsets into the input text
  bool special = false;       // from special_tokens_mask
};

struct TokenClassificationOptions {
  AggregationStrategy strategy = AggregationStrategy::kSimple;
  std::vector<std::string> ignore_labels = {"O"};
  // True when the tokenizer model has a continuing_subword_prefix (WordPiece "##"): then a token is a
  // subword iff its string length differs from the text it covers; otherwise a whitespace heuristic.
  bool word_aware_tokenizer = true;
  std::optional<int32_t> unk_token_id;
};

// Joins token strings back to text the way the tokenizer's decoder does (convert_tokens_to_string).
using TokensToString = std::function<std::string(const std::vector<std::string>& tokens)>;

// `text` is the input; `tokens` and `logits` (num_tokens x num_labels, row-major) describe it;
// `id2label` maps label ids to names. Returns the JSON array the HF Inference API returns.
Result<Json> PostprocessTokenClassification(const std::string& text, const std::vector<TokenInfo>& tokens,
                                            const std::vector<float>& logits, size_t num_labels,
                                            const std::vector<std::string>& id2label,
                                            const TokenClassificationOptions& options,
                                            const TokensToString& tokens_to_string);

// Character (code point) offsets -> the substring of UTF-8 `text`.
std::string SubstrByCodePoints(const std::string& text, size_t start, size_t end);

}  // namespace mhub::pipelines
