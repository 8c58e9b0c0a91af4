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
  kNone,      // "default"
  kLinear,    // inv_freq /= factor
  kDynamic,   // NTK: theta scaled when seq_len > original_max_position_embeddings
  kLlama3,    // low/high frequency bands (Llama 3.1+)
  kYarn,      // YaRN: interpolation / extrapolation blended over a ramp of dims, cos/sin * attention_factor
  kLongRope,  // LongRoPE: per-dim short_factor (or long_factor past original_max_position_embeddings)
};

struct RopeConfig {
  int64_t rotary_dim = 0;  // even; head_dim * partial_rotary_factor (head_dim when not partial)
  double theta = 10000.0;  // rope_theta
  RopeScaling scaling = RopeScaling::kNone;
  double factor = 1.0;                              // rope_scaling.factor (yarn/longrope: as resolved below)
  double low_freq_factor = 1.0;                     // llama3
  double high_freq_factor = 4.0;                    // llama3
  int64_t original_max_position_embeddings = 8192;  // llama3, yarn, longrope; dynamic: max_position_embeddings
  // yarn: ramp bounds from beta_fast / beta_slow rotations, floor/ceil'd when `truncate`.
  double beta_fast = 32.0;
  double beta_slow = 1.0;
  bool truncate = true;
  // longrope: rotary_dim / 2 values each.
  std::vector<double> short_factor, long_factor;
  // cos/sin multiplier (transformers' attention_scaling); 1 except for yarn / longrope, see
  // RopeAttentionFactor.
  double attention_factor = 1.0;
};

// Parses a rope_scaling JSON "rope_type"/"type" value ("default", "linear", "dynamic", "llama3",
// "yarn", "longrope"). Unsupported for others.
Result<RopeScaling> ParseRopeScaling(const std::string& rope_type);

// The attention factor transformers derives when the config gives none:
//   yarn:     get_mscale(factor, mscale) / get_mscale(factor, mscale_all_dim) when both mscale and
//             mscale_all_dim are non-zero, else get_mscale(factor), with
//             get_mscale(s, m) = s <= 1 ? 1 : 0.1 * m * ln(s) + 1;
//   longrope: factor <= 1 ? 1 : sqrt(1 + ln(factor) / ln(original_max_position_embeddings));
//   others:   1.
// `mscale` / `mscale_all_dim` are 0 when absent.
double RopeAttentionFactor(RopeScaling scaling, double factor, int64_t original_max_position_embeddings, double mscale,
                           double mscale_all_dim);

// inv_freq (rotary_dim / 2 values) exactly as transformers computes it for `seq_len` tokens
// (seq_len only matters for kDynamic and kLongRope).
std::vector<float> RopeInvFreq(const RopeConfig& config, int64_t seq_len = 0);

// Precomputed cos/sin for positions [0, max_positions).
class RopeTable {
 public:
  RopeTable() = default;
  // For kDynamic, `seq_len` selects the scaled theta, for kLongRope the short or long factors
  // (rebuild when the sequence grows past original_max_position_embeddings). cos/sin are multiplied
  // by config.attention_factor. InvalidArgument for an odd or non-positive rotary_dim, or longrope
  // factors whose count is not rotary_dim / 2.
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
