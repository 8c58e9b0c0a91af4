// The MHUB_ISA switch (mhub/core/cpu.h): the process behaves as on a CPU whose best ISA is the one
// named, oneDNN included. CTest runs this binary once per ISA the machine has (tests/core/CMakeLists.txt),
// so each case checks the switch under the value it was started with.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>

#include "core/cpu/attention_bf16.h"
#include "core_test_util.h"
#include "mhub/core/cpu.h"
#include "mhub/core/linear.h"

namespace mhub::core {
namespace {

// What MHUB_ISA asks for (the detected ISA when unset or unknown), capped to the CPU.
Isa Expected() {
  const char* env = std::getenv("MHUB_ISA");
  const std::string v = env == nullptr ? "" : env;
  Isa want = v == "avx512" ? Isa::kAvx512 : v == "avx2" ? Isa::kAvx2 : v == "scalar" ? Isa::kScalar : DetectIsa();
  return static_cast<int>(want) < static_cast<int>(DetectIsa()) ? want : DetectIsa();
}

// stdout+stderr and exit status of this test binary run with `env` and a gtest filter. Under an
// emulated CPU (scripts/run-tests-as-cpu) the child runs under the same emulator, since QEMU user
// mode does not follow exec().
std::pair<std::string, int> RunSelf(const std::string& env, const std::string& filter) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const char* emulator = std::getenv("MHUB_TEST_EMULATOR");
  const std::string prefix = emulator == nullptr ? "" : std::string(emulator) + " ";
  FILE* p = popen((env + " " + prefix + "'" + self + "' --gtest_filter=" + filter + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while (p != nullptr && (n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = p == nullptr ? -1 : pclose(p);
  return {out, rc};
}

TEST(CpuIsa, StartupIsaFollowsMhubIsa) {
  const Isa want = Expected();
  EXPECT_EQ(StartupIsa(), want);
  EXPECT_EQ(ActiveIsa(), want);
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    const bool runs = static_cast<int>(isa) <= static_cast<int>(want);
    EXPECT_EQ(IsaSupported(isa), runs) << IsaName(isa);
    EXPECT_EQ(SetIsa(isa).ok(), runs) << IsaName(isa);
  }
  ASSERT_TRUE(SetIsa(want).ok());
  // The AVX-512 extensions follow the ISA, not the CPU.
  if (want != Isa::kAvx512) {
    EXPECT_FALSE(ActiveHasBf16Dot());
    EXPECT_FALSE(ActiveHasVnni());
    EXPECT_FALSE(cpu::HasAvx512Bf16());
  } else {
    EXPECT_EQ(ActiveHasBf16Dot(), GetCpuFeatures().avx512_bf16);
    EXPECT_EQ(ActiveHasVnni(), GetCpuFeatures().avx512_vnni);
  }
}

// oneDNN dispatches to at most the startup ISA (its cpu_isa values are bit sets: avx2 = sse41|avx|avx2).
TEST(CpuIsa, OneDnnIsCappedLikewise) {
  LinearOptions opt;
  opt.backend = MatmulBackend::kOneDnn;
  Linear lin = Linear::Create(testing::RandomTensor({16, 32}, 1), Tensor(), WeightLayout::kOutIn, opt).value();
  Tensor y = Tensor::Empty(DType::kF32, {8, 16});
  ASSERT_TRUE(lin.Forward(testing::RandomTensor({8, 32}, 2), y).ok());
  const auto effective = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  if (StartupIsa() == Isa::kAvx2) {
    EXPECT_EQ(effective & ~static_cast<unsigned>(dnnl::cpu_isa::avx2), 0u) << std::hex << effective;
  } else if (StartupIsa() == Isa::kScalar) {
    EXPECT_EQ(effective & ~static_cast<unsigned>(dnnl::cpu_isa::sse41), 0u) << std::hex << effective;
  }
}

// An unknown name, or an ISA above the CPU's, is refused with one warning line; the process goes on
// with the detected ISA (the child runs the case above, which checks that).
TEST(CpuIsa, UnknownOrTooHighValuesWarn) {
  auto [out, rc] = RunSelf("MHUB_ISA=avx1024", "CpuIsa.StartupIsaFollowsMhubIsa");
  EXPECT_NE(out.find("mhub: warning: MHUB_ISA=avx1024 is not one of avx512, avx2, scalar"), std::string::npos) << out;
  EXPECT_EQ(rc, 0) << out;
  if (DetectIsa() != Isa::kAvx512) {
    std::tie(out, rc) = RunSelf("MHUB_ISA=avx512", "CpuIsa.StartupIsaFollowsMhubIsa");
    EXPECT_NE(out.find("mhub: warning: MHUB_ISA=avx512 but this CPU runs at most"), std::string::npos) << out;
    EXPECT_EQ(rc, 0) << out;
  }
}

TEST(CpuIsa, ModelNameAndSummary) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      EXPECT_NE(line.find(CpuModelName()), std::string::npos) << line;
      break;
    }
  EXPECT_FALSE(CpuModelName().empty());
  const std::string summary = CpuSummary();
  EXPECT_NE(summary.find("isa " + std::string(IsaName(ActiveIsa()))), std::string::npos) << summary;
}

}  // namespace
}  // namespace mhub::core
