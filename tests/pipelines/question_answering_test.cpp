#include "mhub/pipelines/question_answering.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mhub::pipelines {
namespace {

// Context "The cat sat on the mat" split into two overlapping windows like doc_stride does.
// Tokens per window: [CLS] q [SEP] <context tokens> [SEP]
const std::string kContext = "The cat sat on the mat";
const std::vector<std::pair<size_t, size_t>> kWords = {{0, 3}, {4, 7}, {8, 11}, {12, 14}, {15, 18}, {19, 22}};

QaWindow MakeWindow(size_t first_word, size_t last_word, std::vector<float> start_ctx, std::vector<float> end_ctx) {
  QaWindow w;
  auto add = [&](float s, float e, bool allowed, bool ctx, std::pair<size_t, size_t> off, int word) {
    w.start_logits.push_back(s);
    w.end_logits.push_back(e);
    w.allowed.push_back(allowed);
    w.is_context.push_back(ctx);
    w.attention_mask.push_back(1);
    w.offsets.push_back(off);
    w.word_ids.push_back(word);
  };
  add(0, 0, true, false, {0, 0}, -1);   // [CLS]
  add(9, 9, false, false, {0, 5}, -1);  // question token: never an answer even with high logits
  add(0, 0, false, false, {0, 0}, -1);  // [SEP]
  for (size_t i = first_word; i <= last_word; ++i)
    add(start_ctx[i - first_word], end_ctx[i - first_word], true, true, kWords[i], static_cast<int>(i));
  add(0, 0, false, false, {0, 0}, -1);  // [SEP]
  w.attention_mask.push_back(0);        // one padding position
  w.start_logits.push_back(20);
  w.end_logits.push_back(20);
  w.allowed.push_back(true);
  w.is_context.push_back(false);
  w.offsets.push_back({0, 0});
  w.word_ids.push_back(-1);
  return w;
}

TEST(QuestionAnsweringTest, BestSpanAcrossWindowsWithCharOffsets) {
  // Window 1 covers words 0-3 weakly; window 2 covers words 2-5 and strongly points at "the mat".
  QaWindow w1 = MakeWindow(0, 3, {1, 2, 0, 0}, {0, 2, 1, 0});
  QaWindow w2 = MakeWindow(2, 5, {0, 0, 5, 1}, {0, 0, 1, 6});
  QaOptions opt;
  opt.top_k = 2;
  auto r = PostprocessQuestionAnswering(kContext, {w1, w2}, opt);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0]["answer"], "the mat");
  EXPECT_EQ((*r)[0]["start"], 15);
  EXPECT_EQ((*r)[0]["end"], 22);
  EXPECT_GE((*r)[0]["score"].get<double>(), (*r)[1]["score"].get<double>());
  // Scores are products of two softmax probabilities.
  EXPECT_GT((*r)[0]["score"].get<double>(), 0.0);
  EXPECT_LE((*r)[0]["score"].get<double>(), 1.0);
}

TEST(QuestionAnsweringTest, MaxAnswerLenLimitsSpans) {
  QaWindow w = MakeWindow(0, 5, {5, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 5});
  QaOptions opt;
  opt.max_answer_len = 3;
  auto r = PostprocessQuestionAnswering(kContext, {w}, opt);
  ASSERT_TRUE(r.ok());
  std::string answer = (*r)[0]["answer"];
  EXPECT_NE(answer, kContext);  // the 6-word span is too long
  EXPECT_LE(std::count(answer.begin(), answer.end(), ' '), 2);
}

TEST(QuestionAnsweringTest, ImpossibleAnswerWinsWhenClsDominates) {
  QaWindow w = MakeWindow(0, 5, {0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0});
  w.start_logits[0] = 10;
  w.end_logits[0] = 10;
  QaOptions opt;
  opt.handle_impossible_answer = true;
  auto r = PostprocessQuestionAnswering(kContext, {w}, opt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0]["answer"], "");
  EXPECT_EQ((*r)[0]["start"], 0);
  EXPECT_EQ((*r)[0]["end"], 0);
}

TEST(QuestionAnsweringTest, BadOptionsAreErrors) {
  QaOptions opt;
  opt.top_k = 0;
  EXPECT_FALSE(PostprocessQuestionAnswering(kContext, {}, opt).ok());
}

}  // namespace
}  // namespace mhub::pipelines
