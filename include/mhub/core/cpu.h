// Run-time CPU dispatch and threading for mhub_core kernels.
//
// Every kernel has an AVX-512 (f+bw+dq+vl, bf16 where present), an AVX2+FMA and a scalar build;
// the best one the CPU supports is used unless a test forces another with SetIsa.
// Parallel kernels (the own GEMM included) run on one pool of workers that spin briefly between
// jobs and then sleep; oneDNN, used where the own GEMM cannot run, keeps its OpenMP team, and the
// pool's workers go to sleep before each oneDNN call so the two do not compete for the cores.
#pragma once

#include <string_view>

#include "mhub/base/status.h"

namespace mhub::core {

enum class Isa { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

std::string_view IsaName(Isa isa);  // "scalar", "avx2", "avx512"
// The best ISA this CPU (and OS) supports.
Isa DetectIsa();
// Whether `isa` can run here.
bool IsaSupported(Isa isa);
// The ISA kernels use now (DetectIsa() unless SetIsa was called).
Isa ActiveIsa();
// Forces kernels to `isa` (tests, benchmarks). Unsupported when the CPU lacks it. Not to be called
// while kernels run on other threads.
Status SetIsa(Isa isa);

// Threads used by our kernels and by oneDNN when called from this thread (the calling thread's
// OpenMP default, omp_set_num_threads; new threads start from OMP_NUM_THREADS or one per core).
// 0 = one per core.
void SetNumThreads(int n);
int NumThreads();

}  // namespace mhub::core
