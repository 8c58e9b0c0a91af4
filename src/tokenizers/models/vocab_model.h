// VocabModel: the part shared by the models whose vocabulary is a token -> id object (BPE,
// WordPiece, WordLevel): the token index, the id-ordered strings, and the vocabulary queries of
// Model answered from them. Subclasses fill it once in their Init with SetVocab.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mhub/base/json.h"
#include "tokenizers/models/model.h"
#include "tokenizers/models/string_index.h"

namespace mhub::tokenizers {

class VocabModel : public Model {
 public:
  std::optional<uint32_t> TokenToId(std::string_view token) const final;
  const std::string* IdToToken(uint32_t id) const final;
  size_t VocabSize() const final;
  std::unordered_map<std::string, uint32_t> GetVocab() const final;

 protected:
  // Fills vocab_ from `entries` (a repeated token keeps its last id), then vocab_r_ and present_.
  // Filters or other StringIndex options must be enabled on vocab_ before.
  void SetVocab(const std::vector<std::pair<std::string, uint32_t>>& entries);
  // True when no two tokens share an id (so each id spells exactly one string).
  bool IdsAreDistinct() const;
  // The vocabulary as tokenizer.json writes it: {token: id} ordered by id.
  Json VocabJson() const;

  StringIndex vocab_;
  std::vector<std::string> vocab_r_;  // id -> token; gaps are empty strings
  std::vector<bool> present_;         // id -> whether vocab_r_[id] is a token
};

}  // namespace mhub::tokenizers
