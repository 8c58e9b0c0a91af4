// AVX2+FMA register tiles of the own GEMM (see gemm_tiles.h). A tile of 3 to 6 rows sweeps the
// panel's four 16-column slices one after the other: 6 x 2 ymm accumulators, 2 ymm of the panel and
// one broadcast fill the 16 ymm registers, and a slice of a K block (kc x 64 bytes) stays in L1 for
// the tile's rows; 1- and 2-row tiles (decode) take wider slices. Packing and the epilogues are the
// scalar table's (not on the hot path). Everything is file-local and uses no std templates: no copy
// compiled with AVX2 can be picked by the linker for baseline code.
#include <immintrin.h>

#include <cstring>

#include "core/cpu/gemm_tiles.h"

namespace mhub::core::cpu {
namespace {

inline float Widen(float v) { return v; }
inline float Widen(uint16_t v) {
  const uint32_t u = static_cast<uint32_t>(v) << 16;
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}

// Lanes [0, n) of 8 (n may be <= 0 or >= 8).
inline __m256i LaneMask(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Stores the sums of columns [c0, c0 + 8 W) of R rows (see GemmTileOut).
template <int R, int W>
inline void StoreSlice(__m256 (&acc)[R][W], const GemmTileOut& o, int c0) {
  if (o.y == nullptr) {
    for (int r = 0; r < R; ++r)
      for (int h = 0; h < W; ++h) _mm256_storeu_ps(o.c + r * kGemmNr + c0 + 8 * h, acc[r][h]);
    return;
  }
  __m256 b[W];
  for (int h = 0; h < W; ++h) b[h] = o.bias != nullptr ? _mm256_loadu_ps(o.bias + c0 + 8 * h) : _mm256_setzero_ps();
  for (int r = 0; r < R; ++r) {
    float* y = o.y + r * o.ldy + c0;
    for (int h = 0; h < W; ++h) {
      const int n = o.cols - c0 - 8 * h;
      if (n <= 0) break;
      __m256 v = _mm256_add_ps(acc[r][h], b[h]);
      if (n >= 8) {
        if (o.add_y) v = _mm256_add_ps(v, _mm256_loadu_ps(y + 8 * h));
        _mm256_storeu_ps(y + 8 * h, v);
      } else {
        const __m256i m = LaneMask(n);
        if (o.add_y) v = _mm256_add_ps(v, _mm256_maskload_ps(y + 8 * h, m));
        _mm256_maskstore_ps(y + 8 * h, m, v);
      }
    }
  }
}

// Columns to compute: all 64 when the sums go back to c, else those below cols.
inline int LiveCols(const GemmTileOut& o) { return o.y != nullptr ? o.cols : kGemmNr; }

// R rows x W ymm (8 W columns) of accumulators per pass over the K block: W = 2 for 3..6 rows (the
// 6 x 16 tile), 4 for 2 rows, 8 (the whole panel row) for 1 row, so that a decode row still has 8
// independent FMA chains and reads each panel row once, in order.
template <int R, typename A>
void TileF32(const A* a, int64_t lda, const float* panel, int64_t kc, const GemmTileOut& out) {
  constexpr int W = R == 1 ? 8 : R == 2 ? 4 : 2;
  const int cols = LiveCols(out);
  for (int c0 = 0; c0 < cols; c0 += 8 * W) {
    __m256 acc[R][W];
    for (int r = 0; r < R; ++r)
      for (int h = 0; h < W; ++h)
        acc[r][h] = out.load_c ? _mm256_loadu_ps(out.c + r * kGemmNr + c0 + 8 * h) : _mm256_setzero_ps();
    const float* b = panel + c0;
#pragma GCC unroll 4
    for (int64_t k = 0; k < kc; ++k, b += kGemmNr) {
      __m256 bv[W];
      for (int h = 0; h < W; ++h) bv[h] = _mm256_loadu_ps(b + 8 * h);
      for (int r = 0; r < R; ++r) {
        const __m256 av = _mm256_set1_ps(Widen(a[r * lda + k]));
        for (int h = 0; h < W; ++h) acc[r][h] = _mm256_fmadd_ps(av, bv[h], acc[r][h]);
      }
    }
    StoreSlice<R, W>(acc, out, c0);
  }
}

// Int8 without VNNI: the u8 activations go back to s8 (|x| <= 127), and vpmaddubsw multiplies |a|
// by b carrying a's sign: each pair of products is at most 2 * 127 * 127 < 2^15, so nothing
// saturates and the int32 sums are exact (the same d as vpdpbusd's minus col_comp).
template <int R>
void TileI8(const uint8_t* a, int64_t lda, const int8_t* panel, int64_t kc, const float* row_scale,
            const float* col_scale, const GemmTileOut& out) {
  const int cols = LiveCols(out);
  const int64_t quads = (kc + 3) / 4;
  const __m256i ones = _mm256_set1_epi16(1);
  for (int s = 0; 16 * s < cols; ++s) {
    __m256i acc[R][2];
    for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
    const int8_t* b = panel + 4 * 16 * s;
    for (int64_t q = 0; q < quads; ++q, b += 4 * kGemmNr) {
      const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
      const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 32));
      for (int r = 0; r < R; ++r) {
        uint32_t quad;
        std::memcpy(&quad, a + r * lda + 4 * q, sizeof(quad));
        const __m256i av = _mm256_set1_epi32(static_cast<int>(quad ^ 0x80808080u));
        const __m256i aa = _mm256_abs_epi8(av);
        acc[r][0] =
            _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(_mm256_maddubs_epi16(aa, _mm256_sign_epi8(b0, av)), ones));
        acc[r][1] =
            _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(_mm256_maddubs_epi16(aa, _mm256_sign_epi8(b1, av)), ones));
      }
    }
    __m256 sums[R][2];
    for (int h = 0; h < 2; ++h) {
      const __m256 cs = _mm256_loadu_ps(col_scale + 16 * s + 8 * h);
      for (int r = 0; r < R; ++r)
        sums[r][h] = _mm256_mul_ps(_mm256_cvtepi32_ps(acc[r][h]), _mm256_mul_ps(cs, _mm256_set1_ps(row_scale[r])));
    }
    StoreSlice<R, 2>(sums, out, 16 * s);
  }
}

