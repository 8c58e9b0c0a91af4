#include "mhub/pipelines/classification.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mhub::pipelines {
namespace {

TEST(TextClassificationTest, SoftmaxSortedAndTopK) {
  auto r = PostprocessTextClassification({1.0f, 3.0f, 2.0f}, {"a", "b", "c"}, ClassificationFunction::kSoftmax, 2);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  double z = std::exp(1.0) + std::exp(3.0) + std::exp(2.0);
  EXPECT_EQ((*r)[0]["label"], "b");
  EXPECT_NEAR((*r)[0]["score"].get<double>(), std::exp(3.0) / z, 1e-9);
  EXPECT_EQ((*r)[1]["label"], "c");
}

TEST(TextClassificationTest, DefaultFunctionFollowsProblemType) {
  EXPECT_EQ(DefaultClassificationFunction("multi_label_classification", 3), ClassificationFunction::kSigmoid);
  EXPECT_EQ(DefaultClassificationFunction("", 1), ClassificationFunction::kSigmoid);
  EXPECT_EQ(DefaultClassificationFunction("regression", 1), ClassificationFunction::kSigmoid);
  EXPECT_EQ(DefaultClassificationFunction("regression", 2), ClassificationFunction::kNone);
  EXPECT_EQ(DefaultClassificationFunction("single_label_classification", 2), ClassificationFunction::kSoftmax);
  auto r = PostprocessTextClassification({0.0f, 2.0f}, {"x", "y"}, ClassificationFunction::kSigmoid, std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR((*r)[0]["score"].get<double>(), 1.0 / (1.0 + std::exp(-2.0)), 1e-9);
  EXPECT_NEAR((*r)[1]["score"].get<double>(), 0.5, 1e-9);
}

TEST(ZeroShotTest, SingleAndMultiLabel) {
  std::vector<std::string> id2label = {"contradiction", "neutral", "entailment"};
  std::vector<std::vector<float>> logits = {{0.0f, 0.0f, 2.0f}, {1.0f, 0.0f, 0.0f}};
  auto single = PostprocessZeroShot("text", {"sports", "politics"}, logits, id2label, false);
  ASSERT_TRUE(single.ok());
  EXPECT_EQ((*single)["labels"][0], "sports");
  double s0 = std::exp(2.0) / (std::exp(2.0) + std::exp(0.0));
  EXPECT_NEAR((*single)["scores"][0].get<double>(), s0, 1e-9);
  auto multi = PostprocessZeroShot("text", {"sports", "politics"}, logits, id2label, true);
  ASSERT_TRUE(multi.ok());
  // Per label: softmax over [contradiction, entailment].
  EXPECT_NEAR((*multi)["scores"][0].get<double>(), std::exp(2.0) / (1.0 + std::exp(2.0)), 1e-9);
  EXPECT_NEAR((*multi)["scores"][1].get<double>(), 1.0 / (std::exp(1.0) + 1.0), 1e-9);
  EXPECT_FALSE(PostprocessZeroShot("t", {"a"}, {{0, 0}}, {"x", "y"}, false).ok());
}

TEST(ZeroShotTest, CandidateLabelsSplitOnCommas) {
  EXPECT_EQ(SplitCandidateLabels(" a, b ,c,,"), (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace mhub::pipelines
