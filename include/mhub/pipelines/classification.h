// Post-processing for sequence-level classification: text-classification (softmax / sigmoid / none,
// top_k) and zero-shot-classification over an NLI model's logits, as transformers does them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::pipelines {

enum class ClassificationFunction { kDefault, kSoftmax, kSigmoid, kNone };
Result<ClassificationFunction> ParseClassificationFunction(std::string_view name);

// transformers' default: sigmoid for multi_label_classification or a single label, none for
// regression, softmax otherwise.
ClassificationFunction DefaultClassificationFunction(const std::string& problem_type, size_t num_labels);

// One row of logits -> [{label, score}] sorted by score (descending), top_k entries (all when unset).
Result<Json> PostprocessTextClassification(const std::vector<float>& logits, const std::vector<std::string>& id2label,
                                           ClassificationFunction function, std::optional<int> top_k);

// Index of the entailment label in an NLI model's id2label (name starting with "entail",
// case-insensitive, like transformers); -1 when none matches.
int EntailmentId(const std::vector<std::string>& id2label);

// `nli_logits` holds one row (num_labels,) per candidate label (premise = the text, hypothesis =
// the template filled with the label). Returns {sequence, labels, scores} sorted by score.
Result<Json> PostprocessZeroShot(const std::string& sequence, const std::vector<std::string>& candidate_labels,
                                 const std::vector<std::vector<float>>& nli_logits,
                                 const std::vector<std::string>& id2label, bool multi_label);

// Splits "a, b,c" candidate labels like transformers (comma separated, stripped, empties dropped).
std::vector<std::string> SplitCandidateLabels(const std::string& labels);

}  // namespace mhub::pipelines
