// Lattice computations of Unigram training (HF models/unigram/lattice.rs, model.rs
// populate_nodes). Node order matters for ties: nodes are added per start char, shortest piece
// first, the unk node last, and the first of equal-scoring predecessors wins (as HF).
#include "tokenizers/trainers/unigram_lattice.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tokenizers/unicode.h"

namespace mhub::tokenizers {
namespace {

constexpr double kUnkPenalty = 10.0;

double LogSumExp(double x, double y, bool init) {
  if (init) return y;
  const double vmin = x > y ? y : x;
  const double vmax = x > y ? x : y;
  if (vmax > vmin + 50.0) return vmax;
  return vmax + std::log(std::exp(vmin - vmax) + 1.0);
}

// Nodes 0 (bos) and 1 (eos) plus the pieces; begin/end list node indexes per byte position.
struct Lattice {
  std::vector<TrainingUnigram::Node> nodes;
  std::vector<std::vector<uint32_t>> begin, end;
};

void BuildLattice(const TrainingUnigram& model, std::string_view s, Lattice& l) {
  const uint32_t len = static_cast<uint32_t>(s.size());
  const uint32_t n = static_cast<uint32_t>(model.size());
  l.nodes.clear();
  l.nodes.push_back({n + 1, 0, 0, 0.0});
  l.nodes.push_back({n + 2, len, 0, 0.0});
  model.Populate(s, l.nodes);
  l.begin.assign(len + 1, {});
  l.end.assign(len + 1, {});
  l.begin[len].push_back(1);
  l.end[0].push_back(0);
  for (uint32_t i = 2; i < l.nodes.size(); ++i) {
    l.begin[l.nodes[i].pos].push_back(i);
    l.end[l.nodes[i].pos + l.nodes[i].len].push_back(i);
  }
}

}  // namespace

TrainingUnigram::TrainingUnigram(const std::vector<std::pair<std::string, double>>& pieces) {
  strings_.reserve(pieces.size());
  scores_.reserve(pieces.size());
  double min_score = std::numeric_limits<double>::infinity();
  for (const auto& [s, score] : pieces) {
    strings_.push_back(s);
    scores_.push_back(score);
    if (score < min_score) min_score = score;  // NaN (the training <UNK>) never counts
  }
  for (uint32_t i = 0; i < strings_.size(); ++i) {
    index_.emplace(strings_[i], i);
    max_chars_ = std::max(max_chars_, unicode::CountChars(strings_[i]));
  }
  unk_score_ = min_score - kUnkPenalty;
}

void TrainingUnigram::Populate(std::string_view s, std::vector<Node>& nodes) const {
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = pos;
    size_t first_end = 0;
    bool has_single = false;
    for (size_t k = 0; k < max_chars_ && end < s.size(); ++k) {
      unicode::NextChar(s, end);
      if (k == 0) first_end = end;
      auto it = index_.find(s.substr(pos, end - pos));
      if (it == index_.end()) continue;
      nodes.push_back({it->second, static_cast<uint32_t>(pos), static_cast<uint32_t>(end - pos), scores_[it->second]});
      if (k == 0) has_single = true;
    }
    if (!has_single) {
      nodes.push_back({0, static_cast<uint32_t>(pos), static_cast<uint32_t>(first_end - pos), unk_score_});
    }
    pos = first_end;
  }
}

std::vector<uint32_t> TrainingUnigram::Viterbi(std::string_view s) const {
  thread_local Lattice l;
  BuildLattice(*this, s, l);
  std::vector<double> best(l.nodes.size(), 0.0);
  std::vector<int64_t> prev(l.nodes.size(), -1);
  for (size_t pos = 0; pos <= s.size();) {
    if (l.begin[pos].empty()) return {};
    for (uint32_t r : l.begin[pos]) {
      bool found = false;
      double best_score = 0.0;
      for (uint32_t left : l.end[pos]) {
        double score = best[left] + l.nodes[r].score;
        if (!found || score > best_score) {
          found = true;
          best_score = score;
          prev[r] = left;
        }
      }
      if (!found) return {};
      best[r] = best_score;
    }
    if (pos == s.size()) break;
    unicode::NextChar(s, pos);
  }
  std::vector<uint32_t> out;
  for (int64_t node = prev[1]; node >= 2; node = prev[node]) out.push_back(l.nodes[node].id);
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<std::vector<uint32_t>> TrainingUnigram::TwoBest(std::string_view s) const {
  thread_local Lattice l;
  BuildLattice(*this, s, l);
  // Up to two (score, predecessor node, predecessor's rank) per node, best first.
  struct Entry {
    double score;
    int64_t prev;
    int rank;
  };
  std::vector<std::vector<Entry>> best(l.nodes.size());
  best[0].push_back({0.0, -1, 0});
  for (size_t pos = 0; pos <= s.size();) {
    for (uint32_t r : l.begin[pos]) {
      std::vector<Entry> cand;
      for (uint32_t left : l.end[pos]) {
        for (int k = 0; k < static_cast<int>(best[left].size()); ++k) {
          cand.push_back({best[left][k].score + l.nodes[r].score, left, k});
        }
      }
      std::stable_sort(cand.begin(), cand.end(), [](const Entry& a, const Entry& b) { return a.score > b.score; });
      if (cand.size() > 2) cand.resize(2);
      best[r] = std::move(cand);
    }
    if (pos == s.size()) break;
    unicode::NextChar(s, pos);
  }
  std::vector<std::vector<uint32_t>> out;
  for (int k = 0; k < static_cast<int>(best[1].size()); ++k) {
    std::vector<uint32_t> path;
    int64_t node = best[1][k].prev;
    int rank = best[1][k].rank;
    while (node > 1) {
      path.push_back(l.nodes[node].id);
      const Entry& e = best[node][rank];
      node = e.prev;
      rank = e.rank;
    }
    std::reverse(path.begin(), path.end());
    out.push_back(std::move(path));
  }
  return out;
}

double TrainingUnigram::Marginal(std::string_view s, double freq, std::vector<double>& expected) const {
  thread_local Lattice l;
  BuildLattice(*this, s, l);
  const size_t len = s.size();
  std::vector<double> alpha(l.nodes.size(), 0.0), beta(l.nodes.size(), 0.0);
  for (size_t pos = 0; pos <= len; ++pos) {
    for (uint32_t r : l.begin[pos]) {
      for (size_t k = 0; k < l.end[pos].size(); ++k) {
        uint32_t left = l.end[pos][k];
        alpha[r] = LogSumExp(alpha[r], l.nodes[left].score + alpha[left], k == 0);
      }
    }
  }
  for (size_t p = len + 1; p-- > 0;) {
    for (uint32_t left : l.end[p]) {
      for (size_t k = 0; k < l.begin[p].size(); ++k) {
        uint32_t r = l.begin[p][k];
        beta[left] = LogSumExp(beta[left], l.nodes[r].score + beta[r], k == 0);
      }
    }
  }
  const double z = alpha[1];
  for (size_t pos = 0; pos < len; ++pos) {
    for (uint32_t i : l.begin[pos]) {
      const auto& node = l.nodes[i];
      expected[node.id] += freq * std::exp(alpha[i] + node.score + beta[i] - z);
    }
  }
  return freq * z;
}

}  // namespace mhub::tokenizers
