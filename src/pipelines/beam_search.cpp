// Beam search and greedy search (beam_search.h). Follows transformers' generation/beam_search.py
// (BeamSearchScorer.process/finalize, BeamHypotheses.add/is_done) and the beam loop of
// generation/utils.py, with the scorer's decoder_prompt_len accounting (>= 4.36).
#include "mhub/pipelines/beam_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "mhub/pipelines/logits_processing.h"

namespace mhub::pipelines {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
// More beams than this is a request for memory, not for search (each beam holds a row of logits
// over the vocabulary and a decoder cache row).
constexpr int kMaxBeams = 64;

bool IsEos(const BeamSearchOptions& o, int64_t token) {
  return std::find(o.eos_token_ids.begin(), o.eos_token_ids.end(), token) != o.eos_token_ids.end();
}

// In place, in float as torch.log_softmax over float32 logits.
void LogSoftmax(std::span<float> row) {
  float max = kNegInf;
  for (float v : row) max = std::max(max, v);
  if (max == kNegInf) return;
  double sum = 0.0;
  for (float v : row) sum += std::exp(static_cast<double>(v - max));
  const float log_sum = static_cast<float>(std::log(sum));
  for (float& v : row) v = v - max - log_sum;
}

// transformers' logits processors in _get_logits_processor's order, on one row whose ids so far
// (prompt included) are `seq`.
void ApplyProcessors(std::span<float> row, const std::vector<int64_t>& seq, const BeamSearchOptions& o) {
  const int64_t cur_len = static_cast<int64_t>(seq.size()), V = static_cast<int64_t>(row.size());
  if (o.no_repeat_ngram_size > 0) {
    const std::vector<int32_t> context(seq.begin(), seq.end());
    ApplyNoRepeatNgram(row, context, o.no_repeat_ngram_size);
  }
  for (int64_t t : o.bad_token_ids) {
    if (t >= 0 && t < V) row[static_cast<size_t>(t)] = kNegInf;
  }
  if (cur_len < o.min_length) {
    for (int64_t e : o.eos_token_ids) {
      if (e >= 0 && e < V) row[static_cast<size_t>(e)] = kNegInf;
    }
  }
  auto force = [&](int64_t token) {
    if (token < 0 || token >= V) return;
    std::fill(row.begin(), row.end(), kNegInf);
    row[static_cast<size_t>(token)] = 0.0f;
  };
  if (o.forced_bos_token_id >= 0 && cur_len == 1) force(o.forced_bos_token_id);
  if (o.forced_eos_token_id >= 0 && cur_len == o.max_length - 1) force(o.forced_eos_token_id);
}

// BeamHypotheses: the best num_beams finished hypotheses of one batch item.
struct Hypotheses {
  struct Hyp {
    double score;
    std::vector<int64_t> ids;
  };
  std::vector<Hyp> beams;
  double worst = 1e9;

  void Add(std::vector<int64_t> ids, double sum_logprobs, int64_t generated_len, const BeamSearchOptions& o) {
    const double score = sum_logprobs / std::pow(static_cast<double>(generated_len), o.length_penalty);
    if (static_cast<int>(beams.size()) < o.num_beams || score > worst) {
      beams.push_back({score, std::move(ids)});
      if (static_cast<int>(beams.size()) > o.num_beams) {
        // Drop the worst (the first of equal worst ones, as Python's sort of (score, index) pairs).
        std::vector<size_t> idx(beams.size());
        std::iota(idx.begin(), idx.end(), 0);
        std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return beams[a].score < beams[b].score; });
        const double second = beams[idx[1]].score;
        beams.erase(beams.begin() + static_cast<std::ptrdiff_t>(idx[0]));
        worst = second;
      } else {
        worst = std::min(score, worst);
      }
    }
  }

  bool IsDone(double best_sum_logprobs, int64_t cur_len, int64_t prompt_len, const BeamSearchOptions& o) const {
    if (static_cast<int>(beams.size()) < o.num_beams) return false;
    if (o.early_stopping == EarlyStopping::kTrue) return true;
    int64_t len = cur_len - prompt_len;
    if (o.early_stopping == EarlyStopping::kNever && o.length_penalty > 0.0f) len = o.max_length - prompt_len;
    const double highest = best_sum_logprobs / std::pow(static_cast<double>(len), o.length_penalty);
    return worst >= highest;
  }
};

