// AVX-512 register tiles of the own GEMM (see gemm_tiles.h), file-local: the table at the end is the
// only way in. Rows x 4 zmm accumulators stay in registers for the whole K block; each k (f32) or k
// pair (bf16) loads the panel's 64 columns once and broadcasts one value (pair) per row of A.
#include <immintrin.h>

#include <cstring>
#include <type_traits>

#include "core/cpu/gemm_tiles.h"

namespace mhub::core::cpu {
namespace {

inline __mmask16 Lanes(int w, int j) {
  const int n = w - 16 * j;
  return n >= 16 ? static_cast<__mmask16>(0xffff) : n <= 0 ? 0 : static_cast<__mmask16>((1u << n) - 1);
}

template <int R>
inline void LoadSums(__m512 (&acc)[R][4], const GemmTileOut& o) {
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < 4; ++j)
      acc[r][j] = o.load_c ? _mm512_loadu_ps(o.c + r * kGemmNr + 16 * j) : _mm512_setzero_ps();
}

template <int R>
inline void StoreSums(__m512 (&acc)[R][4], const GemmTileOut& o) {
  if (o.y == nullptr) {
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < 4; ++j) _mm512_storeu_ps(o.c + r * kGemmNr + 16 * j, acc[r][j]);
    return;
  }
  __m512 b[4];
  for (int j = 0; j < 4; ++j) b[j] = o.bias != nullptr ? _mm512_loadu_ps(o.bias + 16 * j) : _mm512_setzero_ps();
  for (int r = 0; r < R; ++r) {
    float* y = o.y + r * o.ldy;
    for (int j = 0; j < 4; ++j) {
      const __mmask16 m = Lanes(o.cols, j);
      if (m == 0) break;
      __m512 v = _mm512_add_ps(acc[r][j], b[j]);
      if (o.add_y) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, y + 16 * j));
      _mm512_mask_storeu_ps(y + 16 * j, m, v);
    }
  }
}

inline float Widen(float v) { return v; }
inline float Widen(uint16_t v) {
  const uint32_t u = static_cast<uint32_t>(v) << 16;
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}

// A is float, or bf16 (weights read where they are, widened as they are broadcast).
template <int R, typename A>
void TileF32(const A* a, int64_t lda, const float* panel, int64_t kc, const GemmTileOut& out) {
  __m512 acc[R][4];
  LoadSums<R>(acc, out);
  const float* b = panel;
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k, b += kGemmNr) {
    const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16), b2 = _mm512_load_ps(b + 32),
                 b3 = _mm512_load_ps(b + 48);
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(Widen(a[r * lda + k]));
      acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
      acc[r][2] = _mm512_fmadd_ps(av, b2, acc[r][2]);
      acc[r][3] = _mm512_fmadd_ps(av, b3, acc[r][3]);
    }
  }
  StoreSums<R>(acc, out);
}

