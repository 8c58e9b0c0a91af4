// Metrics of evaluate / sklearn / seqeval (training.md §8.1), and the compute_metrics hook type.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/models/model.h"

namespace mhub::train {

// accuracy(normalize=True): the share of equal pairs. InvalidArgument on a length mismatch or no pairs.
Result<double> Accuracy(std::span<const int64_t> y_true, std::span<const int64_t> y_pred);

struct PrfOptions {
  std::string average = "binary";  // binary | micro | macro | weighted
  int64_t pos_label = 1;
  std::vector<int64_t> labels;  // empty: sorted union of y_true and y_pred
  double zero_division = 0.0;   // value of a 0/0 (sklearn "warn" = 0)
};
struct Prf {
  double precision = 0, recall = 0, f1 = 0;
};
// sklearn precision_recall_fscore_support: binary needs at most two distinct labels.
Result<Prf> PrecisionRecallF1(std::span<const int64_t> y_true, std::span<const int64_t> y_pred,
                              const PrfOptions& options = {});

struct SeqevalEntityScores {
  double precision = 0, recall = 0, f1 = 0;
  int64_t number = 0;  // entities of this type in y_true
};
struct SeqevalResult {
  std::map<std::string, SeqevalEntityScores> per_type;
  double overall_precision = 0, overall_recall = 0, overall_f1 = 0, overall_accuracy = 0;
};
// evaluate's "seqeval" over tag sequences. Default (lenient) mode follows seqeval.get_entities;
// strict = mode="strict" with scheme IOB2 (an entity starts only at B-). InvalidArgument when the
// outer or inner lengths differ.
Result<SeqevalResult> Seqeval(const std::vector<std::vector<std::string>>& y_true,
                              const std::vector<std::vector<std::string>>& y_pred, bool strict_iob2 = false);
// (type, start, end) entities of one tag sequence as seqeval.get_entities (end inclusive).
struct Entity {
  std::string type;
  int64_t start = 0, end = 0;
  bool operator==(const Entity&) const = default;
};
std::vector<Entity> GetEntities(const std::vector<std::string>& tags, bool strict_iob2 = false);

// exp(loss): the Trainer-style perplexity of an eval_loss (mean token cross-entropy).
double Perplexity(double mean_cross_entropy);

// What compute_metrics receives: the outputs the model kept (logits, ...) for every eval example
// concatenated along the batch, and the labels as collated ((N) or (N, T) with -100).
struct EvalPrediction {
  models::ModelOutputs predictions;
  std::vector<int64_t> label_ids;
  std::vector<int64_t> label_shape;
};
// Returns metric name -> value (without the eval_ prefix, which the Trainer adds).
using ComputeMetrics = std::function<Result<std::map<std::string, double>>(const EvalPrediction&)>;

// Ready-made hooks: argmax of "logits" against the labels (ignoring -100) ->
// {"accuracy"} and with f1_average != "" also {"precision","recall","f1"} (sequence or token level).
ComputeMetrics ClassificationMetrics(std::string f1_average = "");
// Token classification through seqeval with the label names -> overall_* and accuracy keys.
ComputeMetrics SeqevalMetrics(std::vector<std::string> id2label);

// run_mlm / run_clm's pair. ArgmaxLogits is their preprocess_logits_for_metrics: "logits" (B,T,V)
// becomes "pred_ids" (B,T) (ids as floats, exact below 2^24), so eval never holds (N,T,V).
// TokenAccuracyMetrics -> {"accuracy"} over the labels that are not -100; `shift` (causal LM)
// compares preds[:, :-1] with labels[:, 1:] as run_clm does.
Result<models::ModelOutputs> ArgmaxLogits(models::ModelOutputs outputs);
ComputeMetrics TokenAccuracyMetrics(bool shift);

}  // namespace mhub::train
