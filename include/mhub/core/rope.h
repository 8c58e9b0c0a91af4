// Rotary position embeddings, computed as transformers does (modeling_rope_utils.py + LlamaRotaryEmbedding):
// inv_freq[i] = 1 / theta^(2i / rotary_dim) in f32, adjusted by the rope_scaling type; for position p,
// angle = p * inv_freq[i] (f32); cos/sin of emb = cat(angles, angles) times attention_scaling.
// Applied in the non-interleaved "rotate_half" layout (Llama, Qwen2, GPT-NeoX, Phi):
//   x'[i]       = x[i] cos - x[i + r/2] sin
//   x'[i + r/2] = x[i + r/2] cos + x[i] sin      for i < r/2, r = rotary_dim;
// dims [r, head_dim) pass through unchanged (partial rotary).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/core/heads_view.h"

namespace mhub::core {

enum class RopeScaling {
  kNone,     // "default"
  kLinear,   // inv_freq /= factor
  kDynamic,  // NTK: theta scaled when seq_len > original_max_position_embeddings
  kLlama3,   // low/high frequency bands (Llama 3.1+)
};

struct RopeConfig {
  int64_t rotary_dim = 0;  // even; head_dim * partial_rotary_factor (head_dim when not partial)
  double theta = 10000.0;  // rope_theta
  RopeScaling scaling = RopeScaling::kNone;
  double factor = 1.0;                              // rope_scaling.factor
  double low_freq_factor = 1.0;                     // llama3
  double high_freq_factor = 4.0;                    // llama3
  int64_t original_max_position_embeddings = 8192;  // llama3; dynamic: max_position_embeddings
};

// Parses a rope_scaling JSON "rope_type"/"type" value ("default", "linear", "dynamic", "llama3").
// Unsupported for others (e.g. "yarn", "longrope").
Result<RopeScaling> ParseRopeScaling(const std::string& rope_type);

// inv_freq (rotary_dim / 2 values) exactly as transformers computes it for `seq_len` tokens
// (seq_len only matters for kDynamic).
std::vector<float> RopeInvFreq(const RopeConfig& config, int64_t seq_len = 0);

// Precomputed cos/sin for positions [0, max_positions).
class RopeTable {
 public:
  RopeTable() = default;
  // For kDynamic, `seq_len` selects the scaled theta (rebuild when the sequence grows past
  // original_max_position_embeddings). InvalidArgument for an odd or non-positive rotary_dim.
  static Result<RopeTable> Build(const RopeConfig& config, int64_t max_positions, int64_t seq_len = 0);

  int64_t rotary_dim() const { return rotary_dim_; }
  int64_t max_positions() const { return max_positions_; }
  const float* cos(int64_t pos) const { return cos_.data() + pos * (rotary_dim_ / 2); }  // (r/2)
  const float* sin(int64_t pos) const { return sin_.data() + pos * (rotary_dim_ / 2); }

 private:
  int64_t rotary_dim_ = 0, max_positions_ = 0;
  std::vector<float> cos_, sin_;  // (max_positions, r/2)
};

// Rotates x (B,T,H,D) in place. Position of token (b,t): positions[b*T + t] when `positions` is
// non-empty (size B*T, e.g. from left-padded attention masks), else start_pos + t.
// InvalidArgument when rotary_dim > D or a position is outside the table.
Status ApplyRope(const HeadsView& x, const RopeTable& table, std::span<const int64_t> positions, int64_t start_pos = 0);

}  // namespace mhub::core