inline uint32_t LoadPair(const uint16_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// acc[r][*] += (a value pair of row r) . (the four 32-bf16 vectors at b)
template <int R>
inline void DotPairs(__m512 (&acc)[R][4], const uint16_t* b, const uint32_t* pairs) {
  const __m512bh b0 = reinterpret_cast<__m512bh>(_mm512_load_si512(b));
  const __m512bh b1 = reinterpret_cast<__m512bh>(_mm512_load_si512(b + 32));
  const __m512bh b2 = reinterpret_cast<__m512bh>(_mm512_load_si512(b + 64));
  const __m512bh b3 = reinterpret_cast<__m512bh>(_mm512_load_si512(b + 96));
  for (int r = 0; r < R; ++r) {
    const __m512bh av = reinterpret_cast<__m512bh>(_mm512_set1_epi32(static_cast<int>(pairs[r])));
    acc[r][0] = _mm512_dpbf16_ps(acc[r][0], av, b0);
    acc[r][1] = _mm512_dpbf16_ps(acc[r][1], av, b1);
    acc[r][2] = _mm512_dpbf16_ps(acc[r][2], av, b2);
    acc[r][3] = _mm512_dpbf16_ps(acc[r][3], av, b3);
  }
}

template <int R>
void TileBf16(const uint16_t* a, int64_t lda, const uint16_t* panel, int64_t kc, const GemmTileOut& out) {
  __m512 acc[R][4];
  LoadSums<R>(acc, out);
  const uint16_t* b = panel;
  const int64_t npairs = kc / 2;
  uint32_t pairs[R];
#pragma GCC unroll 4
  for (int64_t p = 0; p < npairs; ++p, b += 2 * kGemmNr) {
    for (int r = 0; r < R; ++r) pairs[r] = LoadPair(a + r * lda + 2 * p);
    DotPairs<R>(acc, b, pairs);
  }
  if (kc % 2 != 0) {  // last k of an odd K: pair (a, 0) against the panel's (b, 0)
    for (int r = 0; r < R; ++r) pairs[r] = a[r * lda + kc - 1];
    DotPairs<R>(acc, b, pairs);
  }
  StoreSums<R>(acc, out);
}

template <int R>
void TileI8(const uint8_t* a, int64_t lda, const int8_t* panel, int64_t kc, const float* row_scale,
            const float* col_scale, const int32_t* col_comp, const GemmTileOut& out) {
  __m512i acc[R][4];
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < 4; ++j) acc[r][j] = _mm512_setzero_si512();
  const int8_t* b = panel;
  const int64_t quads = (kc + 3) / 4;
#pragma GCC unroll 4
  for (int64_t q = 0; q < quads; ++q, b += 4 * kGemmNr) {
    const __m512i b0 = _mm512_load_si512(b), b1 = _mm512_load_si512(b + 64), b2 = _mm512_load_si512(b + 128),
                  b3 = _mm512_load_si512(b + 192);
    for (int r = 0; r < R; ++r) {
      uint32_t quad;
      std::memcpy(&quad, a + r * lda + 4 * q, sizeof(quad));
      const __m512i av = _mm512_set1_epi32(static_cast<int>(quad));
      acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], av, b0);
      acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], av, b1);
      acc[r][2] = _mm512_dpbusd_epi32(acc[r][2], av, b2);
      acc[r][3] = _mm512_dpbusd_epi32(acc[r][3], av, b3);
    }
  }
  __m512 sums[R][4];
  for (int j = 0; j < 4; ++j) {
    const __m512i comp = _mm512_loadu_si512(col_comp + 16 * j);
    const __m512 cs = _mm512_loadu_ps(col_scale + 16 * j);
    for (int r = 0; r < R; ++r) {
      const __m512 v = _mm512_cvtepi32_ps(_mm512_sub_epi32(acc[r][j], comp));
      sums[r][j] = _mm512_mul_ps(v, _mm512_mul_ps(cs, _mm512_set1_ps(row_scale[r])));
    }
  }
  StoreSums<R>(sums, out);
}

// fn(std::integral_constant<int, rows>) for rows in 1..kGemmMr (the tile heights are compile-time).
template <typename Fn>
void ByRows(int rows, const Fn& fn) {
  static_assert(kGemmMr == 6);
  switch (rows) {
    case 1:
      return fn(std::integral_constant<int, 1>{});
    case 2:
      return fn(std::integral_constant<int, 2>{});
    case 3:
      return fn(std::integral_constant<int, 3>{});
    case 4:
      return fn(std::integral_constant<int, 4>{});
    case 5:
      return fn(std::integral_constant<int, 5>{});
    default:
      return fn(std::integral_constant<int, 6>{});
  }
}

void GemmTileI8(const uint8_t* a, int64_t lda, int rows, const int8_t* panel, int64_t kc, const float* row_scale,
                const float* col_scale, const int32_t* col_comp, const GemmTileOut& out) {
  ByRows(rows, [&](auto r) { TileI8<decltype(r)::value>(a, lda, panel, kc, row_scale, col_scale, col_comp, out); });
}

void QuantizeRowU8Avx512(const float* x, int64_t k, int64_t kpad, uint8_t* out, float* scale) {
  const __m512 absmask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff));
  __m512 vmax = _mm512_setzero_ps();
  for (int64_t i = 0; i < k; i += 16) {
    const __mmask16 m = Lanes(static_cast<int>(k - i < 16 ? k - i : 16), 0);
    vmax = _mm512_max_ps(vmax, _mm512_and_ps(_mm512_maskz_loadu_ps(m, x + i), absmask));
  }
  const float amax = _mm512_reduce_max_ps(vmax);
  *scale = amax > 0 ? amax / 127.0f : 0.0f;
  const __m512 inv = _mm512_set1_ps(amax > 0 ? 127.0f / amax : 0.0f);
  const __m512i offset = _mm512_set1_epi32(128);
  for (int64_t i = 0; i < k; i += 16) {
    const int n = static_cast<int>(k - i < 16 ? k - i : 16);
    const __mmask16 m = Lanes(n, 0);
    // cvtps_epi32 rounds to nearest even (the default MXCSR mode); |x| * inv <= 127.
    const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), inv)), offset);
    _mm_mask_storeu_epi8(out + i, m, _mm512_cvtepi32_epi8(q));
  }
  for (int64_t i = k; i < kpad; ++i) out[i] = 128;
}

