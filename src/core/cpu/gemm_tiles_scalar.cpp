// Plain-C++ tiles of the own GEMM (see gemm_tiles.h): the scalar table, and the packing and
// epilogues the AVX2 table shares (they run once per weight or per output element, not per product).
// Compiled for baseline x86-64 (the compiler may use SSE2): no FMA, so each k is a multiply then an add.
#include <cmath>
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

// Round to nearest even; NaN stays a quiet NaN.
inline uint16_t RoundToBf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

// s[r][j] for r < rows to c, or to y (+ bias, + y) for j < cols.
void StoreSums(const float (*acc)[kGemmNr], int rows, const GemmTileOut& o) {
  if (o.y == nullptr) {
    for (int r = 0; r < rows; ++r) std::memcpy(o.c + r * kGemmNr, acc[r], sizeof(float) * kGemmNr);
    return;
  }
  for (int r = 0; r < rows; ++r) {
    float* y = o.y + r * o.ldy;
    for (int j = 0; j < o.cols; ++j) {
      float v = acc[r][j] + (o.bias != nullptr ? o.bias[j] : 0.0f);
      if (o.add_y) v += y[j];
      y[j] = v;
    }
  }
}

template <typename A>
void TileF32(const A* a, int64_t lda, int rows, const float* panel, int64_t kc, const GemmTileOut& out) {
  float acc[kGemmMr][kGemmNr];
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < kGemmNr; ++j) acc[r][j] = out.load_c ? out.c[r * kGemmNr + j] : 0.0f;
  for (int64_t k = 0; k < kc; ++k) {
    const float* b = panel + k * kGemmNr;
    for (int r = 0; r < rows; ++r) {
      const float av = Widen(a[r * lda + k]);
      for (int j = 0; j < kGemmNr; ++j) acc[r][j] += av * b[j];
    }
  }
  StoreSums(acc, rows, out);
}

void GemmTileF32(const float* a, int64_t lda, int rows, const float* panel, int64_t kc, const GemmTileOut& out) {
  TileF32(a, lda, rows, panel, kc, out);
}

void GemmTileF32ABf16(const uint16_t* a, int64_t lda, int rows, const float* panel, int64_t kc,
                      const GemmTileOut& out) {
  TileF32(a, lda, rows, panel, kc, out);
}

void GemmTileI8(const uint8_t* a, int64_t lda, int rows, const int8_t* panel, int64_t kc, const float* row_scale,
                const float* col_scale, const int32_t* /*col_comp*/, const GemmTileOut& out) {
  const int64_t quads = (kc + 3) / 4;
  int32_t d[kGemmNr];
  float acc[kGemmMr][kGemmNr];
  for (int r = 0; r < rows; ++r) {
    for (int j = 0; j < kGemmNr; ++j) d[j] = 0;
    const uint8_t* ar = a + r * lda;
    for (int64_t q = 0; q < quads; ++q) {
      const int8_t* b = panel + q * 4 * kGemmNr;
      for (int j = 0; j < kGemmNr; ++j)
        for (int e = 0; e < 4; ++e) d[j] += (static_cast<int32_t>(ar[4 * q + e]) - 128) * b[4 * j + e];
    }
    for (int j = 0; j < kGemmNr; ++j) acc[r][j] = static_cast<float>(d[j]) * (col_scale[j] * row_scale[r]);
  }
  StoreSums(acc, rows, out);
}

}  // namespace

namespace scalar_tiles {

void QuantizeRowU8(const float* x, int64_t k, int64_t kpad, uint8_t* out, float* scale) {
  float amax = 0.0f;
  for (int64_t i = 0; i < k; ++i) {
    const float v = std::fabs(x[i]);
    amax = v > amax ? v : amax;
  }
  *scale = amax > 0 ? amax / 127.0f : 0.0f;
  const float inv = amax > 0 ? 127.0f / amax : 0.0f;
  // nearbyint rounds to nearest even in the default mode, as cvtps2dq does.
  for (int64_t i = 0; i < k; ++i) out[i] = static_cast<uint8_t>(static_cast<int>(std::nearbyint(x[i] * inv)) + 128);
  for (int64_t i = k; i < kpad; ++i) out[i] = 128;
}

void PackPanelUnits(const void* rows, int64_t row_bytes, int cols, int64_t units, uint32_t* panel) {
  const auto* base = static_cast<const char*>(rows);
  // Blocks of 16 units: the 64 rows' lines they read stay in L1 while the panel rows are written.
  for (int64_t t0 = 0; t0 < units; t0 += 16) {
    const int64_t t1 = t0 + 16 < units ? t0 + 16 : units;
    for (int j = 0; j < kGemmNr; ++j)
      for (int64_t t = t0; t < t1; ++t) {
        uint32_t v = 0;
        if (j < cols) std::memcpy(&v, base + j * row_bytes + 4 * t, sizeof(v));
        panel[t * kGemmNr + j] = v;
      }
  }
}

void AddBiasRows(float* c, int rows, const float* bias) {
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < kGemmNr; ++j) c[r * kGemmNr + j] += bias[j];
}

void StoreRowsF32(const float* c, int rows, int w, float* y, int64_t ldy, bool accumulate) {
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < w; ++j) y[r * ldy + j] = c[r * kGemmNr + j] + (accumulate ? y[r * ldy + j] : 0.0f);
}

void StoreRowsBf16(const float* c, int rows, int w, uint16_t* y, int64_t ldy) {
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < w; ++j) y[r * ldy + j] = RoundToBf16(c[r * kGemmNr + j]);
}

void AddBiasPerRow(float* c, int rows, const float* bias) {
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < kGemmNr; ++j) c[r * kGemmNr + j] += bias[r];
}

void StoreTransposed(const float* c, int rows, int cols, float* y, uint16_t* ybf, int64_t ldy, bool accumulate) {
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i) {
      const float v = c[i * kGemmNr + j];
      if (ybf != nullptr) {
        ybf[j * ldy + i] = RoundToBf16(v);
      } else {
        y[j * ldy + i] = accumulate ? v + y[j * ldy + i] : v;
      }
    }
}

}  // namespace scalar_tiles

// K blocks of 256 (as AVX2's: a block's rows of the panel stay in L2).
const GemmKernels kGemmKernelsScalar = {
    Isa::kScalar,
    256,
    GemmTileF32,
    GemmTileF32ABf16,
    nullptr,
    GemmTileI8,
    scalar_tiles::QuantizeRowU8,
    scalar_tiles::PackPanelUnits,
    scalar_tiles::AddBiasRows,
    scalar_tiles::StoreRowsF32,
    scalar_tiles::StoreRowsBf16,
    scalar_tiles::AddBiasPerRow,
    scalar_tiles::StoreTransposed,
};

}  // namespace mhub::core::cpu
