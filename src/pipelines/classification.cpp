#include "mhub/pipelines/classification.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>

namespace mhub::pipelines {

Result<ClassificationFunction> ParseClassificationFunction(std::string_view name) {
  if (name == "softmax") return ClassificationFunction::kSoftmax;
  if (name == "sigmoid") return ClassificationFunction::kSigmoid;
  if (name == "none") return ClassificationFunction::kNone;
  return Status::InvalidArgument("function_to_apply must be softmax, sigmoid or none, got '" + std::string(name) + "'");
}

ClassificationFunction DefaultClassificationFunction(const std::string& problem_type, size_t num_labels) {
  if (problem_type == "multi_label_classification" || num_labels == 1) return ClassificationFunction::kSigmoid;
  if (problem_type == "regression") return ClassificationFunction::kNone;
  return ClassificationFunction::kSoftmax;
}

namespace {

std::vector<double> SoftmaxD(const std::vector<double>& x) {
  double mx = *std::max_element(x.begin(), x.end());
  std::vector<double> out(x.size());
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) sum += out[i] = std::exp(x[i] - mx);
  for (double& v : out) v /= sum;
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Result<Json> PostprocessTextClassification(const std::vector<float>& logits, const std::vector<std::string>& id2label,
                                           ClassificationFunction function, std::optional<int> top_k) {
  if (logits.empty()) return Status::InvalidArgument("text-classification: no logits");
  if (id2label.size() < logits.size()) return Status::InvalidArgument("text-classification: id2label is too short");
  std::vector<double> x(logits.begin(), logits.end());
  std::vector<double> scores;
  if (function == ClassificationFunction::kDefault) function = DefaultClassificationFunction("", logits.size());
  switch (function) {
    case ClassificationFunction::kSoftmax:
      scores = SoftmaxD(x);
      break;
    case ClassificationFunction::kSigmoid:
      for (double v : x) scores.push_back(1.0 / (1.0 + std::exp(-v)));
      break;
    default:
      scores = x;
      break;
  }
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  size_t k = top_k ? std::min(order.size(), static_cast<size_t>(std::max(0, *top_k))) : order.size();
  Json out = Json::array();
  for (size_t i = 0; i < k; ++i) out.push_back({{"label", id2label[order[i]]}, {"score", scores[order[i]]}});
  return out;
}

int EntailmentId(const std::vector<std::string>& id2label) {
  for (size_t i = 0; i < id2label.size(); ++i)
    if (Lower(id2label[i]).rfind("entail", 0) == 0) return static_cast<int>(i);
  return -1;
}

Result<Json> PostprocessZeroShot(const std::string& sequence, const std::vector<std::string>& candidate_labels,
                                 const std::vector<std::vector<float>>& nli_logits,
                                 const std::vector<std::string>& id2label, bool multi_label) {
  if (candidate_labels.empty())
    return Status::InvalidArgument("You must include at least one label and at least one sequence.");
  if (nli_logits.size() != candidate_labels.size())
    return Status::InvalidArgument("zero-shot: one row of logits per candidate label expected");
  int entail = EntailmentId(id2label);
  if (entail < 0)
    return Status::InvalidArgument(
        "zero-shot-classification needs an NLI model whose id2label has an 'entailment' label");
  // transformers: contradiction_id = -1 if entailment_id == 0 else 0 (i.e. the last or the first label).
  int contra = entail == 0 ? static_cast<int>(id2label.size()) - 1 : 0;
  std::vector<double> scores;
  if (multi_label || candidate_labels.size() == 1) {
    for (const auto& row : nli_logits) {
      std::vector<double> two = {row.at(contra), row.at(entail)};
      scores.push_back(SoftmaxD(two)[1]);
    }
  } else {
    std::vector<double> ent;
    for (const auto& row : nli_logits) ent.push_back(row.at(entail));
    scores = SoftmaxD(ent);
  }
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  Json labels = Json::array(), sorted = Json::array();
  for (size_t i : order) {
    labels.push_back(candidate_labels[i]);
    sorted.push_back(scores[i]);
  }
  return Json{{"sequence", sequence}, {"labels", labels}, {"scores", sorted}};
}

std::vector<std::string> SplitCandidateLabels(const std::string& labels) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= labels.size()) {
    size_t comma = labels.find(',', pos);
    if (comma == std::string::npos) comma = labels.size();
    std::string part = labels.substr(pos, comma - pos);
    size_t b = part.find_first_not_of(" \t\n"), e = part.find_last_not_of(" \t\n");
    if (b != std::string::npos) out.push_back(part.substr(b, e - b + 1));
    pos = comma + 1;
  }
  return out;
}

}  // namespace mhub::pipelines
