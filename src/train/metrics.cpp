// sklearn's classification metrics, seqeval's chunking and scoring (training.md §8.1).
#include "mhub/train/metrics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <tuple>

namespace mhub::train {
namespace {

Status CheckPairs(size_t a, size_t b, const char* what) {
  if (a != b)
    return Status::InvalidArgument(std::string(what) + ": y_true has " + std::to_string(a) + " items, y_pred " +
                                   std::to_string(b));
  if (a == 0) return Status::InvalidArgument(std::string(what) + ": no items");
  return Status::OK();
}

double Div(double num, double den, double zero_division) { return den == 0 ? zero_division : num / den; }

double F1(double p, double r, double tp, double fp, double fn, double zero_division) {
  // sklearn computes F from counts: 2tp / (2tp + fp + fn); 0/0 -> zero_division.
  (void)p, (void)r;
  return Div(2 * tp, 2 * tp + fp + fn, zero_division);
}

}  // namespace

Result<double> Accuracy(std::span<const int64_t> y_true, std::span<const int64_t> y_pred) {
  MHUB_RETURN_IF_ERROR(CheckPairs(y_true.size(), y_pred.size(), "accuracy"));
  int64_t ok = 0;
  for (size_t i = 0; i < y_true.size(); ++i) ok += y_true[i] == y_pred[i];
  return double(ok) / double(y_true.size());
}

Result<Prf> PrecisionRecallF1(std::span<const int64_t> y_true, std::span<const int64_t> y_pred, const PrfOptions& o) {
  MHUB_RETURN_IF_ERROR(CheckPairs(y_true.size(), y_pred.size(), "precision/recall/f1"));
  std::set<int64_t> present(y_true.begin(), y_true.end());
  present.insert(y_pred.begin(), y_pred.end());
  std::vector<int64_t> labels = o.labels.empty() ? std::vector<int64_t>(present.begin(), present.end()) : o.labels;
  if (o.average == "binary") {
    if (present.size() > 2)
      return Status::InvalidArgument(
          "Target is multiclass but average='binary'. Please choose another average setting, one of [None, 'micro', "
          "'macro', 'weighted'].");
    labels = {o.pos_label};
  } else if (o.average != "micro" && o.average != "macro" && o.average != "weighted") {
    return Status::InvalidArgument("average has to be one of binary, micro, macro, weighted; got '" + o.average + "'");
  }
  std::vector<double> tp(labels.size()), fp(labels.size()), fn(labels.size()), support(labels.size());
  for (size_t i = 0; i < y_true.size(); ++i)
    for (size_t k = 0; k < labels.size(); ++k) {
      const bool t = y_true[i] == labels[k], p = y_pred[i] == labels[k];
      tp[k] += t && p;
      fp[k] += !t && p;
      fn[k] += t && !p;
      support[k] += t;
    }
  Prf out;
  if (o.average == "micro" || o.average == "binary") {
    double TP = 0, FP = 0, FN = 0;
    for (size_t k = 0; k < labels.size(); ++k) TP += tp[k], FP += fp[k], FN += fn[k];
    out.precision = Div(TP, TP + FP, o.zero_division);
    out.recall = Div(TP, TP + FN, o.zero_division);
    out.f1 = F1(out.precision, out.recall, TP, FP, FN, o.zero_division);
    return out;
  }
  double wsum = 0;
  for (size_t k = 0; k < labels.size(); ++k) {
    const double p = Div(tp[k], tp[k] + fp[k], o.zero_division), r = Div(tp[k], tp[k] + fn[k], o.zero_division);
    const double f = F1(p, r, tp[k], fp[k], fn[k], o.zero_division);
    const double w = o.average == "weighted" ? support[k] : 1.0;
    out.precision += w * p, out.recall += w * r, out.f1 += w * f;
    wsum += w;
  }
  if (wsum == 0) return Prf{o.zero_division, o.zero_division, o.zero_division};
  out.precision /= wsum, out.recall /= wsum, out.f1 /= wsum;
  return out;
}

std::vector<Entity> GetEntities(const std::vector<std::string>& tags, bool strict_iob2) {
  std::vector<Entity> out;
  auto split = [](const std::string& t, char& tag, std::string& type) {
    tag = t.empty() ? 'O' : t[0];
    auto dash = t.find('-');
    type = dash == std::string::npos ? "" : t.substr(dash + 1);
    if (type.empty()) type = "_";
  };
  if (strict_iob2) {
    // IOB2 strict: an entity is B-X followed by I-X only; anything else (an I without B) is none.
    for (size_t i = 0; i < tags.size();) {
      char tag;
      std::string type;
      split(tags[i], tag, type);
      if (tag != 'B') {
        ++i;
        continue;
      }
      size_t j = i + 1;
      for (; j < tags.size(); ++j) {
        char t2;
        std::string ty2;
        split(tags[j], t2, ty2);
        if (t2 != 'I' || ty2 != type) break;
      }
      out.push_back({type, int64_t(i), int64_t(j - 1)});
      i = j;
    }
    return out;
  }
  // seqeval.get_entities: chunk ends / starts by the (prev, cur) tag rules, sequence padded with O.
  char prev_tag = 'O';
  std::string prev_type;
  int64_t begin = 0;
  for (size_t i = 0; i <= tags.size(); ++i) {
    char tag;
    std::string type;
    split(i < tags.size() ? tags[i] : "O", tag, type);
    const bool end = (prev_tag == 'E' || prev_tag == 'S') ||
                     (prev_tag == 'B' && (tag == 'B' || tag == 'S' || tag == 'O')) ||
                     (prev_tag == 'I' && (tag == 'B' || tag == 'S' || tag == 'O')) ||
                     (prev_tag != 'O' && prev_tag != '.' && prev_type != type);
    if (end && prev_tag != 'O') out.push_back({prev_type, begin, int64_t(i) - 1});
    const bool start = (tag == 'B' || tag == 'S') || (prev_tag == 'E' && (tag == 'E' || tag == 'I')) ||
                       (prev_tag == 'S' && (tag == 'E' || tag == 'I')) ||
                       (prev_tag == 'O' && (tag == 'E' || tag == 'I')) ||
                       (tag != 'O' && tag != '.' && prev_type != type);
    if (start) begin = int64_t(i);
    prev_tag = tag;
    prev_type = type;
  }
  return out;
}

Result<SeqevalResult> Seqeval(const std::vector<std::vector<std::string>>& y_true,
                              const std::vector<std::vector<std::string>>& y_pred, bool strict_iob2) {
  MHUB_RETURN_IF_ERROR(CheckPairs(y_true.size(), y_pred.size(), "seqeval"));
  std::vector<std::string> flat_true, flat_pred;
  for (size_t s = 0; s < y_true.size(); ++s) {
    if (y_true[s].size() != y_pred[s].size())
      return Status::InvalidArgument("seqeval: sentence " + std::to_string(s) + " has " +
                                     std::to_string(y_true[s].size()) + " true tags and " +
                                     std::to_string(y_pred[s].size()) + " predicted");
    // Sentences joined with an O between them (seqeval joins with ['O']); entities never cross.
    flat_true.insert(flat_true.end(), y_true[s].begin(), y_true[s].end());
    flat_pred.insert(flat_pred.end(), y_pred[s].begin(), y_pred[s].end());
    flat_true.push_back("O");
    flat_pred.push_back("O");
  }
  const auto te = GetEntities(flat_true, strict_iob2), pe = GetEntities(flat_pred, strict_iob2);
  std::map<std::string, std::array<double, 3>> counts;  // type -> tp, pred, true
  std::set<std::tuple<std::string, int64_t, int64_t>> true_set;
  for (const auto& e : te) true_set.insert({e.type, e.start, e.end}), counts[e.type][2] += 1;
  for (const auto& e : pe) {
    counts[e.type][1] += 1;
    if (true_set.count({e.type, e.start, e.end})) counts[e.type][0] += 1;
  }
  SeqevalResult r;
  double TP = 0, P = 0, T = 0;
  for (const auto& [type, c] : counts) {
    SeqevalEntityScores s;
    s.precision = Div(c[0], c[1], 0);
    s.recall = Div(c[0], c[2], 0);
    s.f1 = Div(2 * c[0], c[1] + c[2], 0);
    s.number = int64_t(c[2]);
    r.per_type[type] = s;
    TP += c[0], P += c[1], T += c[2];
  }
  r.overall_precision = Div(TP, P, 0);
  r.overall_recall = Div(TP, T, 0);
  r.overall_f1 = Div(2 * TP, P + T, 0);
  int64_t ok = 0, n = 0;
  for (size_t s = 0; s < y_true.size(); ++s)
    for (size_t i = 0; i < y_true[s].size(); ++i) ok += y_true[s][i] == y_pred[s][i], ++n;
  r.overall_accuracy = n ? double(ok) / double(n) : 0;
  return r;
}

double Perplexity(double mean_cross_entropy) { return std::exp(mean_cross_entropy); }

namespace {

// Argmax over the last axis of logits; labels at the same positions; -100 dropped.
Status ArgmaxPairs(const EvalPrediction& p, std::vector<int64_t>& t, std::vector<int64_t>& y) {
  auto it = p.predictions.find("logits");
  if (it == p.predictions.end()) return Status::InvalidArgument("compute_metrics: no logits were kept");
  const auto& logits = it->second;
  const int64_t C = logits.shape.back();
  const int64_t rows = C ? int64_t(logits.values.size()) / C : 0;
  if (rows != int64_t(p.label_ids.size()))
    return Status::InvalidArgument("compute_metrics: " + std::to_string(rows) + " predictions for " +
                                   std::to_string(p.label_ids.size()) + " labels");
  for (int64_t r = 0; r < rows; ++r) {
    if (p.label_ids[r] == -100) continue;
    const float* row = logits.values.data() + r * C;
    y.push_back(std::max_element(row, row + C) - row);
    t.push_back(p.label_ids[r]);
  }
  return Status::OK();
}

}  // namespace

ComputeMetrics ClassificationMetrics(std::string f1_average) {
  return [f1_average](const EvalPrediction& p) -> Result<std::map<std::string, double>> {
    std::vector<int64_t> t, y;
    MHUB_RETURN_IF_ERROR(ArgmaxPairs(p, t, y));
    std::map<std::string, double> out;
    MHUB_ASSIGN_OR_RETURN(out["accuracy"], Accuracy(t, y));
    if (!f1_average.empty()) {
      PrfOptions o;
      o.average = f1_average;
      MHUB_ASSIGN_OR_RETURN(Prf prf, PrecisionRecallF1(t, y, o));
      out["precision"] = prf.precision, out["recall"] = prf.recall, out["f1"] = prf.f1;
    }
    return out;
  };
}

ComputeMetrics SeqevalMetrics(std::vector<std::string> id2label) {
  return [id2label](const EvalPrediction& p) -> Result<std::map<std::string, double>> {
    if (p.label_shape.size() != 2) return Status::InvalidArgument("seqeval metrics need (N, T) labels");
    auto it = p.predictions.find("logits");
    if (it == p.predictions.end()) return Status::InvalidArgument("compute_metrics: no logits were kept");
    const int64_t N = p.label_shape[0], T = p.label_shape[1], C = it->second.shape.back();
    if (int64_t(it->second.values.size()) != N * T * C)
      return Status::InvalidArgument("seqeval metrics: logits do not match the labels' shape");
    std::vector<std::vector<std::string>> yt(N), yp(N);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t t = 0; t < T; ++t) {
        const int64_t l = p.label_ids[n * T + t];
        if (l == -100) continue;
        const float* row = it->second.values.data() + (n * T + t) * C;
        const int64_t pred = std::max_element(row, row + C) - row;
        if (l < 0 || l >= int64_t(id2label.size()) || pred >= int64_t(id2label.size()))
          return Status::InvalidArgument("seqeval metrics: label id " + std::to_string(l) + " has no name");
        yt[n].push_back(id2label[l]);
        yp[n].push_back(id2label[pred]);
      }
    MHUB_ASSIGN_OR_RETURN(SeqevalResult r, Seqeval(yt, yp));
    return std::map<std::string, double>{{"precision", r.overall_precision},
                                         {"recall", r.overall_recall},
                                         {"f1", r.overall_f1},
                                         {"accuracy", r.overall_accuracy}};
  };
}

