#include "mhub/tokenizers/encoding.h"

namespace mhub::tokenizers {

std::vector<std::optional<uint32_t>> Encoding::SequenceIds() const {
  std::vector<std::optional<uint32_t>> out(ids.size());
  for (const auto& [seq, range] : sequence_ranges) {
    for (size_t i = range.first; i < range.second && i < out.size(); ++i) out[i] = static_cast<uint32_t>(seq);
  }
  return out;
}

}  // namespace mhub::tokenizers
