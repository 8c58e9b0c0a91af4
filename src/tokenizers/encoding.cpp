#include "mhub/tokenizers/encoding.h"

namespace mhub::tokenizers {

std::vector<std::optional<uint32_t>> Encoding::SequenceIds() const {
  std::vector<std::optional<uint32_t>> out(ids.size());
  if (sequence_ranges.empty()) {  // HF: one sequence covering everything
    for (auto& o : out) o = 0;
    return out;
  }
  for (const auto& [seq, range] : sequence_ranges) {
    for (size_t i = range.first; i < range.second && i < out.size(); ++i) out[i] = static_cast<uint32_t>(seq);
  }
  return out;
}

}  // namespace mhub::tokenizers
