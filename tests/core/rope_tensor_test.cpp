// Rotary embeddings against the reference, Tensor views/conversions, the Arena, safetensors views.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include <cmath>

#include "core/reference/reference_kernels.h"
#include "core_test_util.h"
#include "mhub/core/arena.h"
#include "mhub/core/rope.h"
#include "mhub/core/tensor.h"
#include "mhub/formats/safetensors.h"

namespace mhub::core {
namespace {

using testing::ExpectClose;
using testing::RandomTensor;

TEST(Rope, MatchesReferenceForEveryScalingAndPartialDims) {
  struct C {
    RopeScaling s;
    int64_t rot, d;
  } cases[] = {{RopeScaling::kNone, 64, 64},
               {RopeScaling::kLinear, 32, 80},
               {RopeScaling::kDynamic, 128, 128},
               {RopeScaling::kLlama3, 64, 64}};
  uint32_t seed = 1;
  for (const C& c : cases) {
    RopeConfig cfg;
    cfg.rotary_dim = c.rot;
    cfg.theta = 500000.0;
    cfg.scaling = c.s;
    cfg.factor = 8.0;
    cfg.original_max_position_embeddings = 64;
    RopeTable table = RopeTable::Build(cfg, 256, 200).value();
    Tensor x = RandomTensor({2, 9, 3, c.d}, seed++);
    Tensor ref = x.Clone();
    std::vector<int64_t> pos;
    for (int64_t i = 0; i < 18; ++i) pos.push_back((i * 37) % 256);
    ASSERT_TRUE(ApplyRope(HeadsView::Of(x, 3).value(), table, pos).ok());
    reference::Rope(HeadsView::Of(ref, 3).value(), RopeInvFreq(cfg, 200), pos, 0);
    ExpectClose(x.data<float>(), ref.data<float>(), x.numel(), 1e-6f, 1e-5f, "rope");
    // Dims past rotary_dim are untouched (compare with the input).
    Tensor orig = RandomTensor({2, 9, 3, c.d}, seed - 1);
    for (int64_t i = 0; i < x.numel(); ++i)
      if (i % c.d >= c.rot) {
        ASSERT_EQ(x.data<float>()[i], orig.data<float>()[i]);
      }
  }
}

TEST(Rope, Llama3BandsFollowTheirDefinition) {
  // Property check of the llama3 rule: high frequencies keep inv_freq, low ones are divided by factor,
  // the band between is a blend; values are monotone non-increasing in i.
  RopeConfig base;
  base.rotary_dim = 128;
  base.theta = 500000.0;
  RopeConfig l3 = base;
  l3.scaling = RopeScaling::kLlama3;
  l3.factor = 8.0;
  l3.low_freq_factor = 1.0;
  l3.high_freq_factor = 4.0;
  l3.original_max_position_embeddings = 8192;
  std::vector<float> a = RopeInvFreq(base), b = RopeInvFreq(l3);
  for (size_t i = 0; i < a.size(); ++i) {
    const double wavelen = 2 * M_PI / a[i];
    if (wavelen < 8192 / 4.0) {
      EXPECT_EQ(b[i], a[i]);
    }
    if (wavelen > 8192 / 1.0) {
      EXPECT_FLOAT_EQ(b[i], a[i] / 8.0f);
    }
    EXPECT_LE(b[i], a[i]);
    if (i) {
      EXPECT_LE(b[i], b[i - 1]);
    }
  }
  EXPECT_EQ(ParseRopeScaling("proportional").status().code(), StatusCode::kUnsupported);
}

TEST(Rope, YarnBlendsExtrapolationAndInterpolationAndScalesCosSin) {
  // theta 10000, dim 16, original 4096: correction dims floor(2.6)=2 (beta_fast 32) and
  // ceil(5.6)=6 (beta_slow 1); dims <= 2 keep inv_freq, dims >= 6 are divided by factor.
  RopeConfig base;
  base.rotary_dim = 16;
  base.theta = 10000.0;
  RopeConfig yarn = base;
  yarn.scaling = RopeScaling::kYarn;
  yarn.factor = 4.0;
  yarn.original_max_position_embeddings = 4096;
  yarn.attention_factor = RopeAttentionFactor(RopeScaling::kYarn, 4.0, 4096, 0.0, 0.0);
  EXPECT_DOUBLE_EQ(yarn.attention_factor, 0.1 * std::log(4.0) + 1.0);
  const std::vector<float> a = RopeInvFreq(base), y = RopeInvFreq(yarn);
  ASSERT_EQ(y.size(), 8u);
  for (size_t i = 0; i < y.size(); ++i) {
    if (i <= 2) {
      EXPECT_FLOAT_EQ(y[i], a[i]) << i;
    }
    if (i >= 6) {
      EXPECT_FLOAT_EQ(y[i], a[i] / 4.0f) << i;
    }
    if (i > 2 && i < 6) {
      EXPECT_LT(y[i], a[i]) << i;
      EXPECT_GT(y[i], a[i] / 4.0f) << i;
    }
  }
  RopeTable t = RopeTable::Build(yarn, 8).value();
  EXPECT_FLOAT_EQ(t.cos(0)[3], static_cast<float>(yarn.attention_factor));  // cos(0) * attention_factor
  EXPECT_FLOAT_EQ(t.sin(0)[3], 0.0f);
  // mscale / mscale_all_dim: the ratio of the two get_mscale values; equal ones cancel.
  EXPECT_DOUBLE_EQ(RopeAttentionFactor(RopeScaling::kYarn, 40.0, 4096, 0.707, 0.707), 1.0);
  EXPECT_DOUBLE_EQ(RopeAttentionFactor(RopeScaling::kYarn, 0.5, 4096, 0.0, 0.0), 1.0);
}

TEST(Rope, LongRopeSwitchesFactorsPastTheOriginalLength) {
  RopeConfig c;
  c.rotary_dim = 8;
  c.theta = 10000.0;
  c.scaling = RopeScaling::kLongRope;
  c.original_max_position_embeddings = 16;
  c.short_factor = {1.0, 2.0, 3.0, 4.0};
  c.long_factor = {5.0, 6.0, 7.0, 8.0};
  RopeConfig plain = c;
  plain.scaling = RopeScaling::kNone;
  const std::vector<float> a = RopeInvFreq(plain), s = RopeInvFreq(c, 16), l = RopeInvFreq(c, 17);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(s[i], a[i] / c.short_factor[i], 1e-7 * a[i]) << i;
    EXPECT_NEAR(l[i], a[i] / c.long_factor[i], 1e-7 * a[i]) << i;
  }
  EXPECT_DOUBLE_EQ(RopeAttentionFactor(RopeScaling::kLongRope, 8.0, 16, 0.0, 0.0),
                   std::sqrt(1.0 + std::log(8.0) / std::log(16.0)));
  EXPECT_DOUBLE_EQ(RopeAttentionFactor(RopeScaling::kLongRope, 1.0, 16, 0.0, 0.0), 1.0);
  c.long_factor.pop_back();
  EXPECT_EQ(RopeTable::Build(c, 8).status().code(), StatusCode::kInvalidArgument);
}

TEST(TensorViews, SliceNarrowReshapeShareStorage) {
  Tensor t = RandomTensor({4, 3, 5}, 1);
  Tensor s = t.Slice(2);
  EXPECT_EQ(s.shape(), Shape({3, 5}));
  EXPECT_EQ(s.data<float>(), t.data<float>() + 30);
  Tensor n = t.Narrow0(1, 2);
  EXPECT_EQ(n.shape(), Shape({2, 3, 5}));
  EXPECT_EQ(n.data<float>(), t.data<float>() + 15);
  Tensor r = t.Reshape({-1, 5}).value();
  EXPECT_EQ(r.shape(), Shape({12, 5}));
  EXPECT_EQ(r.data<float>(), t.data<float>());
  EXPECT_FALSE(t.Reshape({7, -1}).ok());
  EXPECT_EQ(t.nbytes(), 240u);
  EXPECT_EQ(t.shape().rows(), 12);
}

TEST(TensorViews, ConversionsAndI8Scales) {
  Tensor t = RandomTensor({3, 4}, 2, -100, 100);
  Tensor bf = t.To(DType::kBF16).value();
  Tensor back = bf.To(DType::kF32).value();
  for (int64_t i = 0; i < 12; ++i)
    EXPECT_NEAR(back.data<float>()[i], t.data<float>()[i], std::fabs(t.data<float>()[i]) / 256);
  Tensor q = Tensor::Empty(DType::kI8, {2, 3});
  const int8_t vals[] = {1, -2, 3, 127, 0, -128};
  std::memcpy(q.raw_data(), vals, 6);
  Tensor qs = Tensor::QuantizedI8(q, Tensor::FromVector({0.5f, 2.0f}, {2}));
  std::vector<float> deq = qs.ToFloatVector();
  EXPECT_EQ(deq, (std::vector<float>{0.5f, -1.0f, 1.5f, 254.0f, 0.0f, -256.0f}));
  EXPECT_EQ(qs.Slice(1).row_scales()[0], 2.0f);
}

TEST(Arena, ReusesOneBlockAfterTheFirstPass) {
  Arena arena;
  for (int pass = 0; pass < 3; ++pass) {
    arena.Reset();
    std::vector<Tensor> ts;
    for (int i = 0; i < 20; ++i) ts.push_back(arena.NewTensor(DType::kF32, {1000, 100 + i}));
    for (const Tensor& t : ts) EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % 64, 0u);
    // Distinct, non-overlapping storage.
    std::sort(ts.begin(), ts.end(), [](const Tensor& a, const Tensor& b) { return a.raw_data() < b.raw_data(); });
    for (size_t i = 1; i < ts.size(); ++i)
      EXPECT_GE(static_cast<char*>(ts[i].raw_data()) - static_cast<char*>(ts[i - 1].raw_data()),
                static_cast<ptrdiff_t>(ts[i - 1].nbytes()));
  }
  const size_t cap = arena.capacity();
  arena.Reset();
  for (int i = 0; i < 20; ++i) (void)arena.NewTensor(DType::kF32, {1000, 100 + i});
  EXPECT_EQ(arena.capacity(), cap);  // no growth on a repeat pass
  EXPECT_GE(arena.high_water(), 20u * 1000 * 100 * 4);
}

