// mhub's own GEMM for Linear on every x86-64 CPU: y = epilogue(x W^T) with W packed once into
// 64-column panels (see gemm_tiles.h for the layouts and the per-ISA register tiles), or read where
// it is (GemmUnpacked: x is packed instead, for the calls made before W's panels exist).
//
// Why not oneDNN here: the work is cut into (row chunk, panel) units that the threads take one at a
// time, so a thread that the machine's other load slows down simply takes fewer units (oneDNN splits
// statically: every call waits for its slowest thread); bias, activation, the residual add and the
// bf16 narrowing run on each tile while it is in L1; and the same code runs on AVX-512, AVX2 and
// plain x86-64 (oneDNN has no bf16 matmul below AVX-512).
#pragma once

#include <cstdint>
#include <memory>

#include "mhub/core/linear.h"

namespace mhub::core::cpu {

struct GemmKernels;  // gemm_tiles.h

enum class GemmType {
  kF32,   // f32 weights and activations, f32 FMA
  kBf16,  // bf16 weights and activations, f32 products and sums (vdpbf16ps; elsewhere the weights
          // are widened to f32 and x comes as f32 holding bf16-rounded values: the same products)
  kI8,    // int8 weights with one scale per output row (scale = max|w| / 127, CTranslate2's scheme)
          // and f32 activations quantized per row on each call; exact int32 sums (vpdpbusd on
          // AVX512_VNNI, vpmaddubsw on AVX2, plain loops on scalar)
};

// Whether the own GEMM runs here for this type: on every ISA (kept for the callers that ask).
bool OwnGemmAvailable(GemmType type);
// Whether kBf16 takes x as f32 (bf16-rounded values) on the active ISA: no bf16 dot product there.
bool Bf16TakesF32Input();

class GemmWeights {
 public:
  GemmWeights() = default;
  // w: (n, k) row-major, BF16 bits for kBf16, else F32 (kI8 quantizes them); bias: n floats or null.
  static GemmWeights Pack(const void* w, GemmType type, int64_t n, int64_t k, const float* bias);
  // kF32 or kBf16 from w (k, n) row-major (GPT-2's Conv1D layout: the panels are slices of its rows).
  static GemmWeights PackInOut(const void* w, GemmType type, int64_t n, int64_t k, const float* bias);
  // Both pack for the active ISA's tiles and keep them: Gemm runs these weights with those tiles.

  bool defined() const { return data_ != nullptr; }
  int64_t n() const { return n_; }
  int64_t k() const { return k_; }
  GemmType type() const { return type_; }
  // The panels hold f32 (kF32, and kBf16 widened where the tiles have no bf16 dot product): Gemm then
  // takes x as F32.
  bool f32_panels() const { return f32_panels_; }
  const GemmKernels& kernels() const { return *kernels_; }
  int64_t panels() const { return (n_ + kPanel - 1) / kPanel; }
  // Elements (floats, bf16 or int8) from one panel to the next.
  int64_t panel_stride() const { return panel_stride_; }
  const void* data() const { return data_.get(); }
  const float* bias() const { return bias_.get(); }  // panels() * 64 floats (zero padded) or null
  // kI8: per output column, the weight scale and 128 * the sum of its int8 weights (panels() * 64).
  const float* col_scale() const { return col_scale_.get(); }
  const int32_t* col_comp() const { return col_comp_.get(); }

  // Asks the kernel to back the panels with 2 MB pages now (MADV_HUGEPAGE + MADV_COLLAPSE, advisory):
  // fewer TLB misses for every later call, but the collapse copies them into fresh pages, which is
  // slow on VMs: call it off the critical path (the background thread).
  void MoveToHugePages() const;

  static constexpr int64_t kPanel = 64;

  struct Free {
    void operator()(void* p) const;
  };

 private:
  // Sizes and the uninitialised panels for (n, k) weights of `type`.
  static GemmWeights Allocate(GemmType type, int64_t n, int64_t k);

  int64_t n_ = 0, k_ = 0, panel_stride_ = 0;
  size_t bytes_ = 0;  // of data_
  GemmType type_ = GemmType::kF32;
  bool f32_panels_ = true;
  const GemmKernels* kernels_ = nullptr;
  std::shared_ptr<void> data_;
  std::shared_ptr<float> bias_, col_scale_;
  std::shared_ptr<int32_t> col_comp_;
};

struct GemmOutput {
  float* y = nullptr;       // (m, n) F32, or
  uint16_t* ybf = nullptr;  // (m, n) BF16 (round to nearest even; not for kI8)
  Activation act = Activation::kNone;
  bool accumulate = false;  // y += result (F32 y only)
};

// x[i] = act(x[i]) for i < n with the active ISA's kernels (kNone: unchanged).
void ApplyActivation(Activation act, float* x, int64_t n);

// x: (m, k) row-major, BF16 bits for kBf16 weights with bf16 panels, else F32 (for widened kBf16
// weights: values the caller rounded to bf16). Runs on the worker pool (team.h).
void Gemm(const void* x, int64_t m, const GemmWeights& w, const GemmOutput& out);

// The same product read from the weights where they are, on the active ISA: w (n, k) row-major, F32
// for kF32 or BF16 bits for kBf16 (not kI8); x as Gemm takes it for weights packed now
// (Bf16TakesF32Input()); bias: n floats or null. Each call packs x instead (the weight rows become
// the register tiles' rows); each output is the same sequential sum over k as in Gemm, so the
// results are bitwise the same as Gemm's over GemmWeights::Pack(w, type, n, k, bias).
void GemmUnpacked(const void* x, int64_t m, const void* w, GemmType type, int64_t n, int64_t k, const float* bias,
                  const GemmOutput& out);

}  // namespace mhub::core::cpu
