// Softmax attention forward / backward, recompute style (FlashAttention's backward order without
// tiling): the forward keeps one log-sum-exp per query row; the backward recomputes each row's
// probabilities from it, so the only (T)-sized scratch is one row per thread.
//
// Per (batch, head), for query i over visible keys j:
//   P_ij = exp(scale q_i.k_j - lse_i),  Pd_ij = P_ij * m_ij (dropout mask, m = 0 or 1/(1-p))
//   o_i = sum_j Pd_ij v_j
// backward with D_i = do_i . o_i (= sum_j P_ij dP_ij even with dropout):
//   dv_j += Pd_ij do_i;  dP_ij = (do_i . v_j) m_ij;  dS_ij = P_ij (dP_ij - D_i)
//   dq_i = scale sum_j dS_ij k_j;  dk_j += scale dS_ij q_i
#include <cmath>
#include <limits>
#include <vector>

#include "mhub/core/grad.h"

#include "core/cpu/parallel.h"
#include "core/grad/dropout_rng.h"

namespace mhub::core::grad {
namespace {

float Scale(const AttentionShape& s) {
  return s.scale != 0 ? s.scale : 1.f / std::sqrt(static_cast<float>(s.head_dim));
}

// The per-(batch, head) work is compiled for AVX-512, AVX2 and baseline x86-64 and picked at load
// time (GCC/clang function multi-versioning), so the head_dim loops run at the CPU's vector width.
#define MHUB_GRAD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define MHUB_INLINE inline __attribute__((always_inline))

MHUB_INLINE bool Visible(const AttentionShape& s, int64_t b, int64_t i, int64_t j) {
  if (s.causal && j > i) return false;
  return s.key_mask == nullptr || s.key_mask[b * s.seq + j] != 0;
}

MHUB_INLINE float Dot(const float* a, const float* b, int64_t n) {
  float acc = 0;
#pragma omp simd reduction(+ : acc)
  for (int64_t d = 0; d < n; ++d) acc += a[d] * b[d];
  return acc;
}

// y += a * x
MHUB_INLINE void Axpy(float a, const float* x, float* y, int64_t n) {
#pragma omp simd
  for (int64_t d = 0; d < n; ++d) y[d] += a * x[d];
}

MHUB_GRAD_CLONES void ForwardHead(const AttentionShape& s, const float* q, const float* k, const float* v, float* out,
                                  float* lse, int64_t bh, float scale, float keep, float* p) {
  const int64_t T = s.seq, H = s.heads, D = s.head_dim;
  const int64_t b = bh / H, h = bh % H;
  const uint64_t key = internal::StreamKey(s.seed, s.stream + static_cast<uint64_t>(bh));
  for (int64_t i = 0; i < T; ++i) {
    const float* qi = q + (b * T + i) * s.ld_qkv + h * D;
    float mx = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < T; ++j) {
      if (!Visible(s, b, i, j)) continue;
      p[j] = scale * Dot(qi, k + (b * T + j) * s.ld_qkv + h * D, D);
      mx = p[j] > mx ? p[j] : mx;
    }
    float* oi = out + (b * T + i) * s.ld_out + h * D;
    for (int64_t d = 0; d < D; ++d) oi[d] = 0.f;
    if (mx == -std::numeric_limits<float>::infinity()) {  // no visible key: zeros
      lse[bh * T + i] = mx;
      continue;
    }
    float sum = 0;
    for (int64_t j = 0; j < T; ++j) {
      if (!Visible(s, b, i, j)) continue;
      p[j] = std::exp(p[j] - mx);
      sum += p[j];
    }
    const float inv = 1.f / sum;
    for (int64_t j = 0; j < T; ++j) {
      if (!Visible(s, b, i, j)) continue;
      float w = p[j] * inv;
      if (s.dropout > 0) w *= internal::KeepScale(key, static_cast<uint64_t>(i * T + j), s.dropout, keep);
      if (w == 0.f) continue;
      Axpy(w, v + (b * T + j) * s.ld_qkv + h * D, oi, D);
    }
    lse[bh * T + i] = mx + std::log(sum);
  }
}

MHUB_GRAD_CLONES void BackwardHead(const AttentionShape& s, const float* q, const float* k, const float* v,
                                   const float* out, const float* dout, const float* lse, float* dq, float* dk,
                                   float* dv, int64_t bh, float scale, float keep, float* ds) {
  const int64_t T = s.seq, H = s.heads, D = s.head_dim;
  const int64_t b = bh / H, h = bh % H;
  const uint64_t key = internal::StreamKey(s.seed, s.stream + static_cast<uint64_t>(bh));
  for (int64_t j = 0; j < T; ++j) {  // this (b,h) owns its dk, dv rows
    float* dkj = dk + (b * T + j) * s.ld_qkv + h * D;
    float* dvj = dv + (b * T + j) * s.ld_qkv + h * D;
    for (int64_t d = 0; d < D; ++d) dkj[d] = dvj[d] = 0.f;
  }
  for (int64_t i = 0; i < T; ++i) {
    const float* qi = q + (b * T + i) * s.ld_qkv + h * D;
    const float* oi = out + (b * T + i) * s.ld_out + h * D;
    const float* doi = dout + (b * T + i) * s.ld_out + h * D;
    float* dqi = dq + (b * T + i) * s.ld_qkv + h * D;
    for (int64_t d = 0; d < D; ++d) dqi[d] = 0.f;
    const float l = lse[bh * T + i];
    if (l == -std::numeric_limits<float>::infinity()) continue;
    const float di = Dot(doi, oi, D);
    for (int64_t j = 0; j < T; ++j) {
      if (!Visible(s, b, i, j)) {
        ds[j] = 0.f;
        continue;
      }
      const float* kj = k + (b * T + j) * s.ld_qkv + h * D;
      const float* vj = v + (b * T + j) * s.ld_qkv + h * D;
      const float pij = std::exp(scale * Dot(qi, kj, D) - l);
      const float m = s.dropout > 0 ? internal::KeepScale(key, static_cast<uint64_t>(i * T + j), s.dropout, keep) : 1.f;
      float* dvj = dv + (b * T + j) * s.ld_qkv + h * D;
      const float pd = pij * m;
      if (pd != 0.f) Axpy(pd, doi, dvj, D);
      const float dp = Dot(doi, vj, D) * m;
      ds[j] = pij * (dp - di) * scale;
    }
    for (int64_t j = 0; j < T; ++j) {
      if (ds[j] == 0.f) continue;
      const float* kj = k + (b * T + j) * s.ld_qkv + h * D;
      float* dkj = dk + (b * T + j) * s.ld_qkv + h * D;
      Axpy(ds[j], kj, dqi, D);
      Axpy(ds[j], qi, dkj, D);
    }
  }
}

}  // namespace