// r[i] = column i of the 16 x 16 block whose rows were r[0..15] (32-bit elements).
inline void Transpose16(__m512i (&r)[16]) {
  __m512 a[16], b[16];
  for (int i = 0; i < 16; i += 2) {
    a[i] = _mm512_castsi512_ps(_mm512_unpacklo_epi32(r[i], r[i + 1]));
    a[i + 1] = _mm512_castsi512_ps(_mm512_unpackhi_epi32(r[i], r[i + 1]));
  }
  for (int i = 0; i < 16; i += 4) {
    b[i] = _mm512_shuffle_ps(a[i], a[i + 2], 0x44);
    b[i + 1] = _mm512_shuffle_ps(a[i], a[i + 2], 0xee);
    b[i + 2] = _mm512_shuffle_ps(a[i + 1], a[i + 3], 0x44);
    b[i + 3] = _mm512_shuffle_ps(a[i + 1], a[i + 3], 0xee);
  }
  for (int h = 0; h < 16; h += 8)
    for (int i = 0; i < 4; ++i) {
      a[h + i] = _mm512_shuffle_f32x4(b[h + i], b[h + i + 4], 0x88);
      a[h + i + 4] = _mm512_shuffle_f32x4(b[h + i], b[h + i + 4], 0xdd);
    }
  for (int i = 0; i < 8; ++i) {
    r[i] = _mm512_castps_si512(_mm512_shuffle_f32x4(a[i], a[i + 8], 0x88));
    r[i + 8] = _mm512_castps_si512(_mm512_shuffle_f32x4(a[i], a[i + 8], 0xdd));
  }
}

void GemmPackPanelUnits(const void* rows, int64_t row_bytes, int cols, int64_t units, uint32_t* panel) {
  static_assert(kGemmNr == 64);
  const auto* base = static_cast<const char*>(rows);
  __m512i r[16];
  for (int64_t t0 = 0; t0 < units; t0 += 16) {
    const int tn = static_cast<int>(units - t0 < 16 ? units - t0 : 16);
    const __mmask16 m = Lanes(tn, 0);
    for (int g = 0; g < 4; ++g) {
      for (int i = 0; i < 16; ++i) {
        const int j = 16 * g + i;
        r[i] = j < cols ? _mm512_maskz_loadu_epi32(m, base + j * row_bytes + 4 * t0) : _mm512_setzero_si512();
      }
      Transpose16(r);
      for (int i = 0; i < tn; ++i) _mm512_store_si512(panel + (t0 + i) * kGemmNr + 16 * g, r[i]);
    }
  }
}

void GemmAddBiasRows(float* c, int rows, const float* bias) {
  const __m512 b0 = _mm512_loadu_ps(bias), b1 = _mm512_loadu_ps(bias + 16), b2 = _mm512_loadu_ps(bias + 32),
               b3 = _mm512_loadu_ps(bias + 48);
  for (int r = 0; r < rows; ++r, c += kGemmNr) {
    _mm512_storeu_ps(c, _mm512_add_ps(_mm512_loadu_ps(c), b0));
    _mm512_storeu_ps(c + 16, _mm512_add_ps(_mm512_loadu_ps(c + 16), b1));
    _mm512_storeu_ps(c + 32, _mm512_add_ps(_mm512_loadu_ps(c + 32), b2));
    _mm512_storeu_ps(c + 48, _mm512_add_ps(_mm512_loadu_ps(c + 48), b3));
  }
}

void GemmStoreRowsF32(const float* c, int rows, int w, float* y, int64_t ldy, bool accumulate) {
  for (int r = 0; r < rows; ++r, c += kGemmNr, y += ldy) {
    for (int j = 0; j < 4; ++j) {
      const __mmask16 m = Lanes(w, j);
      if (m == 0) break;
      __m512 v = _mm512_loadu_ps(c + 16 * j);
      if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, y + 16 * j));
      _mm512_mask_storeu_ps(y + 16 * j, m, v);
    }
  }
}

