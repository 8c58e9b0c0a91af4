#include "mhub/core/rope.h"

#include <algorithm>
#include <cmath>

#include "core/cpu/parallel.h"

namespace mhub::core {

Result<RopeScaling> ParseRopeScaling(const std::string& rope_type) {
  if (rope_type.empty() || rope_type == "default") return RopeScaling::kNone;
  if (rope_type == "linear") return RopeScaling::kLinear;
  if (rope_type == "dynamic") return RopeScaling::kDynamic;
  if (rope_type == "llama3") return RopeScaling::kLlama3;
  if (rope_type == "yarn") return RopeScaling::kYarn;
  if (rope_type == "longrope") return RopeScaling::kLongRope;
  return Status::Unsupported("rope_scaling type '" + rope_type + "' is not supported");
}

double RopeAttentionFactor(RopeScaling scaling, double factor, int64_t original_max_position_embeddings, double mscale,
                           double mscale_all_dim) {
  if (scaling == RopeScaling::kYarn) {
    auto get_mscale = [&](double m) { return factor <= 1.0 ? 1.0 : 0.1 * m * std::log(factor) + 1.0; };
    if (mscale != 0.0 && mscale_all_dim != 0.0) return get_mscale(mscale) / get_mscale(mscale_all_dim);
    return get_mscale(1.0);
  }
  if (scaling == RopeScaling::kLongRope) {
    if (factor <= 1.0) return 1.0;
    return std::sqrt(1.0 + std::log(factor) / std::log(static_cast<double>(original_max_position_embeddings)));
  }
  return 1.0;
}

namespace {

// transformers' _compute_yarn_parameters: dims below `low` keep the original frequency
// (extrapolation), dims above `high` are divided by factor (interpolation), a linear ramp between.
void ApplyYarn(const RopeConfig& config, const std::vector<float>& pos_freqs, std::vector<float>& inv) {
  const double dim = static_cast<double>(config.rotary_dim);
  const double orig = static_cast<double>(config.original_max_position_embeddings);
  auto correction_dim = [&](double rotations) {
    return (dim * std::log(orig / (rotations * 2.0 * M_PI))) / (2.0 * std::log(config.theta));
  };
  double low = correction_dim(config.beta_fast), high = correction_dim(config.beta_slow);
  if (config.truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  low = std::max(low, 0.0);
  high = std::min(high, dim - 1.0);
  if (low == high) high += 0.001;  // prevent a zero-width ramp
  const float flow = static_cast<float>(low), span = static_cast<float>(high - low);
  const float factor = static_cast<float>(config.factor);
  for (size_t i = 0; i < inv.size(); ++i) {
    const float extrapolation = 1.0f / pos_freqs[i];
    const float interpolation = 1.0f / (factor * pos_freqs[i]);
    const float ramp = std::clamp((static_cast<float>(i) - flow) / span, 0.0f, 1.0f);
    const float keep = 1.0f - ramp;  // inv_freq_extrapolation_factor
    inv[i] = interpolation * (1.0f - keep) + extrapolation * keep;
  }
}

}  // namespace

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
  if (config.scaling == RopeScaling::kYarn) {
    // pos_freqs = theta ** (arange(0, dim, 2) / dim)
    std::vector<float> pos(inv.size());
    for (int64_t i = 0; i < dim / 2; ++i) pos[i] = std::pow(fbase, static_cast<float>(2 * i) / static_cast<float>(dim));
    ApplyYarn(config, pos, inv);
  } else if (config.scaling == RopeScaling::kLongRope) {
    const std::vector<double>& ext =
        seq_len > config.original_max_position_embeddings ? config.long_factor : config.short_factor;
    for (int64_t i = 0; i < dim / 2 && i < static_cast<int64_t>(ext.size()); ++i) {
      const float shape = static_cast<float>(2 * i) / static_cast<float>(dim);
      inv[i] = 1.0f / (static_cast<float>(ext[i]) * std::pow(fbase, shape));
    }
  } else if (config.scaling == RopeScaling::kLinear) {
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
  if (config.scaling == RopeScaling::kLongRope) {
    const size_t half = static_cast<size_t>(config.rotary_dim / 2);
    if (config.short_factor.size() != half || config.long_factor.size() != half)
      return Status::InvalidArgument(
          "RopeTable: longrope short_factor and long_factor need rotary_dim / 2 = " + std::to_string(half) +
          " values, got " + std::to_string(config.short_factor.size()) + " and " +
          std::to_string(config.long_factor.size()));
  }
  RopeTable t;
  t.rotary_dim_ = config.rotary_dim;
  t.max_positions_ = max_positions;
  const std::vector<float> inv = RopeInvFreq(config, seq_len);
  const int64_t half = config.rotary_dim / 2;
  const float attention = static_cast<float>(config.attention_factor);  // cos/sin * attention_scaling (f32)
  t.cos_.resize(static_cast<size_t>(max_positions * half));
  t.sin_.resize(t.cos_.size());
  for (int64_t p = 0; p < max_positions; ++p) {
    for (int64_t i = 0; i < half; ++i) {
      const float angle = static_cast<float>(p) * inv[i];  // f32, as the f32 matmul in transformers
      t.cos_[p * half + i] = static_cast<float>(std::cos(static_cast<double>(angle))) * attention;
      t.sin_[p * half + i] = static_cast<float>(std::sin(static_cast<double>(angle))) * attention;
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
