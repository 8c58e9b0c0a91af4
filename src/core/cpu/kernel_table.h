// The per-ISA kernel table: serial row kernels that the Tensor-level ops (kernels.cpp, attention.cpp,
// linear.cpp) split over threads. One table per build (kernels_avx512.cpp, kernels_avx2.cpp,
// kernels_scalar.cpp); Kernels() returns the one for ActiveIsa().
#pragma once

#include <cstdint>

#include "mhub/core/cpu.h"

namespace mhub::core::cpu {

// One group of attention query rows (at most 4) against the keys of one (batch, kv head).
struct AttentionRows {
  const float* q[4];  // (D) each
  float* out[4];      // (D) each
  int64_t limit[4];   // keys [0, limit) may be visible (causal bound)
  int rows;
  const uint8_t* key_ok;  // (Tk) 1 = visible, or null: all visible
  const float* k;         // (Tk, D) rows at stride k_stride (used when kt is null)
  int64_t k_stride;
  const float*
      kt;  // (D, ldk) keys transposed; columns from the last visible key up to a multiple of 64 are zero; or null
  int64_t ldk;
  const float* v;  // (Tk, D) rows at stride v_stride
  int64_t v_stride;
  int64_t tk, d;
  float scale;
  float* scores;  // scratch (4, ldk)
};

struct KernelTable {
  Isa isa;
  // out = LN(x (+ res)) over C; sum_out (may be null) gets x + res; res may be null; bias may be null.
  void (*layernorm)(const float* x, const float* res, float* sum_out, const float* w, const float* b, float eps,
                    float* out, int64_t c);
  // layernorm that also stores out rounded to bf16 (nearest even) in out_bf16 (c values).
  void (*layernorm_bf16)(const float* x, const float* res, float* sum_out, const float* w, const float* b, float eps,
                         float* out, uint16_t* out_bf16, int64_t c);
  void (*rmsnorm)(const float* x, const float* w, float eps, float* out, int64_t c);
  void (*softmax)(const float* x, float* out, int64_t c);
  void (*gelu_erf)(const float* x, float* out, int64_t n);
  void (*gelu_tanh)(const float* x, float* out, int64_t n);
  void (*silu)(const float* x, float* out, int64_t n);
  void (*relu)(const float* x, float* out, int64_t n);
  void (*silu_mul)(const float* g, const float* u, float* out, int64_t n);
  void (*add)(const float* a, const float* b, float* out, int64_t n);
  void (*mul)(const float* a, const float* b, float* out, int64_t n);
  void (*scale)(float* x, float s, int64_t n);
  int64_t (*argmax)(const float* x, int64_t n);
  // out = bf16 -> f32 (+ out when accumulate)
  void (*bf16_to_f32)(const uint16_t* src, float* out, int64_t n, bool accumulate);
  void (*f32_to_bf16)(const float* src, uint16_t* out, int64_t n);
  // y[m*ldy + n] = x[m*K:] . W[n*K:] for m < rows (<= 4), n in [n0, n1); W row-major (N, K).
  void (*gemv_f32)(const float* x, int64_t rows, int64_t k, const float* w, int64_t n0, int64_t n1, float* y,
                   int64_t ldy);
  void (*gemv_bf16)(const float* x, int64_t rows, int64_t k, const uint16_t* w, int64_t n0, int64_t n1, float* y,
                    int64_t ldy);
  void (*attention_rows)(const AttentionRows& a);
};

const KernelTable& Kernels();            // for ActiveIsa()
const KernelTable& KernelsFor(Isa isa);  // precondition: IsaSupported(isa)

extern const KernelTable kKernelsScalar;
extern const KernelTable kKernelsAvx2;
extern const KernelTable kKernelsAvx512;

}  // namespace mhub::core::cpu
