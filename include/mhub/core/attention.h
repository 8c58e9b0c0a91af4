// Scaled dot-product attention over F32 heads, fused over heads, without materialising (T, T):
// each work item (batch row, kv head, tile of query rows) computes its scores against all keys,
// a stable softmax and the weighted sum of values, in thread-local scratch.
//
//   out[b,i,h,:] = sum_j softmax_j(scale * q[b,i,h,:] . k[b,j,h/G,:] + mask) v[b,j,h/G,:]
//
// with G = num_heads / num_kv_heads (GQA/MQA: query heads h share kv head h / G, as
// transformers' repeat_kv). Masking: key j is visible to query i when
//   - key_mask is absent or key_mask[b, j] != 0 (padding mask, HF attention_mask), and
//   - not causal, or j <= q_offset + i (q_offset = number of cached tokens before these queries), and
//   - window == 0, or (q_offset + i) - j < window (sliding-window attention: Mistral, Qwen2).
// A query row that sees no key gets zeros (PyTorch would give NaN).
#pragma once

#include <cstdint>

#include "mhub/base/status.h"
#include "mhub/core/heads_view.h"
#include "mhub/core/tensor.h"

namespace mhub::core {

struct AttentionOptions {
  float scale = 0.0f;  // 0: 1/sqrt(head_dim)
  bool causal = false;
  int64_t q_offset = 0;
  // Optional (B, Tk) I32/I64 padding mask over the keys (1 = attend, 0 = padding); null = none.
  const Tensor* key_mask = nullptr;
  // Sliding window (Mistral / Qwen2, transformers' sliding_window mask): when > 0, query i sees key j
  // only when (q_offset + i) - j < window, i.e. the `window` most recent positions including its own.
  // Positions are key indices (padding included), as transformers' cache positions are.
  int64_t window = 0;
  // For bf16 models: on CPUs with AVX512_BF16 (avx512 kernels active, head_dim <= 256), q, k, v and
  // the softmax weights are rounded to bf16 (as torch's bf16 attention holds them) and multiplied
  // with vdpbf16ps (exact products, f32 sums; the softmax stays f32). Elsewhere the f32 path runs.
  bool bf16 = false;
};

// q (B,Tq,Hq,D), k and v (B,Tk,Hkv,D), out (B,Tq,Hq,D); out must not overlap q, k or v.
// InvalidArgument when shapes disagree or Hq % Hkv != 0.
Status Attention(const HeadsView& q, const HeadsView& k, const HeadsView& v, const HeadsView& out,
                 const AttentionOptions& options);

// The same on BF16 views (bf16 encoders: q/k/v straight from a BF16 fused QKV projection, the context
// written in BF16 for the next bf16 matmul): always the bf16 products of options.bf16, the output
// rounded to bf16 (nearest even). Where the bf16 kernels do not run (no AVX512_BF16, head_dim > 256,
// an active sliding window) q, k, v are widened to F32 for the F32 driver and its output rounded.
Status Attention(const HeadsViewBf16& q, const HeadsViewBf16& k, const HeadsViewBf16& v, const HeadsViewBf16& out,
                 const AttentionOptions& options);

}  // namespace mhub::core
