// Softmax attention forward / backward, FlashAttention's order on CPU tiles: per (batch, head) and
// block of kRowBlock query rows, the scores of the block are computed with the core GEMM's register
// tiles (gemm_tiles.h) into per-thread scratch, the softmax row by row, and the products with V (and
// in the backward with dO, K, Q) again on the tiles. Between forward and backward only one
// log-sum-exp per query row is kept; the backward recomputes the probabilities from it.
//
// Per (batch, head), for query i over visible keys j:
//   P_ij = exp(scale q_i.k_j - lse_i),  Pd_ij = P_ij * m_ij (dropout mask, m = 0 or 1/(1-p))
//   o_i = sum_j Pd_ij v_j
// backward with D_i = do_i . o_i (= sum_j P_ij dP_ij even with dropout):
//   dV = Pd^T dO;  dP_ij = (do_i . v_j) m_ij;  dS_ij = scale P_ij (dP_ij - D_i)
//   dQ = dS K;  dK = dS^T Q
// The element-wise parts (exp, the dropout mask, dS) run on 16-float GCC vectors in functions
// compiled for AVX-512, AVX2 and baseline x86-64 (picked at load time); the products run on the
// active ISA's GEMM tiles, so MHUB_ISA=avx2|scalar switches them too.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "mhub/core/cpu.h"
#include "mhub/core/grad.h"

#include "core/cpu/gemm_tiles.h"
#include "core/cpu/parallel.h"
#include "core/grad/dropout_rng.h"
#include "core/grad/vec.h"

