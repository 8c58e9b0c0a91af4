// Sliding-window attention (AttentionOptions::window, every ISA, f32 and the bf16 option) against a
// naive double-precision formula written here: query i (at position q_offset + i) sees key j when
// j <= q_offset + i, (q_offset + i) - j < window, and key_mask[b, j] != 0; no visible key = zeros.
// Then differentially against the core reference (core/reference/reference_kernels.h) on random
// shapes: prefill and cached-decode (q_offset > 0) shapes, GQA, masks, causal or not, the bf16
// option (against the reference on bf16-rounded inputs) and bf16 views.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/cpu/attention_bf16.h"
#include "core/reference/reference_kernels.h"
#include "core_test_util.h"
#include "mhub/core/attention.h"
#include "mhub/core/kv_cache.h"

namespace mhub::core {
namespace {

using testing::ExpectClose;
using testing::RandomTensor;

class AttentionWindowTest : public testing::IsaTest {};

struct WindowCase {
  int64_t b, tq, tk, hq, hkv, d;
  int64_t q_offset, window;
  bool mask;
};

std::vector<float> Naive(const HeadsView& q, const HeadsView& k, const HeadsView& v, const Tensor* mask,
                         int64_t q_offset, int64_t window) {
  const int64_t G = q.heads / k.heads, D = q.head_dim;
  std::vector<float> out(static_cast<size_t>(q.batch * q.seq * q.heads * D), 0.0f);
  for (int64_t b = 0; b < q.batch; ++b)
    for (int64_t i = 0; i < q.seq; ++i)
      for (int64_t h = 0; h < q.heads; ++h) {
        const int64_t pos = q_offset + i;
        std::vector<double> w(static_cast<size_t>(k.seq), 0.0);
        double mx = -INFINITY;
        std::vector<bool> vis(static_cast<size_t>(k.seq), false);
        for (int64_t j = 0; j < k.seq; ++j) {
          vis[j] = j <= pos && pos - j < window && (!mask || mask->data<int64_t>()[b * k.seq + j] != 0);
          if (!vis[j]) continue;
          double s = 0;
          for (int64_t d = 0; d < D; ++d) s += double(q.at(b, i, h)[d]) * double(k.at(b, j, h / G)[d]);
          w[j] = s / std::sqrt(double(D));
          mx = std::max(mx, w[j]);
        }
        if (mx == -INFINITY) continue;
        double sum = 0;
        for (int64_t j = 0; j < k.seq; ++j) sum += vis[j] ? (w[j] = std::exp(w[j] - mx)) : (w[j] = 0.0);
        float* o = out.data() + ((b * q.seq + i) * q.heads + h) * D;
        for (int64_t d = 0; d < D; ++d) {
          double acc = 0;
          for (int64_t j = 0; j < k.seq; ++j) acc += w[j] * v.at(b, j, h / G)[d];
          o[d] = static_cast<float>(acc / sum);
        }
      }
  return out;
}

TEST_P(AttentionWindowTest, MatchesNaiveFormula) {
  const WindowCase cases[] = {
      {1, 9, 9, 2, 2, 16, 0, 1, false},      {2, 13, 13, 4, 2, 64, 0, 4, true},  {1, 33, 33, 8, 1, 80, 0, 7, false},
      {3, 1, 40, 8, 2, 128, 39, 5, true},    {1, 4, 20, 6, 3, 32, 16, 3, false}, {2, 70, 70, 2, 1, 16, 0, 64, true},
      {1, 9, 300, 3, 1, 64, 291, 100, true}, {1, 6, 6, 2, 2, 8, 0, 6, false},    {2, 12, 12, 4, 4, 24, 0, 2, true},
  };
  uint32_t seed = 300;
  for (const WindowCase& c : cases) {
    for (bool bf16 : {false, true}) {
      SCOPED_TRACE("B=" + std::to_string(c.b) + " Tq=" + std::to_string(c.tq) + " Tk=" + std::to_string(c.tk) +
                   " Hq=" + std::to_string(c.hq) + " Hkv=" + std::to_string(c.hkv) + " D=" + std::to_string(c.d) +
                   " q_offset=" + std::to_string(c.q_offset) + " window=" + std::to_string(c.window) +
                   " bf16=" + std::to_string(bf16));
      seed += 2;
      Tensor qb = RandomTensor({c.b, c.tq, c.hq * c.d}, seed, -2, 2);
      Tensor kb = RandomTensor({c.b, c.tk, c.hkv * c.d}, seed + 1, -2, 2);
      Tensor vb = RandomTensor({c.b, c.tk, c.hkv * c.d}, seed + 7, -2, 2);
      HeadsView q = HeadsView::Of(qb, c.hq).value();
      HeadsView k = HeadsView::Of(kb, c.hkv).value();
      HeadsView v = HeadsView::Of(vb, c.hkv).value();
      Tensor mask = testing::PaddingMask(c.b, c.tk, c.mask);
      AttentionOptions opt;
      opt.causal = true;
      opt.q_offset = c.q_offset;
      opt.window = c.window;
      opt.key_mask = c.mask ? &mask : nullptr;
      opt.bf16 = bf16;
      Tensor out = Tensor::Empty(DType::kF32, {c.b, c.tq, c.hq * c.d});
      ASSERT_TRUE(Attention(q, k, v, HeadsView::Of(out, c.hq).value(), opt).ok());
      const std::vector<float> want = Naive(q, k, v, c.mask ? &mask : nullptr, c.q_offset, c.window);
      if (bf16) {
        ExpectClose(out.data<float>(), want.data(), out.numel(), 3e-2f, 2e-2f, "windowed attention (bf16)");
      } else {
        ExpectClose(out.data<float>(), want.data(), out.numel(), 2e-5f, 1e-4f, "windowed attention");
      }
    }
  }
}

// (1, 1, C) copy of position t of x (1, T, C).
Tensor Row(const Tensor& x, int64_t t) {
  const int64_t c = x.dim(2);
  const float* p = x.data<float>() + t * c;
  return Tensor::FromVector(std::vector<float>(p, p + c), {1, 1, c});
}

// Decoding one token at a time through the KV cache equals one windowed pass over the sequence.
TEST_P(AttentionWindowTest, CachedDecodeEqualsFullPass) {
  const int64_t T = 23, H = 4, Hkv = 2, D = 32, W = 5;
  Tensor q = RandomTensor({1, T, H * D}, 71), k = RandomTensor({1, T, Hkv * D}, 72),
         v = RandomTensor({1, T, Hkv * D}, 73);
  AttentionOptions opt;
  opt.causal = true;
  opt.window = W;
  Tensor full = Tensor::Empty(DType::kF32, {1, T, H * D});
  ASSERT_TRUE(Attention(HeadsView::Of(q, H).value(), HeadsView::Of(k, Hkv).value(), HeadsView::Of(v, Hkv).value(),
                        HeadsView::Of(full, H).value(), opt)
                  .ok());
  KvCache cache = KvCache::Create(1, Hkv, T, D).value();
  for (int64_t t = 0; t < T; ++t) {
    Tensor qt = Row(q, t), kt = Row(k, t), vt = Row(v, t);
    ASSERT_TRUE(cache.Append(HeadsView::Of(kt, Hkv).value(), HeadsView::Of(vt, Hkv).value()).ok());
    Tensor o = Tensor::Empty(DType::kF32, {1, 1, H * D});
    AttentionOptions step = opt;
    step.q_offset = t;
    ASSERT_TRUE(
        Attention(HeadsView::Of(qt, H).value(), cache.keys(), cache.values(), HeadsView::Of(o, H).value(), step).ok());
    ExpectClose(o.data<float>(), full.data<float>() + t * H * D, H * D, 1e-6f, 1e-5f, "step " + std::to_string(t));
  }
}

// One random windowed case for the differential tests below.
struct RandomCase {
  int64_t b, tq, tk, hq, hkv, d;
  bool causal;
  int64_t q_offset, window;
  bool mask;
  float scale;  // 0: the default 1/sqrt(d)
  uint32_t seed;

