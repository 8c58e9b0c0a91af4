// The logits processors against a PyTorch reference written from transformers' semantics.
#include "mhub/pipelines/logits_processing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>

#include "mhub/base/json.h"
#include "support/test_support.h"

namespace mhub::pipelines {
namespace {

using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;

struct Case {
  std::vector<float> logits;
  std::vector<int32_t> context;
  SamplingParams params;
};

Json ParamsJson(const SamplingParams& p) {
  return {{"do_sample", p.do_sample},
          {"temperature", p.temperature},
          {"top_k", p.top_k},
          {"top_p", p.top_p},
          {"min_p", p.min_p},
          {"repetition_penalty", p.repetition_penalty},
          {"no_repeat_ngram_size", p.no_repeat_ngram_size},
          {"min_tokens_to_keep", p.min_tokens_to_keep}};
}

TEST(LogitsProcessingTest, MatchesTorchReference) {
  std::mt19937 rng(1234);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::uniform_int_distribution<int> vocab_dist(0, 39);
  std::vector<Case> cases;
  for (int i = 0; i < 200; ++i) {
    Case c;
    c.logits.resize(40);
    for (float& l : c.logits) l = normal(rng);
    int ctx_len = i % 13;
    for (int j = 0; j < ctx_len; ++j) c.context.push_back(j % 3 == 2 ? c.context[j % 2] : vocab_dist(rng));
    c.params.do_sample = i % 4 != 0;
    c.params.temperature = 0.5f + 0.1f * static_cast<float>(i % 10);
    c.params.top_k = (i % 5 == 0) ? 0 : 1 + i % 45;
    c.params.top_p = (i % 3 == 0) ? 1.0f : 0.05f + 0.09f * static_cast<float>(i % 10);
    c.params.min_p = (i % 7 == 0) ? 0.0f : 0.02f * static_cast<float>(i % 6);
    c.params.repetition_penalty = (i % 2) ? 1.3f : 1.0f;
    c.params.no_repeat_ngram_size = i % 4;
    c.params.min_tokens_to_keep = 1 + i % 3;
    cases.push_back(c);
  }
  std::ostringstream in;
  for (const Case& c : cases)
    in << Json{{"logits", c.logits}, {"context", c.context}, {"params", ParamsJson(c.params)}}.dump() << "\n";
  auto r = RunCommand(mhub::testing::Python() + " " +
                          ShellQuote(mhub::testing::SourceDir() + "/tests/clients/pipelines_logits_reference.py"),
                      in.str());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  size_t i = 0;
  for (; std::getline(lines, line); ++i) {
    ASSERT_LT(i, cases.size());
    Json want = *ParseJson(line);
    std::vector<float> got = cases[i].logits;
    ProcessLogits(got, cases[i].context, cases[i].params);
    ASSERT_EQ(want.size(), got.size());
    for (size_t v = 0; v < got.size(); ++v) {
      if (want[v].is_null()) {
        EXPECT_TRUE(std::isinf(got[v]) && got[v] < 0) << "case " << i << " token " << v << " should be filtered";
      } else {
        EXPECT_NEAR(got[v], want[v].get<float>(), 1e-5f) << "case " << i << " token " << v;
      }
    }
  }
  EXPECT_EQ(i, cases.size());
}

TEST(LogitsProcessingTest, RepetitionPenaltySigns) {
  std::vector<float> logits = {2.0f, -2.0f, 1.0f};
  std::vector<int32_t> ctx = {0, 1, 1};
  ApplyRepetitionPenalty(logits, ctx, 2.0f);
  EXPECT_FLOAT_EQ(logits[0], 1.0f);   // positive: divided
  EXPECT_FLOAT_EQ(logits[1], -4.0f);  // negative: multiplied, once even if repeated
  EXPECT_FLOAT_EQ(logits[2], 1.0f);   // absent: unchanged
}

TEST(LogitsProcessingTest, TopPKeepsAtLeastOneToken) {
  std::vector<float> logits = {10.0f, 0.0f, -1.0f};
  ApplyTopP(logits, 0.01f);
  EXPECT_EQ(logits[0], 10.0f);
  EXPECT_TRUE(std::isinf(logits[1]) && std::isinf(logits[2]));
}

TEST(LogitsProcessingTest, SeededSamplingIsDeterministicAndRespectsFilters) {
  std::vector<float> logits = {1.0f, 1.1f, 0.9f, 1.05f, -5.0f};
  SamplingParams p;
  p.do_sample = true;
  p.top_k = 2;
  std::mt19937_64 a(7), b(7);
  for (int i = 0; i < 100; ++i) {
    int32_t x = SelectNextToken(logits, {}, p, a);
    EXPECT_EQ(x, SelectNextToken(logits, {}, p, b));
    EXPECT_TRUE(x == 1 || x == 3) << x;  // the two highest logits only
  }
  p.top_k = 1;
  EXPECT_EQ(SelectNextToken(logits, {}, p, a), ArgMax(logits));
}

}  // namespace
}  // namespace mhub::pipelines
