// Linear: y = act(x W^T + b) (+ y when accumulating), the nn.Linear / GPT-2 Conv1D of the models.
//
// Weights are prepared once at load time (Create) and reused for every call:
//   - M (rows of x) <= kGemvMaxRows: our own AVX-512/AVX2/scalar GEMV streams the (out, in) row-major
//     weights (F32 or BF16 as stored, BF16 widened as it is read; memory-bound decode reads each
//     weight byte once);
//   - larger M: mhub's own GEMM (core/cpu/gemm.h) on every ISA, over weights packed once into
//     64-column panels, threads taking (rows, panel) units one at a time. BF16 compute rounds x to
//     BF16 and sums the exact products in F32 (as torch bf16 linear on CPU): with vdpbf16ps on
//     AVX512_BF16, elsewhere on BF16 weights widened to F32 in the panels (the same products);
//   - MatmulBackend::kOneDnn: a oneDNN matmul whose weights were reordered once into oneDNN's
//     preferred blocked layout; primitives are cached per M; bias, activation and the residual add
//     run fused in the primitive. Where oneDNN has no primitive (BF16 below AVX-512) the own GEMM runs.
// Activations x and y are F32 (or BF16, see Forward). Create/Forward are thread-safe (the primitive cache is locked).
#pragma once

#include <cstdint>
#include <memory>

#include "mhub/base/result.h"
#include "mhub/core/tensor.h"

namespace mhub::core {

enum class WeightLayout {
  kOutIn,  // (out, in): torch nn.Linear.weight, also a tied embedding used as lm_head
  kInOut,  // (in, out): GPT-2 Conv1D.weight
};

enum class Activation { kNone, kGeluErf, kGeluTanh, kRelu, kSilu };

// Where matmuls with M > kGemvMaxRows run (at every M for (in, out) weights that the own GEMM packs
// from where they are: GPT-2's Conv1D in the compute dtype). The own GEMM (every ISA: AVX-512, AVX2,
// scalar) either reads the weights where they are (the mmap'd checkpoint: each call packs x instead)
// or a copy packed once into panels (faster for the larger M); both give the same values.
enum class MatmulBackend {
  kAuto,      // own GEMM: the weights as they are until a background thread has packed them, then
              // the panels (the first forward does not wait for packing). The environment variable
              // MHUB_GEMM=onednn|packed|unpacked turns kAuto into one of the others (comparisons).
  kOneDnn,    // always oneDNN
  kPacked,    // own GEMM, weights packed by the first call that needs them
  kUnpacked,  // own GEMM, weights never packed (I8 weights are always packed: quantizing copies them)
};

struct LinearOptions {
  // Compute precision: kF32, kBF16 or kI8. BF16 weights compute in BF16 unless kI8 is asked for;
  // F32/F16 weights compute in F32 unless kBF16 is asked for (then they are rounded to BF16 once
  // at Create). kI8 (dynamic quantization, CTranslate2's int8 scheme): weights quantized once per
  // output row (scale = max|w| / 127), activations per row on every call, exact int32 sums (VNNI,
  // AVX2 vpmaddubsw or scalar: the same values), F32 x and y.
  DType compute = DType::kF32;
  MatmulBackend backend = MatmulBackend::kAuto;
};

inline constexpr int64_t kGemvMaxRows = 4;

// Blocks until the weights that Linear layers have queued for packing so far are packed, and their
// panels moved to huge pages (benchmarks and tests that measure the steady state; nothing needs it
// for correctness).
void WaitForPackedWeights();

class Linear {
 public:
  Linear() = default;
  // weight: 2-D F32/BF16/F16 in `layout`; bias: (out) F32/BF16/F16 or undefined.
  // The weight tensor is kept alive (zero-copy when it is already (out,in) in the compute dtype).
  static Result<Linear> Create(const Tensor& weight, const Tensor& bias, WeightLayout layout,
                               const LinearOptions& options = {});

  int64_t in_features() const;
  int64_t out_features() const;
  DType compute_dtype() const;
  bool defined() const { return impl_ != nullptr; }

  // x: (..., in); y: (..., out) with the same leading dims; y must not overlap x.
  // y = act(x W^T + b), or y += act(x W^T + b) when `accumulate` (residual add).
  // x and y are F32, or BF16 when compute_dtype() is BF16: a BF16 x is used as is (no conversion),
  // a BF16 y receives the F32 result rounded to nearest even (not with `accumulate`). BF16 lets one
  // bf16 layer feed the next without F32 round trips (BERT's GELU output into its output dense).
  Status Forward(const Tensor& x, Tensor& y, Activation act = Activation::kNone, bool accumulate = false) const;

  // Whether the own GEMM's packed panels are in use (tests; false for oneDNN and GEMV-only use).
  bool packed() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace mhub::core
