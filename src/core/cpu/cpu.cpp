#include "mhub/core/cpu.h"

#include <cpuid.h>
#include <omp.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>

#include "core/cpu/attention_bf16.h"
#include "core/cpu/kernel_table.h"

namespace mhub::core {
namespace {

// CPUID leaf 7 (sub-leaf `sub`) registers; zeros where the leaf is missing.
struct Leaf7 {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
};
Leaf7 ReadLeaf7(unsigned sub) {
  Leaf7 l;
  if (static_cast<unsigned>(__get_cpuid_max(0, nullptr)) < 7u) return l;
  __cpuid_count(7, sub, l.eax, l.ebx, l.ecx, l.edx);
  return l;
}

CpuFeatures ReadFeatures() {
  __builtin_cpu_init();
  CpuFeatures f;
  f.avx2 = __builtin_cpu_supports("avx2");
  f.fma = __builtin_cpu_supports("fma");
  // F16C from CPUID leaf 1 directly: clang 14's __builtin_cpu_supports does not know "f16c".
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0) f.f16c = (ecx & bit_F16C) != 0;
  f.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && f.fma;
  f.avx512_bf16 = f.avx512 && __builtin_cpu_supports("avx512bf16");
  f.avx512_vnni = f.avx512 && __builtin_cpu_supports("avx512vnni");
  // AVX-VNNI and AMX are read from CPUID (not every compiler's __builtin_cpu_supports knows them);
  // they are reported only: no kernel uses them.
  const Leaf7 l0 = ReadLeaf7(0), l1 = ReadLeaf7(1);
  f.avx_vnni = f.avx2 && (l1.eax & (1u << 4)) != 0;
  f.amx_bf16 = (l0.edx & (1u << 22)) != 0;
  f.amx_tile = (l0.edx & (1u << 24)) != 0;
  f.amx_int8 = (l0.edx & (1u << 25)) != 0;
  return f;
}

// MHUB_ISA, capped to the CPU (with a warning when it asks for more, or for something unknown).
struct Startup {
  Isa isa = Isa::kScalar;
  bool forced = false;
};

Startup ReadStartup() {
  Startup s;
  s.isa = DetectIsa();
  const char* env = std::getenv("MHUB_ISA");
  if (env == nullptr || *env == '\0') return s;
  std::string v(env);
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Isa want;
  if (v == "avx512") {
    want = Isa::kAvx512;
  } else if (v == "avx2") {
    want = Isa::kAvx2;
  } else if (v == "scalar") {
    want = Isa::kScalar;
  } else {
    std::fprintf(stderr, "mhub: warning: MHUB_ISA=%s is not one of avx512, avx2, scalar; using %s\n", env,
                 std::string(IsaName(s.isa)).c_str());
    return s;
  }
  if (static_cast<int>(want) > static_cast<int>(s.isa)) {
    std::fprintf(stderr, "mhub: warning: MHUB_ISA=%s but this CPU runs at most %s; using %s\n", env,
                 std::string(IsaName(s.isa)).c_str(), std::string(IsaName(s.isa)).c_str());
    return s;
  }
  s.forced = want != s.isa;
  s.isa = want;
  return s;
}

// oneDNN's cap for the startup ISA (empty: none). Set once, before oneDNN dispatches anything: the
// first StartupIsa() call comes before Linear's first oneDNN engine.
const char* OneDnnCapName(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "sse41";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      break;
  }
  return "";
}

const Startup& StartupState() {
  static const Startup s = [] {
    Startup st = ReadStartup();
    if (st.isa != Isa::kAvx512) {
      // Where the CPU itself has nothing more this changes nothing; under MHUB_ISA it keeps
      // oneDNN's JIT off the higher ISA too.
      (void)dnnl::set_max_cpu_isa(st.isa == Isa::kAvx2 ? dnnl::cpu_isa::avx2 : dnnl::cpu_isa::sse41);
    }
    return st;
  }();
  return s;
}

std::atomic<int>& ActiveIsaSlot() {
  static std::atomic<int> slot{static_cast<int>(StartupIsa())};
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

const CpuFeatures& GetCpuFeatures() {
  static const CpuFeatures f = ReadFeatures();
  return f;
}

Isa DetectIsa() {
  const CpuFeatures& f = GetCpuFeatures();
  if (f.avx512) return Isa::kAvx512;
  if (f.avx2 && f.fma && f.f16c) return Isa::kAvx2;
  return Isa::kScalar;
}

bool IsaSupported(Isa isa) { return static_cast<int>(isa) <= static_cast<int>(StartupIsa()); }

Isa StartupIsa() { return StartupState().isa; }

std::string_view StartupIsaSource() { return StartupState().forced ? "MHUB_ISA" : "detected"; }

Isa ActiveIsa() { return static_cast<Isa>(ActiveIsaSlot().load(std::memory_order_relaxed)); }

Status SetIsa(Isa isa) {
  if (!IsaSupported(isa))
    return Status::Unsupported(std::string(IsaName(isa)) + " kernels cannot run here (" +
                               (StartupIsa() < DetectIsa()
                                    ? "MHUB_ISA=" + std::string(IsaName(StartupIsa()))
                                    : "the CPU runs at most " + std::string(IsaName(DetectIsa()))) +
                               ")");
  ActiveIsaSlot().store(static_cast<int>(isa), std::memory_order_relaxed);
  return Status::OK();
}

bool ActiveHasBf16Dot() { return ActiveIsa() == Isa::kAvx512 && GetCpuFeatures().avx512_bf16; }

bool ActiveHasVnni() { return ActiveIsa() == Isa::kAvx512 && GetCpuFeatures().avx512_vnni; }

std::string CpuModelName() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) break;
    size_t b = colon + 1;
    while (b < line.size() && line[b] == ' ') ++b;
    return line.substr(b);
  }
  // The CPUID brand string (leaves 0x80000002..4).
  unsigned regs[12] = {};
  if (static_cast<unsigned>(__get_cpuid_max(0x80000000u, nullptr)) < 0x80000004u) return "unknown CPU";
  for (unsigned i = 0; i < 3; ++i)
    __get_cpuid(0x80000002u + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
  char brand[49] = {};
  std::memcpy(brand, regs, 48);
  std::string s(brand);
  const size_t b = s.find_first_not_of(' ');
  return b == std::string::npos ? "unknown CPU" : s.substr(b);
}

std::string CpuSummary() {
  const Isa isa = ActiveIsa();
  std::string s = CpuModelName() + " | isa " + std::string(IsaName(isa));
  if (isa != DetectIsa()) {
    s += " (";
    s += isa == StartupIsa() ? std::string(StartupIsaSource()) : std::string("SetIsa");
    s += "; cpu " + std::string(IsaName(DetectIsa())) + ")";
  }
  s += ActiveHasBf16Dot() ? " | bf16: vdpbf16ps" : " | bf16: widened to f32";
  s += ActiveHasVnni() ? ", int8: vpdpbusd" : isa == Isa::kScalar ? ", int8: scalar" : ", int8: vpmaddubsw";
  const char* cap = OneDnnCapName(StartupIsa());
  s += " | oneDNN max ISA " + std::string(*cap != '\0' ? cap : "all");
  return s;
}

void SetNumThreads(int n) { omp_set_num_threads(n > 0 ? n : omp_get_num_procs()); }

int NumThreads() { return omp_get_max_threads(); }

namespace cpu {

bool HasAvx512Bf16() { return ActiveHasBf16Dot(); }

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
