// WordLevel training (HF tokenizers/src/models/wordlevel/trainer.rs do_train).
#include <algorithm>

#include "mhub/tokenizers/trainers.h"

namespace mhub::tokenizers {

Result<Json> WordLevelTrainer::TrainModel(const WordCounts& words, const Json& model) const {
  if (words.empty()) {
    return Status::InvalidArgument("the training corpus is empty (no words after normalization and pre-tokenization)");
  }
  if (vocab_size < special_tokens.size()) {
    return Status::InvalidArgument("vocab_size " + std::to_string(vocab_size) + " is smaller than the " +
                                   std::to_string(special_tokens.size()) + " special tokens");
  }
  std::vector<std::pair<const std::string*, uint64_t>> ordered;
  ordered.reserve(words.size());
  for (const auto& [w, n] : words) {
    if (n >= min_frequency) ordered.emplace_back(&w, n);
  }
  std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : *a.first < *b.first;
  });
  // Ids are positions; a word equal to a special token takes the later id (HF builds a map).
  Json vocab = Json::object();
  size_t id = 0;
  for (const std::string& t : special_tokens) vocab[t] = id++;
  for (const auto& [w, n] : ordered) {
    if (id >= vocab_size) break;
    vocab[*w] = id++;
  }
  Json m = model;
  m["type"] = "WordLevel";
  m["vocab"] = std::move(vocab);
  if (!m.contains("unk_token")) m["unk_token"] = "<unk>";
  return m;
}

}  // namespace mhub::tokenizers
