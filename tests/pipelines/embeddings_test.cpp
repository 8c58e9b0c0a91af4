#include "mhub/pipelines/embeddings.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mhub::pipelines {
namespace {

TEST(EmbeddingsTest, MeanPoolingIgnoresPadding) {
  // (T=3, H=2), last token is padding.
  std::vector<float> hidden = {1, 2, 3, 4, 100, 100};
  auto v = Pool(hidden, 2, {1, 1, 0}, Pooling::kMean);
  EXPECT_FLOAT_EQ(v[0], 2.0f);
  EXPECT_FLOAT_EQ(v[1], 3.0f);
  auto cls = Pool(hidden, 2, {1, 1, 0}, Pooling::kCls);
  EXPECT_FLOAT_EQ(cls[1], 2.0f);
}

TEST(EmbeddingsTest, NormalizeAndCosine) {
  std::vector<float> v = {3, 4};
  L2Normalize(v);
  EXPECT_FLOAT_EQ(v[0], 0.6f);
  EXPECT_NEAR(CosineSimilarity({1, 0}, {0, 1}), 0.0, 1e-12);
  EXPECT_NEAR(CosineSimilarity({1, 2}, {2, 4}), 1.0, 1e-9);
}

}  // namespace
}  // namespace mhub::pipelines
