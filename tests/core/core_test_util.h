// Shared helpers for the mhub_core tests: random tensors, closeness checks, the ISAs to run.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "mhub/core/cpu.h"
#include "mhub/core/tensor.h"

namespace mhub::core::testing {

inline Tensor RandomTensor(const Shape& shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(shape.numel()));
  for (float& f : v) f = dist(rng);
  return Tensor::FromVector(v, shape);
}

// Every ISA this process may run (up to MHUB_ISA's cap: the fast path is tested on each, not only the best one).
inline std::vector<Isa> SupportedIsas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512})
    if (IsaSupported(isa)) out.push_back(isa);
  return out;
}

inline std::string IsaParamName(const ::testing::TestParamInfo<Isa>& info) { return std::string(IsaName(info.param)); }

// Asserts |a - b| <= atol + rtol |b| element-wise; reports the first few failures.
inline void ExpectClose(const float* a, const float* b, int64_t n, float atol, float rtol, const std::string& what) {
  int failures = 0;
  for (int64_t i = 0; i < n && failures < 5; ++i) {
    const float tol = atol + rtol * std::fabs(b[i]);
    if (!(std::fabs(a[i] - b[i]) <= tol) && !(std::isnan(a[i]) && std::isnan(b[i]))) {
      ADD_FAILURE() << what << ": element " << i << " got " << a[i] << " expected " << b[i] << " (tol " << tol << ")";
      ++failures;
    }
  }
}

inline void ExpectClose(const Tensor& a, const std::vector<float>& b, float atol, float rtol, const std::string& what) {
  ASSERT_EQ(a.numel(), static_cast<int64_t>(b.size())) << what;
  std::vector<float> av = a.ToFloatVector();
  ExpectClose(av.data(), b.data(), a.numel(), atol, rtol, what);
}

// Sets the ISA for one test and restores the startup one afterwards.
class IsaTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override { ASSERT_TRUE(SetIsa(GetParam()).ok()); }
  void TearDown() override { ASSERT_TRUE(SetIsa(StartupIsa()).ok()); }
};

// A (b, tk) key mask: row bi hides its first 2*bi keys (left padding) and the keys with
// (7j + bi) % 5 == 0 (holes); all ones when `holes_and_padding` is false.
inline Tensor PaddingMask(int64_t b, int64_t tk, bool holes_and_padding, DType dtype = DType::kI64) {
  std::vector<int64_t> m(static_cast<size_t>(b * tk), 1);
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t j = 0; j < tk; ++j)
      if (holes_and_padding && (j < bi * 2 || (j * 7 + bi) % 5 == 0)) m[static_cast<size_t>(bi * tk + j)] = 0;
  return Tensor::FromIds(m, {b, tk}, dtype);
}

}  // namespace mhub::core::testing
