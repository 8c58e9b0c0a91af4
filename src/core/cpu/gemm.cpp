// The own GEMM's packing and driver (see gemm.h); the register tiles live in gemm_tiles_{avx512,avx2,scalar}.cpp.
#include "core/cpu/gemm.h"

#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "core/cpu/attention_bf16.h"
#include "core/cpu/gemm_tiles.h"
#include "core/cpu/kernel_table.h"
#include "core/cpu/parallel.h"

namespace mhub::core::cpu {
namespace {

static_assert(GemmWeights::kPanel == kGemmNr);

// Rows of A per unit of work (a multiple of the tile height).
constexpr int64_t kMaxRowChunk = 32 * kGemmMr;
// Rows of x GemmUnpacked packs at a time (16 panels).
constexpr int64_t kUnpackedRows = 16 * kGemmNr;

constexpr size_t kHugePage = size_t{2} << 20;
// Linux 6.1's MADV_COLLAPSE (synchronous collapse into huge pages), which glibc 2.36's headers lack;
// older kernels answer EINVAL.
constexpr int kMadvCollapse = 25;

// Bytes AlignedAlloc takes for `bytes`: a multiple of 2 MB from 2 MB on.
size_t AlignedSize(size_t bytes) {
  const size_t align = bytes >= kHugePage ? kHugePage : 64;
  return (std::max<size_t>(bytes, 1) + align - 1) / align * align;
}

// 64-byte aligned; buffers of 2 MB and more are 2 MB aligned, so that they can move to huge pages
// (GemmWeights::MoveToHugePages). They start on 4 KB pages: on VMs, first touches of fresh 2 MB
// pages cost far more (GPT-2 small's first prefill: 233-687 ms with huge pages at once, 138-149 ms
// without).
void* AlignedAlloc(size_t bytes) {
  const size_t size = AlignedSize(bytes);
  void* p = std::aligned_alloc(size >= kHugePage ? kHugePage : 64, size);
  if (p == nullptr) std::abort();  // like operator new without exceptions
  return p;
}

// One f32 or bf16 panel (gemm_tiles.h) from `cols` (<= kGemmNr) rows of k values: f32 one 4-byte unit
// per k; bf16 one per k pair, and for an odd K the last k paired with zero.
void PackFloatPanel(const GemmKernels& kern, const char* rows, GemmType type, int64_t k, int64_t cols, char* panel) {
  const int64_t elem = type == GemmType::kBf16 ? 2 : 4;
  const int64_t units = type == GemmType::kF32 ? k : k / 2;
  auto* dst = reinterpret_cast<uint32_t*>(panel);
  kern.pack_panel_units(rows, k * elem, static_cast<int>(cols), units, dst);
  if (type == GemmType::kBf16 && k % 2 != 0) {
    auto* last = reinterpret_cast<uint16_t*>(dst + units * kGemmNr);
    std::memset(last, 0, sizeof(uint32_t) * kGemmNr);
    for (int64_t j = 0; j < cols; ++j) last[2 * j] = reinterpret_cast<const uint16_t*>(rows)[j * k + k - 1];
  }
}

// One f32 panel from `cols` (<= kGemmNr) rows of k bf16 values, widened (exact): the rows go through
// this thread's f32 buffer, then the f32 packing.
void PackWidenedPanel(const GemmKernels& kern, const uint16_t* rows, int64_t k, int64_t cols, float* panel) {
  thread_local std::vector<float> wide;
  wide.resize(static_cast<size_t>(cols * k));
  Kernels().bf16_to_f32(rows, wide.data(), cols * k, false);
  PackFloatPanel(kern, reinterpret_cast<const char*>(wide.data()), GemmType::kF32, k, cols,
                 reinterpret_cast<char*>(panel));
}

// Elements from one panel to the next (f32 / bf16 / int8 layouts of gemm_tiles.h).
int64_t PanelStride(GemmType panel_type, int64_t k) {
  return panel_type == GemmType::kBf16 ? (k + 1) / 2 * 2 * kGemmNr
         : panel_type == GemmType::kI8 ? (k + 3) / 4 * 4 * kGemmNr
                                       : k * kGemmNr;
}

// The K blocking of both drivers (each output stays one sequential sum over k across blocks): blocks of
// equal size (even, so bf16 blocks start on a pair) up to the tiles' max_kblock; int8 takes K whole
// (int32 sums).
int64_t KBlock(const GemmKernels& kern, GemmType type, int64_t k) {
  if (type == GemmType::kI8) return k;
  const int64_t kblocks = (k + kern.max_kblock - 1) / kern.max_kblock;
  return ((k + kblocks - 1) / kblocks + 1) / 2 * 2;
}

// `padded` floats: the n of src (null: none), then zeros.
std::shared_ptr<float> PaddedFloats(const float* src, int64_t n, int64_t padded) {
  auto p = std::shared_ptr<float>(static_cast<float*>(AlignedAlloc(sizeof(float) * static_cast<size_t>(padded))),
                                  GemmWeights::Free());
  std::fill(p.get(), p.get() + padded, 0.0f);
  if (src != nullptr) std::memcpy(p.get(), src, sizeof(float) * static_cast<size_t>(n));
  return p;
}

// run_unit(u, buf) for u < units, on up to `threads` threads taking the next unit as they finish
// one; buf is the running thread's tile buffer, kept between calls.
template <typename Fn>
void RunUnits(int64_t units, int threads, const Fn& run_unit) {
  if (threads <= 1 || units == 1) {
    thread_local std::vector<float> buf;
    for (int64_t u = 0; u < units; ++u) run_unit(u, buf);
    return;
  }
  ForEachItem(units, threads, [&](int64_t u) {
    thread_local std::vector<float> buf;
    run_unit(u, buf);
  });
}

}  // namespace

void ApplyActivation(Activation act, float* x, int64_t n) {
  const KernelTable& kern = Kernels();
  switch (act) {
    case Activation::kNone:
      break;
    case Activation::kGeluErf:
      kern.gelu_erf(x, x, n);
      break;
    case Activation::kGeluTanh:
      kern.gelu_tanh(x, x, n);
      break;
    case Activation::kRelu:
      kern.relu(x, x, n);
      break;
    case Activation::kSilu:
      kern.silu(x, x, n);
      break;
  }
}

const GemmKernels& GemmKernelsFor(Isa isa) {
  switch (isa) {
    case Isa::kAvx512: {
      // The AVX-512 tiles, less what this CPU lacks: bf16 weights widen to f32 panels without
      // AVX512_BF16, int8 takes the AVX2 tile without AVX512_VNNI.
      static const GemmKernels avx512 = [] {
        GemmKernels t = kGemmKernelsAvx512;
        if (!GetCpuFeatures().avx512_bf16) t.tile_bf16 = nullptr;
        if (!GetCpuFeatures().avx512_vnni) t.tile_i8 = avx2_tiles::TileI8;
        return t;
      }();
      return avx512;
    }
    case Isa::kAvx2:
      return kGemmKernelsAvx2;
    case Isa::kScalar:
      break;
  }
  return kGemmKernelsScalar;
}

bool OwnGemmAvailable(GemmType /*type*/) { return true; }

bool Bf16TakesF32Input() { return GemmKernelsFor(ActiveIsa()).tile_bf16 == nullptr; }

void GemmWeights::Free::operator()(void* p) const { std::free(p); }

void GemmWeights::MoveToHugePages() const {
  if (bytes_ < kHugePage) return;
  // Advisory: the weights stay where they are if the kernel refuses (no THP, older kernels).
  (void)madvise(data_.get(), bytes_, MADV_HUGEPAGE);
  (void)madvise(data_.get(), bytes_, kMadvCollapse);
}

GemmWeights GemmWeights::Allocate(GemmType type, int64_t n, int64_t k) {
  GemmWeights g;
  g.n_ = n;
  g.k_ = k;
  g.type_ = type;
  g.kernels_ = &GemmKernelsFor(ActiveIsa());
  g.f32_panels_ = type == GemmType::kF32 || (type == GemmType::kBf16 && g.kernels_->tile_bf16 == nullptr);
  const GemmType panel_type = g.f32_panels_ ? GemmType::kF32 : type;
  // f32: k rows of 64; bf16: ceil(k/2) pair rows of 128; int8: ceil(k/4) quad rows of 256 (the
  // padding k's are zero).
  g.panel_stride_ = PanelStride(panel_type, k);
  const size_t elem = panel_type == GemmType::kF32 ? 4 : panel_type == GemmType::kBf16 ? 2 : 1;
  g.bytes_ = AlignedSize(static_cast<size_t>(g.panels() * g.panel_stride_) * elem);
  g.data_ = std::shared_ptr<void>(AlignedAlloc(g.bytes_), Free());
  return g;
}

GemmWeights GemmWeights::Pack(const void* w, GemmType type, int64_t n, int64_t k, const float* bias) {
  GemmWeights g = Allocate(type, n, k);
  const GemmKernels& kern = *g.kernels_;
  const int64_t panels = g.panels();
  const size_t elem = g.f32_panels_ ? 4 : type == GemmType::kBf16 ? 2 : 1;
  const size_t welem = type == GemmType::kBf16 ? 2 : 4;
  if (type == GemmType::kI8) {
    g.col_scale_ = PaddedFloats(nullptr, 0, panels * kPanel);
    g.col_comp_ =
        std::shared_ptr<int32_t>(static_cast<int32_t*>(AlignedAlloc(sizeof(int32_t) * panels * kPanel)), Free());
    std::fill(g.col_comp_.get(), g.col_comp_.get() + panels * kPanel, 0);
  }
  char* base = static_cast<char*>(g.data_.get());
  ParallelFor(panels, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      char* panel = base + static_cast<size_t>(p * g.panel_stride_) * elem;
      const int64_t cols = std::min<int64_t>(kPanel, n - p * kPanel);
      const char* rows = static_cast<const char*>(w) + static_cast<size_t>(p * kPanel * k) * welem;
      if (type == GemmType::kBf16 && g.f32_panels_) {
        PackWidenedPanel(kern, reinterpret_cast<const uint16_t*>(rows), k, cols, reinterpret_cast<float*>(panel));
        continue;
      }
      if (type != GemmType::kI8) {
        PackFloatPanel(kern, rows, type, k, cols, panel);
        continue;
      }
      // int8: each row quantized with its own scale (scale = max|w| / 127, round to nearest even: the
      // activations' quantizer, shifted back from u8 to s8), then moved into quads of k.
      const int64_t kpad = (k + 3) / 4 * 4;
      thread_local std::vector<uint8_t> q8;
      q8.resize(static_cast<size_t>(kPanel * kpad));
      for (int64_t j = 0; j < cols; ++j) {
        const int64_t row = p * kPanel + j;
        uint8_t* q = q8.data() + j * kpad;
        kern.quantize_row_u8(static_cast<const float*>(w) + row * k, k, kpad, q, g.col_scale_.get() + row);
        int32_t sum = 0;
        for (int64_t kk = 0; kk < kpad; ++kk) {
          q[kk] ^= 0x80;  // u8 = s8 + 128 -> s8 (the padding's 128 becomes 0)
          sum += static_cast<int8_t>(q[kk]);
        }
        g.col_comp_.get()[row] = 128 * sum;
      }
      kern.pack_panel_units(q8.data(), kpad, static_cast<int>(cols), kpad / 4, reinterpret_cast<uint32_t*>(panel));
    }
  });
  if (bias != nullptr) g.bias_ = PaddedFloats(bias, n, panels * kPanel);
  return g;
}

