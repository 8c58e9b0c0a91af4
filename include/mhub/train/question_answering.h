// Extractive question answering as transformers' examples/pytorch/question-answering/run_qa.py:
// SQuAD-style examples cut into overlapping windows of the context (max_length, doc_stride) with
// start/end token positions (the CLS index when the answer is not inside a window or there is none),
// the offsets kept for evaluation, utils_qa.postprocess_qa_predictions turning start/end logits back
// into text spans, and the `squad` / `squad_v2` metrics (exact match and F1 after SQuAD's answer
// normalisation). Character positions are Unicode code points, as Python's str indices.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/datasets/dataset.h"
#include "mhub/tokenizers/tokenizer.h"
#include "mhub/train/collators.h"
#include "mhub/train/metrics.h"

namespace mhub::train {

// One SQuAD row: answers.text / answers.answer_start (code points into `context`); no answers =
// unanswerable (SQuAD v2).
struct QaExample {
  std::string id, question, context;
  std::vector<std::string> answer_texts;
  std::vector<int64_t> answer_starts;
};

struct QaPrepOptions {
  int64_t max_length = 384;  // --max_seq_length
  int64_t doc_stride = 128;  // tokens shared by consecutive windows
  bool pad_to_max_length = true;
  int64_t pad_token_id = 0;
  // padding_side == "right": question first, context second (truncation only_second); else swapped.
  bool pad_on_right = true;
};

// One window. `feature` carries input_ids/token_type_ids/attention_mask and, when the example has
// an answer field, start/end positions (prepare_train_features); `offsets` are the context tokens'
// [start, end) code points, nullopt for question, special and padding tokens
// (prepare_validation_features).
struct QaFeature {
  Feature feature;
  int64_t example_index = 0;
  std::vector<std::optional<std::pair<int64_t, int64_t>>> offsets;
};

// Windows of every example in order (prepare_train_features + prepare_validation_features in one:
// positions are set on every window). The question is left-stripped as run_qa does. `tokenizer` is
// configured with truncation only_second/only_first, max_length and stride for the call and given
// back its own padding/truncation after. InvalidArgument names the row of a bad example (an answer
// outside the context, max_length too small for the question).
Result<std::vector<QaFeature>> PrepareQaFeatures(tokenizers::Tokenizer& tokenizer, std::span<const QaExample> examples,
                                                 const QaPrepOptions& options);

struct QaPostprocessOptions {
  bool version_2_with_negative = false;
  int64_t n_best_size = 20;
  int64_t max_answer_length = 30;
  double null_score_diff_threshold = 0.0;
};

// utils_qa.postprocess_qa_predictions: example id -> predicted text ("" = no answer, v2 only).
// `start_logits` / `end_logits` are (num_features, T) row-major; T may exceed a window's length
// (padding -100). InvalidArgument when the shapes do not match `features`.
Result<std::map<std::string, std::string>> PostprocessQaPredictions(std::span<const QaExample> examples,
                                                                    std::span<const QaFeature> features,
                                                                    std::span<const float> start_logits,
                                                                    std::span<const float> end_logits, int64_t T,
                                                                    const QaPostprocessOptions& options = {});

// SQuAD's normalize_answer: lower case, ASCII punctuation removed, articles a/an/the removed as
// words, whitespace collapsed.
std::string NormalizeSquadAnswer(const std::string& s);

// `squad` (v1): {"exact_match", "f1"} in percent, each the max over the references of an example.
// `squad_v2`: {"exact", "f1", "total"} (+ HasAns_/NoAns_ splits), no references = the answer "".
// `predictions` and `references` by example id; InvalidArgument when an id has no prediction.
Result<std::map<std::string, double>> SquadMetric(const std::map<std::string, std::string>& predictions,
                                                  const std::map<std::string, std::vector<std::string>>& references,
                                                  bool v2 = false);

// SQuAD-layout rows of `ds` (id, question, context, answers {text: [..], answer_start: [..]}; the
// column names as run_qa's --question_column_name etc.). The first `limit` rows when > 0.
// InvalidArgument names the split, row and column of a missing or mistyped field.
struct QaColumns {
  std::string id = "id", question = "question", context = "context", answers = "answers";
};
Result<std::vector<QaExample>> QaExamplesFromDataset(const datasets::Dataset& ds, const std::string& split,
                                                     const QaColumns& columns = {}, int64_t limit = 0);

// run_qa's compute_metrics over the Trainer's gathered "start_logits"/"end_logits" (one row per
// feature of `features`, in order): postprocess, then squad (or squad_v2 with
// version_2_with_negative) -> {"exact_match","f1"} / {"exact","f1",...}.
ComputeMetrics QaMetrics(std::vector<QaExample> examples, std::vector<QaFeature> features,
                         QaPostprocessOptions options = {});

}  // namespace mhub::train
