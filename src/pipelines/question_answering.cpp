#include "mhub/pipelines/question_answering.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "mhub/pipelines/token_classification.h"

namespace mhub::pipelines {
namespace {

std::vector<double> MaskedSoftmax(const std::vector<float>& logits, const std::vector<bool>& keep) {
  std::vector<double> v(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) v[i] = keep[i] ? logits[i] : -10000.0;
  double mx = *std::max_element(v.begin(), v.end());
  double sum = 0;
  for (double& x : v) sum += x = std::exp(x - mx);
  for (double& x : v) x /= sum;
  return v;
}

struct Answer {
  double score;
  size_t start, end;
  std::string text;
};

}  // namespace

Result<Json> PostprocessQuestionAnswering(const std::string& context, const std::vector<QaWindow>& windows,
                                          const QaOptions& options) {
  if (options.top_k < 1) return Status::InvalidArgument("top_k parameter should be >= 1");
  if (options.max_answer_len < 1) return Status::InvalidArgument("max_answer_len parameter should be >= 1");
  std::vector<Answer> answers;
  double min_null_score = 1000000;
  for (const QaWindow& w : windows) {
    size_t n = w.start_logits.size();
    if (w.end_logits.size() != n || w.allowed.size() != n || w.offsets.size() != n)
      return Status::InvalidArgument("question-answering: window arrays differ in length");
    std::vector<bool> keep(n);
    for (size_t i = 0; i < n; ++i) keep[i] = w.allowed[i] && (w.attention_mask.empty() || w.attention_mask[i] != 0);
    std::vector<double> start = MaskedSoftmax(w.start_logits, keep);
    std::vector<double> end = MaskedSoftmax(w.end_logits, keep);
    if (options.handle_impossible_answer) {
      min_null_score = std::min(min_null_score, start[0] * end[0]);
      start[0] = end[0] = 0.0;
    }
    // Candidates: start <= end <= start + max_answer_len - 1, both allowed.
    struct Cand {
      double score;
      size_t flat;
    };
    std::vector<Cand> cands;
    for (size_t s = 0; s < n; ++s) {
      for (size_t e = s; e < n && e < s + static_cast<size_t>(options.max_answer_len); ++e) {
        cands.push_back({start[s] * end[e], s * n + e});
      }
    }
    size_t k = std::min(cands.size(), static_cast<size_t>(options.top_k));
    std::partial_sort(cands.begin(), cands.begin() + k, cands.end(), [](const Cand& a, const Cand& b) {
      return a.score > b.score || (a.score == b.score && a.flat < b.flat);
    });
    for (size_t c = 0; c < k; ++c) {
      size_t s = cands[c].flat / n, e = cands[c].flat % n;
      if (!keep[s] || !keep[e] || !w.is_context[s] || !w.is_context[e]) continue;
      size_t cs = w.offsets[s].first, ce = w.offsets[e].second;
      if (options.align_to_words && !w.word_ids.empty() && w.word_ids[s] >= 0 && w.word_ids[e] >= 0) {
        // The characters of the whole first and last words.
        size_t ws = cs, we = ce;
        for (size_t i = 0; i < n; ++i) {
          if (!w.is_context[i]) continue;
          if (w.word_ids[i] == w.word_ids[s]) ws = std::min(ws, w.offsets[i].first);
          if (w.word_ids[i] == w.word_ids[e]) we = std::max(we, w.offsets[i].second);
        }
        cs = ws;
        ce = we;
      }
      answers.push_back({cands[c].score, cs, ce, SubstrByCodePoints(context, cs, ce)});
    }
  }
  if (options.handle_impossible_answer) answers.push_back({min_null_score, 0, 0, ""});
  std::stable_sort(answers.begin(), answers.end(), [](const Answer& a, const Answer& b) { return a.score > b.score; });
  if (answers.size() > static_cast<size_t>(options.top_k)) answers.resize(options.top_k);
  Json out = Json::array();
  for (const Answer& a : answers)
    out.push_back({{"score", a.score}, {"start", a.start}, {"end", a.end}, {"answer", a.text}});
  return out;
}

}  // namespace mhub::pipelines