GemmWeights GemmWeights::PackInOut(const void* w, GemmType type, int64_t n, int64_t k, const float* bias) {
  GemmWeights g = Allocate(type, n, k);
  const int64_t panels = g.panels();
  const bool bf16 = type == GemmType::kBf16 && !g.f32_panels_;
  const bool widen = type == GemmType::kBf16 && g.f32_panels_;
  // Each thread takes a band of weight rows (of row pairs in bf16) and reads them in memory order.
  const int64_t steps = bf16 ? (k + 1) / 2 : k;
  ParallelFor(steps, 16, [&](int64_t s0, int64_t s1) {
    for (int64_t s = s0; s < s1; ++s)
      for (int64_t p = 0; p < panels; ++p) {
        const int64_t cols = std::min<int64_t>(kPanel, n - p * kPanel);
        if (!bf16) {
          float* row = static_cast<float*>(g.data_.get()) + p * g.panel_stride_ + s * kPanel;
          if (widen) {
            Kernels().bf16_to_f32(static_cast<const uint16_t*>(w) + s * n + p * kPanel, row, cols, false);
          } else {
            std::memcpy(row, static_cast<const float*>(w) + s * n + p * kPanel,
                        sizeof(float) * static_cast<size_t>(cols));
          }
          std::fill(row + cols, row + kPanel, 0.0f);
          continue;
        }
        // Pair row s: k = 2s and 2s + 1 side by side per column (the second is 0 past an odd K).
        auto* row =
            reinterpret_cast<uint32_t*>(static_cast<uint16_t*>(g.data_.get()) + p * g.panel_stride_ + s * 2 * kPanel);
        const uint16_t* even = static_cast<const uint16_t*>(w) + 2 * s * n + p * kPanel;
        if (2 * s + 1 < k) {
          const uint16_t* odd = even + n;
          for (int64_t j = 0; j < cols; ++j) row[j] = uint32_t{even[j]} | uint32_t{odd[j]} << 16;
        } else {
          for (int64_t j = 0; j < cols; ++j) row[j] = even[j];
        }
        std::fill(row + cols, row + kPanel, 0u);
      }
  });
  if (bias != nullptr) g.bias_ = PaddedFloats(bias, n, panels * kPanel);
  return g;
}

