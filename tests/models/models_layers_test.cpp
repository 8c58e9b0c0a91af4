// Building blocks of the model files: a fused linear (BERT's QKV) computes what its parts compute,
// also when their dtypes differ; arenas are reused between passes and never shared by two.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "models/layers.h"

namespace mhub::models {
namespace {

core::Tensor Random(const core::Shape& shape, uint32_t seed, core::DType dtype = core::DType::kF32) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(shape.numel()));
  for (float& x : v) x = dist(gen);
  core::Tensor t = core::Tensor::FromVector(v, shape);
  return dtype == core::DType::kF32 ? t : t.To(dtype).value();
}

// y (M, sum of outs) from the parts one by one, each written into its columns.
std::vector<float> PartsSideBySide(const std::vector<LazyLinear>& parts, const core::Tensor& x) {
  const int64_t m = x.dim(0);
  int64_t total = 0;
  for (const LazyLinear& p : parts) total += p.out_features();
  std::vector<float> y(static_cast<size_t>(m * total));
  int64_t col = 0;
  for (const LazyLinear& p : parts) {
    core::Tensor part;
    EXPECT_TRUE(p.Forward(x, part).ok());
    for (int64_t r = 0; r < m; ++r)
      std::copy_n(part.data<float>() + r * p.out_features(), p.out_features(), y.begin() + r * total + col);
    col += p.out_features();
  }
  return y;
}

void ExpectNear(const core::Tensor& got, const std::vector<float>& want, float tol) {
  ASSERT_EQ(static_cast<size_t>(got.numel()), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(got.data<float>()[i], want[i], tol * (1.0f + std::fabs(want[i]))) << "element " << i;
}

TEST(FusedLinear, EqualsItsPartsSideBySide) {
  const int64_t in = 48;
  for (int64_t m : {2, 37}) {  // GEMV path and oneDNN path
    for (core::DType dt : {core::DType::kF32, core::DType::kBF16}) {
      SCOPED_TRACE("M=" + std::to_string(m) + " dtype=" + std::string(core::DTypeName(dt)));
      std::vector<LazyLinear> parts;
      uint32_t seed = 10;
      for (int64_t out : {16, 24, 16}) {
        parts.push_back(LazyLinear::Of(Random({out, in}, seed, dt), Random({out}, seed + 1)));
        seed += 2;
      }
      LazyLinear fused = LazyLinear::Fuse(parts).value();
      EXPECT_EQ(fused.out_features(), 56);
      EXPECT_EQ(fused.bf16(), dt == core::DType::kBF16);
      core::Tensor x = Random({m, in}, 99), y;
      ASSERT_TRUE(fused.Forward(x, y).ok());
      ExpectNear(y, PartsSideBySide(parts, x), 1e-5f);
    }
  }
}

TEST(FusedLinear, MixedDtypesComputeInF32) {
  // A BF16 part among F32 ones: the fused weights hold its values widened to F32.
  core::Tensor wb = Random({8, 20}, 1, core::DType::kBF16), wf = Random({12, 20}, 2);
  core::Tensor bb = Random({8}, 3), bf = Random({12}, 4);
  LazyLinear fused = LazyLinear::Fuse({LazyLinear::Of(wb, bb), LazyLinear::Of(wf, bf)}).value();
  EXPECT_FALSE(fused.bf16());
  std::vector<LazyLinear> as_f32{LazyLinear::Of(wb.To(core::DType::kF32).value(), bb), LazyLinear::Of(wf, bf)};
  core::Tensor x = Random({9, 20}, 5), y;
  ASSERT_TRUE(fused.Forward(x, y).ok());
  ExpectNear(y, PartsSideBySide(as_f32, x), 1e-5f);
}

TEST(FusedLinear, RejectsPartsThatCannotSitSideBySide) {
  LazyLinear a = LazyLinear::Of(Random({4, 8}, 1), Random({4}, 2));
  LazyLinear other_in = LazyLinear::Of(Random({4, 6}, 3), Random({4}, 4));
  LazyLinear no_bias = LazyLinear::Of(Random({4, 8}, 5), core::Tensor());
  EXPECT_FALSE(LazyLinear::Fuse({a, other_in}).ok());
  EXPECT_FALSE(LazyLinear::Fuse({a, no_bias}).ok());
  EXPECT_FALSE(LazyLinear::Fuse({}).ok());
}

TEST(ArenaPool, ReusesReturnedArenasAndNeverSharesOne) {
  ArenaPool pool;
  core::Arena* first = nullptr;
  {
    ArenaPool::Lease a = pool.Acquire();
    ArenaPool::Lease b = pool.Acquire();
    EXPECT_NE(&a.arena(), &b.arena());
    first = &a.arena();
    a.arena().NewTensor(core::DType::kF32, {1000});
    EXPECT_GT(a.arena().used(), 0u);
  }
  ArenaPool::Lease again = pool.Acquire();
  EXPECT_EQ(again.arena().used(), 0u);  // handed out Reset
  ArenaPool::Lease second = pool.Acquire();
  EXPECT_TRUE(&again.arena() == first || &second.arena() == first);  // both returned arenas are reused
}

}  // namespace
}  // namespace mhub::models
