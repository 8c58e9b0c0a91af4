// The counter-based generator behind grad::Dropout (inline: the attention kernels draw one number
// per probability and hoist the per-stream key out of their loops).
#pragma once

#include <cstdint>

namespace mhub::core::grad::internal {

inline uint64_t SplitMix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline uint64_t StreamKey(uint64_t seed, uint64_t stream) { return SplitMix64(seed ^ SplitMix64(stream)); }

// Uniform in [0,1) with 24 bits: element i of a keyed stream.
inline float Uniform(uint64_t key, uint64_t i) {
  return static_cast<float>(SplitMix64(key + i * 0xD1B54A32D192ED03ull) >> 40) * (1.f / 16777216.f);
}

// 0 or 1/(1-p) for 0 < p < 1.
inline float KeepScale(uint64_t key, uint64_t i, float p, float keep) { return Uniform(key, i) < p ? 0.f : keep; }

}  // namespace mhub::core::grad::internal