  std::string Name() const {
    return "B=" + std::to_string(b) + " Tq=" + std::to_string(tq) + " Tk=" + std::to_string(tk) +
           " Hq=" + std::to_string(hq) + " Hkv=" + std::to_string(hkv) + " D=" + std::to_string(d) +
           " causal=" + std::to_string(causal) + " q_offset=" + std::to_string(q_offset) +
           " window=" + std::to_string(window) + " mask=" + std::to_string(mask) + " scale=" + std::to_string(scale) +
           " seed=" + std::to_string(seed);
  }
};

// Random shapes: prefill (q_offset 0, Tq = Tk), cached decode (queries are the last Tq of Tk keys,
// one token or a chunk), and non-causal rows over more keys; windows from 1 to past the sequence,
// head dims on and off the vector widths (and above the bf16 kernels' 256).
std::vector<RandomCase> RandomCases(uint32_t seed, int n) {
  std::mt19937 rng(seed);
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  const int64_t dims[] = {8, 13, 16, 24, 32, 64, 80, 128, 264};
  std::vector<RandomCase> out;
  for (int i = 0; i < n; ++i) {
    RandomCase c{};
    c.b = pick(1, 3);
    c.hkv = pick(1, 3);
    c.hq = c.hkv * pick(1, 4);
    c.d = dims[pick(0, 8)];
    const int64_t kind = pick(0, 3);  // 0, 1: prefill; 2: decode; 3: non-causal
    c.causal = kind != 3;
    if (kind <= 1) {
      c.tk = pick(1, 90);
      c.tq = c.tk;
      c.q_offset = 0;
    } else if (kind == 2) {
      c.tk = pick(2, 140);
      c.tq = pick(0, 1) ? 1 : pick(1, std::min<int64_t>(c.tk - 1, 9));
      c.q_offset = c.tk - c.tq;
    } else {
      c.tq = pick(1, 30);
      c.tk = pick(1, 60);
      c.q_offset = pick(0, 40);
    }
    c.window = pick(1, c.q_offset + c.tq + 2);
    c.mask = pick(0, 1) == 1;
    c.scale = pick(0, 3) == 0 ? 0.3f : 0.0f;
    c.seed = static_cast<uint32_t>(1000 + 7 * i);
    out.push_back(c);
  }
  return out;
}

// Left padding (a growing prefix per row) and scattered holes; rows may be all padding.
std::vector<int64_t> CaseMask(const RandomCase& c) {
  std::mt19937 rng(c.seed + 5);
  std::vector<int64_t> m(static_cast<size_t>(c.b * c.tk), 1);
  for (int64_t bi = 0; bi < c.b; ++bi) {
    const int64_t pad = std::uniform_int_distribution<int64_t>(0, c.tk)(rng) * bi / 2;
    for (int64_t j = 0; j < c.tk; ++j)
      if (j < pad || std::uniform_int_distribution<int>(0, 6)(rng) == 0) m[bi * c.tk + j] = 0;
  }
  return m;
}

AttentionOptions CaseOptions(const RandomCase& c, const Tensor* mask) {
  AttentionOptions opt;
  opt.causal = c.causal;
  opt.q_offset = c.q_offset;
  opt.window = c.window;
  opt.key_mask = c.mask ? mask : nullptr;
  opt.scale = c.scale;
  return opt;
}

// The reference itself: window 0 and a window past every query are the plain causal result, and a
// window of 1 makes each causal query attend only to its own key (the output is v at that key).
TEST(AttentionWindowReference, WindowEdgesFollowTheFormula) {
  const int64_t T = 11, H = 2, D = 8;
  Tensor q = RandomTensor({1, T, H * D}, 3), k = RandomTensor({1, T, H * D}, 4), v = RandomTensor({1, T, H * D}, 5);
  HeadsView qv = HeadsView::Of(q, H).value(), kv = HeadsView::Of(k, H).value(), vv = HeadsView::Of(v, H).value();
  auto run = [&](int64_t window) {
    Tensor out = Tensor::Empty(DType::kF32, {1, T, H * D});
    AttentionOptions opt;
    opt.causal = true;
    opt.window = window;
    reference::Attention(qv, kv, vv, HeadsView::Of(out, H).value(), opt);
    return out.ToFloatVector();
  };
  const std::vector<float> full = run(0);
  EXPECT_EQ(run(T), full);
  EXPECT_NE(run(T - 1), full);
  ExpectClose(run(1).data(), v.data<float>(), v.numel(), 1e-6f, 1e-6f, "window 1 = own value");
  const std::vector<float> w3 = run(3), naive = Naive(qv, kv, vv, nullptr, 0, 3);
  ExpectClose(w3.data(), naive.data(), static_cast<int64_t>(w3.size()), 1e-6f, 1e-6f, "window 3 vs naive");
}

// The fast path (f32) against the reference, both with the window, on random shapes.
TEST_P(AttentionWindowTest, MatchesCoreReferenceOnRandomShapes) {
  int cut = 0, decode = 0;
  for (const RandomCase& c : RandomCases(41, 60)) {
    cut += c.window < c.q_offset + c.tq ? 1 : 0;  // some query has keys outside its window
    decode += c.causal && c.q_offset > 0 ? 1 : 0;
    SCOPED_TRACE(c.Name());
    Tensor qbuf = RandomTensor({c.b, c.tq, (c.hq + 1) * c.d}, c.seed, -2, 2);
    Tensor kv = RandomTensor({c.b, c.tk, 2 * c.hkv * c.d}, c.seed + 1, -2, 2);
    HeadsView q = HeadsView::FromPacked(qbuf, 1, c.hq, c.d).value();
    HeadsView k = HeadsView::FromPacked(kv, 0, c.hkv, c.d).value();
    HeadsView v = HeadsView::FromPacked(kv, c.hkv, c.hkv, c.d).value();
    Tensor mask = Tensor::FromIds(CaseMask(c), {c.b, c.tk}, (c.seed & 1) ? DType::kI64 : DType::kI32);
    const AttentionOptions opt = CaseOptions(c, &mask);
    Tensor out = RandomTensor({c.b, c.tq, c.hq, c.d}, c.seed + 2);  // garbage: every element must be written
    Tensor ref = Tensor::Empty(DType::kF32, {c.b, c.tq, c.hq, c.d});
    ASSERT_TRUE(Attention(q, k, v, HeadsView::Of(out, c.hq).value(), opt).ok());
    reference::Attention(q, k, v, HeadsView::Of(ref, c.hq).value(), opt);
    ExpectClose(out.data<float>(), ref.data<float>(), out.numel(), 2e-5f, 1e-4f, "windowed attention vs reference");
  }
  EXPECT_GE(cut, 30);
  EXPECT_GE(decode, 10);
}

// The bf16 option: with AVX512_BF16 (avx512 kernels) within bf16 tolerance of the reference on
// bf16-rounded q, k, v; elsewhere exactly the f32 result.
TEST_P(AttentionWindowTest, Bf16OptionMatchesCoreReferenceOnRandomShapes) {
  // fast: the AVX512_BF16 kernels (AVX-512 CPUs with AVX512_BF16 only: checked where available).
  const bool fast = ActiveIsa() == Isa::kAvx512 && cpu::HasAvx512Bf16();
  int bf16_ran = 0;
  for (const RandomCase& c : RandomCases(43, 40)) {
    SCOPED_TRACE(c.Name());
    Tensor qb = RandomTensor({c.b, c.tq, c.hq * c.d}, c.seed, -2, 2);
    Tensor kb = RandomTensor({c.b, c.tk, c.hkv * c.d}, c.seed + 1, -2, 2);
    Tensor vb = RandomTensor({c.b, c.tk, c.hkv * c.d}, c.seed + 3, -2, 2);
    Tensor mask = Tensor::FromIds(CaseMask(c), {c.b, c.tk});
    AttentionOptions opt = CaseOptions(c, &mask);
    Tensor f32 = Tensor::Empty(DType::kF32, {c.b, c.tq, c.hq * c.d});
    Tensor out = Tensor::Empty(DType::kF32, {c.b, c.tq, c.hq * c.d});
    ASSERT_TRUE(Attention(HeadsView::Of(qb, c.hq).value(), HeadsView::Of(kb, c.hkv).value(),
                          HeadsView::Of(vb, c.hkv).value(), HeadsView::Of(f32, c.hq).value(), opt)
                    .ok());
    AttentionOptions opt16 = opt;
    opt16.bf16 = true;
    ASSERT_TRUE(Attention(HeadsView::Of(qb, c.hq).value(), HeadsView::Of(kb, c.hkv).value(),
                          HeadsView::Of(vb, c.hkv).value(), HeadsView::Of(out, c.hq).value(), opt16)
                    .ok());
    if (!fast || c.d > cpu::kMaxHeadDimBf16) {
      ExpectClose(out.data<float>(), f32.data<float>(), out.numel(), 0.0f, 0.0f, "bf16 option on the f32 path");
      continue;
    }
    Tensor qr = qb.To(DType::kBF16).value().To(DType::kF32).value();
    Tensor kr = kb.To(DType::kBF16).value().To(DType::kF32).value();
    Tensor vr = vb.To(DType::kBF16).value().To(DType::kF32).value();
    Tensor ref = Tensor::Empty(DType::kF32, {c.b, c.tq, c.hq * c.d});
    reference::Attention(HeadsView::Of(qr, c.hq).value(), HeadsView::Of(kr, c.hkv).value(),
                         HeadsView::Of(vr, c.hkv).value(), HeadsView::Of(ref, c.hq).value(), opt);
    ExpectClose(out.data<float>(), ref.data<float>(), out.numel(), 2e-2f, 1e-2f,
                "bf16 windowed attention vs reference");
    bool differs = false;  // the bf16 products ran (not the f32 path)
    for (int64_t i = 0; i < out.numel() && !differs; ++i) differs = out.data<float>()[i] != f32.data<float>()[i];
    bf16_ran += differs ? 1 : 0;
  }
  if (fast) {
    EXPECT_GE(bf16_ran, 20);
  }
}

// bf16 views (q, k, v and the output in bf16) with a window: within bf16 tolerance of the reference
// on the same (widened) values.
TEST_P(AttentionWindowTest, Bf16ViewsMatchCoreReferenceOnRandomShapes) {
  for (const RandomCase& c : RandomCases(47, 30)) {
    SCOPED_TRACE(c.Name());
    Tensor q16 = RandomTensor({c.b, c.tq, c.hq * c.d}, c.seed, -2, 2).To(DType::kBF16).value();
    Tensor kv16 = RandomTensor({c.b, c.tk, 2 * c.hkv * c.d}, c.seed + 1, -2, 2).To(DType::kBF16).value();
    Tensor qw = q16.To(DType::kF32).value(), kvw = kv16.To(DType::kF32).value();
    Tensor mask = Tensor::FromIds(CaseMask(c), {c.b, c.tk});
    const AttentionOptions opt = CaseOptions(c, &mask);
    Tensor out16 = Tensor::Empty(DType::kBF16, {c.b, c.tq, c.hq * c.d});
    ASSERT_TRUE(Attention(HeadsViewBf16::Of(q16, c.hq).value(), HeadsViewBf16::FromPacked(kv16, 0, c.hkv, c.d).value(),
                          HeadsViewBf16::FromPacked(kv16, c.hkv, c.hkv, c.d).value(),
                          HeadsViewBf16::Of(out16, c.hq).value(), opt)
                    .ok());
    Tensor ref = Tensor::Empty(DType::kF32, {c.b, c.tq, c.hq * c.d});
    reference::Attention(HeadsView::Of(qw, c.hq).value(), HeadsView::FromPacked(kvw, 0, c.hkv, c.d).value(),
                         HeadsView::FromPacked(kvw, c.hkv, c.hkv, c.d).value(), HeadsView::Of(ref, c.hq).value(), opt);
    Tensor got = out16.To(DType::kF32).value();
    ExpectClose(got.data<float>(), ref.data<float>(), got.numel(), 3e-2f, 2e-2f, "bf16 views vs reference");
  }
}

// Cached decode through the KV cache with left padding in the key mask: each step (a prefill chunk,
// then single tokens, q_offset = cache length before the step) against the reference over the
// cached keys, for a window shorter than the sequence.
TEST_P(AttentionWindowTest, CachedDecodeWithPaddingMatchesCoreReference) {
  const int64_t B = 3, T = 37, Hq = 6, Hkv = 2, D = 40, prefill = 9;
  for (int64_t window : {1, 4, 11, 40}) {
    for (bool bf16 : {false, true}) {
      SCOPED_TRACE("window=" + std::to_string(window) + " bf16=" + std::to_string(bf16));
      Tensor qkv = RandomTensor({B, T, (Hq + 2 * Hkv) * D}, 91 + static_cast<uint32_t>(window), -2, 2);
      std::vector<int64_t> m(static_cast<size_t>(B * T), 1);
      for (int64_t b = 0; b < B; ++b)
        for (int64_t j = 0; j < b * 5; ++j) m[b * T + j] = 0;  // left padding: 0, 5, 10 positions
      KvCache cache = KvCache::Create(B, Hkv, T, D).value();
      int64_t t = 0;
      while (t < T) {
        const int64_t n = t == 0 ? prefill : 1;
        Tensor chunk = Tensor::Empty(DType::kF32, {B, n, (Hq + 2 * Hkv) * D});
        for (int64_t b = 0; b < B; ++b)
          std::copy_n(qkv.data<float>() + (b * T + t) * qkv.dim(2), n * qkv.dim(2),
                      chunk.data<float>() + b * n * chunk.dim(2));
        ASSERT_TRUE(cache
                        .Append(HeadsView::FromPacked(chunk, Hq, Hkv, D).value(),
                                HeadsView::FromPacked(chunk, Hq + Hkv, Hkv, D).value())
                        .ok());
        const int64_t len = cache.length();
        std::vector<int64_t> km(static_cast<size_t>(B * len));
        for (int64_t b = 0; b < B; ++b) std::copy_n(m.begin() + b * T, len, km.begin() + b * len);
        Tensor key_mask = Tensor::FromIds(km, {B, len});
        AttentionOptions opt;
        opt.causal = true;
        opt.q_offset = len - n;
        opt.window = window;
        opt.key_mask = &key_mask;
        opt.bf16 = bf16;
        HeadsView q = HeadsView::FromPacked(chunk, 0, Hq, D).value();
        Tensor o = Tensor::Empty(DType::kF32, {B, n, Hq, D});
        Tensor ref = Tensor::Empty(DType::kF32, {B, n, Hq, D});
        ASSERT_TRUE(Attention(q, cache.keys(), cache.values(), HeadsView::Of(o, Hq).value(), opt).ok());
        if (bf16 && ActiveIsa() == Isa::kAvx512 && cpu::HasAvx512Bf16()) {
          // The reference on bf16-rounded q, k, v (the kernels' own rounding of the inputs).
          Tensor qr = Tensor::Empty(DType::kF32, {B, n, Hq * D}), kr = Tensor::Empty(DType::kF32, {B, len, Hkv * D}),
                 vr = Tensor::Empty(DType::kF32, {B, len, Hkv * D});
          for (int64_t b = 0; b < B; ++b) {
            for (int64_t i = 0; i < n; ++i)
              for (int64_t h = 0; h < Hq; ++h)
                std::copy_n(q.at(b, i, h), D, qr.data<float>() + ((b * n + i) * Hq + h) * D);
            for (int64_t j = 0; j < len; ++j)
              for (int64_t h = 0; h < Hkv; ++h) {
                std::copy_n(cache.keys().at(b, j, h), D, kr.data<float>() + ((b * len + j) * Hkv + h) * D);
                std::copy_n(cache.values().at(b, j, h), D, vr.data<float>() + ((b * len + j) * Hkv + h) * D);
              }
          }
          auto round = [](const Tensor& x) { return x.To(DType::kBF16).value().To(DType::kF32).value(); };
          Tensor qr16 = round(qr), kr16 = round(kr), vr16 = round(vr);
          reference::Attention(HeadsView::Of(qr16, Hq).value(), HeadsView::Of(kr16, Hkv).value(),
                               HeadsView::Of(vr16, Hkv).value(), HeadsView::Of(ref, Hq).value(), opt);
          ExpectClose(o.data<float>(), ref.data<float>(), o.numel(), 2e-2f, 1e-2f, "step " + std::to_string(t));
        } else {
          reference::Attention(q, cache.keys(), cache.values(), HeadsView::Of(ref, Hq).value(), opt);
          ExpectClose(o.data<float>(), ref.data<float>(), o.numel(), 2e-5f, 1e-4f, "step " + std::to_string(t));
        }
        t += n;
      }
    }
  }
}

TEST(AttentionWindow, NegativeWindowIsRefused) {
  Tensor x = RandomTensor({1, 2, 8}, 1);
  AttentionOptions opt;
  opt.window = -1;
  HeadsView h = HeadsView::Of(x, 1).value();
  Tensor out = Tensor::Empty(DType::kF32, {1, 2, 8});
  EXPECT_EQ(Attention(h, h, h, HeadsView::Of(out, 1).value(), opt).code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, AttentionWindowTest, ::testing::ValuesIn(testing::SupportedIsas()),
                         testing::IsaParamName);

}  // namespace
}  // namespace mhub::core