// fn(Rows<rows>{}) for rows in 1..kGemmMr (the tile heights are compile-time).
template <int N>
struct Rows {
  static constexpr int value = N;
};
template <typename Fn>
void ByRows(int rows, const Fn& fn) {
  static_assert(kGemmMr == 6);
  switch (rows) {
    case 1:
      return fn(Rows<1>{});
    case 2:
      return fn(Rows<2>{});
    case 3:
      return fn(Rows<3>{});
    case 4:
      return fn(Rows<4>{});
    case 5:
      return fn(Rows<5>{});
    default:
      return fn(Rows<6>{});
  }
}

void GemmTileF32(const float* a, int64_t lda, int rows, const float* panel, int64_t kc, const GemmTileOut& out) {
  ByRows(rows, [&](auto r) { TileF32<decltype(r)::value>(a, lda, panel, kc, out); });
}

void GemmTileF32ABf16(const uint16_t* a, int64_t lda, int rows, const float* panel, int64_t kc,
                      const GemmTileOut& out) {
  ByRows(rows, [&](auto r) { TileF32<decltype(r)::value>(a, lda, panel, kc, out); });
}

}  // namespace

namespace avx2_tiles {
void TileI8(const uint8_t* a, int64_t lda, int rows, const int8_t* panel, int64_t kc, const float* row_scale,
            const float* col_scale, const int32_t* /*col_comp*/, const GemmTileOut& out) {
  ByRows(rows,
         [&](auto r) { ::mhub::core::cpu::TileI8<decltype(r)::value>(a, lda, panel, kc, row_scale, col_scale, out); });
}
}  // namespace avx2_tiles

// K blocks of 256: a 16-column slice of one is 16 KB, in L1 next to the 6 rows of A (6 KB).
const GemmKernels kGemmKernelsAvx2 = {
    Isa::kAvx2,
    256,
    GemmTileF32,
    GemmTileF32ABf16,
    nullptr,
    avx2_tiles::TileI8,
    scalar_tiles::QuantizeRowU8,
    scalar_tiles::PackPanelUnits,
    scalar_tiles::AddBiasRows,
    scalar_tiles::StoreRowsF32,
    scalar_tiles::StoreRowsBf16,
    scalar_tiles::AddBiasPerRow,
    scalar_tiles::StoreTransposed,
};

}  // namespace mhub::core::cpu
