// The register-tile kernels of mhub's own GEMM (core/gemm.h drives them), one table per ISA: one tile
// call computes up to kGemmMr rows x kGemmNr columns of C from rows of A and one packed panel of B.
//
// Packed panel layouts (columns past N and, for bf16/int8, the k past K are zero); the same on every ISA:
//   f32:  panel[k * kGemmNr + j]                 = B[k][j]   (B = W^T, W the (N, K) weights)
//   bf16: panel[(k / 2) * 2 * kGemmNr + 2 * j + k % 2] = B[k][j]   (k pairs, as vdpbf16ps reads them)
//   int8: panel[(k / 4) * 4 * kGemmNr + 4 * j + k % 4] = Bq[k][j]  (k quads, as vpdpbusd reads them)
// bf16 panels exist only where the table has a bf16 tile (AVX512_BF16); elsewhere bf16 weights are
// widened to f32 panels (exact) and x arrives as f32 holding bf16-rounded values, so the products and
// the f32 sums are those of the bf16 path.
//
// Tables: gemm_tiles_avx512.cpp (AVX-512; bf16 tile with AVX512_BF16, int8 tile with AVX512_VNNI,
// else the AVX2 int8 tile), gemm_tiles_avx2.cpp (AVX2+FMA: 6 x 16 register tiles swept over the
// panel's four 16-column slices), gemm_tiles_scalar.cpp (plain loops; the epilogues and packing of
// the AVX2 table too). GemmKernelsFor(isa) picks one.
#pragma once

#include <cstdint>

#include "mhub/core/cpu.h"

namespace mhub::core::cpu {

inline constexpr int kGemmMr = 6;   // rows per tile
inline constexpr int kGemmNr = 64;  // columns per panel

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

struct GemmKernels {
  Isa isa;
  // Largest K block (even): a panel slice of it stays in L2 (AVX-512) or a 16-column slice in L1 (AVX2).
  int64_t max_kblock;

  // s[r][j] (+)= sum_{k < kc} a[r * lda + k] * B[k][j] for r < rows (1..kGemmMr), in k order (one
  // fused multiply-add per k: the K blocking and the tile height do not change a result); `panel`
  // points at the f32 panel's row k = 0 of this K block.
  void (*tile_f32)(const float* a, int64_t lda, int rows, const float* panel, int64_t kc, const GemmTileOut& out);
  // The same with bf16 rows of A widened as they are read (weights read where they are, x in the panel).
  void (*tile_f32_abf16)(const uint16_t* a, int64_t lda, int rows, const float* panel, int64_t kc,
                         const GemmTileOut& out);
  // Bf16 A and bf16 panel, fp32 products and sums (vdpbf16ps); null where the CPU has no bf16 dot
  // product. `panel` points at the pair row of this K block's first k (an even k); kc may be odd only
  // for the last block of K.
  void (*tile_bf16)(const uint16_t* a, int64_t lda, int rows, const uint16_t* panel, int64_t kc,
                    const GemmTileOut& out);
  // Int8: a holds rows of u8 = (quantized x) + 128 with lda >= kc rounded up to 4 (the padding may
  // hold anything: the panel's padding is zero); kc is the whole K. With d[r][j] the exact int32 dot
  // product of the signed values, s[r][j] = d[r][j] * row_scale[r] * col_scale[j]; col_comp = 128 *
  // sum_k Bq[k][j] (what the +128 adds, for the tiles that take u8 as it is). out.load_c is false.
  void (*tile_i8)(const uint8_t* a, int64_t lda, int rows, const int8_t* panel, int64_t kc, const float* row_scale,
                  const float* col_scale, const int32_t* col_comp, const GemmTileOut& out);
  // One row of x quantized for tile_i8: scale = max|x| / 127 (0 for an all-zero row),
  // out[i] = round_to_nearest_even(x[i] / scale) + 128 for i < k, 128 for k <= i < kpad.
  void (*quantize_row_u8)(const float* x, int64_t k, int64_t kpad, uint8_t* out, float* scale);
  // Packs one panel from rows of 4-byte units (an f32, a bf16 pair, an int8 quad): panel[t * kGemmNr
  // + j] = the t-th unit of row j (at byte offset j * row_bytes from rows) for t < units, j < cols
  // (<= kGemmNr); units of columns >= cols are zero.
  void (*pack_panel_units)(const void* rows, int64_t row_bytes, int cols, int64_t units, uint32_t* panel);

  // Epilogues on a tile buffer c of `rows` rows of kGemmNr floats (row stride kGemmNr):
  // c[r][j] += bias[j] for j < kGemmNr.
  void (*add_bias_rows)(float* c, int rows, const float* bias);
  // y[r * ldy + j] = c[r][j] (or += when accumulate) for j < w (<= kGemmNr).
  void (*store_rows_f32)(const float* c, int rows, int w, float* y, int64_t ldy, bool accumulate);
  // The same narrowed to bf16, round to nearest even (NaN stays NaN).
  void (*store_rows_bf16)(const float* c, int rows, int w, uint16_t* y, int64_t ldy);
  // The transposed product (GemmUnpacked: the tiles' rows are output columns, the panel's columns
  // output rows). c[i][j] += bias[i] for i < rows, j < kGemmNr:
  void (*add_bias_per_row)(float* c, int rows, const float* bias);
  // y[j * ldy + i] = c[i][j] (+= when accumulate), or ybf[j * ldy + i] = c[i][j] narrowed to bf16
  // (round to nearest even) when ybf is set, for i < rows, j < cols (<= kGemmNr).
  void (*store_transposed)(const float* c, int rows, int cols, float* y, uint16_t* ybf, int64_t ldy, bool accumulate);
};

// The table for `isa` on this CPU (precondition: IsaSupported(isa)).
const GemmKernels& GemmKernelsFor(Isa isa);

extern const GemmKernels kGemmKernelsScalar;
extern const GemmKernels kGemmKernelsAvx2;
// AVX-512 with its bf16 and VNNI tiles; GemmKernelsFor patches in what this CPU lacks.
extern const GemmKernels kGemmKernelsAvx512;

// Used by the other tables (defined in the file of their ISA).
namespace scalar_tiles {
void QuantizeRowU8(const float* x, int64_t k, int64_t kpad, uint8_t* out, float* scale);
void PackPanelUnits(const void* rows, int64_t row_bytes, int cols, int64_t units, uint32_t* panel);
void AddBiasRows(float* c, int rows, const float* bias);
void StoreRowsF32(const float* c, int rows, int w, float* y, int64_t ldy, bool accumulate);
void StoreRowsBf16(const float* c, int rows, int w, uint16_t* y, int64_t ldy);
void AddBiasPerRow(float* c, int rows, const float* bias);
void StoreTransposed(const float* c, int rows, int cols, float* y, uint16_t* ybf, int64_t ldy, bool accumulate);
}  // namespace scalar_tiles
namespace avx2_tiles {
void TileI8(const uint8_t* a, int64_t lda, int rows, const int8_t* panel, int64_t kc, const float* row_scale,
            const float* col_scale, const int32_t* col_comp, const GemmTileOut& out);
}  // namespace avx2_tiles

}  // namespace mhub::core::cpu