namespace mhub::core::grad {
namespace {

using internal::Exp;
using internal::KeepScales;
using internal::kLanes;
using internal::Store;
using internal::VF;
using internal::VI;

constexpr int64_t kPanel = cpu::kGemmNr;  // 64 columns per packed panel
constexpr int64_t kRowBlock = 64;         // query rows per block
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

float Scale(const AttentionShape& s) {
  return s.scale != 0 ? s.scale : 1.f / std::sqrt(static_cast<float>(s.head_dim));
}

int64_t RoundUp(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// Per-thread scratch, 64-byte aligned (the tiles load panels aligned); grows to the largest shape
// seen and is reused, so steady-state steps allocate nothing here.
struct Scratch {
  std::vector<float> buf;
  size_t used = 0;
  void Reset(size_t floats) {
    if (buf.size() < floats + 16) buf.resize(floats + 16);
    used = 0;
  }
  float* Take(int64_t n) {
    float* base = buf.data();
    const size_t mis = (reinterpret_cast<uintptr_t>(base) / sizeof(float)) % 16;
    float* p = base + (mis == 0 ? 0 : 16 - mis) + used;
    used += static_cast<size_t>(RoundUp(n, 16));
    return p;
  }
};

Scratch& ThreadScratch() {
  thread_local Scratch s;
  return s;
}

// Panels of B = rows^T for the tiles: B[d][j] = src[j * ld + d] (d < depth, j < n), panel p holding
// the columns j in [64p, 64p + 64), zero past n.
void PackTransposed(const cpu::GemmKernels& kr, const float* src, int64_t ld, int64_t n, int64_t depth, float* dst) {
  for (int64_t p = 0; p * kPanel < n; ++p) {
    kr.pack_panel_units(src + p * kPanel * ld, ld * static_cast<int64_t>(sizeof(float)),
                        static_cast<int>(std::min(kPanel, n - p * kPanel)), depth,
                        reinterpret_cast<uint32_t*>(dst + p * depth * kPanel));
  }
}

// Panels of B = rows as they are: B[k][d] = src[k * ld + d] (k < n, d < width), panel q holding the
// columns d in [64q, 64q + 64), zero past width.
void PackRows(const float* src, int64_t ld, int64_t n, int64_t width, float* dst) {
  for (int64_t q = 0; q * kPanel < width; ++q) {
    const int64_t cols = std::min(kPanel, width - q * kPanel);
    float* panel = dst + q * n * kPanel;
    for (int64_t k = 0; k < n; ++k) {
      std::memcpy(panel + k * kPanel, src + k * ld + q * kPanel, sizeof(float) * static_cast<size_t>(cols));
      std::fill(panel + k * kPanel + cols, panel + (k + 1) * kPanel, 0.f);
    }
  }
}

// y (m, n) = a (m, k) B (or += when accumulate), B in panels of at least k rows, `pstride` floats
// from one panel to the next.
void TileMatmul(const cpu::GemmKernels& kr, const float* a, int64_t lda, int64_t m, const float* panels,
                int64_t pstride, int64_t k, int64_t n, float* y, int64_t ldy, bool accumulate) {
  if (k == 0) {
    if (!accumulate)
      for (int64_t i = 0; i < m; ++i) std::fill(y + i * ldy, y + i * ldy + n, 0.f);
    return;
  }
  alignas(64) float c[cpu::kGemmMr * kPanel];
  const int64_t kc = kr.max_kblock;
  for (int64_t p = 0; p * kPanel < n; ++p) {
    const float* panel = panels + p * pstride;
    for (int64_t r = 0; r < m; r += cpu::kGemmMr) {
      const int rows = static_cast<int>(std::min<int64_t>(cpu::kGemmMr, m - r));
      for (int64_t k0 = 0; k0 < k; k0 += kc) {
        const int64_t kb = std::min(kc, k - k0);
        cpu::GemmTileOut to;
        to.c = c;
        to.load_c = k0 > 0;
        if (k0 + kb == k) {
          to.y = y + r * ldy + p * kPanel;
          to.ldy = ldy;
          to.add_y = accumulate;
          to.cols = static_cast<int>(std::min(kPanel, n - p * kPanel));
        }
        kr.tile_f32(a + r * lda + k0, lda, rows, panel + k0 * kPanel, kb, to);
      }
    }
  }
}

// Key bias of batch row b: 0 where visible, -inf for padding (T rounded up to the lanes).
MHUB_GRAD_CLONES void KeyBias(const AttentionShape& s, int64_t b, float* bias) {
  const int64_t T = s.seq;
  for (int64_t j = 0; j < RoundUp(T, kLanes); ++j) {
    bias[j] = j < T && (s.key_mask == nullptr || s.key_mask[b * T + j] != 0) ? 0.f : kNegInf;
  }
}

// One forward row: p (n = the block's key extent, padded to lanes) from the scores; returns lse.
MHUB_GRAD_CLONES float SoftmaxRow(float* p, int64_t lim, int64_t n, const float* bias, float scale, float dropout,
                                  float keep, uint64_t key, uint64_t idx0) {
  VF mx = MHUB_VSPLAT(kNegInf);
  for (int64_t j = 0; j < lim; j += kLanes) {
    VF x = MHUB_VLOAD(p + j) * scale + MHUB_VLOAD(bias + j);
    const VI in = MHUB_VLANES_BELOW(j, lim);
    x = in ? x : MHUB_VSPLAT(kNegInf);
    Store(p + j, x);
    mx = x > mx ? x : mx;
  }
  float m = kNegInf;
  for (int l = 0; l < kLanes; ++l) m = std::max(m, mx[l]);
  if (m == kNegInf) {  // no visible key: zeros
    std::fill(p, p + n, 0.f);
    return kNegInf;
  }
  VF sum = MHUB_VSPLAT(0.f);
  for (int64_t j = 0; j < lim; j += kLanes) {
    VF e;
    Exp(MHUB_VLOAD(p + j) - m, e);
    Store(p + j, e);
    sum += e;
  }
  float total = 0;
  for (int l = 0; l < kLanes; ++l) total += sum[l];
  const float inv = 1.f / total;
  for (int64_t j = 0; j < lim; j += kLanes) {
    VF w = MHUB_VLOAD(p + j) * inv;
    if (dropout > 0) {
      VF m;
      KeepScales(key, idx0 + static_cast<uint64_t>(j), dropout, keep, m);
      w *= m;
    }
    Store(p + j, w);
  }
  std::fill(p + lim, p + n, 0.f);
  return m + std::log(total);
}

// One backward row: from the scores s and dP (both n wide), P (kept in s, times the mask: Pd) and
// dS (in dp).
MHUB_GRAD_CLONES void GradRow(float* s, float* dp, int64_t lim, int64_t n, const float* bias, float scale, float lse,
                              float di, float dropout, float keep, uint64_t key, uint64_t idx0) {
  if (lse == kNegInf) lim = 0;
  for (int64_t j = 0; j < lim; j += kLanes) {
    const VI in = MHUB_VLANES_BELOW(j, lim);
    VF p;
    Exp(MHUB_VLOAD(s + j) * scale + MHUB_VLOAD(bias + j) - lse, p);
    p = in ? p : MHUB_VSPLAT(0.f);
    VF dpv = MHUB_VLOAD(dp + j);
    if (dropout > 0) {
      VF m;
      KeepScales(key, idx0 + static_cast<uint64_t>(j), dropout, keep, m);
      dpv *= m;
      Store(s + j, p * m);
    } else {
      Store(s + j, p);
    }
    Store(dp + j, in ? p * (dpv - di) * scale : MHUB_VSPLAT(0.f));
  }
  const int64_t done = RoundUp(lim, kLanes);
  std::fill(s + done, s + n, 0.f);
  std::fill(dp + done, dp + n, 0.f);
}

// dst (n, m) = src (m, n)^T, src rows of stride lds.
void Transpose(const float* src, int64_t lds, int64_t m, int64_t n, float* dst) {
  constexpr int64_t kB = 16;
  for (int64_t i0 = 0; i0 < m; i0 += kB) {
    for (int64_t j0 = 0; j0 < n; j0 += kB) {
      for (int64_t j = j0; j < std::min(n, j0 + kB); ++j) {
        for (int64_t i = i0; i < std::min(m, i0 + kB); ++i) dst[j * m + i] = src[i * lds + j];
      }
    }
  }
}

// The keys rows i0 .. i1-1 may see: all, or (causal) up to i1.
int64_t KeyExtent(const AttentionShape& s, int64_t i1) { return s.causal ? i1 : s.seq; }

void ForwardHead(const cpu::GemmKernels& kr, const AttentionShape& s, const float* q, const float* k, const float* v,
                 float* out, float* lse, int64_t bh, float scale, float keep) {
  const int64_t T = s.seq, H = s.heads, D = s.head_dim, b = bh / H, h = bh % H;
  const int64_t Tp = RoundUp(T, kPanel), Dp = RoundUp(D, kPanel), R = std::min(kRowBlock, T);
  Scratch& sc = ThreadScratch();
  sc.Reset(static_cast<size_t>(Tp * D + Dp * T + R * Tp + Tp) + 64);
  float* kt = sc.Take(Tp * D);  // K^T panels
  float* vp = sc.Take(Dp * T);  // V panels
  float* p = sc.Take(R * Tp);   // scores, then probabilities (R, Tp)
  float* bias = sc.Take(Tp);
  const float* qh = q + b * T * s.ld_qkv + h * D;
  const float* kh = k + b * T * s.ld_qkv + h * D;
  const float* vh = v + b * T * s.ld_qkv + h * D;
  float* oh = out + b * T * s.ld_out + h * D;
  PackTransposed(kr, kh, s.ld_qkv, T, D, kt);
  PackRows(vh, s.ld_qkv, T, D, vp);
  KeyBias(s, b, bias);
  const uint64_t key = internal::StreamKey(s.seed, s.stream + static_cast<uint64_t>(bh));
  for (int64_t i0 = 0; i0 < T; i0 += R) {
    const int64_t rows = std::min(R, T - i0), n = KeyExtent(s, i0 + rows);
    TileMatmul(kr, qh + i0 * s.ld_qkv, s.ld_qkv, rows, kt, D * kPanel, D, n, p, Tp, false);
    const int64_t np = std::min(RoundUp(n, kLanes), Tp);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = i0 + r, lim = s.causal ? i + 1 : T;
      lse[bh * T + i] =
          SoftmaxRow(p + r * Tp, lim, np, bias, scale, s.dropout, keep, key, static_cast<uint64_t>(i * T));
    }
    TileMatmul(kr, p, Tp, rows, vp, T * kPanel, n, D, oh + i0 * s.ld_out, s.ld_out, false);
  }
}

void BackwardHead(const cpu::GemmKernels& kr, const AttentionShape& s, const float* q, const float* k, const float* v,
                  const float* out, const float* dout, const float* lse, float* dq, float* dk, float* dv, int64_t bh,
                  float scale, float keep) {
  const int64_t T = s.seq, H = s.heads, D = s.head_dim, b = bh / H, h = bh % H;
  const int64_t Tp = RoundUp(T, kPanel), Dp = RoundUp(D, kPanel), R = std::min(kRowBlock, T);
  Scratch& sc = ThreadScratch();
  sc.Reset(static_cast<size_t>(2 * Tp * D + Dp * T + 2 * R * Tp + 2 * Tp * R + 2 * Dp * R + Tp) + 160);
  float* kt = sc.Take(Tp * D);  // K^T panels (scores)
  float* vt = sc.Take(Tp * D);  // V^T panels (dP = dO V^T)
  float* kp = sc.Take(Dp * T);  // K panels (dQ = dS K)
  float* sp = sc.Take(R * Tp);  // scores -> Pd
  float* dp = sc.Take(R * Tp);  // dP -> dS
  float* pdt = sc.Take(Tp * R);
  float* dst = sc.Take(Tp * R);
  float* qp = sc.Take(Dp * R);   // the block's Q rows (dK = dS^T Q)
  float* dop = sc.Take(Dp * R);  // the block's dO rows (dV = Pd^T dO)
  float* bias = sc.Take(Tp);
  const float* qh = q + b * T * s.ld_qkv + h * D;
  const float* kh = k + b * T * s.ld_qkv + h * D;
  const float* vh = v + b * T * s.ld_qkv + h * D;
  const float* oh = out + b * T * s.ld_out + h * D;
  const float* doh = dout + b * T * s.ld_out + h * D;
  float* dqh = dq + b * T * s.ld_qkv + h * D;
  float* dkh = dk + b * T * s.ld_qkv + h * D;
  float* dvh = dv + b * T * s.ld_qkv + h * D;
  PackTransposed(kr, kh, s.ld_qkv, T, D, kt);
  PackTransposed(kr, vh, s.ld_qkv, T, D, vt);
  PackRows(kh, s.ld_qkv, T, D, kp);
  KeyBias(s, b, bias);
  for (int64_t j = 0; j < T; ++j) {  // this (b,h) owns its dk, dv rows
    std::fill(dkh + j * s.ld_qkv, dkh + j * s.ld_qkv + D, 0.f);
    std::fill(dvh + j * s.ld_qkv, dvh + j * s.ld_qkv + D, 0.f);
  }
  const uint64_t key = internal::StreamKey(s.seed, s.stream + static_cast<uint64_t>(bh));
  for (int64_t i0 = 0; i0 < T; i0 += R) {
    const int64_t rows = std::min(R, T - i0), n = KeyExtent(s, i0 + rows);
    const int64_t np = std::min(RoundUp(n, kLanes), Tp);
    TileMatmul(kr, qh + i0 * s.ld_qkv, s.ld_qkv, rows, kt, D * kPanel, D, n, sp, Tp, false);
    TileMatmul(kr, doh + i0 * s.ld_out, s.ld_out, rows, vt, D * kPanel, D, n, dp, Tp, false);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = i0 + r, lim = s.causal ? i + 1 : T;
      const float* o = oh + i * s.ld_out;
      const float* g = doh + i * s.ld_out;
      float di = 0;
      for (int64_t d = 0; d < D; ++d) di += g[d] * o[d];
      GradRow(sp + r * Tp, dp + r * Tp, lim, np, bias, scale, lse[bh * T + i], di, s.dropout, keep, key,
              static_cast<uint64_t>(i * T));
    }
    // dQ rows of the block = dS K
    TileMatmul(kr, dp, Tp, rows, kp, T * kPanel, n, D, dqh + i0 * s.ld_qkv, s.ld_qkv, false);
    // dK[0:n] += dS^T Q_block, dV[0:n] += Pd^T dO_block
    Transpose(dp, Tp, rows, n, dst);
    Transpose(sp, Tp, rows, n, pdt);
    PackRows(qh + i0 * s.ld_qkv, s.ld_qkv, rows, D, qp);
    PackRows(doh + i0 * s.ld_out, s.ld_out, rows, D, dop);
    TileMatmul(kr, dst, rows, n, qp, rows * kPanel, rows, D, dkh, s.ld_qkv, true);
    TileMatmul(kr, pdt, rows, n, dop, rows * kPanel, rows, D, dvh, s.ld_qkv, true);
  }
}

}  // namespace

