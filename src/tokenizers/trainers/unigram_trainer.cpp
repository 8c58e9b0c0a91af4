// Unigram training (HF tokenizers/src/models/unigram/trainer.rs, itself SentencePiece's
// unigram_model_trainer.cc): suffix-array seed pieces, EM with the digamma (Bayesian) M-step,
// pruning by expected likelihood loss, then the final vocab_size pieces. Where HF walks a hash
// map (sentences, required chars), we use sorted order, so our result is deterministic.
#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "mhub/tokenizers/trainers.h"
#include "tokenizers/trainers/unigram_lattice.h"
#include "tokenizers/unicode.h"

namespace mhub::tokenizers {
namespace {

using Piece = std::pair<std::string, double>;
using Sentence = std::pair<std::string, uint32_t>;

double Digamma(double x) {
  double result = 0.0;
  while (x < 7.0) {
    result -= 1.0 / x;
    x += 1.0;
  }
  x -= 0.5;
  const double xx = 1.0 / x;
  const double xx2 = xx * xx;
  const double xx4 = xx2 * xx2;
  result += std::log(x) + (1.0 / 24.0) * xx2 - 7.0 / 960.0 * xx4 + (31.0 / 8064.0) * xx4 * xx2 -
            (127.0 / 30720.0) * xx4 * xx4;
  return result;
}

void ToLogProb(std::vector<Piece>& pieces) {
  double sum = 0;
  for (const auto& p : pieces) sum += p.second;
  const double logsum = std::log(sum);
  for (auto& p : pieces) p.second = std::log(p.second) - logsum;
}

std::string CharsToUtf8(const std::vector<char32_t>& s, size_t begin, size_t len) {
  std::string out;
  for (size_t i = begin; i < begin + len; ++i) unicode::AppendUtf8(out, s[i]);
  return out;
}

// Repeated substrings of `text` that are internal nodes of its suffix tree (esaxx's output:
// right-maximal repeats), as (start of one occurrence, length, occurrence count), for lengths
// up to `max_len`. Suffixes are sorted on their first max_len + 1 chars only, which is all the
// intervals of depth <= max_len depend on.
struct Repeat {
  size_t start;
  size_t len;
  uint32_t freq;
};
std::vector<Repeat> RepeatedSubstrings(const std::vector<char32_t>& text, size_t max_len) {
  const size_t n = text.size();
  std::vector<Repeat> out;
  if (n == 0) return out;
  const size_t depth = max_len + 1;
  std::vector<uint32_t> sa(n), rank(n), tmp(n);
  for (size_t i = 0; i < n; ++i) {
    sa[i] = static_cast<uint32_t>(i);
    rank[i] = static_cast<uint32_t>(text[i]) + 1;
  }
  // Prefix doubling: after the round with step k, suffixes are sorted on their first 2k chars.
  std::vector<std::pair<uint64_t, uint32_t>> keys(n);
  for (size_t k = 1;; k *= 2) {
    for (size_t i = 0; i < n; ++i) {
      uint64_t second = i + k < n ? rank[i + k] : 0;
      keys[i] = {(static_cast<uint64_t>(rank[i]) << 32) | second, static_cast<uint32_t>(i)};
    }
    std::sort(keys.begin(), keys.end());
    uint32_t r = 1;
    for (size_t i = 0; i < n; ++i) {
      if (i > 0 && keys[i].first != keys[i - 1].first) ++r;
      tmp[keys[i].second] = r;
      sa[i] = keys[i].second;
    }
    rank.swap(tmp);
    if (r == n || 2 * k >= depth) break;
  }
  // Adjacent common prefix lengths, capped at `depth`.
  std::vector<int64_t> lcp(n + 1, -1);
  for (size_t i = 1; i < n; ++i) {
    size_t a = sa[i - 1], b = sa[i], h = 0;
    while (h < depth && a + h < n && b + h < n && text[a + h] == text[b + h]) ++h;
    lcp[i] = static_cast<int64_t>(h);
  }
  // Bottom-up walk of the lcp intervals.
  struct Open {
    int64_t lcp;
    size_t lb;
  };
  std::vector<Open> stack{{0, 0}};
  for (size_t i = 1; i <= n; ++i) {
    const int64_t cur = lcp[i];
    size_t lb = i - 1;
    while (!stack.empty() && cur < stack.back().lcp) {
      Open top = stack.back();
      stack.pop_back();
      if (top.lcp >= 2 && static_cast<size_t>(top.lcp) <= max_len) {
        out.push_back({sa[top.lb], static_cast<size_t>(top.lcp), static_cast<uint32_t>(i - top.lb)});
      }
      lb = top.lb;
    }
    if (cur >= 0 && (stack.empty() || cur > stack.back().lcp)) stack.push_back({cur, lb});
  }
  return out;
}

// Runs fn(begin, end) over [0, n) on up to hardware-concurrency threads; results are combined by
// the caller per chunk, so the sums do not depend on timing.
template <typename Fn>
void ParallelChunks(size_t n, size_t chunks, Fn fn) {
  std::vector<std::thread> pool;
  for (size_t c = 1; c < chunks; ++c) pool.emplace_back(fn, c, c * n / chunks, (c + 1) * n / chunks);
  fn(0, 0, n / chunks);
  for (auto& t : pool) t.join();
}

size_t Workers(size_t n) {
  size_t hw = std::max(1u, std::thread::hardware_concurrency());
  return std::max<size_t>(1, std::min(hw, n / 256));
}

}  // namespace

namespace {

class UnigramRun {
 public:
  UnigramRun(const UnigramTrainer& t, std::vector<Sentence> sentences) : t_(t), sentences_(std::move(sentences)) {}

