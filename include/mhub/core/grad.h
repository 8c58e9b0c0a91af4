// Backward kernels for training (fp32): what a model's explicit per-layer backward calls, llm.c
// style. Every function works on plain row-major f32 buffers owned by the caller; nothing here
// allocates per call except the attention's per-thread row scratch. Each fast kernel has a plain
// reference beside it (namespace reference, src/core/grad/reference_grad.cpp) that the tests
// compare against, and the tests check both against finite differences and PyTorch autograd.
//
// Conventions: `d*` are gradients of a scalar loss. Weight and bias gradients are always
// accumulated (+=), so several micro-batches (or tied uses of one weight) sum into one buffer;
// input gradients are written, or added where a flag says so (residual branches).
#pragma once

#include <cstdint>

#include "mhub/core/linear.h"

namespace mhub::core::grad {

// C (m,n) = alpha * op(A) op(B) + beta * C, row-major; op(X) = X^T when trans_x (on the core GEMM).
void Gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// y (m,out) = x (m,in) W^T + b for W (out,in) (nn.Linear), x W + b for W (in,out) (GPT-2 Conv1D).
// `ldx`/`ldy` are the row strides (in / out for dense rows). b may be null.
void LinearForward(const float* x, int64_t ldx, int64_t m, int64_t in, int64_t out, const float* w, WeightLayout layout,
                   const float* b, float* y, int64_t ldy);
// dx (m,in) = dy W (or += when accumulate_dx), dW += dy^T x (or x^T dy for (in,out)), db += sum of dy's
// rows. dx, dw, db may each be null (not wanted).
void LinearBackward(const float* x, int64_t ldx, const float* dy, int64_t ldy, int64_t m, int64_t in, int64_t out,
                    const float* w, WeightLayout layout, float* dx, bool accumulate_dx, float* dw, float* db);

// dtable[ids[i]] += dy[i] for i < n (rows of `dim`); ids equal to `skip_id` are left out (nn.Embedding's
// padding_idx, whose row never gets a gradient; -1 = none).
void EmbeddingBackward(const int64_t* ids, int64_t n, const float* dy, int64_t dim, float* dtable,
                       int64_t skip_id = -1);

// Layer norm over the last dim: y = (x - mean) * rstd * w + b; mean/rstd (rows) kept for the backward.
void LayerNormForward(const float* x, int64_t rows, int64_t dim, const float* w, const float* b, float eps, float* y,
                      float* mean, float* rstd);
// dx (or += when accumulate_dx), dw += sum dy * xhat, db += sum dy. db may be null (RMS norm has none).
void LayerNormBackward(const float* dy, const float* x, int64_t rows, int64_t dim, const float* w, const float* mean,
                       const float* rstd, float* dx, bool accumulate_dx, float* dw, float* db);
// RMS norm (Llama): y = x * rstd * w with rstd = 1/sqrt(mean(x^2) + eps).
void RmsNormForward(const float* x, int64_t rows, int64_t dim, const float* w, float eps, float* y, float* rstd);
void RmsNormBackward(const float* dy, const float* x, int64_t rows, int64_t dim, const float* w, const float* rstd,
                     float* dx, bool accumulate_dx, float* dw);

// Element-wise activations (GELU erf / tanh form, ReLU, SiLU): y = f(x); dx = dy * f'(x) (dx may
// alias dy).
void ActivationForward(Activation act, const float* x, int64_t n, float* y);
void ActivationBackward(Activation act, const float* x, const float* dy, int64_t n, float* dx);
// y = tanh(x) given; dx = dy * (1 - y^2) (dx may alias dy).
void TanhBackward(const float* y, const float* dy, int64_t n, float* dx);
// SwiGLU (Llama MLP): out = silu(gate) * up; dgate, dup written.
void SwiGluForward(const float* gate, const float* up, int64_t n, float* out);
void SwiGluBackward(const float* gate, const float* up, const float* dout, int64_t n, float* dgate, float* dup);

// Dropout with a counter-based mask: element i of stream `stream` is kept with probability 1 - p and
// then scaled by 1/(1-p); the mask is a pure function of (seed, stream, i), so the backward recomputes
// it instead of storing it. x *= mask in place (the same call is the forward and the backward).
void Dropout(float* x, int64_t n, float p, uint64_t seed, uint64_t stream);
// The mask value (0 or 1/(1-p)) of element i.
float DropoutScale(float p, uint64_t seed, uint64_t stream, uint64_t i);

// Softmax attention over heads packed in rows: q, k, v of token t, head h at base + t*ld + h*D (the
// output of a fused QKV projection, ld = 3C; or separate buffers). out (ld_out per token) likewise.
// Key j is visible to query i when key_mask is null or key_mask[b*T + j] != 0, and (not causal or
// j <= i). Probabilities are dropped out (attention_probs_dropout) with stream `stream + b*H + h`.
// `lse` (B,H,T) keeps each row's log-sum-exp, so the backward recomputes the probabilities row by
// row and no (T,T) matrix is kept between forward and backward.
struct AttentionShape {
  int64_t batch = 0, seq = 0, heads = 0, head_dim = 0;
  int64_t ld_qkv = 0;  // row stride of q, k, v and of dq, dk, dv
  int64_t ld_out = 0;  // row stride of out and dout
  float scale = 0;     // 0: 1/sqrt(head_dim)
  bool causal = false;
  const int64_t* key_mask = nullptr;  // (B,T) 1 = attend, 0 = padding; null = all
  float dropout = 0;
  uint64_t seed = 0, stream = 0;
};
void AttentionForward(const AttentionShape& s, const float* q, const float* k, const float* v, float* out, float* lse);
// dq, dk, dv written (zeros for keys nobody sees).
void AttentionBackward(const AttentionShape& s, const float* q, const float* k, const float* v, const float* out,
                       const float* dout, const float* lse, float* dq, float* dk, float* dv);

// Rotary embeddings (rotate-half form as transformers' apply_rotary_pos_emb) over `heads` heads of
// head_dim D in rows of stride ld: x' = x * cos + rotate_half(x) * sin with cos/sin (T, D/2) per
// position. The backward is the rotation by -angle: call it on dx' with inverse = true.
void Rope(float* x, int64_t batch, int64_t seq, int64_t heads, int64_t head_dim, int64_t ld, const float* cos,
          const float* sin, bool inverse);

// ---- losses: each returns the SUM over counted items of the per-item loss and writes
// dlogits = grad_scale * d(sum)/d(logits) when dlogits is not null.

// Cross-entropy over rows of `classes` logits with targets labels[r]; rows whose label equals
// ignore_index count for nothing (zero gradient). Label smoothing eps as torch's CrossEntropyLoss and
// transformers' LabelSmoother: per row (1-eps) * nll + eps/C * sum_c -log p_c. *count = rows counted.
// Labels outside [0, classes) other than ignore_index must be refused by the caller.
double CrossEntropy(const float* logits, int64_t rows, int64_t classes, const int64_t* labels, int64_t ignore_index,
                    float label_smoothing, float grad_scale, float* dlogits, int64_t* count);
// Sum of squared errors (MSE's numerator).
double SquaredError(const float* pred, const float* target, int64_t n, float grad_scale, float* dpred);
// Sum of BCE-with-logits terms (numerically stable form).
double BceWithLogits(const float* logits, const float* target, int64_t n, float grad_scale, float* dlogits);

namespace reference {
// Plain loops (double accumulators) for the tests.
void LinearForward(const float* x, int64_t m, int64_t in, int64_t out, const float* w, WeightLayout layout,
                   const float* b, float* y);
void LinearBackward(const float* x, const float* dy, int64_t m, int64_t in, int64_t out, const float* w,
                    WeightLayout layout, float* dx, float* dw, float* db);
// Materialises each (T,T) probability matrix.
void AttentionForward(const AttentionShape& s, const float* q, const float* k, const float* v, float* out);
void AttentionBackward(const AttentionShape& s, const float* q, const float* k, const float* v, const float* dout,
                       float* dq, float* dk, float* dv);
void LayerNormBackward(const float* dy, const float* x, int64_t rows, int64_t dim, const float* w, float eps, float* dx,
                       float* dw, float* db);
}  // namespace reference

}  // namespace mhub::core::grad
