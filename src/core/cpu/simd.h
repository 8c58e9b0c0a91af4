// Vector types for the per-ISA kernel builds. Included ONLY by kernels_{avx512,avx2,scalar}.cpp, each
// compiled with its own -m flags; it defines exactly one of VecAvx512 / VecAvx2 / VecScalar depending
// on the macro the including file sets (MHUB_SIMD_AVX512, MHUB_SIMD_AVX2, MHUB_SIMD_SCALAR).
//
// Everything here lives in an anonymous namespace and uses no std templates, so no out-of-line copy
// compiled with AVX-512 can be picked by the linker for code that must run on an AVX2-only CPU.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(MHUB_SIMD_AVX512) || defined(MHUB_SIMD_AVX2)
#include <immintrin.h>
#endif

namespace {

#if defined(MHUB_SIMD_AVX512)

struct Vec {
  using T = __m512;
  static constexpr int N = 16;
  static T zero() { return _mm512_setzero_ps(); }
  static T set1(float v) { return _mm512_set1_ps(v); }
  static T load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, T v) { _mm512_storeu_ps(p, v); }
  static __mmask16 mask(int n) { return static_cast<__mmask16>((1u << n) - 1u); }
  static T load_partial(const float* p, int n) { return _mm512_maskz_loadu_ps(mask(n), p); }
  static void store_partial(float* p, T v, int n) { _mm512_mask_storeu_ps(p, mask(n), v); }
  static T load_bf16(const uint16_t* p) {
    __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
  static T load_bf16_partial(const uint16_t* p, int n) {
    __m256i h = _mm256_maskz_loadu_epi16(mask(n), p);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
  static T add(T a, T b) { return _mm512_add_ps(a, b); }
  static T sub(T a, T b) { return _mm512_sub_ps(a, b); }
  static T mul(T a, T b) { return _mm512_mul_ps(a, b); }
  static T div(T a, T b) { return _mm512_div_ps(a, b); }
  static T fmadd(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }  // a*b + c
  static T max(T a, T b) { return _mm512_max_ps(a, b); }
  static T min(T a, T b) { return _mm512_min_ps(a, b); }
  static T abs(T a) { return _mm512_abs_ps(a); }
  static T copysign(T mag, T sgn) {
    const __m512i sign = _mm512_set1_epi32(static_cast<int>(0x80000000u));
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_andnot_si512(sign, _mm512_castps_si512(mag)),
                                               _mm512_and_si512(sign, _mm512_castps_si512(sgn))));
  }
  static T round(T a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // 2^n for integral-valued n in [-126, 127].
  static T pow2n(T n) {
    __m512i i = _mm512_cvtps_epi32(n);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(i, _mm512_set1_epi32(127)), 23));
  }
  static float reduce_add(T a) { return _mm512_reduce_add_ps(a); }
  static float reduce_max(T a) { return _mm512_reduce_max_ps(a); }
};

#elif defined(MHUB_SIMD_AVX2)