  std::vector<Piece> Seeds() const {
    std::vector<char32_t> flat;
    std::unordered_map<char32_t, uint64_t> all_chars;
    for (const auto& [s, n] : sentences_) {
      if (s.empty()) continue;
      std::string_view v = s;
      for (size_t i = 0; i < v.size();) {
        char32_t c = unicode::NextChar(v, i);
        flat.push_back(c);
        if (c != 0) all_chars[c] += n;
      }
      flat.push_back(0);
    }
    std::vector<std::pair<uint64_t, char32_t>> chars;
    for (const auto& [c, n] : all_chars) chars.emplace_back(n, c);
    std::sort(chars.rbegin(), chars.rend());
    std::vector<Piece> seeds;
    for (const auto& [n, c] : chars) seeds.emplace_back(unicode::ToUtf8(c), static_cast<double>(n));

    struct Scored {
      uint32_t score;
      size_t start, len;
    };
    std::vector<Scored> subs;
    for (const Repeat& r : RepeatedSubstrings(flat, t_.max_piece_length)) {
      if (std::find(flat.begin() + r.start, flat.begin() + r.start + r.len, 0) != flat.begin() + r.start + r.len) {
        continue;
      }
      subs.push_back({r.freq * static_cast<uint32_t>(r.len), r.start, r.len});
    }
    // Score desc, then the chars in descending lexicographic order (HF sorts by Reverse((score, &[char]))).
    std::sort(subs.begin(), subs.end(), [&](const Scored& a, const Scored& b) {
      if (a.score != b.score) return a.score > b.score;
      return std::lexicographical_compare(flat.begin() + b.start, flat.begin() + b.start + b.len,
                                          flat.begin() + a.start, flat.begin() + a.start + a.len);
    });
    for (const Scored& s : subs) {
      if (seeds.size() >= t_.seed_size) break;
      seeds.emplace_back(CharsToUtf8(flat, s.start, s.len), static_cast<double>(s.score));
    }
    ToLogProb(seeds);
    return seeds;
  }

  std::vector<double> EStep(const TrainingUnigram& model) const {
    const size_t chunks = Workers(sentences_.size());
    std::vector<std::vector<double>> partial(chunks, std::vector<double>(model.size(), 0.0));
    ParallelChunks(sentences_.size(), chunks, [&](size_t c, size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) model.Marginal(sentences_[i].first, sentences_[i].second, partial[c]);
    });
    for (size_t c = 1; c < chunks; ++c) {
      for (size_t i = 0; i < model.size(); ++i) partial[0][i] += partial[c][i];
    }
    return partial[0];
  }

  static std::vector<Piece> MStep(const std::vector<Piece>& pieces, const std::vector<double>& expected) {
    std::vector<Piece> kept;
    double sum = 0;
    for (size_t i = 0; i < pieces.size(); ++i) {
      if (i == 0) {
        kept.emplace_back(pieces[i].first, std::nan(""));
        continue;
      }
      if (expected[i] < 0.5) continue;
      kept.emplace_back(pieces[i].first, expected[i]);
      sum += expected[i];
    }
    const double logsum = Digamma(sum);
    for (auto& p : kept) p.second = Digamma(p.second) - logsum;
    return kept;
  }

