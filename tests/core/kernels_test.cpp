// Differential tests: every element-wise / norm / gather kernel on every ISA against the naive
// reference (core/reference/reference_kernels.h), on odd sizes that exercise vector tails.
#include "mhub/core/kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include <cmath>
#include <limits>

#include "core/reference/reference_kernels.h"
#include "core_test_util.h"
#include "mhub/core/dtype.h"

namespace mhub::core {
namespace {

using testing::ExpectClose;
using testing::RandomTensor;

class KernelsTest : public testing::IsaTest {};

const int64_t kWidths[] = {1, 3, 8, 15, 16, 17, 33, 64, 100, 768, 1001};

TEST_P(KernelsTest, LayerNormMatchesReference) {
  uint32_t seed = 1;
  for (int64_t c : kWidths) {
    for (int64_t rows : {1, 5}) {
      for (bool with_bias : {true, false}) {
        Tensor x = RandomTensor({rows, c}, seed++, -3, 5);
        Tensor w = RandomTensor({c}, seed++, 0.5, 1.5);
        Tensor b = with_bias ? RandomTensor({c}, seed++) : Tensor();
        Tensor out = Tensor::Empty(DType::kF32, {rows, c});
        ASSERT_TRUE(LayerNorm(x, w, b, 1e-5f, out).ok());
        std::vector<float> ref(static_cast<size_t>(rows * c));
        reference::LayerNorm(x.data<float>(), nullptr, nullptr, w.data<float>(), with_bias ? b.data<float>() : nullptr,
                             1e-5f, ref.data(), rows, c);
        ExpectClose(out, ref, 2e-5f, 1e-5f, "layernorm c=" + std::to_string(c));
      }
    }
  }
}

TEST_P(KernelsTest, AddLayerNormStoresSumAndNormalises) {
  uint32_t seed = 100;
  for (int64_t c : kWidths) {
    const int64_t rows = 3;
    Tensor x = RandomTensor({rows, c}, seed++, -2, 2);
    Tensor r = RandomTensor({rows, c}, seed++, -2, 2);
    Tensor w = RandomTensor({c}, seed++, 0.5, 1.5);
    Tensor b = RandomTensor({c}, seed++);
    Tensor sum = Tensor::Empty(DType::kF32, {rows, c});
    Tensor out = Tensor::Empty(DType::kF32, {rows, c});
    ASSERT_TRUE(AddLayerNorm(x, r, w, b, 1e-12f, sum, out).ok());
    std::vector<float> ref_sum(static_cast<size_t>(rows * c)), ref(static_cast<size_t>(rows * c));
    reference::LayerNorm(x.data<float>(), r.data<float>(), ref_sum.data(), w.data<float>(), b.data<float>(), 1e-12f,
                         ref.data(), rows, c);
    ExpectClose(sum, ref_sum, 0, 0, "sum");
    ExpectClose(out, ref, 3e-5f, 1e-5f, "addlayernorm c=" + std::to_string(c));
    // In place: the sum written over x, the output over r.
    Tensor none;
    ASSERT_TRUE(AddLayerNorm(x, r, w, b, 1e-12f, x, r).ok());
    ExpectClose(x, ref_sum, 0, 0, "in-place sum");
    ExpectClose(r, ref, 3e-5f, 1e-5f, "in-place out");
  }
}

// The bf16 copy must be exactly the nearest bf16 of the F32 output written beside it, and that
// output must match the plain LayerNorm's reference (with and without residual, in place).
TEST_P(KernelsTest, LayerNormWithBf16CopyRoundsItsOutput) {
  uint32_t seed = 150;
  for (int64_t c : kWidths) {
    for (bool with_residual : {false, true}) {
      SCOPED_TRACE("c=" + std::to_string(c) + " residual=" + std::to_string(with_residual));
      const int64_t rows = 5;
      Tensor x = RandomTensor({rows, c}, seed++, -3, 5);
      Tensor r = RandomTensor({rows, c}, seed++, -2, 2);
      Tensor w = RandomTensor({c}, seed++, 0.5, 1.5);
      Tensor b = RandomTensor({c}, seed++);
      std::vector<float> ref(static_cast<size_t>(rows * c)), ref_sum(static_cast<size_t>(rows * c));
      std::vector<uint16_t> ref16(static_cast<size_t>(rows * c));
      reference::LayerNormBf16(x.data<float>(), with_residual ? r.data<float>() : nullptr,
                               with_residual ? ref_sum.data() : nullptr, w.data<float>(), b.data<float>(), 1e-5f,
                               ref.data(), ref16.data(), rows, c);
      Tensor out = Tensor::Empty(DType::kF32, {rows, c});
      Tensor out16 = Tensor::Empty(DType::kBF16, {rows, c});
      Tensor sum = Tensor::Empty(DType::kF32, {rows, c});
      if (with_residual) {
        ASSERT_TRUE(AddLayerNormWithBf16Copy(x, r, w, b, 1e-5f, sum, out, out16).ok());
        ExpectClose(sum, ref_sum, 0, 0, "sum");
      } else {
        ASSERT_TRUE(LayerNormWithBf16Copy(x, w, b, 1e-5f, out, out16).ok());
      }
      ExpectClose(out, ref, 3e-5f, 1e-5f, "f32 output");
      int64_t off_by_one = 0;
      for (int64_t i = 0; i < rows * c; ++i) {
        const uint16_t got = out16.data<uint16_t>()[i];
        ASSERT_EQ(got, reference::NearestBf16(out.data<float>()[i])) << "element " << i;
        // Against the reference's own rounding: the same bf16, or a neighbour when the f32 results
        // straddle a rounding boundary.
        const int diff = std::abs(static_cast<int>(got) - static_cast<int>(ref16[i]));
        ASSERT_LE(diff, 1) << "element " << i;
        off_by_one += diff;
      }
      EXPECT_LE(off_by_one, rows * c / 50 + 1);
      // In place (BERT post-LN: h = LN(h)), the bf16 copy beside it.
      Tensor y = x.Clone();
      Tensor y16 = Tensor::Empty(DType::kBF16, {rows, c});
      if (with_residual) {
        ASSERT_TRUE(AddLayerNormWithBf16Copy(y, r, w, b, 1e-5f, y, y, y16).ok());
      } else {
        ASSERT_TRUE(LayerNormWithBf16Copy(y, w, b, 1e-5f, y, y16).ok());
      }
      ExpectClose(y, out.ToFloatVector(), 0, 0, "in place");
      EXPECT_EQ(std::memcmp(y16.raw_data(), out16.raw_data(), static_cast<size_t>(rows * c) * 2), 0);
    }
  }
  {  // large enough to be split over threads
    const int64_t rows = 200, c = 768;
    Tensor x = RandomTensor({rows, c}, 7, -3, 5), w = RandomTensor({c}, 8, 0.5, 1.5), b = RandomTensor({c}, 9);
    Tensor out = Tensor::Empty(DType::kF32, {rows, c}), out16 = Tensor::Empty(DType::kBF16, {rows, c});
    ASSERT_TRUE(LayerNormWithBf16Copy(x, w, b, 1e-5f, out, out16).ok());
    std::vector<float> ref(static_cast<size_t>(rows * c));
    std::vector<uint16_t> ref16(static_cast<size_t>(rows * c));
    reference::LayerNormBf16(x.data<float>(), nullptr, nullptr, w.data<float>(), b.data<float>(), 1e-5f, ref.data(),
                             ref16.data(), rows, c);
    ExpectClose(out, ref, 3e-5f, 1e-5f, "threaded f32 output");
    for (int64_t i = 0; i < rows * c; ++i)
      ASSERT_EQ(out16.data<uint16_t>()[i], reference::NearestBf16(out.data<float>()[i])) << "element " << i;
  }
  Tensor x = RandomTensor({2, 8}, 1), w = RandomTensor({8}, 2), out = Tensor::Empty(DType::kF32, {2, 8});
  Tensor wrong_dtype = Tensor::Empty(DType::kF32, {2, 8}), wrong_shape = Tensor::Empty(DType::kBF16, {2, 9}), none;
  EXPECT_EQ(LayerNormWithBf16Copy(x, w, none, 1e-5f, out, wrong_dtype).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LayerNormWithBf16Copy(x, w, none, 1e-5f, out, wrong_shape).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LayerNormWithBf16Copy(x, w, none, 1e-5f, out, none).code(), StatusCode::kInvalidArgument);
}

TEST_P(KernelsTest, RmsNormMatchesReference) {
  uint32_t seed = 200;
  for (int64_t c : kWidths) {
    Tensor x = RandomTensor({4, c}, seed++, -3, 3);
    Tensor w = RandomTensor({c}, seed++, 0.5, 1.5);
    Tensor out = Tensor::Empty(DType::kF32, {4, c});
    ASSERT_TRUE(RmsNorm(x, w, 1e-6f, out).ok());
    std::vector<float> ref(static_cast<size_t>(4 * c));
    reference::RmsNorm(x.data<float>(), w.data<float>(), 1e-6f, ref.data(), 4, c);
    ExpectClose(out, ref, 1e-6f, 2e-6f, "rmsnorm c=" + std::to_string(c));
  }
}

TEST_P(KernelsTest, SoftmaxIsStableAndMatchesReference) {
  uint32_t seed = 300;
  for (int64_t c : kWidths) {
    Tensor x = RandomTensor({3, c}, seed++, -60, 90);  // exp would overflow without the max shift
    Tensor out = Tensor::Empty(DType::kF32, {3, c});
    ASSERT_TRUE(Softmax(x, out).ok());
    std::vector<float> ref(static_cast<size_t>(3 * c));
    reference::Softmax(x.data<float>(), ref.data(), 3, c);
    ExpectClose(out, ref, 1e-7f, 1e-5f, "softmax c=" + std::to_string(c));
  }
}

TEST_P(KernelsTest, ActivationsMatchReference) {
  const int64_t n = 4099;
  Tensor x = RandomTensor({n}, 400, -9, 9);
  Tensor out = Tensor::Empty(DType::kF32, {n});
  std::vector<float> ref(n);
  for (GeluKind kind : {GeluKind::kErf, GeluKind::kTanh}) {
    ASSERT_TRUE(Gelu(x, out, kind).ok());
    reference::Gelu(x.data<float>(), ref.data(), n, kind);
    ExpectClose(out, ref, 2e-6f, 1e-5f, kind == GeluKind::kErf ? "gelu erf" : "gelu tanh");
  }
  ASSERT_TRUE(Silu(x, out).ok());
  reference::Silu(x.data<float>(), ref.data(), n);
  ExpectClose(out, ref, 1e-6f, 1e-5f, "silu");
  ASSERT_TRUE(Relu(x, out).ok());
  for (int64_t i = 0; i < n; ++i) ref[i] = std::max(0.0f, x.data<float>()[i]);
  ExpectClose(out, ref, 0, 0, "relu");
  Tensor up = RandomTensor({n}, 401, -2, 2);
  ASSERT_TRUE(SiluMul(x, up, out).ok());
  reference::Silu(x.data<float>(), ref.data(), n);
  for (int64_t i = 0; i < n; ++i) ref[i] *= up.data<float>()[i];
  ExpectClose(out, ref, 1e-5f, 1e-5f, "silu*up");
}

TEST_P(KernelsTest, BinaryOpsBiasScaleArgmax) {
  const int64_t rows = 7, c = 37;
  Tensor a = RandomTensor({rows, c}, 500), b = RandomTensor({rows, c}, 501), bias = RandomTensor({c}, 502);
  Tensor out = Tensor::Empty(DType::kF32, {rows, c});
  std::vector<float> ref(rows * c);
  ASSERT_TRUE(Add(a, b, out).ok());
  for (int64_t i = 0; i < rows * c; ++i) ref[i] = a.data<float>()[i] + b.data<float>()[i];
  ExpectClose(out, ref, 0, 0, "add");
  ASSERT_TRUE(Mul(a, b, out).ok());
  for (int64_t i = 0; i < rows * c; ++i) ref[i] = a.data<float>()[i] * b.data<float>()[i];
  ExpectClose(out, ref, 0, 0, "mul");
  Tensor x = a.Clone();
  ASSERT_TRUE(AddBias(x, bias).ok());
  for (int64_t i = 0; i < rows * c; ++i) ref[i] = a.data<float>()[i] + bias.data<float>()[i % c];
  ExpectClose(x, ref, 0, 0, "add bias");
  ASSERT_TRUE(Scale(x, 0.5f).ok());
  for (float& f : ref) f *= 0.5f;
  ExpectClose(x, ref, 0, 0, "scale");

  // argmax: first index of the max, as torch.argmax
  Tensor logits = RandomTensor({3, 50257}, 503, -5, 5);
  logits.data<float>()[17] = 9.0f;
  logits.data<float>()[40000] = 9.0f;          // tie in row 0: the first wins
  logits.data<float>()[50257 + 50256] = 7.0f;  // last element of row 1
  Tensor ids = Tensor::Empty(DType::kI64, {3});
  ASSERT_TRUE(ArgmaxRows(logits, ids).ok());
  EXPECT_EQ(ids.data<int64_t>()[0], 17);
  EXPECT_EQ(ids.data<int64_t>()[1], 50256);
  const float* row2 = logits.data<float>() + 2 * 50257;
  EXPECT_EQ(ids.data<int64_t>()[2], std::max_element(row2, row2 + 50257) - row2);
}

TEST_P(KernelsTest, EmbeddingGathersEveryDtype) {
  const int64_t v = 50, c = 37;
  Tensor table = RandomTensor({v, c}, 600);
  Tensor ids = Tensor::FromIds({3, 0, 49, 3, 17}, {5});
  for (DType dt : {DType::kF32, DType::kBF16, DType::kF16}) {
    Tensor t = table.To(dt).value();
    Tensor t32 = t.To(DType::kF32).value();  // the values the gather must reproduce exactly
    Tensor out = Tensor::Empty(DType::kF32, {5, c});
    ASSERT_TRUE(Embedding(ids, t, out).ok());
    std::vector<float> ref(5 * c);
    for (int64_t i = 0; i < 5; ++i)
      for (int64_t j = 0; j < c; ++j) ref[i * c + j] = t32.data<float>()[ids.data<int64_t>()[i] * c + j];
    ExpectClose(out, ref, 0, 0, std::string("embedding ") + std::string(DTypeName(dt)));
    ASSERT_TRUE(Embedding(ids, t, out, /*accumulate=*/true).ok());
    for (float& f : ref) f *= 2;
    ExpectClose(out, ref, 0, 0, "embedding accumulate");
  }
  Tensor bad = Tensor::FromIds({1, 50}, {2}, DType::kI32);
  Tensor out = Tensor::Empty(DType::kF32, {2, c});
  Status st = Embedding(bad, table, out);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("50"), std::string::npos);
}

TEST_P(KernelsTest, Bf16ConversionRoundsToNearestEven) {
  std::vector<float> v = {
      1.0f,    -2.5f, 1.00390625f /* tie, even stays */,      1.01171875f /* tie, odd rounds up */,
      3.0e38f, -0.0f, std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(),
      1e-40f};
  Tensor r = RandomTensor({1000}, 700, -1e4, 1e4);
  for (int i = 0; i < 1000; ++i) v.push_back(r.data<float>()[i]);
  std::vector<uint16_t> fast(v.size());
  ConvertF32ToBF16(v.data(), fast.data(), v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    // Oracle: the nearest bf16 by exhaustive distance over the two neighbours (ties to even mantissa).
    if (std::isnan(v[i])) {
      EXPECT_TRUE(std::isnan(BF16ToF32(fast[i])));
      continue;
    }
    uint32_t u = std::bit_cast<uint32_t>(v[i]);
    uint16_t lo = static_cast<uint16_t>(u >> 16), hi = static_cast<uint16_t>(lo + 1);
    double dl = std::fabs(static_cast<double>(BF16ToF32(lo)) - v[i]);
    double dh = std::fabs(static_cast<double>(BF16ToF32(hi)) - v[i]);
    uint16_t expect = dl < dh ? lo : (dh < dl ? hi : ((lo & 1) ? hi : lo));
    if (std::isinf(v[i])) expect = lo;
    EXPECT_EQ(fast[i], expect) << "value " << v[i];
  }
  std::vector<float> back(v.size());
  ConvertBF16ToF32(fast.data(), back.data(), v.size());
  for (size_t i = 0; i < v.size(); ++i)
    if (!std::isnan(v[i])) {
      EXPECT_EQ(back[i], BF16ToF32(fast[i]));
    }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, KernelsTest, ::testing::ValuesIn(testing::SupportedIsas()), testing::IsaParamName);

TEST(HalfConversion, EveryHalfRoundTripsAndRoundsToNearest) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = F16ToF32(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(F16ToF32(F32ToF16(f))));
      continue;
    }
    ASSERT_EQ(F32ToF16(f), h) << "half 0x" << std::hex << h;
  }
  // Midpoints between neighbouring halves round to the even one.
  for (uint32_t h = 0x0001; h < 0x7bff; h += 97) {
    const double a = F16ToF32(static_cast<uint16_t>(h)), b = F16ToF32(static_cast<uint16_t>(h + 1));
    const float mid = static_cast<float>((a + b) / 2);
    if (static_cast<double>(mid) != (a + b) / 2) continue;  // not representable in f32
    EXPECT_EQ(F32ToF16(mid), (h & 1) ? h + 1 : h) << "midpoint above half 0x" << std::hex << h;
  }
  EXPECT_EQ(F32ToF16(65520.0f), 0x7c00);  // rounds to inf
  EXPECT_EQ(F32ToF16(65519.0f), 0x7bff);
}

}  // namespace
}  // namespace mhub::core
