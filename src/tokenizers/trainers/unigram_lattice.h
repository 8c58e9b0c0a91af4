// The Unigram model and lattice as the Unigram trainer sees them (HF models/unigram/model.rs
// populate_nodes, lattice.rs viterbi / nbest / populate_marginal): piece 0 is the training
// "<UNK>", chars no piece covers get unk nodes scored min_score - 10.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mhub::tokenizers {

class TrainingUnigram {
 public:
  explicit TrainingUnigram(const std::vector<std::pair<std::string, double>>& pieces);
  size_t size() const { return scores_.size(); }

  struct Node {
    uint32_t id;   // piece id
    uint32_t pos;  // byte offset in the sentence
    uint32_t len;  // bytes
    double score;
  };
  // Every piece starting at every char of `s` (shortest first), plus unk nodes.
  void Populate(std::string_view s, std::vector<Node>& nodes) const;

  // Best segmentation (piece ids); empty when none.
  std::vector<uint32_t> Viterbi(std::string_view s) const;
  // The two best segmentations (HF nbest(2)); one entry when there is no second.
  std::vector<std::vector<uint32_t>> TwoBest(std::string_view s) const;
  // Adds freq x the marginal probability of every node to expected[id]; returns freq x log Z.
  double Marginal(std::string_view s, double freq, std::vector<double>& expected) const;

 private:
  std::unordered_map<std::string_view, uint32_t> index_;
  std::vector<std::string> strings_;
  std::vector<double> scores_;
  size_t max_chars_ = 1;
  double unk_score_ = 0;
};

}  // namespace mhub::tokenizers