  std::vector<Piece> Prune(const TrainingUnigram& model, const std::vector<Piece>& pieces) const {
    std::vector<bool> always_keep(pieces.size(), true);
    std::vector<std::vector<uint32_t>> alternatives(pieces.size());
    for (size_t id = 1; id < pieces.size(); ++id) {
      auto nbests = model.TwoBest(pieces[id].first);
      if (nbests.size() == 1) {
        always_keep[id] = true;
      } else if (nbests.size() >= 2 && nbests[0].size() >= 2) {
        always_keep[id] = false;
      } else if (nbests.size() >= 2 && nbests[0].size() == 1) {
        always_keep[id] = true;
        alternatives[id] = nbests[1];
      }
    }
    always_keep[0] = false;
    // Viterbi of every sentence: how often each piece is used, and by which sentences.
    const size_t chunks = Workers(sentences_.size());
    std::vector<std::vector<double>> freqs(chunks, std::vector<double>(pieces.size(), 0.0));
    std::vector<std::vector<std::vector<uint32_t>>> inverted(chunks, std::vector<std::vector<uint32_t>>(pieces.size()));
    std::vector<double> vsums(chunks, 0.0);
    ParallelChunks(sentences_.size(), chunks, [&](size_t c, size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) {
        vsums[c] += sentences_[i].second;
        for (uint32_t id : model.Viterbi(sentences_[i].first)) {
          freqs[c][id] += sentences_[i].second;
          inverted[c][id].push_back(static_cast<uint32_t>(i));
        }
      }
    });
    std::vector<double>& freq = freqs[0];
    double vsum = vsums[0];
    for (size_t c = 1; c < chunks; ++c) {
      vsum += vsums[c];
      for (size_t i = 0; i < pieces.size(); ++i) {
        freq[i] += freqs[c][i];
        inverted[0][i].insert(inverted[0][i].end(), inverted[c][i].begin(), inverted[c][i].end());
      }
    }
    double sum = 0;
    for (double f : freq) sum += f;
    const double logsum = std::log(sum);

    std::vector<Piece> kept{pieces[0]};
    std::vector<std::pair<size_t, double>> candidates;
    for (size_t id = 1; id < pieces.size(); ++id) {
      if (freq[id] == 0.0 && !always_keep[id]) continue;  // unused by Viterbi: safe to drop
      if (alternatives[id].empty()) {
        kept.push_back(pieces[id]);
        continue;
      }
      double f = 0.0;
      for (uint32_t n : inverted[0][id]) f += sentences_[n].second;
      if (f == 0.0 || std::isnan(f)) continue;
      f /= vsum;
      const double logprob_sp = std::log(freq[id]) - logsum;
      // HF (and SentencePiece) use the number of pieces here, not of this piece's alternatives.
      const double logsum_alt = std::log(sum + freq[id] * static_cast<double>(pieces.size() - 1));
      double logprob_alt = 0.0;
      for (uint32_t n : alternatives[id]) logprob_alt += std::log(freq[n] + freq[id]) - logsum_alt;
      candidates.emplace_back(id, f * (logprob_sp - logprob_alt));
    }
    const size_t desired = t_.vocab_size * 11 / 10;
    const size_t pruned_size =
        std::max(desired, static_cast<size_t>(static_cast<double>(pieces.size()) * t_.shrinking_factor));
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [id, loss] : candidates) {
      if (kept.size() == pruned_size) break;
      kept.push_back(pieces[id]);
    }
    return kept;
  }

  const std::vector<Sentence>& sentences() const { return sentences_; }

 private:
  const UnigramTrainer& t_;
  std::vector<Sentence> sentences_;
};

}  // namespace

