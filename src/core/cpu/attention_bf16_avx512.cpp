// AVX512_BF16 attention kernels (see attention_bf16.h). Compiled with -mavx512bf16; like the other
// ISA builds it uses no std templates, so no out-of-line AVX-512 copy can leak to other callers.
#define MHUB_SIMD_AVX512 1
#include "core/cpu/attention_bf16.h"

#include "core/cpu/simd.h"

namespace mhub::core::cpu {
namespace {

using V = Vec;

inline int64_t RoundUp(int64_t x, int64_t m) { return (x + m - 1) / m * m; }
inline int Lanes(int64_t rem) { return static_cast<int>(rem < 16 ? rem : 16); }

// 16 floats (the first n; the rest read as 0) -> 16 bf16, round to nearest even.
inline __m256i ToBf16(const float* p, int n) {
  return reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(V::mask(n), p)));
}

// d floats -> d bf16 in out (out has room for d rounded up to 16; the padding is zero).
void RowToBf16(const float* x, int64_t d, uint16_t* out) {
  for (int64_t c = 0; c < d; c += 16)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + c), ToBf16(x + c, Lanes(d - c)));
}

template <int R>
void Scores(const AttentionBf16Keys& kv, const uint32_t (*qp)[kMaxHeadDimBf16 / 2], int64_t lmax, float* scores) {
  const int64_t pairs = (kv.d + 1) / 2;
  for (int64_t j0 = 0; j0 < lmax; j0 += 64) {
    __m512 acc[R][4];
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < 4; ++c) acc[r][c] = _mm512_setzero_ps();
    const uint16_t* kr = kv.kp + j0 * 2;
    for (int64_t p = 0; p < pairs; ++p, kr += kv.cols * 2) {
      __m512bh kc[4];
      for (int c = 0; c < 4; ++c) kc[c] = reinterpret_cast<__m512bh>(_mm512_loadu_si512(kr + 32 * c));
      for (int r = 0; r < R; ++r) {
        const __m512bh qb = reinterpret_cast<__m512bh>(_mm512_set1_epi32(static_cast<int>(qp[r][p])));
        for (int c = 0; c < 4; ++c) acc[r][c] = _mm512_dpbf16_ps(acc[r][c], qb, kc[c]);
      }
    }
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < 4; ++c) _mm512_storeu_ps(scores + r * kv.cols + j0 + 16 * c, acc[r][c]);
  }
}

// 16 results (the first n) stored as f32 or rounded to bf16.
inline void StoreRow(float* p, __m512 v, int n) { _mm512_mask_storeu_ps(p, V::mask(n), v); }
inline void StoreRow(uint16_t* p, __m512 v, int n) {
  _mm256_mask_storeu_epi16(p, V::mask(n), reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(v)));
}

// A query row as d bf16 values followed by a zero (odd d: the last pair's second half).
inline void QueryToBf16(const float* q, int64_t d, uint16_t* row) {
  RowToBf16(q, d, row);
  row[d] = 0;
}
inline void QueryToBf16(const uint16_t* q, int64_t d, uint16_t* row) {
  __builtin_memcpy(row, q, sizeof(uint16_t) * static_cast<size_t>(d));
  row[d] = 0;
}

template <int R, int CV, typename Out>
void WeightedValues(const AttentionBf16Keys& kv, const uint16_t* probs, int64_t lmax, int64_t d0, const float* inv,
                    Out* const* out) {
  __m512 acc[R][CV];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < CV; ++c) acc[r][c] = _mm512_setzero_ps();
  const int64_t jpairs = (lmax + 1) / 2;
  const uint16_t* vr = kv.vp + d0 * 2;
  for (int64_t p = 0; p < jpairs; ++p, vr += kv.dpad * 2) {
    __m512bh vc[CV];
    for (int c = 0; c < CV; ++c) vc[c] = reinterpret_cast<__m512bh>(_mm512_loadu_si512(vr + 32 * c));
    for (int r = 0; r < R; ++r) {
      uint32_t pair;
      __builtin_memcpy(&pair, probs + r * kv.cols + 2 * p, 4);
      const __m512bh pb = reinterpret_cast<__m512bh>(_mm512_set1_epi32(static_cast<int>(pair)));
      for (int c = 0; c < CV; ++c) acc[r][c] = _mm512_dpbf16_ps(acc[r][c], pb, vc[c]);
    }
  }
  for (int r = 0; r < R; ++r) {
    const __m512 s = _mm512_set1_ps(inv[r]);
    for (int c = 0; c < CV; ++c) {
      const int64_t col = d0 + 16 * c;
      if (col >= kv.d) break;
      StoreRow(out[r] + col, _mm512_mul_ps(acc[r][c], s), Lanes(kv.d - col));
    }
  }
}

