// Metrics against a Python reference written from sklearn's and seqeval's sources
// (tests/train/oracle/metrics_oracle.py) on random inputs, plus seqeval's documented examples.
#include "mhub/train/metrics.h"

#include <gtest/gtest.h>

#include <random>

#include "mhub/base/json.h"
#include "support/test_support.h"

namespace mhub::train {
namespace {

TEST(MetricsTest, PrecisionRecallF1AgainstReference) {
  std::mt19937_64 rng(3);
  Json cases = Json::array();
  struct Mine {
    std::vector<int64_t> t, p;
    std::string avg;
  };
  std::vector<Mine> mine;
  for (int k = 0; k < 60; ++k) {
    const std::string avg = std::vector<std::string>{"binary", "micro", "macro", "weighted"}[k % 4];
    const int classes = avg == "binary" ? 2 : 2 + int(rng() % 5);
    const int n = 1 + int(rng() % 40);
    Mine m{{}, {}, avg};
    for (int i = 0; i < n; ++i) {
      m.t.push_back(int64_t(rng() % classes));
      m.p.push_back(rng() % 3 == 0 ? int64_t(rng() % classes) : m.t.back());
    }
    cases.push_back({{"kind", "prf"}, {"y_true", m.t}, {"y_pred", m.p}, {"average", avg}});
    mine.push_back(m);
  }
  auto r = mhub::testing::RunCommand(
      mhub::testing::Python() + " " + mhub::testing::SourceDir() + "/tests/train/oracle/metrics_oracle.py",
      cases.dump());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto want = ParseJson(r.out);
  ASSERT_TRUE(want.ok());
  for (size_t k = 0; k < mine.size(); ++k) {
    PrfOptions o;
    o.average = mine[k].avg;
    auto got = PrecisionRecallF1(mine[k].t, mine[k].p, o);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_NEAR(got->precision, (*want)[k][0].get<double>(), 1e-12) << k << " " << mine[k].avg;
    EXPECT_NEAR(got->recall, (*want)[k][1].get<double>(), 1e-12) << k;
    EXPECT_NEAR(got->f1, (*want)[k][2].get<double>(), 1e-12) << k;
    if (mine[k].avg == "micro") {
      EXPECT_NEAR(got->f1, *Accuracy(mine[k].t, mine[k].p), 1e-12);
    }
  }
  PrfOptions bin;
  EXPECT_EQ(PrecisionRecallF1(std::vector<int64_t>{0, 1, 2}, std::vector<int64_t>{0, 1, 2}, bin).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(Accuracy(std::vector<int64_t>{1}, std::vector<int64_t>{}).ok());
}

TEST(MetricsTest, SeqevalAgainstReference) {
  std::mt19937_64 rng(5);
  const std::vector<std::string> tags = {"O",     "O",     "O",     "B-PER", "I-PER", "B-LOC",
                                         "I-LOC", "I-ORG", "B-ORG", "E-PER", "S-LOC"};
  Json cases = Json::array();
  std::vector<std::pair<std::vector<std::vector<std::string>>, std::vector<std::vector<std::string>>>> mine;
  for (int k = 0; k < 40; ++k) {
    std::vector<std::vector<std::string>> t, p;
    const int sents = 1 + int(rng() % 4);
    for (int s = 0; s < sents; ++s) {
      t.emplace_back(), p.emplace_back();
      const int n = 1 + int(rng() % 10);
      for (int i = 0; i < n; ++i) {
        t.back().push_back(tags[rng() % tags.size()]);
        p.back().push_back(rng() % 3 == 0 ? tags[rng() % tags.size()] : t.back().back());
      }
    }
    cases.push_back({{"kind", "seqeval"}, {"y_true", t}, {"y_pred", p}});
    mine.push_back({t, p});
  }
  auto r = mhub::testing::RunCommand(
      mhub::testing::Python() + " " + mhub::testing::SourceDir() + "/tests/train/oracle/metrics_oracle.py",
      cases.dump());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto want = ParseJson(r.out);
  ASSERT_TRUE(want.ok());
  for (size_t k = 0; k < mine.size(); ++k) {
    auto got = Seqeval(mine[k].first, mine[k].second);
    ASSERT_TRUE(got.ok());
    const Json& w = (*want)[k];
    EXPECT_NEAR(got->overall_precision, w["overall_precision"].get<double>(), 1e-12) << k;
    EXPECT_NEAR(got->overall_recall, w["overall_recall"].get<double>(), 1e-12) << k;
    EXPECT_NEAR(got->overall_f1, w["overall_f1"].get<double>(), 1e-12) << k;
    EXPECT_NEAR(got->overall_accuracy, w["overall_accuracy"].get<double>(), 1e-12) << k;
    for (const auto& [type, s] : got->per_type) {
      ASSERT_TRUE(w.contains(type)) << type;
      EXPECT_NEAR(s.f1, w[type]["f1"].get<double>(), 1e-12);
      EXPECT_EQ(s.number, w[type]["number"].get<int64_t>());
    }
  }
}

TEST(MetricsTest, SeqevalDocumentedExamples) {
  // seqeval README: y_true has MISC and PER; y_pred misses the end of MISC.
  std::vector<std::vector<std::string>> t = {{"O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"},
                                             {"B-PER", "I-PER", "O"}};
  std::vector<std::vector<std::string>> p = {{"O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"},
                                             {"B-PER", "I-PER", "O"}};
  auto r = Seqeval(t, p);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->overall_f1, 0.5);
  EXPECT_EQ(r->per_type["MISC"].number, 1);
  // Lenient: "O I-X" starts an entity; strict IOB2 does not count it.
  EXPECT_EQ(GetEntities({"O", "I-PER", "I-PER"}).size(), 1u);
  EXPECT_EQ(GetEntities({"O", "I-PER", "I-PER"}, true).size(), 0u);
  EXPECT_EQ(GetEntities({"B-PER", "I-LOC"}).size(), 2u);
  EXPECT_FALSE(Seqeval({{"O"}}, {{"O", "O"}}).ok());
}

TEST(MetricsTest, Hooks) {
  EvalPrediction p;
  p.predictions["logits"] = {{4, 2}, {0.1f, 0.9f, 0.8f, 0.2f, 0.3f, 0.7f, 0.6f, 0.4f}};
  p.label_ids = {1, 0, 0, -100};
  p.label_shape = {4};
  auto m = ClassificationMetrics("macro")(p);
  ASSERT_TRUE(m.ok());
  EXPECT_NEAR((*m)["accuracy"], 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(Perplexity(std::log(7.0)), 7.0, 1e-12);
}

}  // namespace
}  // namespace mhub::train