void Gemm(const void* x, int64_t m, const GemmWeights& w, const GemmOutput& out) {
  const int64_t n = w.n(), k = w.k(), panels = w.panels();
  if (m <= 0 || n <= 0) return;
  const int threads = InTeam() ? 1 : NumThreads();
  const GemmKernels& kern = w.kernels();

  // int8: x quantized per row (+128) into this thread's buffers, rows padded to a multiple of 4.
  const bool i8 = w.type() == GemmType::kI8;
  const int64_t kpad = (k + 3) / 4 * 4;
  thread_local std::vector<uint8_t> xq;
  thread_local std::vector<float> xscale;
  if (i8) {
    xq.resize(static_cast<size_t>(m * kpad));
    xscale.resize(static_cast<size_t>(m));
    uint8_t* q = xq.data();
    float* sc = xscale.data();
    const float* xf = static_cast<const float*>(x);
    ParallelFor(m, std::max<int64_t>(1, 16384 / k), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) kern.quantize_row_u8(xf + r * k, k, kpad, q + r * kpad, sc + r);
    });
  }
  const uint8_t* xq_data = xq.data();
  const float* xscale_data = xscale.data();

  const int64_t kc = KBlock(kern, w.type(), k);
  // Row chunks: at most kMaxRowChunk rows, and small enough that there are a few units per thread.
  const int64_t want_units = 4 * threads;
  const int64_t want_chunks = std::max<int64_t>(1, (want_units + panels - 1) / panels);
  int64_t rows_per_chunk = (m + want_chunks - 1) / want_chunks;
  rows_per_chunk = std::clamp<int64_t>((rows_per_chunk + kGemmMr - 1) / kGemmMr * kGemmMr, 4 * kGemmMr, kMaxRowChunk);
  const int64_t chunks = (m + rows_per_chunk - 1) / rows_per_chunk;
  const int64_t units = chunks * panels;

  auto run_unit = [&](int64_t u, std::vector<float>& buf) {
    const int64_t chunk = u / panels, p = u % panels;
    const int64_t r0 = chunk * rows_per_chunk, rows = std::min(rows_per_chunk, m - r0);
    buf.resize(static_cast<size_t>(rows_per_chunk * kGemmNr));
    float* c = buf.data();
    const int cols = static_cast<int>(std::min<int64_t>(kGemmNr, n - p * kGemmNr));
    // Without an activation or bf16 narrowing, the last K block's tiles write y from the registers.
    const bool direct = out.act == Activation::kNone && out.ybf == nullptr;
    for (int64_t k0 = 0; k0 < k; k0 += kc) {
      const int64_t kb = std::min(kc, k - k0);
      const bool last = k0 + kb == k;
      for (int64_t r = 0; r < rows; r += kGemmMr) {
        const int tile_rows = static_cast<int>(std::min<int64_t>(kGemmMr, rows - r));
        GemmTileOut to;
        to.c = c + r * kGemmNr;
        to.load_c = k0 > 0;
        if (direct && last) {
          to.y = out.y + (r0 + r) * n + p * kGemmNr;
          to.ldy = n;
          to.bias = w.bias() != nullptr ? w.bias() + p * kGemmNr : nullptr;
          to.add_y = out.accumulate;
          to.cols = cols;
        }
        if (i8) {
          const int8_t* panel = static_cast<const int8_t*>(w.data()) + p * w.panel_stride();
          kern.tile_i8(xq_data + (r0 + r) * kpad, kpad, tile_rows, panel, kb, xscale_data + r0 + r,
                       w.col_scale() + p * kGemmNr, w.col_comp() + p * kGemmNr, to);
        } else if (!w.f32_panels()) {
          const uint16_t* a = static_cast<const uint16_t*>(x) + (r0 + r) * k + k0;
          const uint16_t* panel = static_cast<const uint16_t*>(w.data()) + p * w.panel_stride() + k0 * kGemmNr;
          kern.tile_bf16(a, k, tile_rows, panel, kb, to);
        } else {
          const float* a = static_cast<const float*>(x) + (r0 + r) * k + k0;
          const float* panel = static_cast<const float*>(w.data()) + p * w.panel_stride() + k0 * kGemmNr;
          kern.tile_f32(a, k, tile_rows, panel, kb, to);
        }
      }
    }
    if (direct) return;
    const int rws = static_cast<int>(rows);
    if (w.bias() != nullptr) kern.add_bias_rows(c, rws, w.bias() + p * kGemmNr);
    ApplyActivation(out.act, c, rows * kGemmNr);
    if (out.ybf != nullptr) {
      kern.store_rows_bf16(c, rws, cols, out.ybf + r0 * n + p * kGemmNr, n);
    } else {
      kern.store_rows_f32(c, rws, cols, out.y + r0 * n + p * kGemmNr, n, out.accumulate);
    }
  };

  RunUnits(units, threads, run_unit);
}