void AttentionForward(const AttentionShape& s, const float* q, const float* k, const float* v, float* out, float* lse) {
  const int64_t T = s.seq, H = s.heads;
  const float scale = Scale(s);
  const float keep = s.dropout < 1.f ? 1.f / (1.f - s.dropout) : 0.f;
  cpu::ParallelFor(s.batch * H, 1, [&](int64_t bh0, int64_t bh1) {
    std::vector<float> p(static_cast<size_t>(T));
    for (int64_t bh = bh0; bh < bh1; ++bh) {
      ForwardHead(s, q, k, v, out, lse, bh, scale, keep, p.data());
    }
  });
}

void AttentionBackward(const AttentionShape& s, const float* q, const float* k, const float* v, const float* out,
                       const float* dout, const float* lse, float* dq, float* dk, float* dv) {
  const int64_t T = s.seq, H = s.heads;
  const float scale = Scale(s);
  const float keep = s.dropout < 1.f ? 1.f / (1.f - s.dropout) : 0.f;
  cpu::ParallelFor(s.batch * H, 1, [&](int64_t bh0, int64_t bh1) {
    std::vector<float> ds(static_cast<size_t>(T));
    for (int64_t bh = bh0; bh < bh1; ++bh) {
      BackwardHead(s, q, k, v, out, dout, lse, dq, dk, dv, bh, scale, keep, ds.data());
    }
  });
}

}  // namespace mhub::core::grad