Status CheckOptions(const std::vector<std::vector<int64_t>>& prompts, const BeamSearchOptions& o) {
  if (prompts.empty()) return Status::InvalidArgument("generate: no input rows");
  for (const auto& p : prompts) {
    if (p.empty() || p.size() != prompts.front().size()) {
      return Status::InvalidArgument("generate: every prompt row must be non-empty and of one length");
    }
  }
  if (o.num_beams < 1) return Status::InvalidArgument("num_beams must be >= 1");
  if (o.num_return_sequences < 1 || o.num_return_sequences > o.num_beams) {
    return Status::InvalidArgument("num_return_sequences (" + std::to_string(o.num_return_sequences) +
                                   ") must be between 1 and num_beams (" + std::to_string(o.num_beams) + ")");
  }
  if (o.max_length <= static_cast<int>(prompts.front().size())) {
    return Status::InvalidArgument("max_length (" + std::to_string(o.max_length) + ") must exceed the input length (" +
                                   std::to_string(prompts.front().size()) + "); set max_new_tokens instead");
  }
  if (o.no_repeat_ngram_size < 0) return Status::InvalidArgument("no_repeat_ngram_size must be >= 0");
  if (o.length_penalty != o.length_penalty) return Status::InvalidArgument("length_penalty must be a number");
  return Status::OK();
}

Result<BeamSearchOutput> Greedy(const std::vector<std::vector<int64_t>>& prompts, const BeamSearchOptions& o,
                                const BeamStepFn& step) {
  std::vector<std::vector<int64_t>> seqs = prompts;
  const size_t rows = seqs.size();
  std::vector<bool> unfinished(rows, true);
  std::vector<int64_t> order(rows);
  std::iota(order.begin(), order.end(), 0);
  const int64_t pad = o.pad_token_id >= 0 ? o.pad_token_id : (o.eos_token_ids.empty() ? 0 : o.eos_token_ids[0]);
  for (int s = 0; static_cast<int>(seqs[0].size()) < o.max_length; ++s) {
    MHUB_ASSIGN_OR_RETURN(std::vector<float> logits, step(s, order, seqs));
    if (logits.empty() || logits.size() % rows != 0) return Status::Internal("generate: bad logits from the model");
    const size_t V = logits.size() / rows;
    bool any = false;
    for (size_t r = 0; r < rows; ++r) {
      std::span<float> row(logits.data() + r * V, V);
      ApplyProcessors(row, seqs[r], o);
      int64_t token = ArgMax(row);
      if (!unfinished[r]) token = pad;
      seqs[r].push_back(token);
      if (IsEos(o, token)) unfinished[r] = false;
      any = any || unfinished[r];
    }
    if (!any) break;
  }
  return BeamSearchOutput{std::move(seqs), {}};
}

}  // namespace

