// generate() on a scripted "model": every property here follows from the contract, not from a run.
#include "mhub/pipelines/generation.h"

#include <gtest/gtest.h>

#include <map>

namespace mhub::pipelines {
namespace {

// A fake LM over a tiny vocabulary that emits a fixed script of tokens (greedy picks them).
struct ScriptedModel {
  std::vector<std::string> vocab;
  std::vector<int32_t> script;
  size_t step = 0;
  size_t fed = 0;

  NextLogitsFn Fn() {
    return [this](std::span<const int32_t> tokens) -> Result<std::vector<float>> {
      fed += tokens.size();
      std::vector<float> logits(vocab.size(), 0.0f);
      logits[script[std::min(step, script.size() - 1)]] = 5.0f;
      ++step;
      return logits;
    };
  }
  DecodeFn Decoder() {
    return [this](std::span<const int32_t> ids) {
      std::string s;
      for (int32_t id : ids) s += vocab[id];
      return s;
    };
  }
};

TEST(GenerationTest, StopStringEndingInsideATokenCutsTheText) {
  ScriptedModel m{{"<eos>", "hel", "lo wo", "rld", "!"}, {1, 2, 3, 4}};
  GenerationOptions opt;
  opt.max_new_tokens = 10;
  opt.stop = {"o w"};
  auto r = Generate(std::vector<int32_t>{1}, opt, m.Fn(), m.Decoder());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->text, "hello w");  // cut right after the stop string, in the middle of "lo wo"
  EXPECT_EQ(r->finish_reason, "stop_sequence");
  EXPECT_EQ(r->tokens, (std::vector<int32_t>{1, 2}));
}

TEST(GenerationTest, EosFromAListEndsGenerationAndIsNotEmitted) {
  ScriptedModel m{{"<eos>", "a", "b", "<end>"}, {1, 2, 3, 1}};
  GenerationOptions opt;
  opt.max_new_tokens = 10;
  opt.eos_token_ids = {0, 3};
  auto r = Generate(std::vector<int32_t>{2, 2}, opt, m.Fn(), m.Decoder());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "ab");
  EXPECT_EQ(r->finish_reason, "eos_token");
  EXPECT_EQ(m.fed, 2u + 2u);  // the prompt once, then one token per step (KV-cache style feeding)
}

TEST(GenerationTest, MaxNewTokensAndStreamingConcatenation) {
  ScriptedModel m{{"x", "ab", "cd", "e"}, {1, 2, 3, 1, 2, 3, 1}};
  GenerationOptions opt;
  opt.max_new_tokens = 5;
  opt.stop = {"zz"};
  std::string streamed;
  int calls = 0;
  auto r = Generate(std::vector<int32_t>{0}, opt, m.Fn(), m.Decoder(), [&](int32_t, std::string_view piece) {
    streamed += piece;
    ++calls;
    return true;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tokens.size(), 5u);
  EXPECT_EQ(r->finish_reason, "length");
  EXPECT_EQ(streamed, r->text);
  EXPECT_EQ(r->text, "abcdeabcd");
  EXPECT_GE(calls, 5);
}

TEST(GenerationTest, StreamingHoldsBackAPossibleStopPrefix) {
  ScriptedModel m{{"x", "foo ", "ST", "OP", "bar"}, {1, 2, 3, 4}};
  GenerationOptions opt;
  opt.max_new_tokens = 10;
  opt.stop = {"STOP"};
  std::vector<std::string> pieces;
  auto r = Generate(std::vector<int32_t>{0}, opt, m.Fn(), m.Decoder(), [&](int32_t, std::string_view piece) {
    pieces.emplace_back(piece);
    return true;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "foo STOP");
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[0], "foo ");
  EXPECT_EQ(pieces[1], "");  // "ST" might start "STOP": held back
  EXPECT_EQ(pieces[2], "STOP");
}

TEST(GenerationTest, FindStopEndPicksTheEarliest) {
  EXPECT_EQ(FindStopEnd("abcdef", {"de", "bc"}), 3u);
  EXPECT_EQ(FindStopEnd("abc", {"x"}), std::string::npos);
  EXPECT_EQ(FindStopEnd("abc", {""}), std::string::npos);
}

}  // namespace
}  // namespace mhub::pipelines