template <int R, typename In, typename Out>
void RowsR(const AttentionBf16Keys& kv, const In* const* q, Out* const* out, const int64_t* limit, float* scores,
           uint16_t* probs) {
  int64_t lmax = 0;
  for (int r = 0; r < R; ++r) lmax = limit[r] > lmax ? limit[r] : lmax;
  if (lmax == 0) {
    for (int r = 0; r < R; ++r) __builtin_memset(out[r], 0, sizeof(Out) * static_cast<size_t>(kv.d));
    return;
  }
  // 1. q rows as bf16 pairs, then raw scores q.k for keys [0, lmax).
  uint32_t qp[R][kMaxHeadDimBf16 / 2];
  for (int r = 0; r < R; ++r) {
    uint16_t row[kMaxHeadDimBf16 + 16];
    QueryToBf16(q[r], kv.d, row);
    __builtin_memcpy(qp[r], row, sizeof(uint16_t) * static_cast<size_t>(RoundUp(kv.d, 2)));
  }
  Scores<R>(kv, qp, lmax, scores);
  // 2. masked, stable softmax numerators in f32, stored as bf16; 1/sum kept aside.
  const int64_t lmax2 = RoundUp(lmax, 2);
  float inv[R];
  for (int r = 0; r < R; ++r) {
    float* s = scores + r * kv.cols;
    uint16_t* pr = probs + r * kv.cols;
    const int64_t lim = limit[r];
    if (kv.key_ok)
      for (int64_t j = 0; j < lim; ++j)
        if (!kv.key_ok[j]) s[j] = -INFINITY;
    __m512 mv = _mm512_set1_ps(-INFINITY);
    for (int64_t j = 0; j < lim; j += 16)
      mv = _mm512_mask_max_ps(mv, V::mask(Lanes(lim - j)), mv, _mm512_loadu_ps(s + j));
    const float m = _mm512_reduce_max_ps(mv);
    int64_t j = 0;
    if (lim == 0 || m == -INFINITY) {
      inv[r] = 0.0f;
    } else {
      const __m512 vm = _mm512_set1_ps(m), vs = _mm512_set1_ps(kv.scale);
      __m512 sum = _mm512_setzero_ps();
      for (; j < lim; j += 16) {
        const int n = Lanes(lim - j);
        const __mmask16 k = V::mask(n);
        const __m512 e = _mm512_maskz_mov_ps(k, VExp(_mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(s + j), vm), vs)));
        sum = _mm512_add_ps(sum, e);
        _mm256_mask_storeu_epi16(pr + j, k, reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(e)));
      }
      j = lim;
      inv[r] = 1.0f / _mm512_reduce_add_ps(sum);
    }
    for (; j < lmax2; ++j) pr[j] = 0;
  }
  // 3. out = P V / sum, 64 output columns at a time.
  for (int64_t d0 = 0; d0 < kv.dpad; d0 += 64) {
    switch ((kv.dpad - d0) / 16) {
      case 1:
        WeightedValues<R, 1, Out>(kv, probs, lmax, d0, inv, out);
        break;
      case 2:
        WeightedValues<R, 2, Out>(kv, probs, lmax, d0, inv, out);
        break;
      case 3:
        WeightedValues<R, 3, Out>(kv, probs, lmax, d0, inv, out);
        break;
      default:
        WeightedValues<R, 4, Out>(kv, probs, lmax, d0, inv, out);
        break;
    }
  }
}

template <typename In, typename Out>
void Rows(const AttentionBf16Keys& kv, const In* const* q, Out* const* out, const int64_t* limit, int rows,
          float* scores, uint16_t* probs) {
  switch (rows) {
    case 1:
      RowsR<1>(kv, q, out, limit, scores, probs);
      break;
    case 2:
      RowsR<2>(kv, q, out, limit, scores, probs);
      break;
    case 3:
      RowsR<3>(kv, q, out, limit, scores, probs);
      break;
    default:
      RowsR<4>(kv, q, out, limit, scores, probs);
      break;
  }
}

// 16 values of a row (the first n; the rest read as 0) as 16 bf16.
inline __m256i Load16Bf16(const float* p, int n) { return ToBf16(p, n); }
inline __m256i Load16Bf16(const uint16_t* p, int n) {
  return _mm256_maskz_loadu_epi16(static_cast<__mmask16>((1u << n) - 1u), p);
}

// A key row as d bf16 values followed by a zero, in `row`. The bf16 row is copied with vector loads
// first (its cache misses overlap) rather than read pair by pair by the scatter below.
inline void KeyRow(const float* k, int64_t d, uint16_t* row) { QueryToBf16(k, d, row); }
inline void KeyRow(const uint16_t* k, int64_t d, uint16_t* row) {
  for (int64_t c = 0; c < d; c += 32) {
    const int n = static_cast<int>(d - c < 32 ? d - c : 32);
    const __mmask32 m = n == 32 ? ~__mmask32{0} : ((__mmask32{1} << n) - 1);
    _mm512_storeu_si512(row + c, _mm512_maskz_loadu_epi16(m, k + c));
  }
  row[d] = 0;
}

// Touches the first `bytes` bytes of `rows` rows (stride in elements) so their cache misses overlap
// with the work on the rows before them.
template <typename T>
inline void PrefetchRows(const T* x, int64_t stride, int64_t rows, int64_t bytes) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t b = 0; b < bytes; b += 64)
      _mm_prefetch(reinterpret_cast<const char*>(x + r * stride) + b, _MM_HINT_T0);
}

