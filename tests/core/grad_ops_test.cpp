// Backward kernels (core/grad.h): each fast kernel against its plain reference, and every gradient
// against central finite differences of the forward (f32, step 1e-2 on inputs of order 1; a wrong
// gradient is off by O(1), rounding and the O(h^2) term stay below the tolerances).
#include "mhub/core/grad.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <vector>

namespace mhub::core::grad {
namespace {

std::vector<float> Random(size_t n, uint64_t seed, float scale = 1.f) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> d(0.f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

double RelDiff(const std::vector<float>& a, const std::vector<float>& b) {
  double diff = 0, norm = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    norm += static_cast<double>(b[i]) * b[i];
  }
  return std::sqrt(diff) / std::max(std::sqrt(norm), 1e-12);
}

// Central differences of loss(x) at every element of x (x restored afterwards).
std::vector<float> NumericGrad(std::vector<float>& x, const std::function<double()>& loss, float h = 1e-2f) {
  std::vector<float> g(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const float keep = x[i];
    x[i] = keep + h;
    const double up = loss();
    x[i] = keep - h;
    const double down = loss();
    x[i] = keep;
    g[i] = static_cast<float>((up - down) / (2.0 * h));
  }
  return g;
}

double Dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

TEST(GradLinear, FastMatchesReferenceAndFiniteDifferences) {
  const int64_t m = 7, in = 5, out = 6;
  for (WeightLayout layout : {WeightLayout::kOutIn, WeightLayout::kInOut}) {
    std::vector<float> x = Random(m * in, 1), w = Random(in * out, 2), b = Random(out, 3), r = Random(m * out, 4);
    std::vector<float> y(m * out), y_ref(m * out);
    LinearForward(x.data(), in, m, in, out, w.data(), layout, b.data(), y.data(), out);
    reference::LinearForward(x.data(), m, in, out, w.data(), layout, b.data(), y_ref.data());
    EXPECT_LT(RelDiff(y, y_ref), 1e-6);

    // loss = sum(r * y): dy = r
    std::vector<float> dx(m * in), dw(in * out, 0.f), db(out, 0.f);
    std::vector<float> dx_ref(m * in), dw_ref(in * out, 0.f), db_ref(out, 0.f);
    LinearBackward(x.data(), in, r.data(), out, m, in, out, w.data(), layout, dx.data(), false, dw.data(), db.data());
    reference::LinearBackward(x.data(), r.data(), m, in, out, w.data(), layout, dx_ref.data(), dw_ref.data(),
                              db_ref.data());
    EXPECT_LT(RelDiff(dx, dx_ref), 1e-6);
    EXPECT_LT(RelDiff(dw, dw_ref), 1e-6);
    EXPECT_LT(RelDiff(db, db_ref), 1e-6);
    auto loss = [&] {
      reference::LinearForward(x.data(), m, in, out, w.data(), layout, b.data(), y_ref.data());
      return Dot(y_ref, r);
    };
    EXPECT_LT(RelDiff(dx, NumericGrad(x, loss)), 1e-3);
    EXPECT_LT(RelDiff(dw, NumericGrad(w, loss)), 1e-3);
    EXPECT_LT(RelDiff(db, NumericGrad(b, loss)), 1e-3);
    // accumulate: a second backward doubles the weight gradient and adds to dx
    LinearBackward(x.data(), in, r.data(), out, m, in, out, w.data(), layout, dx.data(), true, dw.data(), db.data());
    for (size_t i = 0; i < dw.size(); ++i) ASSERT_NEAR(dw[i], 2 * dw_ref[i], 1e-5);
    for (size_t i = 0; i < dx.size(); ++i) ASSERT_NEAR(dx[i], 2 * dx_ref[i], 1e-5);
  }
}

TEST(GradEmbedding, ScatterAddSkipsPaddingRow) {
  const int64_t dim = 3;
  std::vector<int64_t> ids = {2, 0, 2, 1};
  std::vector<float> dy = Random(ids.size() * dim, 5), table(4 * dim, 0.f);
  EmbeddingBackward(ids.data(), static_cast<int64_t>(ids.size()), dy.data(), dim, table.data(), /*skip_id=*/0);
  for (int64_t j = 0; j < dim; ++j) {
    EXPECT_FLOAT_EQ(table[0 * dim + j], 0.f);
    EXPECT_FLOAT_EQ(table[1 * dim + j], dy[3 * dim + j]);
    EXPECT_FLOAT_EQ(table[2 * dim + j], dy[0 * dim + j] + dy[2 * dim + j]);
    EXPECT_FLOAT_EQ(table[3 * dim + j], 0.f);
  }
}

TEST(GradNorm, LayerNormAndRmsNormFiniteDifferences) {
  const int64_t rows = 4, dim = 9;
  const float eps = 1e-5f;
  std::vector<float> x = Random(rows * dim, 6, 2.f), w = Random(dim, 7), b = Random(dim, 8), r = Random(rows * dim, 9);
  std::vector<float> y(rows * dim), mean(rows), rstd(rows);
  auto ln_loss = [&] {
    LayerNormForward(x.data(), rows, dim, w.data(), b.data(), eps, y.data(), mean.data(), rstd.data());
    return Dot(y, r);
  };
  ln_loss();
  std::vector<float> dx(rows * dim), dw(dim, 0.f), db(dim, 0.f);
  LayerNormBackward(r.data(), x.data(), rows, dim, w.data(), mean.data(), rstd.data(), dx.data(), false, dw.data(),
                    db.data());
  std::vector<float> dx_ref(rows * dim), dw_ref(dim, 0.f), db_ref(dim, 0.f);
  reference::LayerNormBackward(r.data(), x.data(), rows, dim, w.data(), eps, dx_ref.data(), dw_ref.data(),
                               db_ref.data());
  EXPECT_LT(RelDiff(dx, dx_ref), 1e-5);
  EXPECT_LT(RelDiff(dw, dw_ref), 1e-5);
  EXPECT_LT(RelDiff(db, db_ref), 1e-5);
  EXPECT_LT(RelDiff(dx, NumericGrad(x, ln_loss)), 5e-3);
  EXPECT_LT(RelDiff(dw, NumericGrad(w, ln_loss)), 5e-3);
  EXPECT_LT(RelDiff(db, NumericGrad(b, ln_loss)), 5e-3);

  auto rms_loss = [&] {
    RmsNormForward(x.data(), rows, dim, w.data(), eps, y.data(), rstd.data());
    return Dot(y, r);
  };
  rms_loss();
  std::fill(dw.begin(), dw.end(), 0.f);
  RmsNormBackward(r.data(), x.data(), rows, dim, w.data(), rstd.data(), dx.data(), false, dw.data());
  EXPECT_LT(RelDiff(dx, NumericGrad(x, rms_loss)), 5e-3);
  EXPECT_LT(RelDiff(dw, NumericGrad(w, rms_loss)), 5e-3);
}

TEST(GradActivation, EveryActivationTanhAndSwiGluFiniteDifferences) {
  const int64_t n = 40;
  std::vector<float> x = Random(n, 10, 2.f), r = Random(n, 11), y(n), dx(n);
  for (Activation act : {Activation::kGeluErf, Activation::kGeluTanh, Activation::kSilu, Activation::kRelu}) {
    auto loss = [&] {
      ActivationForward(act, x.data(), n, y.data());
      return Dot(y, r);
    };
    ActivationBackward(act, x.data(), r.data(), n, dx.data());
    EXPECT_LT(RelDiff(dx, NumericGrad(x, loss, act == Activation::kRelu ? 1e-3f : 1e-2f)), 5e-3)
        << static_cast<int>(act);
  }
  // GELU values against the closed forms at a point
  float v = 1.5f, out = 0;
  ActivationForward(Activation::kGeluErf, &v, 1, &out);
  EXPECT_NEAR(out, 0.5 * 1.5 * (1 + std::erf(1.5 / std::sqrt(2.0))), 1e-6);

  auto tanh_loss = [&] {
    for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
    return Dot(y, r);
  };
  tanh_loss();
  TanhBackward(y.data(), r.data(), n, dx.data());
  EXPECT_LT(RelDiff(dx, NumericGrad(x, tanh_loss)), 5e-3);

  std::vector<float> up = Random(n, 12), dgate(n), dup(n);
  auto swiglu_loss = [&] {
    SwiGluForward(x.data(), up.data(), n, y.data());
    return Dot(y, r);
  };
  SwiGluBackward(x.data(), up.data(), r.data(), n, dgate.data(), dup.data());
  EXPECT_LT(RelDiff(dgate, NumericGrad(x, swiglu_loss)), 5e-3);
  EXPECT_LT(RelDiff(dup, NumericGrad(up, swiglu_loss)), 5e-3);
}

TEST(GradDropout, DeterministicMaskWithTheExpectedRateAndScale) {
  const int64_t n = 200000;
  std::vector<float> a(n, 1.f), b(n, 1.f), c(n, 1.f);
  Dropout(a.data(), n, 0.25f, 42, 3);
  Dropout(b.data(), n, 0.25f, 42, 3);
  Dropout(c.data(), n, 0.25f, 42, 4);
  int64_t kept = 0, same_as_other_stream = 0;
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_EQ(a[i], b[i]);
    ASSERT_TRUE(a[i] == 0.f || std::fabs(a[i] - 1.f / 0.75f) < 1e-6f);
    ASSERT_EQ(a[i], DropoutScale(0.25f, 42, 3, static_cast<uint64_t>(i)));
    kept += a[i] != 0.f;
    same_as_other_stream += a[i] == c[i];
  }
  EXPECT_NEAR(static_cast<double>(kept) / n, 0.75, 0.005);  // binomial sd ~0.001
  EXPECT_LT(same_as_other_stream, n * 0.7);                 // independent streams agree ~62.5%
}

class GradAttention : public ::testing::TestWithParam<std::tuple<bool, bool, float>> {};

TEST_P(GradAttention, FastMatchesReferenceAndFiniteDifferences) {
  const auto [causal, masked, dropout] = GetParam();
  AttentionShape s;
  s.batch = 2;
  s.seq = 5;
  s.heads = 2;
  s.head_dim = 4;
  s.ld_qkv = 3 * s.heads * s.head_dim;  // packed q|k|v rows
  s.ld_out = s.heads * s.head_dim;
  s.causal = causal;
  std::vector<int64_t> mask = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
  s.key_mask = masked ? mask.data() : nullptr;
  s.dropout = dropout;
  s.seed = 9;
  s.stream = 100;
  const int64_t C = s.heads * s.head_dim, BT = s.batch * s.seq;
  std::vector<float> qkv = Random(BT * 3 * C, 13), r = Random(BT * C, 14);
  std::vector<float> out(BT * C), out_ref(BT * C), lse(s.batch * s.heads * s.seq);
  const float* q = qkv.data();
  AttentionForward(s, q, q + C, q + 2 * C, out.data(), lse.data());
  reference::AttentionForward(s, q, q + C, q + 2 * C, out_ref.data());
  EXPECT_LT(RelDiff(out, out_ref), 1e-5);

  std::vector<float> dqkv(BT * 3 * C), dqkv_ref(BT * 3 * C);
  AttentionBackward(s, q, q + C, q + 2 * C, out.data(), r.data(), lse.data(), dqkv.data(), dqkv.data() + C,
                    dqkv.data() + 2 * C);
  reference::AttentionBackward(s, q, q + C, q + 2 * C, r.data(), dqkv_ref.data(), dqkv_ref.data() + C,
                               dqkv_ref.data() + 2 * C);
  EXPECT_LT(RelDiff(dqkv, dqkv_ref), 1e-5);
  auto loss = [&] {
    reference::AttentionForward(s, qkv.data(), qkv.data() + C, qkv.data() + 2 * C, out_ref.data());
    return Dot(out_ref, r);
  };
  EXPECT_LT(RelDiff(dqkv, NumericGrad(qkv, loss)), 5e-3);
}

INSTANTIATE_TEST_SUITE_P(Masks, GradAttention,
                         ::testing::Values(std::make_tuple(false, false, 0.f), std::make_tuple(false, true, 0.f),
                                           std::make_tuple(true, false, 0.f), std::make_tuple(true, true, 0.f),
                                           std::make_tuple(false, true, 0.3f), std::make_tuple(true, true, 0.3f)));

// Shapes past one tile in every direction: 150 query rows (three row blocks, the last partial), keys
// over three 64-column panels, head_dim 80 (two panels, not a multiple of the vector width), padding
// that masks a whole tail and, causal, rows that see a partial panel.
class GradAttentionLarge : public ::testing::TestWithParam<std::tuple<bool, bool, float>> {};

TEST_P(GradAttentionLarge, FastMatchesReference) {
  const auto [causal, masked, dropout] = GetParam();
  AttentionShape s;
  s.batch = 2;
  s.seq = 150;
  s.heads = 2;
  s.head_dim = 80;
  s.ld_qkv = 3 * s.heads * s.head_dim;
  s.ld_out = s.heads * s.head_dim;
  s.causal = causal;
  std::vector<int64_t> mask(static_cast<size_t>(s.batch * s.seq), 1);
  for (int64_t j = 97; j < s.seq; ++j) mask[s.seq + j] = 0;  // row 1: 97 real tokens
  mask[5] = 0;                                               // and a hole in row 0
  s.key_mask = masked ? mask.data() : nullptr;
  s.dropout = dropout;
  s.seed = 21;
  s.stream = 7;
  const int64_t C = s.heads * s.head_dim, BT = s.batch * s.seq;
  std::vector<float> qkv = Random(BT * 3 * C, 31), r = Random(BT * C, 32);
  std::vector<float> out(BT * C), out_ref(BT * C), lse(s.batch * s.heads * s.seq);
  const float* q = qkv.data();
  AttentionForward(s, q, q + C, q + 2 * C, out.data(), lse.data());
  reference::AttentionForward(s, q, q + C, q + 2 * C, out_ref.data());
  EXPECT_LT(RelDiff(out, out_ref), 1e-5);
  std::vector<float> dqkv(BT * 3 * C, 7.f), dqkv_ref(BT * 3 * C);
  AttentionBackward(s, q, q + C, q + 2 * C, out.data(), r.data(), lse.data(), dqkv.data(), dqkv.data() + C,
                    dqkv.data() + 2 * C);
  reference::AttentionBackward(s, q, q + C, q + 2 * C, r.data(), dqkv_ref.data(), dqkv_ref.data() + C,
                               dqkv_ref.data() + 2 * C);
  EXPECT_LT(RelDiff(dqkv, dqkv_ref), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Masks, GradAttentionLarge,
                         ::testing::Values(std::make_tuple(false, false, 0.f), std::make_tuple(true, false, 0.f),
                                           std::make_tuple(false, true, 0.1f), std::make_tuple(true, true, 0.1f)));

TEST(GradRope, InverseUndoesAndIsTheBackward) {
  const int64_t B = 2, T = 3, H = 2, D = 4, ld = H * D;
  std::vector<float> cos(T * D / 2), sin(T * D / 2);
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t i = 0; i < D / 2; ++i) {
      const double angle = t * std::pow(10000.0, -2.0 * i / D);
      cos[t * D / 2 + i] = static_cast<float>(std::cos(angle));
      sin[t * D / 2 + i] = static_cast<float>(std::sin(angle));
    }
  }
  std::vector<float> x = Random(B * T * ld, 15), r = Random(B * T * ld, 16), y = x;
  Rope(y.data(), B, T, H, D, ld, cos.data(), sin.data(), false);
  std::vector<float> back = y;
  Rope(back.data(), B, T, H, D, ld, cos.data(), sin.data(), true);
  EXPECT_LT(RelDiff(back, x), 1e-6);
  // loss = sum(r * rope(x)): dx = rope^T r = inverse rotation of r
  std::vector<float> dx = r;
  Rope(dx.data(), B, T, H, D, ld, cos.data(), sin.data(), true);
  auto loss = [&] {
    y = x;
    Rope(y.data(), B, T, H, D, ld, cos.data(), sin.data(), false);
    return Dot(y, r);
  };
  EXPECT_LT(RelDiff(dx, NumericGrad(x, loss)), 1e-3);
}

