// Collators: the padding/label rules of transformers' data_collator.py, MLM masking statistics
// (15% selected, 80/10/10, never a special token or padding), seeded reproducibility, and
// run_ner.py's label alignment.
#include "mhub/train/collators.h"

#include <gtest/gtest.h>

namespace mhub::train {
namespace {

Feature Row(std::vector<int64_t> ids) {
  Feature f;
  f.input_ids = std::move(ids);
  return f;
}

TEST(CollatorsTest, PaddingRightLeftAndMultiple) {
  std::vector<Feature> rows = {Row({5, 6, 7}), Row({8})};
  rows[0].label = 1;
  rows[1].label = 0;
  PaddingOptions o;
  o.pad_token_id = 9;
  auto b = CollateWithPadding(rows, o);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->seq_len, 3);
  EXPECT_EQ(b->input_ids, (std::vector<int64_t>{5, 6, 7, 8, 9, 9}));
  EXPECT_EQ(b->attention_mask, (std::vector<int64_t>{1, 1, 1, 1, 0, 0}));
  EXPECT_EQ(b->labels, (std::vector<int64_t>{1, 0}));
  o.pad_left = true;
  o.pad_to_multiple_of = 4;
  b = CollateWithPadding(rows, o);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->seq_len, 4);
  EXPECT_EQ(b->input_ids, (std::vector<int64_t>{9, 5, 6, 7, 9, 9, 9, 8}));
  EXPECT_EQ(b->attention_mask, (std::vector<int64_t>{0, 1, 1, 1, 0, 0, 0, 1}));
  rows[1].label.reset();
  EXPECT_EQ(CollateWithPadding(rows, o).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(CollateWithPadding({}, o).ok());
  o.max_length = 2;
  EXPECT_FALSE(CollateWithPadding(std::vector<Feature>{Row({1, 2, 3})}, o).ok());
}

TEST(CollatorsTest, TokenClassificationPadsLabelsWithMinus100) {
  std::vector<Feature> rows = {Row({5, 6, 7}), Row({8})};
  rows[0].labels = {-100, 2, -100};
  rows[1].labels = {1};
  auto b = CollateForTokenClassification(rows, {});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->labels, (std::vector<int64_t>{-100, 2, -100, 1, -100, -100}));
  PaddingOptions left;
  left.pad_left = true;
  b = CollateForTokenClassification(rows, left);
  EXPECT_EQ(b->labels, (std::vector<int64_t>{-100, 2, -100, -100, -100, 1}));
  rows[1].labels = {1, 2};
  EXPECT_FALSE(CollateForTokenClassification(rows, {}).ok());
}

TEST(CollatorsTest, CausalLMLabelsAreInputsWithPadsIgnored) {
  PaddingOptions o;
  o.pad_token_id = 0;
  auto b = CollateForCausalLM(std::vector<Feature>{Row({3, 4, 5}), Row({6})}, o);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->labels, (std::vector<int64_t>{3, 4, 5, 6, -100, -100}));  // no shift here: the model shifts
}

TEST(CollatorsTest, MlmMaskingProportionsAndSpecials) {
  const int64_t cls = 1, sep = 2, mask = 3, vocab = 1000;
  std::vector<Feature> rows;
  for (int r = 0; r < 64; ++r) {
    std::vector<int64_t> ids = {cls};
    for (int t = 0; t < 100 + r % 7; ++t) ids.push_back(10 + (r * 131 + t * 7) % 900);
    ids.push_back(sep);
    rows.push_back(Row(ids));
  }
  MlmOptions m;
  m.mask_token_id = mask;
  m.vocab_size = vocab;
  m.special_ids = {0, cls, sep, mask};
  m.seed = 42;
  auto c = MlmCollator::Create(m, {});
  ASSERT_TRUE(c.ok());
  int64_t eligible = 0, selected = 0, masked = 0, random = 0, kept = 0;
  for (int rep = 0; rep < 5; ++rep) {
    auto b = (*c)(rows);
    ASSERT_TRUE(b.ok());
    for (int64_t r = 0; r < b->batch; ++r)
      for (int64_t t = 0; t < b->seq_len; ++t) {
        const int64_t i = r * b->seq_len + t;
        const bool pad = b->attention_mask[i] == 0;
        const int64_t orig = t < int64_t(rows[r].input_ids.size()) ? rows[r].input_ids[t] : 0;
        const bool special = pad || orig == cls || orig == sep;
        if (special) {
          ASSERT_EQ(b->labels[i], -100) << "special or pad selected";
          ASSERT_EQ(b->input_ids[i], pad ? 0 : orig);
          continue;
        }
        ++eligible;
        if (b->labels[i] == -100) {
          ASSERT_EQ(b->input_ids[i], orig);
          continue;
        }
        ++selected;
        ASSERT_EQ(b->labels[i], orig);
        if (b->input_ids[i] == mask)
          ++masked;
        else if (b->input_ids[i] == orig)
          ++kept;
        else
          ++random;
      }
  }
  // ~33k eligible positions: proportions within a few standard deviations.
  EXPECT_NEAR(double(selected) / eligible, 0.15, 0.01);
  EXPECT_NEAR(double(masked) / selected, 0.8, 0.02);
  EXPECT_NEAR(double(random) / selected, 0.1, 0.015);  // a random id may equal the original (1/1000)
  EXPECT_NEAR(double(kept) / selected, 0.1, 0.015);

  // Same seed -> same masks; state save/restore continues the stream.
  auto c1 = MlmCollator::Create(m, {}), c2 = MlmCollator::Create(m, {});
  EXPECT_EQ((*c1)(rows)->input_ids, (*c2)(rows)->input_ids);
  const std::string state = c1->SaveState();
  auto next1 = (*c1)(rows);
  ASSERT_TRUE(c2->LoadState(state).ok());
  EXPECT_EQ((*c2)(rows)->input_ids, next1->input_ids);
  MlmOptions bad = m;
  bad.mask_token_id = -1;
  EXPECT_FALSE(MlmCollator::Create(bad, {}).ok());
}

TEST(CollatorsTest, LabelAlignmentFirstSubword) {
  // [CLS] New ##York is [SEP] with word labels B-LOC(1) O(0): run_ner.py's rule.
  std::vector<int64_t> word_ids = {-1, 0, 0, 1, -1};
  std::vector<int64_t> labels = {1, 0};
  auto a = AlignLabelsWithTokens(word_ids, labels);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, (std::vector<int64_t>{-100, 1, -100, 0, -100}));
  std::vector<int64_t> b_to_i = {0, 2, 2};  // B-LOC(1) -> I-LOC(2)
  a = AlignLabelsWithTokens(word_ids, labels, true, b_to_i);
  EXPECT_EQ(*a, (std::vector<int64_t>{-100, 1, 2, 0, -100}));
  EXPECT_FALSE(AlignLabelsWithTokens(std::vector<int64_t>{0, 3}, labels).ok());
}

}  // namespace
}  // namespace mhub::train