void AttentionForward(const AttentionShape& s, const float* q, const float* k, const float* v, float* out, float* lse) {
  const float scale = Scale(s);
  const float keep = s.dropout < 1.f ? 1.f / (1.f - s.dropout) : 0.f;
  const cpu::GemmKernels& kr = cpu::GemmKernelsFor(ActiveIsa());
  cpu::ParallelFor(s.batch * s.heads, 1, [&](int64_t bh0, int64_t bh1) {
    for (int64_t bh = bh0; bh < bh1; ++bh) ForwardHead(kr, s, q, k, v, out, lse, bh, scale, keep);
  });
}

void AttentionBackward(const AttentionShape& s, const float* q, const float* k, const float* v, const float* out,
                       const float* dout, const float* lse, float* dq, float* dk, float* dv) {
  const float scale = Scale(s);
  const float keep = s.dropout < 1.f ? 1.f / (1.f - s.dropout) : 0.f;
  const cpu::GemmKernels& kr = cpu::GemmKernelsFor(ActiveIsa());
  cpu::ParallelFor(s.batch * s.heads, 1, [&](int64_t bh0, int64_t bh1) {
    for (int64_t bh = bh0; bh < bh1; ++bh) BackwardHead(kr, s, q, k, v, out, dout, lse, dq, dk, dv, bh, scale, keep);
  });
}

}  // namespace mhub::core::grad