TEST(GradLoss, CrossEntropyWithIgnoreAndSmoothingFiniteDifferences) {
  const int64_t rows = 5, classes = 4;
  std::vector<float> z = Random(rows * classes, 17, 2.f), dz(rows * classes);
  std::vector<int64_t> labels = {1, -100, 3, 0, 2};
  for (float eps : {0.f, 0.1f}) {
    int64_t count = 0;
    const double sum = CrossEntropy(z.data(), rows, classes, labels.data(), -100, eps, 1.f, dz.data(), &count);
    EXPECT_EQ(count, 4);
    // row 0 by hand
    double lse = 0;
    for (int64_t c = 0; c < classes; ++c) lse += std::exp(static_cast<double>(z[c]));
    lse = std::log(lse);
    double smooth = 0;
    for (int64_t c = 0; c < classes; ++c) smooth += lse - z[c];
    int64_t one = 0;
    const double row0 = CrossEntropy(z.data(), 1, classes, labels.data(), -100, eps, 1.f, nullptr, &one);
    EXPECT_NEAR(row0, (1 - eps) * (lse - z[1]) + eps / classes * smooth, 1e-6);
    for (int64_t c = 0; c < classes; ++c) EXPECT_EQ(dz[classes + c], 0.f);  // ignored row
    auto loss = [&] { return CrossEntropy(z.data(), rows, classes, labels.data(), -100, eps, 1.f, nullptr, nullptr); };
    EXPECT_LT(RelDiff(dz, NumericGrad(z, loss)), 5e-3);
    (void)sum;
  }
}

