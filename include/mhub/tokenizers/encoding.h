// Encoding: what the tokenizer produces for one input (a sequence or a pair), field for field the
// Hugging Face `tokenizers` Encoding. All vectors have the same length (one entry per token).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mhub::tokenizers {

// Which unit offsets are counted in. The Python and Node bindings report code points (kChar).
enum class OffsetType { kChar, kByte };

// Which side padding or truncation works on.
enum class Direction { kLeft, kRight };

struct Encoding {
  std::vector<uint32_t> ids;
  std::vector<uint32_t> type_ids;
  std::vector<std::string> tokens;
  // [start, end) in the original input of the token's sequence; (0, 0) for inserted special tokens
  // and padding. Code points or bytes, as requested.
  std::vector<std::pair<size_t, size_t>> offsets;
  // Index of the word (pre-token) the token came from; nullopt for special tokens and padding.
  std::vector<std::optional<uint32_t>> word_ids;
  std::vector<uint32_t> special_tokens_mask;  // 1 for tokens the post-processor or padding added
  std::vector<uint32_t> attention_mask;       // 0 for padding
  // Windows cut off by truncation, each a full Encoding (in HF order).
  std::vector<Encoding> overflowing;
  // sequence id -> [begin, end) token range; empty after truncation (as in HF).
  std::map<size_t, std::pair<size_t, size_t>> sequence_ranges;

  size_t size() const { return ids.size(); }
  bool empty() const { return ids.empty(); }
  // Per token: the sequence (0 = first, 1 = second) it belongs to, nullopt for added specials.
  std::vector<std::optional<uint32_t>> SequenceIds() const;
};

}  // namespace mhub::tokenizers
