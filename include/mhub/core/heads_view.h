// HeadsView: a (B, T, H, D) view of F32 data whose last dim (head_dim) is contiguous and whose other
// dims have arbitrary strides. It lets attention and rotary embeddings read q/k/v straight out of a
// fused QKV projection output (B, T, (Hq + 2 Hkv) * D) or out of a KV cache laid out (B, Hkv, maxT, D)
// without copies. A view never owns data: the tensor it came from must outlive it.
#pragma once

#include <cstdint>

#include "mhub/base/result.h"
#include "mhub/core/tensor.h"

namespace mhub::core {

struct HeadsView {
  float* data = nullptr;
  int64_t batch = 0, seq = 0, heads = 0, head_dim = 0;
  int64_t stride_b = 0, stride_t = 0, stride_h = 0;  // in elements; the D stride is 1

  float* at(int64_t b, int64_t t, int64_t h) const { return data + b * stride_b + t * stride_t + h * stride_h; }

  // A contiguous (B,T,H,D) tensor, or a (B,T,H*D) tensor split into `heads` heads.
  static Result<HeadsView> Of(const Tensor& x, int64_t heads);
  // Heads [head_offset, head_offset + heads) of a packed (B,T,X) tensor whose last dim holds
  // consecutive heads of size head_dim; e.g. fused QKV (B,T,3C): q = FromPacked(qkv, 0, H, D),
  // k = FromPacked(qkv, H, H, D), v = FromPacked(qkv, 2H, H, D).
  static Result<HeadsView> FromPacked(const Tensor& x, int64_t head_offset, int64_t heads, int64_t head_dim);
};

// The same view over BF16 data (bf16 encoders: the fused QKV projection output and the attention
// context stay BF16 between the matmuls). Of/FromPacked as above, on BF16 tensors.
struct HeadsViewBf16 {
  uint16_t* data = nullptr;
  int64_t batch = 0, seq = 0, heads = 0, head_dim = 0;
  int64_t stride_b = 0, stride_t = 0, stride_h = 0;  // in elements; the D stride is 1

  uint16_t* at(int64_t b, int64_t t, int64_t h) const { return data + b * stride_b + t * stride_t + h * stride_h; }

  static Result<HeadsViewBf16> Of(const Tensor& x, int64_t heads);
  static Result<HeadsViewBf16> FromPacked(const Tensor& x, int64_t head_offset, int64_t heads, int64_t head_dim);
};

}  // namespace mhub::core
