// Naive reference kernels: the plain, obviously-correct loops (double accumulation) that every fast
// kernel is tested against (tests/core/). Not for production use: no threads, no SIMD.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mhub/core/attention.h"
#include "mhub/core/heads_view.h"
#include "mhub/core/kernels.h"

namespace mhub::core::reference {

// x, out: (rows, c); res/sum_out/bias may be null.
void LayerNorm(const float* x, const float* res, float* sum_out, const float* w, const float* b, float eps, float* out,
               int64_t rows, int64_t c);
// The bf16 nearest to x by distance (ties to the even mantissa); NaN gives a quiet NaN, +-inf stays.
uint16_t NearestBf16(float x);
// LayerNorm above, then every output also rounded with NearestBf16 into out_bf16 (rows, c).
void LayerNormBf16(const float* x, const float* res, float* sum_out, const float* w, const float* b, float eps,
                   float* out, uint16_t* out_bf16, int64_t rows, int64_t c);
void RmsNorm(const float* x, const float* w, float eps, float* out, int64_t rows, int64_t c);
void Softmax(const float* x, float* out, int64_t rows, int64_t c);
void Gelu(const float* x, float* out, int64_t n, GeluKind kind);
void Silu(const float* x, float* out, int64_t n);
// y (m, n) = x (m, k) . W^T + bias, W (n, k) row-major; bias may be null.
void Matmul(const float* x, const float* w, const float* bias, float* y, int64_t m, int64_t n, int64_t k);
// Attention straight from the formula in attention.h (materialises every score row): key mask, causal
// rule and sliding window (options.window > 0: query i sees key j only when (q_offset + i) - j < window);
// a query row that sees no key gets zeros. options.bf16 is ignored (the formula is in double).
void Attention(const HeadsView& q, const HeadsView& k, const HeadsView& v, const HeadsView& out,
               const AttentionOptions& options);
// Rotate-half rotary embedding from inv_freq (angles in f32 as transformers, cos/sin in double).
void Rope(const HeadsView& x, std::span<const float> inv_freq, std::span<const int64_t> positions, int64_t start_pos);

}  // namespace mhub::core::reference
