// Run-time CPU dispatch and threading for mhub_core kernels.
//
// Every kernel has an AVX-512 (f+bw+dq+vl, bf16 and vnni where present), an AVX2+FMA and a scalar
// build; the best one the CPU supports is used, unless the environment variable MHUB_ISA forces a
// lower one (see StartupIsa) or a test forces another with SetIsa.
// Parallel kernels (the own GEMM included) run on one pool of workers that spin briefly between
// jobs and then sleep; oneDNN, used only where asked for (MatmulBackend::kOneDnn), keeps its OpenMP
// team, and the pool's workers go to sleep before each oneDNN call so the two do not compete.
#pragma once

#include <string>
#include <string_view>

#include "mhub/base/status.h"

namespace mhub::core {

enum class Isa { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

std::string_view IsaName(Isa isa);  // "scalar", "avx2", "avx512"
// The best ISA this CPU (and OS) supports (ignores MHUB_ISA).
Isa DetectIsa();
// Whether `isa` can run here: at most StartupIsa() (under MHUB_ISA=avx2 the process behaves as on a
// CPU without AVX-512).
bool IsaSupported(Isa isa);
// The ISA the process starts with: DetectIsa(), or the one named by MHUB_ISA=avx512|avx2|scalar
// when that is lower (a higher one than the CPU has, or an unknown name, is refused with one
// "mhub: warning:" line on stderr and the detected ISA is used). Read once. oneDNN is capped to the
// same ISA before its first use (avx2: AVX2; scalar: SSE4.1, its lowest), so under MHUB_ISA=avx2 no
// AVX-512 instruction runs anywhere in mhub_core.
Isa StartupIsa();
// "MHUB_ISA" when the environment forced StartupIsa() below DetectIsa(), else "detected".
std::string_view StartupIsaSource();
// The ISA kernels use now (StartupIsa() unless SetIsa was called).
Isa ActiveIsa();
// Forces our kernels to `isa` (tests, benchmarks). Unsupported unless IsaSupported(isa). Not to be
// called while kernels run on other threads. Layers keep the GEMM panels they packed under the ISA
// active then; oneDNN keeps the cap StartupIsa() gave it.
Status SetIsa(Isa isa);

// What the CPU has (not what the active ISA uses).
struct CpuFeatures {
  bool avx2 = false, fma = false, f16c = false;
  bool avx512 = false;  // f + bw + dq + vl (the avx512 kernels' baseline)
  bool avx512_bf16 = false, avx512_vnni = false, avx_vnni = false;
  bool amx_tile = false, amx_bf16 = false, amx_int8 = false;
};
const CpuFeatures& GetCpuFeatures();
// /proc/cpuinfo's "model name" (the CPUID brand string where that is missing), e.g. "AMD EPYC 9B14".
std::string CpuModelName();
// Whether the active kernels use bf16 dot products (AVX512_BF16 vdpbf16ps; else bf16 weights are
// widened to f32) and int8 dot products (AVX512_VNNI vpdpbusd; else AVX2 vpmaddubsw or scalar).
bool ActiveHasBf16Dot();
bool ActiveHasVnni();
// One line for bug reports and benchmark output: model name, active ISA (and why), the dot
// products in use, oneDNN's cap. E.g. "AMD EPYC 9B14 | isa avx2 (MHUB_ISA; cpu avx512) | bf16:
// widened to f32, int8: vpmaddubsw | oneDNN max ISA avx2".
std::string CpuSummary();

// Threads used by our kernels and by oneDNN when called from this thread (the calling thread's
// OpenMP default, omp_set_num_threads; new threads start from OMP_NUM_THREADS or one per core).
// 0 = one per core.
void SetNumThreads(int n);
int NumThreads();

}  // namespace mhub::core