template <typename T>
void Pack(const T* k, int64_t k_stride, const T* v, int64_t v_stride, int64_t keys, int64_t d, uint16_t* kp,
          uint16_t* vp, AttentionBf16Keys& out) {
  const int64_t cols = RoundUp(keys > 0 ? keys : 1, 64), dpad = RoundUp(d, 16), pairs = (d + 1) / 2;
  const int64_t row_bytes = d * static_cast<int64_t>(sizeof(T));
  __builtin_memset(kp, 0, sizeof(uint16_t) * static_cast<size_t>(PackedKeysSize(keys, d)));
  // Keys, 16 at a time: their rows as bf16 (plus a zero) in `buf`, then each d-pair of the 16 keys
  // gathered into one 64-byte run of its pair row (columns j0..j0+15; keys past the last are zero).
  constexpr int64_t kLd = kMaxHeadDimBf16 + 32;  // buffered row stride in uint16 (room for KeyRow's writes)
  alignas(64) uint16_t buf[16 * kLd];
  const __m512i rows_idx =
      _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                         _mm512_set1_epi32(static_cast<int>(kLd / 2)));  // row starts in 32-bit units
  PrefetchRows(k, k_stride, keys < 16 ? keys : 16, row_bytes);
  for (int64_t j0 = 0; j0 < keys; j0 += 16) {
    const int n = Lanes(keys - j0);
    if (j0 + 16 < keys) PrefetchRows(k + (j0 + 16) * k_stride, k_stride, Lanes(keys - j0 - 16), row_bytes);
    for (int i = 0; i < n; ++i) KeyRow(k + (j0 + i) * k_stride, d, buf + i * kLd);
    for (int i = n; i < 16; ++i) __builtin_memset(buf + i * kLd, 0, sizeof(uint32_t) * static_cast<size_t>(pairs));
    for (int64_t p = 0; p < pairs; ++p)
      _mm512_storeu_si512(kp + (p * cols + j0) * 2, _mm512_i32gather_epi32(rows_idx, buf + 2 * p, 4));
  }
  PrefetchRows(v, v_stride, keys < 8 ? keys : 8, row_bytes);
  // Values: rows 2p and 2p+1 interleaved per column.
  alignas(64) uint16_t idx_data[32];
  for (int i = 0; i < 16; ++i) {
    idx_data[2 * i] = static_cast<uint16_t>(i);
    idx_data[2 * i + 1] = static_cast<uint16_t>(16 + i);
  }
  const __m512i idx = _mm512_load_si512(idx_data);
  for (int64_t p = 0; p < (keys + 1) / 2; ++p) {
    const T* v0 = v + 2 * p * v_stride;
    const bool has1 = 2 * p + 1 < keys;
    if (2 * p + 9 < keys) PrefetchRows(v0 + 8 * v_stride, v_stride, 2, row_bytes);
    for (int64_t c = 0; c < dpad; c += 16) {
      const int n = Lanes(d - c);
      const __m256i a = Load16Bf16(v0 + c, n);
      const __m256i b = has1 ? Load16Bf16(v0 + v_stride + c, n) : _mm256_setzero_si256();
      const __m512i both = _mm512_inserti64x4(_mm512_castsi256_si512(a), b, 1);  // [a0..a15, b0..b15]
      _mm512_storeu_si512(vp + (p * dpad + c) * 2, _mm512_permutexvar_epi16(idx, both));
    }
  }
  out.keys = keys;
  out.d = d;
  out.cols = cols;
  out.dpad = dpad;
  out.kp = kp;
  out.vp = vp;
}

}  // namespace

int64_t PackedKeysSize(int64_t keys, int64_t d) { return (d + 1) / 2 * RoundUp(keys > 0 ? keys : 1, 64) * 2; }

int64_t PackedValuesSize(int64_t keys, int64_t d) { return (keys + 1) / 2 * RoundUp(d, 16) * 2; }

void PackKeysValuesBf16(const float* k, int64_t k_stride, const float* v, int64_t v_stride, int64_t keys, int64_t d,
                        uint16_t* kp, uint16_t* vp, AttentionBf16Keys& out) {
  Pack(k, k_stride, v, v_stride, keys, d, kp, vp, out);
}

void PackKeysValuesBf16(const uint16_t* k, int64_t k_stride, const uint16_t* v, int64_t v_stride, int64_t keys,
                        int64_t d, uint16_t* kp, uint16_t* vp, AttentionBf16Keys& out) {
  Pack(k, k_stride, v, v_stride, keys, d, kp, vp, out);
}

void AttentionRowsBf16(const AttentionBf16Keys& kv, const float* const* q, float* const* out, const int64_t* limit,
                       int rows, float* scores, uint16_t* probs) {
  Rows(kv, q, out, limit, rows, scores, probs);
}

void AttentionRowsBf16(const AttentionBf16Keys& kv, const uint16_t* const* q, uint16_t* const* out,
                       const int64_t* limit, int rows, float* scores, uint16_t* probs) {
  Rows(kv, q, out, limit, rows, scores, probs);
}

}  // namespace mhub::core::cpu