Result<UnigramTrainer::Output> UnigramTrainer::Learn(const WordCounts& words) const {
  if (words.empty()) {
    return Status::InvalidArgument("the training corpus is empty (no words after normalization and pre-tokenization)");
  }
  if (shrinking_factor <= 0 || shrinking_factor >= 1) {
    return Status::InvalidArgument("shrinking_factor must lie strictly between 0 and 1");
  }
  if (max_piece_length == 0) return Status::InvalidArgument("max_piece_length must be positive");
  std::vector<Sentence> sentences;
  sentences.reserve(words.size());
  for (const auto& [w, n] : words) {
    if (n > UINT32_MAX) return Status::InvalidArgument("word '" + w + "' occurs more than 2^32 times");
    sentences.emplace_back(w, static_cast<uint32_t>(n));
  }
  std::sort(sentences.begin(), sentences.end());
  // Every char of the corpus (and initial_alphabet) must get a piece.
  std::vector<char32_t> required;
  for (const auto& [w, n] : sentences) {
    std::string_view v = w;
    for (size_t i = 0; i < v.size();) required.push_back(unicode::NextChar(v, i));
  }
  required.insert(required.end(), initial_alphabet.begin(), initial_alphabet.end());
  std::sort(required.begin(), required.end());
  required.erase(std::unique(required.begin(), required.end()), required.end());
  const bool unk_is_special =
      unk_token && std::find(special_tokens.begin(), special_tokens.end(), *unk_token) != special_tokens.end();
  const size_t reserved = special_tokens.size() + (unk_token && !unk_is_special ? 1 : 0);
  if (required.size() > vocab_size || reserved > vocab_size) {
    return Status::InvalidArgument("vocab_size " + std::to_string(vocab_size) + " is too small for the " +
                                   std::to_string(required.size()) + " chars of the corpus (every char needs a piece)" +
                                   (reserved ? " and the " + std::to_string(reserved) + " special tokens" : ""));
  }

  UnigramRun run(*this, std::move(sentences));
  std::vector<Piece> pieces{{"<UNK>", std::nan("")}};
  for (Piece& p : run.Seeds()) pieces.push_back(std::move(p));
  const size_t desired = vocab_size * 11 / 10;
  TrainingUnigram model(pieces);
  for (;;) {
    for (size_t it = 0; it < n_sub_iterations; ++it) {
      pieces = UnigramRun::MStep(pieces, run.EStep(model));
      model = TrainingUnigram(pieces);
    }
    if (pieces.size() <= desired) break;
    std::vector<Piece> pruned = run.Prune(model, pieces);
    // Pruning never drops single chars; when they alone exceed 1.1 x vocab_size nothing can go
    // and HF would loop forever (found by fuzz/tokenizers_train_fuzzer).
    if (pruned.size() == pieces.size()) break;
    pieces = std::move(pruned);
    model = TrainingUnigram(pieces);
  }

  // Finalize: required chars first (missing ones just under the lowest score), then the best
  // pieces up to vocab_size minus the special tokens, sorted by score.
  double min_score = std::numeric_limits<double>::infinity();
  for (const auto& p : pieces) {
    if (p.second < min_score) min_score = p.second;
  }
  std::unordered_map<std::string, double> existing(pieces.begin(), pieces.end());
  std::vector<Piece> final_pieces;
  std::unordered_set<std::string> inserted{"<UNK>"};
  double penalty = 0.0;
  for (char32_t c : required) {
    std::string s = unicode::ToUtf8(c);
    auto it = existing.find(s);
    if (it != existing.end()) {
      final_pieces.emplace_back(s, it->second);
    } else {
      final_pieces.emplace_back(s, min_score + penalty);
      penalty += 0.0001;
    }
    inserted.insert(std::move(s));
  }
  const size_t target = vocab_size - reserved;
  for (const auto& [s, score] : pieces) {
    if (inserted.count(s)) continue;
    inserted.insert(s);
    final_pieces.emplace_back(s, std::isnan(score) ? 0.0 : score);
    if (final_pieces.size() == target) break;
  }
  std::stable_sort(final_pieces.begin(), final_pieces.end(),
                   [](const Piece& a, const Piece& b) { return a.second > b.second; });
  Output out;
  if (unk_token && !unk_is_special) out.pieces.emplace_back(*unk_token, 0.0);
  for (const std::string& t : special_tokens) out.pieces.emplace_back(t, 0.0);
  for (Piece& p : final_pieces) out.pieces.push_back(std::move(p));
  if (unk_token) {
    out.unk_id = 0;
    for (size_t i = 0; i < special_tokens.size(); ++i) {
      if (special_tokens[i] == *unk_token) {
        out.unk_id = i;
        break;
      }
    }
  }
  return out;
}

Result<Json> UnigramTrainer::TrainModel(const WordCounts& words, const Json& model) const {
  MHUB_ASSIGN_OR_RETURN(Output out, Learn(words));
  Json m = model;
  m["type"] = "Unigram";
  Json vocab = Json::array();
  for (const auto& [s, score] : out.pieces) vocab.push_back(Json::array({s, score}));
  m["vocab"] = std::move(vocab);
  m["unk_id"] = out.unk_id ? Json(*out.unk_id) : Json(nullptr);
  if (!m.contains("byte_fallback")) m["byte_fallback"] = false;
  return m;
}

}  // namespace mhub::tokenizers
