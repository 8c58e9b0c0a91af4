// HeadsView / HeadsViewBf16: a (B, T, H, D) view of F32 / BF16 data whose last dim (head_dim) is contiguous and whose
// other dims have arbitrary strides. It lets attention and rotary embeddings read q/k/v straight out of a fused QKV
// projection output (B, T, (Hq + 2 Hkv) * D) or out of a KV cache laid out (B, Hkv, maxT, D) without copies. A view
// never owns data: the tensor it came from must outlive it.
#pragma once

#include <cstdint>

#include "mhub/base/result.h"
#include "mhub/core/tensor.h"

namespace mhub::core {

// T is float (F32 data) or uint16_t (BF16 data: bf16 encoders keep the fused QKV projection output
// and the attention context in BF16 between the matmuls).
template <typename T>
struct HeadsViewOf {
  T* data = nullptr;
  int64_t batch = 0, seq = 0, heads = 0, head_dim = 0;
  int64_t stride_b = 0, stride_t = 0, stride_h = 0;  // in elements; the D stride is 1

  T* at(int64_t b, int64_t t, int64_t h) const { return data + b * stride_b + t * stride_t + h * stride_h; }

  // A contiguous (B,T,H,D) tensor, or a (B,T,H*D) tensor split into `heads` heads; its dtype must be
  // F32 (float views) or BF16 (uint16_t views).
  static Result<HeadsViewOf> Of(const Tensor& x, int64_t heads);
  // Heads [head_offset, head_offset + heads) of a packed (B,T,X) tensor whose last dim holds
  // consecutive heads of size head_dim; e.g. fused QKV (B,T,3C): q = FromPacked(qkv, 0, H, D),
  // k = FromPacked(qkv, H, H, D), v = FromPacked(qkv, 2H, H, D).
  static Result<HeadsViewOf> FromPacked(const Tensor& x, int64_t head_offset, int64_t heads, int64_t head_dim);
};

// Defined for these two element types only (heads_view.cpp).
extern template struct HeadsViewOf<float>;
extern template struct HeadsViewOf<uint16_t>;

using HeadsView = HeadsViewOf<float>;
using HeadsViewBf16 = HeadsViewOf<uint16_t>;

}  // namespace mhub::core