TEST(GradLoss, SquaredErrorAndBceWithLogitsFiniteDifferences) {
  const int64_t n = 12;
  std::vector<float> x = Random(n, 18, 3.f), t = Random(n, 19), d(n);
  SquaredError(x.data(), t.data(), n, 0.5f, d.data());
  auto mse = [&] { return 0.5 * SquaredError(x.data(), t.data(), n, 1.f, nullptr); };
  EXPECT_LT(RelDiff(d, NumericGrad(x, mse)), 1e-3);
  std::vector<float> targets(n);
  for (int64_t i = 0; i < n; ++i) targets[i] = i % 3 == 0 ? 1.f : 0.f;
  BceWithLogits(x.data(), targets.data(), n, 1.f, d.data());
  auto bce = [&] { return BceWithLogits(x.data(), targets.data(), n, 1.f, nullptr); };
  EXPECT_LT(RelDiff(d, NumericGrad(x, bce)), 5e-3);
  // torch's value at a point: x = 2, t = 1 -> log(1 + e^-2)
  float x0 = 2.f, t0 = 1.f;
  EXPECT_NEAR(BceWithLogits(&x0, &t0, 1, 1.f, nullptr), std::log1p(std::exp(-2.0)), 1e-7);
}

}  // namespace
}  // namespace mhub::core::grad
