// The register-tile kernels of mhub's own GEMM (core/gemm.h drives them): one call computes up to
// kGemmMr rows x kGemmNr columns of C from rows of A and one packed panel of B.
//
// Packed panel layouts (columns past N and, for bf16, the k past K are zero):
//   f32:  panel[k * kGemmNr + j]                 = B[k][j]   (B = W^T, W the (N, K) weights)
//   bf16: panel[(k / 2) * 2 * kGemmNr + 2 * j + k % 2] = B[k][j]   (k pairs, as vdpbf16ps reads them)
//   int8: panel[(k / 4) * 4 * kGemmNr + 4 * j + k % 4] = Bq[k][j]  (k quads, as vpdpbusd reads them)
// Compiled in gemm_tiles_avx512.cpp with AVX-512 (+BF16) flags: call the f32 tile only when the
// active ISA is avx512, the bf16 one only when HasAvx512Bf16() too, the int8 one only with
// AVX512_VNNI.
#pragma once

#include <cstdint>

namespace mhub::core::cpu {

inline constexpr int kGemmMr = 6;   // rows per tile
inline constexpr int kGemmNr = 64;  // columns per panel (4 zmm)

// Where a tile's sums s[r][j] (r < rows, j < kGemmNr) go.
struct GemmTileOut {
  float* c = nullptr;  // partial sums, row stride kGemmNr: s starts from c when load_c, else from 0
  bool load_c = false;
  // Null: s is stored back to c. Set (the last K block): y[r * ldy + j] = s[r][j] (+ bias[j])
  // (+ y[r * ldy + j] when add_y) for j < cols, straight from the registers.
  float* y = nullptr;
  int64_t ldy = 0;
  const float* bias = nullptr;  // kGemmNr floats or null
  bool add_y = false;
  int cols = kGemmNr;
};

// s[r][j] (+)= sum_{k < kc} a[r * lda + k] * B[k][j] for r < rows (1..kGemmMr); `panel` points at
// the panel's row k = 0 of this K block.
void GemmTileF32(const float* a, int64_t lda, int rows, const float* panel, int64_t kc, const GemmTileOut& out);
// The same with bf16 A and panel, fp32 products and sums (vdpbf16ps). `panel` points at the pair
// row of this K block's first k (an even k); kc may be odd only for the last block of K.
void GemmTileBf16(const uint16_t* a, int64_t lda, int rows, const uint16_t* panel, int64_t kc, const GemmTileOut& out);

// Int8: a holds rows of u8 = (quantized x) + 128 with lda >= kc rounded up to 4 (the padding may hold
// anything: the panel's padding is zero); kc is the whole K. The int32 dot products d[r][j] become
// s[r][j] = (d[r][j] - col_comp[j]) * row_scale[r] * col_scale[j] (col_comp = 128 * sum_k Bq[k][j]
// undoes the +128); out.load_c must be false.
void GemmTileI8(const uint8_t* a, int64_t lda, int rows, const int8_t* panel, int64_t kc, const float* row_scale,
                const float* col_scale, const int32_t* col_comp, const GemmTileOut& out);
// One row of x quantized for GemmTileI8: scale = max|x| / 127 (0 for an all-zero row),
// out[i] = round_to_nearest_even(x[i] / scale) + 128 for i < k, 128 for k <= i < kpad.
void QuantizeRowU8(const float* x, int64_t k, int64_t kpad, uint8_t* out, float* scale);

// Packs one panel from weight rows of 4-byte units (an f32, a bf16 pair): panel[t * kGemmNr + j] =
// the t-th unit of row j (row j at byte offset j * row_bytes from rows) for t < units, j < cols
// (<= kGemmNr); units of columns >= cols are zero. Moves 16 x 16 blocks through registers.
void GemmPackPanelUnits(const void* rows, int64_t row_bytes, int cols, int64_t units, uint32_t* panel);

// Epilogue steps on a tile buffer c of `rows` rows of kGemmNr floats (row stride kGemmNr):
// c[r][j] += bias[j] for j < kGemmNr.
void GemmAddBiasRows(float* c, int rows, const float* bias);
// y[r * ldy + j] = c[r][j] (or += when accumulate) for j < w (<= kGemmNr).
void GemmStoreRowsF32(const float* c, int rows, int w, float* y, int64_t ldy, bool accumulate);
// The same narrowed to bf16, round to nearest even (NaN stays NaN).
void GemmStoreRowsBf16(const float* c, int rows, int w, uint16_t* y, int64_t ldy);

// The transposed product (GemmUnpacked: the tiles' rows are output columns, the panel's columns
// output rows). c[i][j] += bias[i] for i < rows, j < kGemmNr:
void GemmAddBiasPerRow(float* c, int rows, const float* bias);
// y[j * ldy + i] = c[i][j] (+= when accumulate), or ybf[j * ldy + i] = c[i][j] narrowed to bf16 (round
// to nearest even) when ybf is set, for i < rows, j < cols (<= kGemmNr).
void GemmStoreTransposed(const float* c, int rows, int cols, float* y, uint16_t* ybf, int64_t ldy, bool accumulate);

}  // namespace mhub::core::cpu