TEST(TensorSafetensors, ZeroCopyViewKeepsFileAlive) {
  std::vector<float> w = {1, 2, 3, 4, 5, 6};
  std::vector<uint16_t> h = {F32ToBF16(1.5f), F32ToBF16(-2.0f)};
  formats::TensorView a{"w", formats::Dtype::kF32, {2, 3}, reinterpret_cast<const uint8_t*>(w.data()), 24};
  formats::TensorView b{"h", formats::Dtype::kBF16, {2}, reinterpret_cast<const uint8_t*>(h.data()), 4};
  std::vector<formats::TensorView> views = {a, b};
  std::string bytes = formats::SerializeSafetensors(views).value();
  std::shared_ptr<const formats::SafetensorsFile> file = formats::SafetensorsFile::FromBytes(bytes).value();
  Tensor tw = Tensor::FromSafetensors(*file->Find("w"), file).value();
  Tensor th = Tensor::FromSafetensors(*file->Find("h"), file).value();
  EXPECT_EQ(tw.raw_data(), static_cast<const void*>(file->Find("w")->data));  // zero copy
  file.reset();                                                               // the tensors keep the file alive
  EXPECT_EQ(tw.ToFloatVector(), w);
  EXPECT_EQ(th.ToFloatVector(), (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(tw.shape(), Shape({2, 3}));
  uint8_t byte = 1;
  formats::TensorView f8{"f8", formats::Dtype::kF8E4M3, {1}, &byte, 1};
  EXPECT_EQ(Tensor::FromSafetensors(f8, nullptr).status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace mhub::core
