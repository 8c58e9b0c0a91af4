#include "mhub/core/cpu.h"

#include <cpuid.h>
#include <omp.h>

#include <atomic>

#include "core/cpu/attention_bf16.h"
#include "core/cpu/kernel_table.h"

namespace mhub::core {
namespace {

bool CpuHasAvx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma");
}

// F16C is read from CPUID leaf 1 directly: clang 14's __builtin_cpu_supports does not know "f16c".
bool CpuHasF16c() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (ecx & bit_F16C) != 0;
}

bool CpuHasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && CpuHasF16c();
}

std::atomic<int>& ActiveIsaSlot() {
  static std::atomic<int> slot{static_cast<int>(DetectIsa())};
  return slot;
}

}  // namespace

std::string_view IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "scalar";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
  }
  return "unknown";
}

Isa DetectIsa() {
  if (CpuHasAvx512()) return Isa::kAvx512;
  if (CpuHasAvx2()) return Isa::kAvx2;
  return Isa::kScalar;
}

bool IsaSupported(Isa isa) { return static_cast<int>(isa) <= static_cast<int>(DetectIsa()); }

Isa ActiveIsa() { return static_cast<Isa>(ActiveIsaSlot().load(std::memory_order_relaxed)); }

Status SetIsa(Isa isa) {
  if (!IsaSupported(isa)) return Status::Unsupported("this CPU cannot run " + std::string(IsaName(isa)) + " kernels");
  ActiveIsaSlot().store(static_cast<int>(isa), std::memory_order_relaxed);
  return Status::OK();
}

void SetNumThreads(int n) { omp_set_num_threads(n > 0 ? n : omp_get_num_procs()); }

int NumThreads() { return omp_get_max_threads(); }

namespace cpu {

bool HasAvx512Bf16() {
  static const bool has = [] {
    __builtin_cpu_init();
    return CpuHasAvx512() && __builtin_cpu_supports("avx512bf16");
  }();
  return has;
}

const KernelTable& KernelsFor(Isa isa) {
  switch (isa) {
    case Isa::kAvx512:
      return kKernelsAvx512;
    case Isa::kAvx2:
      return kKernelsAvx2;
    case Isa::kScalar:
      break;
  }
  return kKernelsScalar;
}

const KernelTable& Kernels() { return KernelsFor(ActiveIsa()); }

}  // namespace cpu
}  // namespace mhub::core
