// Element-wise, normalisation and gather kernels over F32 activations.
//
// Conventions for every function here:
//   - activations (x, out, residual) are F32 and contiguous; "rows" means shape.rows() (all dims but
//     the last) and C is the last dim;
//   - `out` must already have the right shape (e.g. from Arena::NewTensor); it may alias an input
//     unless a comment says otherwise;
//   - InvalidArgument on a shape/dtype mismatch, nothing written then;
//   - rows are split over NumThreads() threads; each uses the ISA from ActiveIsa().
#pragma once

#include "mhub/base/status.h"
#include "mhub/core/tensor.h"

namespace mhub::core {

// out[n, :] = table[ids[n], :] (or += when `accumulate`).
// ids: (N) or (B,T) I32/I64; table: (V,C) F32/BF16/F16; out: (N,C) or (B,T,C) F32.
// InvalidArgument when an id is outside [0, V).
Status Embedding(const Tensor& ids, const Tensor& table, Tensor& out, bool accumulate = false);

// out = (x - mean) / sqrt(var + eps) * weight + bias over the last dim (biased variance, as
// torch.nn.LayerNorm). weight/bias: (C) F32; bias may be undefined (no bias).
Status LayerNorm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps, Tensor& out);

// Fused residual + LayerNorm: sum = x + residual; out = LayerNorm(sum). When `sum_out` is defined
// the sum is stored there too (it may alias x or residual). BERT post-LN: out = LN(attn + input);
// GPT-2 pre-LN: residual stream = sum_out, next block input = out.
Status AddLayerNorm(const Tensor& x, const Tensor& residual, const Tensor& weight, const Tensor& bias, float eps,
                    Tensor& sum_out, Tensor& out);

// LayerNorm / AddLayerNorm that also store the normalised rows rounded to BF16 (nearest even) in
// `out_bf16` (BF16, the shape of x), in the same pass over each row: bf16 models keep `out` in F32 for
// the residual stream and feed `out_bf16` to the next bf16 matmul without a separate conversion.
// `out_bf16` must not overlap the F32 tensors.
Status LayerNormWithBf16Copy(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps, Tensor& out,
                             Tensor& out_bf16);
Status AddLayerNormWithBf16Copy(const Tensor& x, const Tensor& residual, const Tensor& weight, const Tensor& bias,
                                float eps, Tensor& sum_out, Tensor& out, Tensor& out_bf16);

// out = x / sqrt(mean(x^2) + eps) * weight (Llama/Qwen2 RMSNorm; the normalisation is computed in f32).
Status RmsNorm(const Tensor& x, const Tensor& weight, float eps, Tensor& out);

enum class GeluKind {
  kErf,   // exact: 0.5 x (1 + erf(x / sqrt 2))  ("gelu")
  kTanh,  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))  ("gelu_new", "gelu_pytorch_tanh")
};
Status Gelu(const Tensor& x, Tensor& out, GeluKind kind = GeluKind::kErf);
Status Silu(const Tensor& x, Tensor& out);  // x * sigmoid(x)
Status Relu(const Tensor& x, Tensor& out);
// out = silu(gate) * up (Llama MLP). All the same shape.
Status SiluMul(const Tensor& gate, const Tensor& up, Tensor& out);

// Row-wise numerically stable softmax over the last dim: exp(x - max) / sum.
Status Softmax(const Tensor& x, Tensor& out);

// out = a + b, out = a * b (same shapes).
Status Add(const Tensor& a, const Tensor& b, Tensor& out);
Status Mul(const Tensor& a, const Tensor& b, Tensor& out);
// x[r, :] += bias (C) for every row, in place.
Status AddBias(Tensor& x, const Tensor& bias);
// x *= s, in place.
Status Scale(Tensor& x, float s);

// ids[r] = argmax over the last dim of x (first index on ties, as torch.argmax). x: (R, C) F32;
// out: (R) I64.
Status ArgmaxRows(const Tensor& x, Tensor& out);

}  // namespace mhub::core
