// Token-classification aggregation, with expectations derived from transformers'
// TokenClassificationPipeline rules (documented in its aggregation_strategy docstring).
#include "mhub/pipelines/token_classification.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mhub::pipelines {
namespace {

const std::vector<std::string> kLabels = {"O", "B-PER", "I-PER", "B-ORG", "I-ORG"};

// WordPiece-style join: "##" pieces glue to the previous token.
std::string JoinWordPiece(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) {
    if (t.rfind("##", 0) == 0)
      out += t.substr(2);
    else {
      if (!out.empty()) out += " ";
      out += t;
    }
  }
  return out;
}

// A row of logits that puts `p` on label `label` (softmax target), rest uniform.
std::vector<float> Row(int label, float logit = 4.0f) {
  std::vector<float> r(kLabels.size(), 0.0f);
  r[label] = logit;
  return r;
}

struct Example {
  std::string text = "Hugging Face Inc lives";
  std::vector<TokenInfo> tokens;
  std::vector<float> logits;
  void Add(TokenInfo t, std::vector<float> row) {
    tokens.push_back(std::move(t));
    logits.insert(logits.end(), row.begin(), row.end());
  }
};

// [CLS] Hu ##gging Face Inc lives [SEP]: "Hu" B-ORG, "##gging" I-PER (disagrees), "Face" I-ORG, "Inc" I-ORG.
Example MakeExample() {
  Example e;
  e.Add({101, "[CLS]", 0, 0, true}, Row(0));
  e.Add({1, "hu", 0, 2, false}, Row(3));
  e.Add({2, "##gging", 2, 7, false}, Row(2, 6.0f));
  e.Add({3, "face", 8, 12, false}, Row(4));
  e.Add({4, "inc", 13, 16, false}, Row(4));
  e.Add({5, "lives", 17, 22, false}, Row(0));
  e.Add({102, "[SEP]", 0, 0, true}, Row(0));
  return e;
}

Json RunStrategy(AggregationStrategy s) {
  Example e = MakeExample();
  TokenClassificationOptions opt;
  opt.strategy = s;
  auto r = PostprocessTokenClassification(e.text, e.tokens, e.logits, kLabels.size(), kLabels, opt, JoinWordPiece);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : Json();
}

TEST(TokenClassificationTest, NoneGivesOneEntryPerNonOToken) {
  Json out = RunStrategy(AggregationStrategy::kNone);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0]["entity"], "B-ORG");
  EXPECT_EQ(out[0]["index"], 1);
  EXPECT_EQ(out[1]["entity"], "I-PER");
  EXPECT_EQ(out[1]["word"], "##gging");
  EXPECT_EQ(out[1]["start"], 2);
  EXPECT_EQ(out[1]["end"], 7);
  double expected = std::exp(6.0) / (std::exp(6.0) + 4.0);
  EXPECT_NEAR(out[1]["score"].get<double>(), expected, 1e-6);
}

TEST(TokenClassificationTest, SimpleSplitsOnTagChangeAndJoinsSubwords) {
  Json out = RunStrategy(AggregationStrategy::kSimple);
  // B-ORG | I-PER | I-ORG I-ORG  (a tag change starts a new group even without B-)
  ASSERT_EQ(out.size(), 3u) << out.dump();
  EXPECT_EQ(out[0]["entity_group"], "ORG");
  EXPECT_EQ(out[0]["word"], "hu");
  EXPECT_EQ(out[1]["entity_group"], "PER");
  EXPECT_EQ(out[1]["word"], "gging");
  EXPECT_EQ(out[2]["entity_group"], "ORG");
  EXPECT_EQ(out[2]["word"], "face inc");
  EXPECT_EQ(out[2]["start"], 8);
  EXPECT_EQ(out[2]["end"], 16);
}

TEST(TokenClassificationTest, FirstUsesTheFirstSubwordsLabel) {
  Json out = RunStrategy(AggregationStrategy::kFirst);
  // Words: hugging(B-ORG from "hu") face(I-ORG) inc(I-ORG) -> one ORG group.
  ASSERT_EQ(out.size(), 1u) << out.dump();
  EXPECT_EQ(out[0]["entity_group"], "ORG");
  EXPECT_EQ(out[0]["word"], "hugging face inc");
  EXPECT_EQ(out[0]["start"], 0);
  EXPECT_EQ(out[0]["end"], 16);
}

TEST(TokenClassificationTest, MaxUsesTheMostConfidentSubword) {
  Json out = RunStrategy(AggregationStrategy::kMax);
  // "##gging" has the highest max score (I-PER): the word "hugging" becomes I-PER.
  ASSERT_EQ(out.size(), 2u) << out.dump();
  EXPECT_EQ(out[0]["entity_group"], "PER");
  EXPECT_EQ(out[0]["word"], "hugging");
  EXPECT_EQ(out[1]["entity_group"], "ORG");
  EXPECT_EQ(out[1]["word"], "face inc");
}

TEST(TokenClassificationTest, AverageAveragesScoresOverSubwords) {
  Json out = RunStrategy(AggregationStrategy::kAverage);
  ASSERT_GE(out.size(), 1u);
  // Average of B-ORG row (4 on idx 3) and I-PER row (6 on idx 2): I-PER wins.
  double p_hi = std::exp(6.0) / (std::exp(6.0) + 4.0), p_lo = 1.0 / (std::exp(4.0) + 4.0);
  EXPECT_EQ(out[0]["entity_group"], "PER");
  EXPECT_NEAR(out[0]["score"].get<double>(), (p_hi + p_lo) / 2, 1e-6);
}

TEST(TokenClassificationTest, OffsetsAreCodePointsIntoTheInput) {
  EXPECT_EQ(SubstrByCodePoints("héllo wörld", 6, 11), "wörld");
  EXPECT_EQ(SubstrByCodePoints("日本語", 1, 2), "本");
  EXPECT_EQ(SubstrByCodePoints("abc", 2, 10), "c");
}

TEST(TokenClassificationTest, MismatchedLogitsAreAnError) {
  Example e = MakeExample();
  e.logits.pop_back();
  auto r = PostprocessTokenClassification(e.text, e.tokens, e.logits, kLabels.size(), kLabels, {}, JoinWordPiece);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace mhub::pipelines
