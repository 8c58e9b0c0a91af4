// Attention (every ISA) against the naive formula: masks, GQA, packed QKV views, odd sizes; and the
// KV cache: token-by-token decode equals recomputing the whole sequence.
#include "mhub/core/attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <tuple>

#include "core/cpu/attention_bf16.h"
#include "core/reference/reference_kernels.h"
#include "core_test_util.h"
#include "mhub/core/kv_cache.h"

namespace mhub::core {
namespace {

using testing::ExpectClose;
using testing::RandomTensor;

class AttentionTest : public testing::IsaTest {};

struct Case {
  int64_t b, tq, tk, hq, hkv, d;
  bool causal;
  int64_t q_offset;
  bool mask;
};

void RunCase(const Case& c, uint32_t seed) {
  SCOPED_TRACE("B=" + std::to_string(c.b) + " Tq=" + std::to_string(c.tq) + " Tk=" + std::to_string(c.tk) +
               " Hq=" + std::to_string(c.hq) + " Hkv=" + std::to_string(c.hkv) + " D=" + std::to_string(c.d) +
               " causal=" + std::to_string(c.causal) + " mask=" + std::to_string(c.mask));
  // q from a packed (B,Tq,(Hq+2)*D)-style buffer to exercise strides; k/v packed together.
  Tensor qbuf = RandomTensor({c.b, c.tq, (c.hq + 1) * c.d}, seed, -2, 2);
  Tensor kv = RandomTensor({c.b, c.tk, 2 * c.hkv * c.d}, seed + 1, -2, 2);
  HeadsView q = HeadsView::FromPacked(qbuf, 1, c.hq, c.d).value();
  HeadsView k = HeadsView::FromPacked(kv, 0, c.hkv, c.d).value();
  HeadsView v = HeadsView::FromPacked(kv, c.hkv, c.hkv, c.d).value();
  Tensor out = Tensor::Empty(DType::kF32, {c.b, c.tq, c.hq, c.d});
  Tensor ref = Tensor::Empty(DType::kF32, {c.b, c.tq, c.hq, c.d});
  Tensor mask = testing::PaddingMask(c.b, c.tk, c.mask, (seed & 1) ? DType::kI64 : DType::kI32);
  AttentionOptions opt;
  opt.causal = c.causal;
  opt.q_offset = c.q_offset;
  opt.key_mask = c.mask ? &mask : nullptr;
  ASSERT_TRUE(Attention(q, k, v, HeadsView::Of(out, c.hq).value(), opt).ok());
  reference::Attention(q, k, v, HeadsView::Of(ref, c.hq).value(), opt);
  ExpectClose(out.data<float>(), ref.data<float>(), out.numel(), 2e-5f, 1e-4f, "attention");
}

TEST_P(AttentionTest, MatchesNaiveReference) {
  const Case cases[] = {
      {1, 1, 1, 1, 1, 8, false, 0, false},   {1, 5, 5, 2, 2, 13, true, 0, false},
      {2, 7, 7, 4, 2, 64, true, 0, true},    {2, 128, 128, 12, 12, 64, false, 0, true},
      {1, 33, 33, 8, 1, 80, true, 0, false}, {3, 1, 40, 8, 2, 128, true, 39, true},
      {1, 4, 20, 6, 3, 32, true, 16, false}, {2, 17, 67, 4, 4, 24, false, 0, true},
      {1, 70, 70, 2, 1, 16, true, 0, true},  {1, 9, 300, 3, 1, 64, true, 291, false},
  };
  uint32_t seed = 10;
  for (const Case& c : cases) RunCase(c, seed += 2);
}

TEST_P(AttentionTest, RowWithNoVisibleKeyIsZero) {
  Tensor q = RandomTensor({1, 2, 1, 16}, 1), k = RandomTensor({1, 3, 1, 16}, 2), v = RandomTensor({1, 3, 1, 16}, 3);
  Tensor out = RandomTensor({1, 2, 1, 16}, 4);
  Tensor mask = Tensor::FromIds({0, 0, 0}, {1, 3});
  AttentionOptions opt;
  opt.key_mask = &mask;
  ASSERT_TRUE(Attention(HeadsView::Of(q, 1).value(), HeadsView::Of(k, 1).value(), HeadsView::Of(v, 1).value(),
                        HeadsView::Of(out, 1).value(), opt)
                  .ok());
  for (int64_t i = 0; i < out.numel(); ++i) EXPECT_EQ(out.data<float>()[i], 0.0f);
}

// bf16 attention (AVX512_BF16): against the naive formula on q, k, v rounded to bf16; the softmax
// weights are rounded too, so within a few bf16 ulps of |v|. Without AVX512_BF16 the option must
// leave the f32 result unchanged.
Tensor RoundedToBf16(const Tensor& x) { return x.To(DType::kBF16).value().To(DType::kF32).value(); }

TEST(AttentionBf16, MatchesReferenceOnBf16Inputs) {
  const Case cases[] = {
      {1, 1, 1, 1, 1, 8, false, 0, false},   {1, 5, 5, 2, 2, 13, true, 0, false},
      {2, 7, 7, 4, 2, 64, true, 0, true},    {2, 128, 128, 12, 12, 64, false, 0, true},
      {1, 33, 33, 8, 1, 80, true, 0, false}, {3, 1, 40, 8, 2, 128, true, 39, true},
      {1, 4, 20, 6, 3, 32, true, 16, false}, {2, 17, 67, 4, 4, 24, false, 0, true},
      {1, 70, 70, 2, 1, 16, true, 0, true},  {1, 9, 300, 3, 1, 64, true, 291, false},
      {1, 6, 65, 2, 2, 256, false, 0, true}, {2, 3, 3, 1, 1, 31, false, 0, true},
  };
  // fast: the AVX512_BF16 kernels (AVX-512 CPUs with AVX512_BF16 only: checked where available);
  // elsewhere the f32 path on the bf16-rounded values.
  const bool fast = ActiveIsa() == Isa::kAvx512 && cpu::HasAvx512Bf16();
  uint32_t seed = 500;
  for (const Case& c : cases) {
    SCOPED_TRACE("B=" + std::to_string(c.b) + " Tq=" + std::to_string(c.tq) + " Tk=" + std::to_string(c.tk) +
                 " D=" + std::to_string(c.d) + " causal=" + std::to_string(c.causal));
    seed += 3;
    Tensor qbuf = RandomTensor({c.b, c.tq, c.hq * c.d}, seed, -2, 2);
    Tensor kv = RandomTensor({c.b, c.tk, 2 * c.hkv * c.d}, seed + 1, -2, 2);
    Tensor mask = testing::PaddingMask(c.b, c.tk, c.mask);
    AttentionOptions opt;
    opt.causal = c.causal;
    opt.q_offset = c.q_offset;
    opt.key_mask = c.mask ? &mask : nullptr;
    auto views = [&](const Tensor& qb, const Tensor& kvb) {
      return std::make_tuple(HeadsView::Of(qb, c.hq).value(), HeadsView::FromPacked(kvb, 0, c.hkv, c.d).value(),
                             HeadsView::FromPacked(kvb, c.hkv, c.hkv, c.d).value());
    };
    Tensor out = Tensor::Empty(DType::kF32, {c.b, c.tq, c.hq, c.d});
    Tensor f32 = Tensor::Empty(DType::kF32, {c.b, c.tq, c.hq, c.d});
    Tensor ref = Tensor::Empty(DType::kF32, {c.b, c.tq, c.hq, c.d});
    auto [q, k, v] = views(qbuf, kv);
    ASSERT_TRUE(Attention(q, k, v, HeadsView::Of(f32, c.hq).value(), opt).ok());
    AttentionOptions opt16 = opt;
    opt16.bf16 = true;
    ASSERT_TRUE(Attention(q, k, v, HeadsView::Of(out, c.hq).value(), opt16).ok());
    if (!fast) {
      ExpectClose(out.data<float>(), f32.data<float>(), out.numel(), 0.0f, 0.0f, "bf16 option without AVX512_BF16");
      continue;
    }
    Tensor qr = RoundedToBf16(qbuf), kvr = RoundedToBf16(kv);
    auto [q2, k2, v2] = views(qr, kvr);
    reference::Attention(q2, k2, v2, HeadsView::Of(ref, c.hq).value(), opt);
    ExpectClose(out.data<float>(), ref.data<float>(), out.numel(), 2e-2f, 1e-2f, "bf16 attention");
    double diff_vs_f32 = 0;
    for (int64_t i = 0; i < out.numel(); ++i)
      diff_vs_f32 = std::max<double>(diff_vs_f32, std::fabs(out.data<float>()[i] - f32.data<float>()[i]));
    if (c.tk > 4) {
      EXPECT_GT(diff_vs_f32, 0.0) << "the bf16 path did not run";
    }
  }
}

// bf16 views (every ISA): q, k, v read as bf16 from a packed buffer, the output written in bf16.
// Property: the result is exactly the F32 driver's bf16 option on the same (widened) values,
// rounded to the nearest bf16; and within bf16 tolerance of the naive formula on those values.
TEST_P(AttentionTest, Bf16ViewsEqualF32DriverRounded) {
  struct Bf16Case {
    int64_t b, tq, tk, hq, hkv, d;
    bool causal;
    int64_t q_offset;
    bool mask;
    int64_t window;
  };
  const Bf16Case cases[] = {
      {1, 1, 1, 1, 1, 8, false, 0, false, 0},       {2, 7, 7, 4, 2, 64, true, 0, true, 0},
      {2, 128, 128, 12, 12, 64, false, 0, true, 0}, {1, 33, 33, 8, 1, 80, true, 0, false, 0},
      {3, 1, 40, 8, 2, 128, true, 39, true, 0},     {2, 17, 67, 4, 4, 24, false, 0, true, 0},
      {2, 3, 3, 1, 1, 31, false, 0, true, 0},       {1, 6, 65, 2, 2, 256, false, 0, true, 0},
      {1, 5, 5, 2, 2, 264, true, 0, false, 0},      {1, 20, 20, 2, 1, 32, true, 0, true, 6},
      {1, 9, 300, 3, 1, 13, true, 291, true, 0},
  };
  uint32_t seed = 900;
  for (const Bf16Case& c : cases) {
    SCOPED_TRACE("B=" + std::to_string(c.b) + " Tq=" + std::to_string(c.tq) + " Tk=" + std::to_string(c.tk) +
                 " Hq=" + std::to_string(c.hq) + " D=" + std::to_string(c.d) + " window=" + std::to_string(c.window));
    seed += 2;
    // One packed buffer q|k|v as a fused bf16 QKV projection writes it (plus a spare head).
    const int64_t width = (c.hq + 2 * c.hkv + 1) * c.d;
    Tensor qf = RandomTensor({c.b, c.tq, width}, seed, -2, 2);
    Tensor kvf = RandomTensor({c.b, c.tk, width}, seed + 1, -2, 2);
    Tensor q16 = qf.To(DType::kBF16).value(), kv16 = kvf.To(DType::kBF16).value();
    Tensor qw = q16.To(DType::kF32).value(), kvw = kv16.To(DType::kF32).value();
    Tensor mask = testing::PaddingMask(c.b, c.tk, c.mask);
    AttentionOptions opt;
    opt.causal = c.causal;
    opt.q_offset = c.q_offset;
    opt.key_mask = c.mask ? &mask : nullptr;
    opt.window = c.window;

    Tensor out16 = Tensor::Empty(DType::kBF16, {c.b, c.tq, c.hq * c.d});
    ASSERT_TRUE(Attention(HeadsViewBf16::FromPacked(q16, 1, c.hq, c.d).value(),
                          HeadsViewBf16::FromPacked(kv16, 1 + c.hq, c.hkv, c.d).value(),
                          HeadsViewBf16::FromPacked(kv16, 1 + c.hq + c.hkv, c.hkv, c.d).value(),
                          HeadsViewBf16::Of(out16, c.hq).value(), opt)
                    .ok());
    HeadsView q = HeadsView::FromPacked(qw, 1, c.hq, c.d).value();
    HeadsView k = HeadsView::FromPacked(kvw, 1 + c.hq, c.hkv, c.d).value();
    HeadsView v = HeadsView::FromPacked(kvw, 1 + c.hq + c.hkv, c.hkv, c.d).value();
    Tensor f32 = Tensor::Empty(DType::kF32, {c.b, c.tq, c.hq * c.d});
    AttentionOptions opt16 = opt;
    opt16.bf16 = true;
    ASSERT_TRUE(Attention(q, k, v, HeadsView::Of(f32, c.hq).value(), opt16).ok());
    int mismatches = 0;
    for (int64_t i = 0; i < f32.numel() && mismatches < 5; ++i) {
      const uint16_t want = reference::NearestBf16(f32.data<float>()[i]);
      if (out16.data<uint16_t>()[i] != want) {
        ADD_FAILURE() << "element " << i << ": got bf16 " << out16.data<uint16_t>()[i] << " want " << want;
        ++mismatches;
      }
    }
    Tensor ref = Tensor::Empty(DType::kF32, {c.b, c.tq, c.hq * c.d});
    reference::Attention(q, k, v, HeadsView::Of(ref, c.hq).value(), opt);
    Tensor got = out16.To(DType::kF32).value();
    ExpectClose(got.data<float>(), ref.data<float>(), got.numel(), 3e-2f, 2e-2f, "bf16 views vs reference");
  }
  // Mismatched views are refused.
  Tensor a = Tensor::Empty(DType::kBF16, {1, 2, 3 * 8}), b = Tensor::Empty(DType::kBF16, {1, 2, 2 * 8});
  EXPECT_EQ(Attention(HeadsViewBf16::Of(a, 3).value(), HeadsViewBf16::Of(b, 2).value(), HeadsViewBf16::Of(b, 2).value(),
                      HeadsViewBf16::Of(a, 3).value(), {})
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(HeadsViewBf16::Of(RandomTensor({1, 2, 8}, 1), 2).status().code(), StatusCode::kInvalidArgument);
}

TEST(AttentionShapes, RejectsMismatches) {
  Tensor q = RandomTensor({1, 2, 3, 8}, 1), k = RandomTensor({1, 2, 2, 8}, 2), out = RandomTensor({1, 2, 3, 8}, 3);
  Status st = Attention(HeadsView::Of(q, 3).value(), HeadsView::Of(k, 2).value(), HeadsView::Of(k, 2).value(),
                        HeadsView::Of(out, 3).value(), {});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);  // 3 heads over 2 kv heads
}

// Decode with a KV cache equals full causal recompute, for a prefill chunk then single tokens.
TEST_P(AttentionTest, KvCacheDecodeEqualsFullRecompute) {
  const int64_t B = 2, T = 23, Hq = 4, Hkv = 2, D = 32, prefill = 7;
  Tensor qkv = RandomTensor({B, T, (Hq + 2 * Hkv) * D}, 77, -2, 2);
  HeadsView q = HeadsView::FromPacked(qkv, 0, Hq, D).value();
  HeadsView k = HeadsView::FromPacked(qkv, Hq, Hkv, D).value();
  HeadsView v = HeadsView::FromPacked(qkv, Hq + Hkv, Hkv, D).value();
  Tensor full = Tensor::Empty(DType::kF32, {B, T, Hq, D});
  AttentionOptions causal;
  causal.causal = true;
  ASSERT_TRUE(Attention(q, k, v, HeadsView::Of(full, Hq).value(), causal).ok());

  KvCache cache = KvCache::Create(B, Hkv, 32, D).value();
  Tensor step_out = Tensor::Empty(DType::kF32, {B, T, Hq, D});
  int64_t t = 0;
  while (t < T) {
    const int64_t n = t == 0 ? prefill : 1;
    Tensor chunk = Tensor::Empty(DType::kF32, {B, n, (Hq + 2 * Hkv) * D});
    for (int64_t b = 0; b < B; ++b)
      std::memcpy(chunk.data<float>() + b * n * chunk.dim(2), qkv.data<float>() + (b * T + t) * qkv.dim(2),
                  static_cast<size_t>(n * qkv.dim(2)) * sizeof(float));
    ASSERT_TRUE(cache
                    .Append(HeadsView::FromPacked(chunk, Hq, Hkv, D).value(),
                            HeadsView::FromPacked(chunk, Hq + Hkv, Hkv, D).value())
                    .ok());
    Tensor o = Tensor::Empty(DType::kF32, {B, n, Hq, D});
    AttentionOptions opt;
    opt.causal = true;
    opt.q_offset = cache.length() - n;
    ASSERT_TRUE(Attention(HeadsView::FromPacked(chunk, 0, Hq, D).value(), cache.keys(), cache.values(),
                          HeadsView::Of(o, Hq).value(), opt)
                    .ok());
    for (int64_t b = 0; b < B; ++b)
      std::memcpy(step_out.data<float>() + (b * T + t) * Hq * D, o.data<float>() + b * n * Hq * D,
                  static_cast<size_t>(n * Hq * D) * sizeof(float));
    t += n;
  }
  EXPECT_EQ(cache.length(), T);
  ExpectClose(step_out.data<float>(), full.data<float>(), full.numel(), 1e-5f, 1e-5f, "decode vs full");

  // Overflow is refused without writing.
  Tensor more = RandomTensor({B, 10, Hkv * D}, 5);
  EXPECT_EQ(cache.Append(HeadsView::Of(more, Hkv).value(), HeadsView::Of(more, Hkv).value()).code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(cache.length(), T);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, AttentionTest, ::testing::ValuesIn(testing::SupportedIsas()), testing::IsaParamName);

}  // namespace
}  // namespace mhub::core