struct Vec {
  using T = __m256;
  static constexpr int N = 8;
  static T zero() { return _mm256_setzero_ps(); }
  static T set1(float v) { return _mm256_set1_ps(v); }
  static T load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, T v) { _mm256_storeu_ps(p, v); }
  static __m256i mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static T load_partial(const float* p, int n) { return _mm256_maskload_ps(p, mask(n)); }
  static void store_partial(float* p, T v, int n) { _mm256_maskstore_ps(p, mask(n), v); }
  static T load_bf16(const uint16_t* p) {
    __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  }
  static T load_bf16_partial(const uint16_t* p, int n) {
    uint16_t buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::memcpy(buf, p, static_cast<size_t>(n) * 2);
    return load_bf16(buf);
  }
  static T add(T a, T b) { return _mm256_add_ps(a, b); }
  static T sub(T a, T b) { return _mm256_sub_ps(a, b); }
  static T mul(T a, T b) { return _mm256_mul_ps(a, b); }
  static T div(T a, T b) { return _mm256_div_ps(a, b); }
  static T fmadd(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static T max(T a, T b) { return _mm256_max_ps(a, b); }
  static T min(T a, T b) { return _mm256_min_ps(a, b); }
  static T abs(T a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static T copysign(T mag, T sgn) {
    const T sign = _mm256_set1_ps(-0.0f);
    return _mm256_or_ps(_mm256_andnot_ps(sign, mag), _mm256_and_ps(sign, sgn));
  }
  static T round(T a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static T pow2n(T n) {
    __m256i i = _mm256_cvtps_epi32(n);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(i, _mm256_set1_epi32(127)), 23));
  }
  static float reduce_add(T a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static float reduce_max(T a) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
};

#elif defined(MHUB_SIMD_SCALAR)

// One lane; the compiler may still auto-vectorise loops over it with the baseline SSE2.
struct Vec {
  using T = float;
  static constexpr int N = 1;
  static T zero() { return 0.0f; }
  static T set1(float v) { return v; }
  static T load(const float* p) { return *p; }
  static void store(float* p, T v) { *p = v; }
  static T load_partial(const float* p, int n) { return n > 0 ? *p : 0.0f; }
  static void store_partial(float* p, T v, int n) {
    if (n > 0) *p = v;
  }
  static T load_bf16(const uint16_t* p) {
    uint32_t u = static_cast<uint32_t>(*p) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  static T load_bf16_partial(const uint16_t* p, int n) { return n > 0 ? load_bf16(p) : 0.0f; }
  static T add(T a, T b) { return a + b; }
  static T sub(T a, T b) { return a - b; }
  static T mul(T a, T b) { return a * b; }
  static T div(T a, T b) { return a / b; }
  static T fmadd(T a, T b, T c) { return std::fma(a, b, c); }
  static T max(T a, T b) { return a > b ? a : b; }
  static T min(T a, T b) { return a < b ? a : b; }
  static T abs(T a) { return std::fabs(a); }
  static T copysign(T mag, T sgn) { return std::copysign(mag, sgn); }
  static T round(T a) { return std::nearbyint(a); }
  static T pow2n(T n) { return std::ldexp(1.0f, static_cast<int>(n)); }
  static float reduce_add(T a) { return a; }
  static float reduce_max(T a) { return a; }
};

#else
#error "define one of MHUB_SIMD_AVX512, MHUB_SIMD_AVX2, MHUB_SIMD_SCALAR before including simd.h"
#endif

using V = Vec;

// ---- math on vectors (float32 accuracy: a few ulp) ----

// e^x, Cephes-style: x = n ln2 + r, |r| <= ln2/2, e^r by a degree-6 polynomial, times 2^n.
// Inputs below -87.3 give 0 (flushes the subnormal range), above 88.7 give +inf-ish (clamped to
// FLT_MAX range), NaN stays NaN through the min/max order used.
inline Vec::T VExp(Vec::T x) {
#if defined(MHUB_SIMD_SCALAR)
  return std::exp(x);
#else
  const V::T hi = V::set1(88.3762626647949f), lo = V::set1(-87.3365478515625f);
  V::T xc = V::max(V::min(x, hi), lo);
  V::T n = V::round(V::mul(xc, V::set1(1.44269504088896341f)));
  V::T r = V::fmadd(n, V::set1(-0.693359375f), xc);
  r = V::fmadd(n, V::set1(2.12194440e-4f), r);
  V::T p = V::set1(1.9875691500e-4f);
  p = V::fmadd(p, r, V::set1(1.3981999507e-3f));
  p = V::fmadd(p, r, V::set1(8.3334519073e-3f));
  p = V::fmadd(p, r, V::set1(4.1665795894e-2f));
  p = V::fmadd(p, r, V::set1(1.6666665459e-1f));
  p = V::fmadd(p, r, V::set1(5.0000001201e-1f));
  V::T r2 = V::mul(r, r);
  p = V::fmadd(p, r2, V::add(r, V::set1(1.0f)));
  V::T res = V::mul(p, V::pow2n(n));
  // Below the clamp: exact zero (matches expf's underflow closely enough for softmax/sigmoid).
#if defined(MHUB_SIMD_AVX512)
  res = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ), res, _mm512_setzero_ps());
#else
  res = _mm256_blendv_ps(res, _mm256_setzero_ps(), _mm256_cmp_ps(x, lo, _CMP_LT_OQ));
#endif
  return res;
#endif
}

// erf(x): Abramowitz & Stegun 7.1.26 refined form (|error| < 1.5e-7), odd extension.
inline Vec::T VErf(Vec::T x) {
#if defined(MHUB_SIMD_SCALAR)
  return std::erf(x);
#else
  V::T a = V::abs(x);
  V::T t = V::div(V::set1(1.0f), V::fmadd(V::set1(0.3275911f), a, V::set1(1.0f)));
  V::T p = V::set1(1.061405429f);
  p = V::fmadd(p, t, V::set1(-1.453152027f));
  p = V::fmadd(p, t, V::set1(1.421413741f));
  p = V::fmadd(p, t, V::set1(-0.284496736f));
  p = V::fmadd(p, t, V::set1(0.254829592f));
  p = V::mul(p, t);
  V::T e = VExp(V::mul(V::sub(V::zero(), a), a));
  V::T y = V::sub(V::set1(1.0f), V::mul(p, e));
  return V::copysign(y, x);
#endif
}

// tanh(x) = sign(x) (1 - 2 / (e^{2|x|} + 1)); for |x| < 0.625 a Taylor-free rational keeps the
// relative error small near 0: tanh(x) ~ x for tiny x is covered by the (e^{2x}-1)/(e^{2x}+1) form.
inline Vec::T VTanh(Vec::T x) {
#if defined(MHUB_SIMD_SCALAR)
  return std::tanh(x);
#else
  V::T a = V::min(V::abs(x), V::set1(9.0f));
  V::T e = VExp(V::add(a, a));
  V::T y = V::div(V::sub(e, V::set1(1.0f)), V::add(e, V::set1(1.0f)));
  return V::copysign(y, x);
#endif
}

inline Vec::T VSigmoid(Vec::T x) { return V::div(V::set1(1.0f), V::add(V::set1(1.0f), VExp(V::sub(V::zero(), x)))); }

}  // namespace
