// 16-float GCC vectors for the backward kernels' element-wise work (exp, erf, tanh, the dropout
// mask). The helpers are always inlined into functions compiled per ISA with MHUB_GRAD_CLONES
// (x86-64-v4 / v3 / baseline clones picked at load time), so one source runs at each CPU's width.
// No helper takes or returns a vector by value (loads and splats are expressions, results go to an
// out parameter): clang refuses a 64-byte vector in a call's ABI in the clones without AVX-512, even
// when the call is always inlined.
#pragma once

#include <cstdint>

#define MHUB_GRAD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define MHUB_INLINE inline __attribute__((always_inline))

namespace mhub::core::grad::internal {

using VF = float __attribute__((vector_size(64)));     // 16 floats
using VI = int32_t __attribute__((vector_size(64)));   // 16 ints (comparison results)
using VU = uint64_t __attribute__((vector_size(64)));  // 8 counters
using VF8 = float __attribute__((vector_size(32)));
using VI8 = int32_t __attribute__((vector_size(32)));
// 16 floats at any float-aligned address, allowed to alias the float array they are read from.
using VFUnaligned = float __attribute__((vector_size(64), aligned(4), may_alias));
constexpr int64_t kLanes = 16;

}  // namespace mhub::core::grad::internal

// 16 floats from p; x in every lane; lane l set where j + l < n.
#define MHUB_VLOAD(p) (VF(*reinterpret_cast<const ::mhub::core::grad::internal::VFUnaligned*>(p)))
#define MHUB_VSPLAT(x) (VF{} + (x))
#define MHUB_VLANES_BELOW(j, n) \
  (VI{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15} + static_cast<int32_t>(j) < static_cast<int32_t>(n))

namespace mhub::core::grad::internal {

MHUB_INLINE void Store(float* p, const VF& v) { *reinterpret_cast<VFUnaligned*>(p) = v; }

// e^x to a few ulp (Cephes: x = n ln2 + r, a degree-6 polynomial in r, times 2^n); exactly 0 below
// -87.3 (so -inf, a masked score, gives 0).
MHUB_INLINE void Exp(const VF& x, VF& out) {
  const VF lo = MHUB_VSPLAT(-87.3365478515625f), hi = MHUB_VSPLAT(88.3762626647949f);
  const VI under = x < lo;
  VF xc = x < lo ? lo : x;
  xc = xc > hi ? hi : xc;
  const VF t = xc * 1.44269504088896341f;
  const VI n = __builtin_convertvector(t + (t >= 0 ? MHUB_VSPLAT(0.5f) : MHUB_VSPLAT(-0.5f)), VI);  // round half away
  const VF nf = __builtin_convertvector(n, VF);
  VF r = xc - nf * 0.693359375f;
  r = r + nf * 2.12194440e-4f;
  VF p = MHUB_VSPLAT(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + (r + 1.f);
  const VI bits = (n + 127) << 23;
  const VF res = p * (VF)bits;
  out = under ? MHUB_VSPLAT(0.f) : res;
}

// erf(x): Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), odd extension.
MHUB_INLINE void Erf(const VF& x, VF& out) {
  const VF a = x < 0 ? -x : x;
  const VF t = 1.f / (a * 0.3275911f + 1.f);
  VF p = MHUB_VSPLAT(1.061405429f);
  p = p * t - 1.453152027f;
  p = p * t + 1.421413741f;
  p = p * t - 0.284496736f;
  p = p * t + 0.254829592f;
  p = p * t;
  VF e;
  Exp(-(a * a), e);
  const VF y = 1.f - p * e;
  out = x < 0 ? -y : y;
}

// tanh(x) = sign(x) (1 - 2 / (e^{2|x|} + 1)), |x| clamped at 9 (tanh = 1 in f32 there).
MHUB_INLINE void Tanh(const VF& x, VF& out) {
  VF a = x < 0 ? -x : x;
  a = a > 9.f ? MHUB_VSPLAT(9.f) : a;
  VF e;
  Exp(a + a, e);
  const VF y = (e - 1.f) / (e + 1.f);
  out = x < 0 ? -y : y;
}

// The dropout scales (0 or keep) of elements i0 .. i0+15 of a keyed stream: exactly the numbers of
// dropout_rng.h's KeepScale (SplitMix64 of the counter, 24 bits), 8 counters per vector.
MHUB_INLINE void KeepScales(uint64_t key, uint64_t i0, float p, float keep, VF& out) {
  VF8 m[2];
  for (int half = 0; half < 2; ++half) {
    VU z = VU{0, 1, 2, 3, 4, 5, 6, 7} + (i0 + static_cast<uint64_t>(8 * half));
    z = key + z * 0xD1B54A32D192ED03ull;
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z = z ^ (z >> 31);
    const VI8 top = __builtin_convertvector(z >> 40, VI8);
    const VF8 u = __builtin_convertvector(top, VF8) * (1.f / 16777216.f);
    m[half] = u < p ? VF8{} : VF8{} + keep;
  }
  out = __builtin_shufflevector(m[0], m[1], 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

}  // namespace mhub::core::grad::internal
