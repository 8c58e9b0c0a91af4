// VocabModel: vocabulary queries shared by BPE, WordPiece and WordLevel.
#include "tokenizers/models/vocab_model.h"

namespace mhub::tokenizers {

std::optional<uint32_t> VocabModel::TokenToId(std::string_view token) const {
  const uint32_t id = vocab_.Find(token);
  if (id == StringIndex::kNotFound) return std::nullopt;
  return id;
}

const std::string* VocabModel::IdToToken(uint32_t id) const {
  return id < vocab_r_.size() && present_[id] ? &vocab_r_[id] : nullptr;
}

size_t VocabModel::VocabSize() const { return vocab_.size(); }

std::unordered_map<std::string, uint32_t> VocabModel::GetVocab() const {
  std::unordered_map<std::string, uint32_t> out;
  out.reserve(vocab_.size());
  for (size_t i = 0; i < vocab_.size(); ++i) out.emplace(vocab_.KeyAt(i), vocab_.ValueAt(i));
  return out;
}

void VocabModel::SetVocab(const std::vector<std::pair<std::string, uint32_t>>& entries) {
  BuildVocabIndex(entries, vocab_);
  vocab_r_ = InvertVocab(vocab_, &present_);
}

bool VocabModel::IdsAreDistinct() const {
  size_t distinct_ids = 0;
  for (bool b : present_) distinct_ids += b ? 1 : 0;
  return distinct_ids == vocab_.size();
}

Json VocabModel::VocabJson() const { return VocabToJson(vocab_r_, present_); }

}  // namespace mhub::tokenizers
