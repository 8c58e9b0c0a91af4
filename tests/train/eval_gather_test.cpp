// Evaluation gathering as transformers' nested_concat(padding_index=-100): batches padded to
// different lengths are concatenated on the batch axis with the shorter ones padded by -100 on the
// sequence axis, so token metrics over ragged eval batches equal the metrics of each row alone; and
// run_clm's shifted accuracy over argmax ids.
#include <gtest/gtest.h>

#include "mhub/train/metrics.h"
#include "train/eval_gather.h"

namespace mhub::train {
namespace {

models::Array Arr(std::vector<int64_t> shape, std::vector<float> v) { return {std::move(shape), std::move(v)}; }

TEST(EvalGatherTest, RaggedBatchesArePaddedWithMinus100) {
  internal::EvalGatherer g;
  // Batch 1: (1, 2, 2) logits, labels (1, 2); batch 2: (2, 3, 2), labels (2, 3); batch 3 shorter again.
  ASSERT_TRUE(g.Add({{"logits", Arr({1, 2, 2}, {0, 1, 1, 0})}}, std::vector<int64_t>{1, 0}, {1, 2}).ok());
  ASSERT_TRUE(g.Add({{"logits", Arr({2, 3, 2}, {1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0})}},
                    std::vector<int64_t>{0, 1, -100, 1, 1, 0}, {2, 3})
                  .ok());
  ASSERT_TRUE(g.Add({{"logits", Arr({1, 1, 2}, {0, 1})}}, std::vector<int64_t>{0}, {1, 1}).ok());
  EvalPrediction p = g.Take();
  const auto& l = p.predictions["logits"];
  EXPECT_EQ(l.shape, (std::vector<int64_t>{4, 3, 2}));
  EXPECT_EQ(p.label_shape, (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(p.label_ids, (std::vector<int64_t>{1, 0, -100, 0, 1, -100, 1, 1, 0, 0, -100, -100}));
  // Row 0's third position is padding: -100 in both logits entries.
  EXPECT_EQ(l.values[4], -100.f);
  EXPECT_EQ(l.values[5], -100.f);
  // Accuracy skips the padding: (label, argmax) pairs (1,1) (0,0) | (0,0) (1,1) | (1,1) (1,1) (0,0) | (0,1).
  auto m = ClassificationMetrics("")(p);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_DOUBLE_EQ((*m)["accuracy"], 7.0 / 8.0);
}

TEST(EvalGatherTest, ShiftedTokenAccuracyAsRunClm) {
  // ids (1, 4) after ArgmaxLogits; labels are the inputs: preds[:, :-1] vs labels[:, 1:].
  auto ids = ArgmaxLogits({{"logits", Arr({1, 4, 3}, {0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1})}});
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ((*ids)["pred_ids"].values, (std::vector<float>{2, 1, 0, 2}));
  EvalPrediction p;
  p.predictions = *ids;
  p.label_ids = {5, 2, 1, -100};
  p.label_shape = {1, 4};
  auto m = TokenAccuracyMetrics(true)(p);
  ASSERT_TRUE(m.ok());
  EXPECT_DOUBLE_EQ((*m)["accuracy"], 1.0);  // pred 2 -> label 2, pred 1 -> label 1, the -100 skipped
  auto unshifted = TokenAccuracyMetrics(false)(p);
  ASSERT_TRUE(unshifted.ok());
  EXPECT_DOUBLE_EQ((*unshifted)["accuracy"], 0.0);  // (5,2) (2,1) (1,0) (run_mlm's rule)
}

}  // namespace
}  // namespace mhub::train
