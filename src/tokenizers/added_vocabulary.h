// AddedVocabulary (HF tokenizer/added_vocabulary.rs): special and normal added tokens, their
// ids, and finding them in text (leftmost-longest, single_word / lstrip / rstrip rules).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "mhub/tokenizers/tokenizer.h"
#include "tokenizers/models/model.h"
#include "tokenizers/normalizers/normalizer.h"

namespace mhub::tokenizers {

struct AddedMatch {
  int64_t id;  // -1: a gap of plain text
  uint32_t begin;
  uint32_t end;
};

class AddedVocabulary {
 public:
  // HF add_tokens: ids of tokens already known are kept, others get the next free id.
  // Returns how many tokens were not ignored. Rebuilds the matchers.
  size_t AddTokens(const std::vector<AddedToken>& tokens, const Model& model, const Normalizer* normalizer);

  std::optional<uint32_t> TokenToId(std::string_view token) const;
  const std::string* IdToToken(uint32_t id) const;
  bool IsSpecialContent(std::string_view content) const { return special_set_.count(std::string(content)) > 0; }
  bool IsSpecialId(uint32_t id) const;
  size_t size() const { return by_id_.size(); }
  bool empty() const { return by_id_.empty(); }
  // Tokens sorted by id, as HF serialises them.
  std::vector<AddedToken> Tokens() const;

  // HF find_matches over `text` with the non-normalized (normalized=false) or normalized set.
  void FindMatches(std::string_view text, bool normalized_set, bool encode_special_tokens,
                   std::vector<AddedMatch>& out) const;
  bool HasMatchers(bool normalized_set) const { return !(normalized_set ? normalized_ : raw_).patterns.empty(); }

 private:
  struct Trie {
    struct Node {
      std::vector<std::pair<unsigned char, uint32_t>> children;
      int32_t pattern = -1;
    };
    std::vector<Node> nodes;
    std::vector<uint32_t> patterns;  // pattern index -> token id
    bool first_byte[256] = {};
    int distinct_first_bytes = 0;
    unsigned char a_first_byte = 0;  // one of them (the only one when distinct_first_bytes == 1)
    void Clear() {
      nodes.assign(1, Node());
      patterns.clear();
      for (bool& b : first_byte) b = false;
      distinct_first_bytes = 0;
    }
    void Add(std::string_view s, uint32_t id);
  };
  void Refresh(const Model& model, const Normalizer* normalizer);

  std::unordered_map<std::string, uint32_t> by_content_;
  std::unordered_map<uint32_t, AddedToken> by_id_;
  std::vector<AddedToken> special_tokens_;
  std::vector<AddedToken> added_tokens_;
  std::unordered_set<std::string> special_set_;
  uint32_t max_id_ = 0;  // largest id in by_content_
  Trie raw_, normalized_;
};

}  // namespace mhub::tokenizers