Result<models::ModelOutputs> ArgmaxLogits(models::ModelOutputs outputs) {
  auto it = outputs.find("logits");
  if (it == outputs.end()) return Status::InvalidArgument("ArgmaxLogits: the model kept no logits");
  const models::Array& logits = it->second;
  if (logits.shape.size() != 3) return Status::InvalidArgument("ArgmaxLogits: logits are not (B,T,V)");
  const int64_t rows = logits.shape[0] * logits.shape[1], V = logits.shape[2];
  models::Array ids;
  ids.shape = {logits.shape[0], logits.shape[1]};
  ids.values.resize(size_t(rows));
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = logits.values.data() + r * V;
    ids.values[r] = float(std::max_element(row, row + V) - row);
  }
  outputs.erase(it);
  outputs["pred_ids"] = std::move(ids);
  return outputs;
}

ComputeMetrics TokenAccuracyMetrics(bool shift) {
  return [shift](const EvalPrediction& p) -> Result<std::map<std::string, double>> {
    auto it = p.predictions.find("pred_ids");
    if (it == p.predictions.end()) return Status::InvalidArgument("token accuracy: no pred_ids (ArgmaxLogits) kept");
    const auto& ids = it->second;
    if (p.label_shape.size() != 2 || ids.shape != p.label_shape)
      return Status::InvalidArgument("token accuracy: predictions and labels differ in shape");
    const int64_t N = p.label_shape[0], T = p.label_shape[1], off = shift ? 1 : 0;
    std::vector<int64_t> t, y;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k + off < T; ++k) {
        // run_clm does not skip -100 (its grouped texts have no padding); ours pads, so skip it.
        const int64_t label = p.label_ids[n * T + k + off];
        if (label == -100) continue;
        t.push_back(label);
        y.push_back(int64_t(ids.values[n * T + k]));
      }
    std::map<std::string, double> out;
    MHUB_ASSIGN_OR_RETURN(out["accuracy"], Accuracy(t, y));
    return out;
  };
}

}  // namespace mhub::train
