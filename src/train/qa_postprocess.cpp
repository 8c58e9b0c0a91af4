// utils_qa.postprocess_qa_predictions (run_qa's evaluation): best span per example over its windows.
#include <algorithm>
#include <numeric>

#include "mhub/train/question_answering.h"

namespace mhub::train {
namespace {

// The `n` largest indices of `v`, largest first (np.argsort(v)[-1:-n-1:-1]; ties: higher index first,
// as reversing a stable ascending sort gives).
std::vector<int64_t> TopIndices(std::span<const float> v, int64_t n) {
  std::vector<int64_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) { return v[a] < v[b]; });
  std::reverse(idx.begin(), idx.end());
  if (int64_t(idx.size()) > n) idx.resize(size_t(n));
  return idx;
}

// Code points [begin, end) of UTF-8 `s` (Python's context[begin:end]).
std::string SliceCodePoints(const std::string& s, int64_t begin, int64_t end) {
  size_t b = s.size(), e = s.size();
  int64_t cp = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (cp == begin && b == s.size()) b = i;
    if (cp == end) {
      e = i;
      break;
    }
    ++cp;
  }
  return b < e ? s.substr(b, e - b) : "";
}

struct Candidate {
  int64_t begin = 0, end = 0;  // code points; (0, 0) = the null answer
  float start_logit = 0, end_logit = 0;
  float score = 0;
  std::string text;
};

}  // namespace

Result<std::map<std::string, std::string>> PostprocessQaPredictions(std::span<const QaExample> examples,
                                                                    std::span<const QaFeature> features,
                                                                    std::span<const float> start_logits,
                                                                    std::span<const float> end_logits, int64_t T,
                                                                    const QaPostprocessOptions& o) {
  if (T <= 0 || start_logits.size() != features.size() * size_t(T) || end_logits.size() != start_logits.size())
    return Status::InvalidArgument("postprocess_qa_predictions: got " + std::to_string(start_logits.size()) + "/" +
                                   std::to_string(end_logits.size()) + " logits for " +
                                   std::to_string(features.size()) + " features of length " + std::to_string(T));
  std::vector<std::vector<size_t>> per_example(examples.size());
  for (size_t i = 0; i < features.size(); ++i) {
    const int64_t e = features[i].example_index;
    if (e < 0 || e >= int64_t(examples.size()))
      return Status::InvalidArgument("postprocess_qa_predictions: feature " + std::to_string(i) + " names example " +
                                     std::to_string(e));
    per_example[size_t(e)].push_back(i);
  }
  std::map<std::string, std::string> out;
  for (size_t e = 0; e < examples.size(); ++e) {
    std::optional<Candidate> min_null;
    std::vector<Candidate> prelim;
    for (size_t fi : per_example[e]) {
      std::span<const float> sl = start_logits.subspan(fi * size_t(T), size_t(T));
      std::span<const float> el = end_logits.subspan(fi * size_t(T), size_t(T));
      const auto& offsets = features[fi].offsets;
      const float null_score = sl[0] + el[0];
      if (!min_null || min_null->score > null_score) min_null = Candidate{0, 0, sl[0], el[0], null_score, ""};
      for (int64_t s : TopIndices(sl, o.n_best_size))
        for (int64_t t : TopIndices(el, o.n_best_size)) {
          if (s >= int64_t(offsets.size()) || t >= int64_t(offsets.size()) || !offsets[s] || !offsets[t]) continue;
          if (t < s || t - s + 1 > o.max_answer_length) continue;
          prelim.push_back({offsets[s]->first, offsets[t]->second, sl[s], el[t], sl[s] + el[t], ""});
        }
    }
    float null_score = 0;
    if (o.version_2_with_negative && min_null) {
      prelim.push_back(*min_null);
      null_score = min_null->score;
    }
    std::stable_sort(prelim.begin(), prelim.end(),
                     [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
    if (int64_t(prelim.size()) > o.n_best_size) prelim.resize(size_t(o.n_best_size));
    if (o.version_2_with_negative && min_null &&
        std::none_of(prelim.begin(), prelim.end(), [](const Candidate& c) { return c.begin == 0 && c.end == 0; }))
      prelim.push_back(*min_null);
    for (auto& c : prelim) c.text = SliceCodePoints(examples[e].context, c.begin, c.end);
    if (prelim.empty() || (prelim.size() == 1 && prelim[0].text.empty()))
      prelim.insert(prelim.begin(), Candidate{0, 0, 0.f, 0.f, 0.f, "empty"});
    if (!o.version_2_with_negative) {
      out[examples[e].id] = prelim[0].text;
      continue;
    }
    size_t i = 0;
    while (i + 1 < prelim.size() && prelim[i].text.empty()) ++i;
    const Candidate& best = prelim[i];
    // float32 arithmetic, as on the numpy scalars utils_qa works with.
    const float diff = null_score - best.start_logit - best.end_logit;
    out[examples[e].id] = double(diff) > o.null_score_diff_threshold ? "" : best.text;
  }
  return out;
}

}  // namespace mhub::train
