// Sliding-window attention (AttentionOptions::window, every ISA, f32 and the bf16 option) against a
// naive double-precision formula written here: query i (at position q_offset + i) sees key j when
// j <= q_offset + i, (q_offset + i) - j < window, and key_mask[b, j] != 0; no visible key = zeros.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

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

std::vector<float> Naive(const HeadsView& q, const HeadsView& k, const HeadsView& v, const std::vector<int64_t>* mask,
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
          vis[j] = j <= pos && pos - j < window && (!mask || (*mask)[b * k.seq + j] != 0);
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
      std::vector<int64_t> m(static_cast<size_t>(c.b * c.tk), 1);
      for (int64_t bi = 0; bi < c.b; ++bi)
        for (int64_t j = 0; j < c.tk; ++j)
          if (c.mask && (j < bi * 2 || (j * 7 + bi) % 5 == 0)) m[bi * c.tk + j] = 0;
      Tensor mask = Tensor::FromIds(m, {c.b, c.tk});
      AttentionOptions opt;
      opt.causal = true;
      opt.q_offset = c.q_offset;
      opt.window = c.window;
      opt.key_mask = c.mask ? &mask : nullptr;
      opt.bf16 = bf16;
      Tensor out = Tensor::Empty(DType::kF32, {c.b, c.tq, c.hq * c.d});
      ASSERT_TRUE(Attention(q, k, v, HeadsView::Of(out, c.hq).value(), opt).ok());
      const std::vector<float> want = Naive(q, k, v, c.mask ? &m : nullptr, c.q_offset, c.window);
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