Result<BeamSearchOutput> BeamSearch(const std::vector<std::vector<int64_t>>& prompts, const BeamSearchOptions& o,
                                    const BeamStepFn& step) {
  MHUB_RETURN_IF_ERROR(CheckOptions(prompts, o));
  if (o.num_beams == 1) return Greedy(prompts, o, step);
  const int64_t batch = static_cast<int64_t>(prompts.size()), K = o.num_beams;
  const int64_t prompt_len = static_cast<int64_t>(prompts[0].size());
  std::vector<std::vector<int64_t>> seqs;
  for (const auto& p : prompts) {
    for (int64_t k = 0; k < K; ++k) seqs.push_back(p);
  }
  const size_t rows = seqs.size();
  // Only beam 0 of each item is live at first, so the first step does not pick one token K times.
  std::vector<float> beam_scores(rows, 0.0f);
  for (size_t r = 0; r < rows; ++r) beam_scores[r] = (r % static_cast<size_t>(K)) == 0 ? 0.0f : -1e9f;
  std::vector<Hypotheses> hyps(static_cast<size_t>(batch));
  std::vector<bool> done(static_cast<size_t>(batch), false);
  std::vector<int64_t> order(rows);
  std::iota(order.begin(), order.end(), 0);
  const int64_t n_cand = std::max<int64_t>(2, 1 + static_cast<int64_t>(o.eos_token_ids.size())) * K;

  for (int s = 0;; ++s) {
    MHUB_ASSIGN_OR_RETURN(std::vector<float> logits, step(s, order, seqs));
    if (logits.empty() || logits.size() % rows != 0) return Status::Internal("generate: bad logits from the model");
    const int64_t V = static_cast<int64_t>(logits.size() / rows);
    for (size_t r = 0; r < rows; ++r) {
      std::span<float> row(logits.data() + r * V, static_cast<size_t>(V));
      LogSoftmax(row);
      ApplyProcessors(row, seqs[r], o);
      for (float& v : row) v += beam_scores[r];
    }
    const int64_t cur_len = static_cast<int64_t>(seqs[0].size()) + 1;  // the length the new scores are for
    std::vector<float> next_scores(rows);
    std::vector<int64_t> next_tokens(rows), next_rows(rows);
    for (int64_t b = 0; b < batch; ++b) {
      Hypotheses& h = hyps[static_cast<size_t>(b)];
      if (done[static_cast<size_t>(b)]) {  // a finished item keeps padding
        for (int64_t k = 0; k < K; ++k) {
          const size_t r = static_cast<size_t>(b * K + k);
          next_scores[r] = 0.0f;
          next_tokens[r] = o.pad_token_id;
          next_rows[r] = b * K;
        }
        continue;
      }
      // top n_cand over this item's K x V scores, best first (lower flat index first on ties)
      const float* base = logits.data() + b * K * V;
      std::vector<int64_t> idx(static_cast<size_t>(K * V));
      std::iota(idx.begin(), idx.end(), 0);
      const int64_t n = std::min<int64_t>(n_cand, K * V);
      std::partial_sort(idx.begin(), idx.begin() + n, idx.end(),
                        [base](int64_t a, int64_t c) { return base[a] > base[c] || (base[a] == base[c] && a < c); });
      int64_t filled = 0;
      for (int64_t rank = 0; rank < n && filled < K; ++rank) {
        const int64_t flat = idx[static_cast<size_t>(rank)], beam = flat / V, token = flat % V;
        const float score = base[flat];
        const size_t from = static_cast<size_t>(b * K + beam);
        if (IsEos(o, token)) {
          if (rank >= K) continue;  // an EOS outside the top K candidates does not finish a beam
          h.Add(seqs[from], score, cur_len - prompt_len, o);
        } else {
          const size_t r = static_cast<size_t>(b * K + filled);
          next_scores[r] = score;
          next_tokens[r] = token;
          next_rows[r] = static_cast<int64_t>(from);
          ++filled;
        }
      }
      if (filled < K) return Status::Internal("beam search: fewer running candidates than beams");
      // the best candidate score (transformers: next_scores[batch].max())
      done[static_cast<size_t>(b)] = h.IsDone(base[idx[0]], cur_len, prompt_len, o);
    }
    const bool all_done = std::all_of(done.begin(), done.end(), [](bool d) { return d; });
    const bool any_done = std::any_of(done.begin(), done.end(), [](bool d) { return d; });
    if (o.pad_token_id < 0 && any_done && !all_done) {
      return Status::InvalidArgument("beam search over several inputs needs a pad_token_id");
    }
    std::vector<std::vector<int64_t>> next(rows);
    for (size_t r = 0; r < rows; ++r) {
      next[r] = seqs[static_cast<size_t>(next_rows[r])];
      next[r].push_back(next_tokens[r]);
    }
    seqs = std::move(next);
    beam_scores = next_scores;
    order = next_rows;
    if (all_done || static_cast<int64_t>(seqs[0].size()) >= o.max_length) break;
  }

  // finalize: open beams join their item's hypotheses; the best num_return_sequences are returned.
  BeamSearchOutput out;
  std::vector<std::vector<int64_t>> best;
  for (int64_t b = 0; b < batch; ++b) {
    Hypotheses& h = hyps[static_cast<size_t>(b)];
    if (!done[static_cast<size_t>(b)]) {
      for (int64_t k = 0; k < K; ++k) {
        const size_t r = static_cast<size_t>(b * K + k);
        h.Add(seqs[r], beam_scores[r], static_cast<int64_t>(seqs[r].size()) - prompt_len, o);
      }
    }
    std::vector<Hypotheses::Hyp> sorted = h.beams;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& c) { return a.score < c.score; });
    for (int j = 0; j < o.num_return_sequences && !sorted.empty(); ++j) {
      best.push_back(std::move(sorted.back().ids));
      out.scores.push_back(static_cast<float>(sorted.back().score));
      sorted.pop_back();
    }
  }
  size_t longest = 0, shortest = std::numeric_limits<size_t>::max();
  for (const auto& s : best) {
    longest = std::max(longest, s.size());
    shortest = std::min(shortest, s.size());
  }
  const size_t width = std::min(longest + 1, static_cast<size_t>(o.max_length));
  if (shortest != longest && o.pad_token_id < 0) {
    return Status::InvalidArgument("beam search results of different lengths need a pad_token_id");
  }
  for (auto& s : best) {
    const size_t len = s.size();
    if (len < width && !o.eos_token_ids.empty()) s.push_back(o.eos_token_ids[0]);
    s.resize(width, o.pad_token_id);
  }
  out.sequences = std::move(best);
  return out;
}