// 16 floats narrowed to bf16, round to nearest even (NaN stays NaN).
inline __m256i NarrowBf16(__m512 f) {
  const __m512i one = _mm512_set1_epi32(1), half = _mm512_set1_epi32(0x7fff);
  const __m512i absmask = _mm512_set1_epi32(0x7fffffff), inf = _mm512_set1_epi32(0x7f800000);
  const __m512i u = _mm512_castps_si512(f);
  __m512i v = _mm512_srli_epi32(
      _mm512_add_epi32(u, _mm512_add_epi32(half, _mm512_and_si512(_mm512_srli_epi32(u, 16), one))), 16);
  const __mmask16 nan = _mm512_cmpgt_epi32_mask(_mm512_and_si512(u, absmask), inf);
  v = _mm512_mask_mov_epi32(v, nan, _mm512_or_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(0x40)));
  return _mm512_cvtepi32_epi16(v);
}

void GemmStoreRowsBf16(const float* c, int rows, int w, uint16_t* y, int64_t ldy) {
  for (int r = 0; r < rows; ++r, c += kGemmNr, y += ldy) {
    for (int j = 0; j < 4; ++j) {
      const __mmask16 m = Lanes(w, j);
      if (m == 0) break;
      _mm256_mask_storeu_epi16(y + 16 * j, m, NarrowBf16(_mm512_loadu_ps(c + 16 * j)));
    }
  }
}

void GemmAddBiasPerRow(float* c, int rows, const float* bias) {
  for (int r = 0; r < rows; ++r, c += kGemmNr) {
    const __m512 b = _mm512_set1_ps(bias[r]);
    for (int j = 0; j < 4; ++j) _mm512_storeu_ps(c + 16 * j, _mm512_add_ps(_mm512_loadu_ps(c + 16 * j), b));
  }
}

void GemmStoreTransposed(const float* c, int rows, int cols, float* y, uint16_t* ybf, int64_t ldy, bool accumulate) {
  __m512i r[16];
  for (int i0 = 0; i0 < rows; i0 += 16) {
    const int in = rows - i0 < 16 ? rows - i0 : 16;
    const __mmask16 m = Lanes(in, 0);
    for (int j0 = 0; j0 < cols; j0 += 16) {
      for (int i = 0; i < 16; ++i)
        r[i] = i < in ? _mm512_loadu_si512(c + (i0 + i) * kGemmNr + j0) : _mm512_setzero_si512();
      Transpose16(r);
      const int jn = cols - j0 < 16 ? cols - j0 : 16;
      for (int j = 0; j < jn; ++j) {
        const int64_t at = (j0 + j) * ldy + i0;
        const __m512 v = _mm512_castsi512_ps(r[j]);
        if (ybf != nullptr) {
          _mm256_mask_storeu_epi16(ybf + at, m, NarrowBf16(v));
        } else {
          _mm512_mask_storeu_ps(y + at, m, accumulate ? _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, y + at)) : v);
        }
      }
    }
  }
}

void GemmTileF32(const float* a, int64_t lda, int rows, const float* panel, int64_t kc, const GemmTileOut& out) {
  ByRows(rows, [&](auto r) { TileF32<decltype(r)::value>(a, lda, panel, kc, out); });
}

void GemmTileF32ABf16(const uint16_t* a, int64_t lda, int rows, const float* panel, int64_t kc,
                      const GemmTileOut& out) {
  ByRows(rows, [&](auto r) { TileF32<decltype(r)::value>(a, lda, panel, kc, out); });
}

void GemmTileBf16(const uint16_t* a, int64_t lda, int rows, const uint16_t* panel, int64_t kc, const GemmTileOut& out) {
  ByRows(rows, [&](auto r) { TileBf16<decltype(r)::value>(a, lda, panel, kc, out); });
}

}  // namespace

const GemmKernels kGemmKernelsAvx512 = {
    Isa::kAvx512,        1024,
    GemmTileF32,         GemmTileF32ABf16,
    GemmTileBf16,        GemmTileI8,
    QuantizeRowU8Avx512, GemmPackPanelUnits,
    GemmAddBiasRows,     GemmStoreRowsF32,
    GemmStoreRowsBf16,   GemmAddBiasPerRow,
    GemmStoreTransposed,
};

}  // namespace mhub::core::cpu
