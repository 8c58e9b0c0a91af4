// mhub's own GEMM for Linear on AVX-512 CPUs: y = epilogue(x W^T) with W packed once into
// 64-column panels (see gemm_tiles.h for the layouts and the register tiles).
//
// Why not oneDNN here: the work is cut into (row chunk, panel) units that the threads take one at a
// time, so a thread that the machine's other load slows down simply takes fewer units (oneDNN splits
// statically: every call waits for its slowest thread); bias, activation, the residual add and the
// bf16 narrowing run on each tile while it is in L1.
#pragma once

#include <cstdint>
#include <memory>

#include "mhub/core/linear.h"

namespace mhub::core::cpu {

// Whether the own GEMM runs here for this compute dtype (F32: active ISA avx512; BF16: also
// AVX512_BF16).
bool OwnGemmAvailable(bool bf16);

class GemmWeights {
 public:
  GemmWeights() = default;
  // w: (n, k) row-major, F32 (bf16 = false) or BF16 bits (bf16 = true); bias: n floats or null.
  static GemmWeights Pack(const void* w, bool bf16, int64_t n, int64_t k, const float* bias);

  bool defined() const { return data_ != nullptr; }
  int64_t n() const { return n_; }
  int64_t k() const { return k_; }
  bool bf16() const { return bf16_; }
  int64_t panels() const { return (n_ + kPanel - 1) / kPanel; }
  // Elements (floats or bf16) from one panel to the next.
  int64_t panel_stride() const { return panel_stride_; }
  const void* data() const { return data_.get(); }
  const float* bias() const { return bias_.get(); }  // panels() * 64 floats (zero padded) or null

  static constexpr int64_t kPanel = 64;

 private:
  struct Free {
    void operator()(void* p) const;
  };
  int64_t n_ = 0, k_ = 0, panel_stride_ = 0;
  bool bf16_ = false;
  std::shared_ptr<void> data_;
  std::shared_ptr<float> bias_;
};

struct GemmOutput {
  float* y = nullptr;       // (m, n) F32, or
  uint16_t* ybf = nullptr;  // (m, n) BF16 (round to nearest even)
  Activation act = Activation::kNone;
  bool accumulate = false;  // y += result (F32 y only)
};

// x[i] = act(x[i]) for i < n with the active ISA's kernels (kNone: unchanged).
void ApplyActivation(Activation act, float* x, int64_t n);

// x: (m, k) row-major, F32 for F32 weights, BF16 bits for BF16 weights. Runs on the OpenMP team.
void Gemm(const void* x, int64_t m, const GemmWeights& w, const GemmOutput& out);

}  // namespace mhub::core::cpu