namespace {

// GemmUnpacked for at most kUnpackedRows rows of x.
void GemmUnpackedRows(const void* x, int64_t m, const void* w, GemmType type, int64_t n, int64_t k, const float* bias,
                      const GemmOutput& out) {
  const int threads = InTeam() ? 1 : NumThreads();
  const GemmKernels& kern = GemmKernelsFor(ActiveIsa());
  // Without a bf16 tile, bf16 weight rows are widened as the f32 tile reads them, against x in f32 panels.
  const bool widen = type == GemmType::kBf16 && kern.tile_bf16 == nullptr;
  const GemmType xtype = widen ? GemmType::kF32 : type;
  const size_t elem = xtype == GemmType::kBf16 ? 2 : 4;
  // y^T = W x^T: x goes into panels of 64 rows (its rows become the tiles' columns) and the weight
  // rows are the tiles' rows, read where they are.
  const int64_t panels = (m + kGemmNr - 1) / kGemmNr;
  const int64_t stride = PanelStride(xtype, k);
  std::unique_ptr<void, GemmWeights::Free> xp(AlignedAlloc(static_cast<size_t>(panels * stride) * elem));
  char* xpanels = static_cast<char*>(xp.get());
  ParallelFor(panels, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p)
      PackFloatPanel(kern, static_cast<const char*>(x) + static_cast<size_t>(p * kGemmNr * k) * elem, xtype, k,
                     std::min<int64_t>(kGemmNr, m - p * kGemmNr), xpanels + static_cast<size_t>(p * stride) * elem);
  });

  const int64_t kc = KBlock(kern, type, k);
  // Groups of weight rows (a multiple of the tile height), small enough for a few units per thread.
  const int64_t want_units = 4 * threads;
  const int64_t want_groups = std::max<int64_t>(1, (want_units + panels - 1) / panels);
  int64_t group = (n + want_groups - 1) / want_groups;
  group = std::clamp<int64_t>((group + kGemmMr - 1) / kGemmMr * kGemmMr, 4 * kGemmMr, kMaxRowChunk);
  const int64_t groups = (n + group - 1) / group;

  auto run_unit = [&](int64_t u, std::vector<float>& buf) {
    const int64_t p = u / groups, n0 = (u % groups) * group;
    const int64_t rows = std::min(group, n - n0), cols = std::min<int64_t>(kGemmNr, m - p * kGemmNr);
    buf.resize(static_cast<size_t>(group * kGemmNr));
    float* c = buf.data();
    const char* panel = xpanels + static_cast<size_t>(p * stride) * elem;
    for (int64_t k0 = 0; k0 < k; k0 += kc) {
      const int64_t kb = std::min(kc, k - k0);
      for (int64_t r = 0; r < rows; r += kGemmMr) {
        const int tile_rows = static_cast<int>(std::min<int64_t>(kGemmMr, rows - r));
        GemmTileOut to;
        to.c = c + r * kGemmNr;
        to.load_c = k0 > 0;
        if (widen) {
          kern.tile_f32_abf16(static_cast<const uint16_t*>(w) + (n0 + r) * k + k0, k, tile_rows,
                              reinterpret_cast<const float*>(panel) + k0 * kGemmNr, kb, to);
        } else if (type == GemmType::kBf16) {
          kern.tile_bf16(static_cast<const uint16_t*>(w) + (n0 + r) * k + k0, k, tile_rows,
                         reinterpret_cast<const uint16_t*>(panel) + k0 * kGemmNr, kb, to);
        } else {
          kern.tile_f32(static_cast<const float*>(w) + (n0 + r) * k + k0, k, tile_rows,
                        reinterpret_cast<const float*>(panel) + k0 * kGemmNr, kb, to);
        }
      }
    }
    const int rws = static_cast<int>(rows);
    if (bias != nullptr) kern.add_bias_per_row(c, rws, bias + n0);
    ApplyActivation(out.act, c, rows * kGemmNr);
    const int64_t at = p * kGemmNr * n + n0;
    kern.store_transposed(c, rws, static_cast<int>(cols), out.ybf == nullptr ? out.y + at : nullptr,
                          out.ybf == nullptr ? nullptr : out.ybf + at, n, out.accumulate);
  };

  const int64_t units = panels * groups;
  RunUnits(units, threads, run_unit);
}

}  // namespace

void GemmUnpacked(const void* x, int64_t m, const void* w, GemmType type, int64_t n, int64_t k, const float* bias,
                  const GemmOutput& out) {
  if (m <= 0 || n <= 0) return;
  // Blocks of rows, so that the packed copy of x stays small (it would double a long prompt's
  // activations otherwise).
  const size_t elem = type == GemmType::kBf16 && !Bf16TakesF32Input() ? 2 : 4;
  for (int64_t r0 = 0; r0 < m; r0 += kUnpackedRows) {
    GemmOutput part = out;
    if (part.y != nullptr) part.y += r0 * n;
    if (part.ybf != nullptr) part.ybf += r0 * n;
    GemmUnpackedRows(static_cast<const char*>(x) + static_cast<size_t>(r0 * k) * elem, std::min(kUnpackedRows, m - r0),
                     w, type, n, k, bias, part);
  }
}

}  // namespace mhub::core::cpu
