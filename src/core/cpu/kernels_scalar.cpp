// The scalar build of the kernel table (compiled with this ISA's -m flags; see src/core/CMakeLists.txt).
#define MHUB_SIMD_SCALAR 1
#include "core/cpu/kernel_table.h"
#include "core/cpu/simd.h"

#include "core/cpu/kernels_impl.inc"

namespace mhub::core::cpu {
const KernelTable kKernelsScalar = MHUB_KERNEL_TABLE(Isa::kScalar);
}  // namespace mhub::core::cpu