Result<BeamSearchOptions> BeamSearchOptionsFromJson(const Json& p, BeamSearchOptions o, int prompt_len) {
  if (!p.is_object()) return o;
  auto get_int = [&](const char* key, int& out, int min) -> Status {
    auto it = p.find(key);
    if (it == p.end() || it->is_null()) return Status::OK();
    if (!it->is_number_integer() || it->get<int64_t>() < min || it->get<int64_t>() > 1'000'000) {
      return Status::InvalidArgument("parameters." + std::string(key) +
                                     " must be an integer >= " + std::to_string(min));
    }
    out = static_cast<int>(it->get<int64_t>());
    return Status::OK();
  };
  MHUB_RETURN_IF_ERROR(get_int("num_beams", o.num_beams, 1));
  if (o.num_beams > kMaxBeams) {
    return Status::InvalidArgument("parameters.num_beams must be <= " + std::to_string(kMaxBeams));
  }
  MHUB_RETURN_IF_ERROR(get_int("max_length", o.max_length, 1));
  int max_new = -1, min_new = -1;
  MHUB_RETURN_IF_ERROR(get_int("max_new_tokens", max_new, 1));
  if (max_new > 0) o.max_length = prompt_len + max_new;
  MHUB_RETURN_IF_ERROR(get_int("min_length", o.min_length, 0));
  MHUB_RETURN_IF_ERROR(get_int("min_new_tokens", min_new, 0));
  if (min_new >= 0) o.min_length = std::max(o.min_length, prompt_len + min_new);
  MHUB_RETURN_IF_ERROR(get_int("num_return_sequences", o.num_return_sequences, 1));
  MHUB_RETURN_IF_ERROR(get_int("no_repeat_ngram_size", o.no_repeat_ngram_size, 0));
  if (auto it = p.find("length_penalty"); it != p.end() && !it->is_null()) {
    if (!it->is_number()) return Status::InvalidArgument("parameters.length_penalty must be a number");
    o.length_penalty = it->get<float>();
  }
  if (auto it = p.find("early_stopping"); it != p.end() && !it->is_null()) {
    if (it->is_boolean()) {
      o.early_stopping = it->get<bool>() ? EarlyStopping::kTrue : EarlyStopping::kFalse;
    } else if (it->is_string() && it->get<std::string>() == "never") {
      o.early_stopping = EarlyStopping::kNever;
    } else {
      return Status::InvalidArgument("parameters.early_stopping must be true, false or \"never\"");
    }
  }
  return o;
}

}  // namespace mhub::pipelines
