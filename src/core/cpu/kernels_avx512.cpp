// The avx512 build of the kernel table (compiled with this ISA's -m flags; see src/core/CMakeLists.txt).
#define MHUB_SIMD_AVX512 1
#include "core/cpu/kernel_table.h"
#include "core/cpu/simd.h"

#include "core/cpu/kernels_impl.inc"

namespace mhub::core::cpu {
const KernelTable kKernelsAvx512 = MHUB_KERNEL_TABLE(Isa::kAvx512);
}  // namespace mhub::core::cpu
