#include "mhub/core/rope.h"

#include <cmath>

#include "core/cpu/parallel.h"

namespace mhub::core {

Result<RopeScaling> ParseRopeScaling(const std::string& rope_type) {
  if (rope_type.empty() || rope_type == "default") return RopeScaling::kNone;
  if (rope_type == "linear") return RopeScaling::kLinear;
  if (rope_type == "dynamic") return RopeScaling::kDynamic;
  if (rope_type == "llama3") return RopeScaling::kLlama3;
  return Status::Unsupported("rope_scaling type '" + rope_type + "' is not supported");
}

// Mirrors transformers' _compute_*_rope_parameters; tensors there are f32 and Python scalars are
// rounded to f32 when they meet them, so every step below is in float.
std::vector<float> RopeInvFreq(const RopeConfig& config, int64_t seq_len) {
  const int64_t dim = config.rotary_dim;
  double base = config.theta;
  if (config.scaling == RopeScaling::kDynamic) {
    const double max_pos = static_cast<double>(config.original_max_position_embeddings);
    const double len = seq_len > config.original_max_position_embeddings ? static_cast<double>(seq_len) : max_pos;
    base = base * std::pow(config.factor * len / max_pos - (config.factor - 1.0),
                           static_cast<double>(dim) / static_cast<double>(dim - 2));
  }
  std::vector<float> inv(static_cast<size_t>(dim / 2));
  const float fbase = static_cast<float>(base);
  for (int64_t i = 0; i < dim / 2; ++i) {
    const float exponent = static_cast<float>(2 * i) / static_cast<float>(dim);
    inv[i] = 1.0f / std::pow(fbase, exponent);
  }
  if (config.scaling == RopeScaling::kLinear) {
    for (float& f : inv) f /= static_cast<float>(config.factor);
  } else if (config.scaling == RopeScaling::kLlama3) {
    const float factor = static_cast<float>(config.factor);
    const float low = static_cast<float>(config.low_freq_factor), high = static_cast<float>(config.high_freq_factor);
    const double old_ctx = static_cast<double>(config.original_max_position_embeddings);
    const float low_wavelen = static_cast<float>(old_ctx / config.low_freq_factor);
    const float high_wavelen = static_cast<float>(old_ctx / config.high_freq_factor);
    const float two_pi = static_cast<float>(2.0 * M_PI);
    for (float& f : inv) {
      const float wavelen = two_pi / f;
      float llama = wavelen > low_wavelen ? f / factor : f;
      const float smooth = (static_cast<float>(old_ctx) / wavelen - low) / (high - low);
      const float smoothed = (1.0f - smooth) * llama / factor + smooth * llama;
      const bool medium = !(wavelen < high_wavelen) && !(wavelen > low_wavelen);
      f = medium ? smoothed : llama;
    }
  }
  return inv;
}

Result<RopeTable> RopeTable::Build(const RopeConfig& config, int64_t max_positions, int64_t seq_len) {
  if (config.rotary_dim <= 0 || config.rotary_dim % 2 != 0)
    return Status::InvalidArgument("RopeTable: rotary_dim must be positive and even, got " +
                                   std::to_string(config.rotary_dim));
  if (max_positions <= 0) return Status::InvalidArgument("RopeTable: max_positions must be positive");
  RopeTable t;
  t.rotary_dim_ = config.rotary_dim;
  t.max_positions_ = max_positions;
  const std::vector<float> inv = RopeInvFreq(config, seq_len);
  const int64_t half = config.rotary_dim / 2;
  t.cos_.resize(static_cast<size_t>(max_positions * half));
  t.sin_.resize(t.cos_.size());
  for (int64_t p = 0; p < max_positions; ++p) {
    for (int64_t i = 0; i < half; ++i) {
      const float angle = static_cast<float>(p) * inv[i];  // f32, as the f32 matmul in transformers
      t.cos_[p * half + i] = static_cast<float>(std::cos(static_cast<double>(angle)));
      t.sin_[p * half + i] = static_cast<float>(std::sin(static_cast<double>(angle)));
    }
  }
  return t;
}

Status ApplyRope(const HeadsView& x, const RopeTable& table, std::span<const int64_t> positions, int64_t start_pos) {
  const int64_t r = table.rotary_dim(), half = r / 2;
  if (r > x.head_dim)
    return Status::InvalidArgument("ApplyRope: rotary_dim " + std::to_string(r) + " > head_dim " +
                                   std::to_string(x.head_dim));
  if (!positions.empty() && static_cast<int64_t>(positions.size()) != x.batch * x.seq)
    return Status::InvalidArgument("ApplyRope: positions must hold B*T values");
  auto pos_of = [&](int64_t b, int64_t t) { return positions.empty() ? start_pos + t : positions[b * x.seq + t]; };
  for (int64_t b = 0; b < x.batch; ++b)
    for (int64_t t = 0; t < x.seq; ++t) {
      const int64_t p = pos_of(b, t);
      if (p < 0 || p >= table.max_positions())
        return Status::InvalidArgument("ApplyRope: position " + std::to_string(p) + " outside the table of " +
                                       std::to_string(table.max_positions()));
    }
  cpu::ParallelFor(x.batch * x.seq, 64, [&](int64_t begin, int64_t end) {
    for (int64_t bt = begin; bt < end; ++bt) {
      const int64_t b = bt / x.seq, t = bt % x.seq;
      const float* c = table.cos(pos_of(b, t));
      const float* s = table.sin(pos_of(b, t));
      for (int64_t h = 0; h < x.heads; ++h) {
        float* v = x.at(b, t, h);
        for (int64_t i = 0; i < half; ++i) {
          const float x1 = v[i], x2 = v[i + half];
          v[i] = x1 * c[i] - x2 * s[i];
          v[i + half] = x2 * c[i] + x1 * s[i];
        }
      }
    }
  });
  return Status::OK();
}

}  // namespace mhub::core
