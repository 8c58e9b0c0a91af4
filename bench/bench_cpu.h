// Shared by the bench programs: which CPU and ISA a figure was measured on, and the PyTorch peer held
// to the same ISA (header-only; not a bench program itself).
//
// The peer is PyTorch at its best for that ISA: Debian's OpenBLAS picks its generic Prescott kernels
// on these VMs unless told the core type, so avx512 runs it as Cooperlake; avx2 (a real AVX2 CPU, or
// MHUB_ISA=avx2 on an AVX-512 one) as Haswell with oneDNN and ATen's own kernels capped to AVX2;
// scalar as Prescott with oneDNN at SSE4.1 and ATen's default (non-AVX) kernels. (Under a forced
// avx2 on an AVX-512 CPU the peer's bf16 rows fail: PyTorch sends bf16 matmuls to oneDNN by the CPU's
// own flags, and the cap leaves oneDNN without a bf16 matmul; on a real AVX2 CPU it takes its own.)
#pragma once

#include <cstdlib>
#include <string>

#include "mhub/core/cpu.h"

namespace mhub::bench {

// "AMD EPYC 9B14, isa avx2 (MHUB_ISA; cpu avx512)": printed next to every ratio.
inline std::string CpuTag() {
  const core::Isa isa = core::ActiveIsa();
  std::string tag = core::CpuModelName() + ", isa " + std::string(core::IsaName(isa));
  if (isa != core::DetectIsa())
    tag += " (forced by MHUB_ISA; cpu " + std::string(core::IsaName(core::DetectIsa())) + ")";
  return tag;
}

// The environment the peer runs with (NAME=VALUE pairs, space-separated) for the active ISA.
inline std::string PeerEnv() {
  switch (core::ActiveIsa()) {
    case core::Isa::kAvx512:
      return "OPENBLAS_CORETYPE=Cooperlake";
    case core::Isa::kAvx2:
      return "OPENBLAS_CORETYPE=Haswell ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2";
    case core::Isa::kScalar:
      break;
  }
  return "OPENBLAS_CORETYPE=Prescott ONEDNN_MAX_CPU_ISA=SSE41 DNNL_MAX_CPU_ISA=SSE41 ATEN_CPU_CAPABILITY=default";
}

// Sets PeerEnv() in this process's environment (a forked child before it execs the peer).
inline void SetPeerEnv() {
  const std::string env = PeerEnv();
  size_t at = 0;
  while (at < env.size()) {
    size_t end = env.find(' ', at);
    if (end == std::string::npos) end = env.size();
    const std::string pair = env.substr(at, end - at);
    const size_t eq = pair.find('=');
    setenv(pair.substr(0, eq).c_str(), pair.substr(eq + 1).c_str(), 1);
    at = end + 1;
  }
}

}  // namespace mhub::bench
