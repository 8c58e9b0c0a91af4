// generation_config.json with transformers' GenerationConfig defaults.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mhub/formats/generation_config.h"
#include "mhub/formats/model_config.h"
#include "support/test_support.h"

namespace mhub::formats {
namespace {

using mhub::testing::SourceDir;
using mhub::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(GenerationConfigTest, TransformersDefaults) {
  auto g = ParseGenerationConfig(Json::object());
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->max_length, 20);
  EXPECT_FALSE(g->max_new_tokens);
  EXPECT_EQ(g->min_length, 0);
  EXPECT_FALSE(g->do_sample);
  EXPECT_EQ(g->num_beams, 1);
  EXPECT_DOUBLE_EQ(g->temperature, 1.0);
  EXPECT_EQ(g->top_k, 50);
  EXPECT_DOUBLE_EQ(g->top_p, 1.0);
  EXPECT_FALSE(g->min_p);
  EXPECT_DOUBLE_EQ(g->repetition_penalty, 1.0);
  EXPECT_EQ(g->no_repeat_ngram_size, 0);
  EXPECT_EQ(g->num_return_sequences, 1);
  EXPECT_TRUE(g->use_cache);
  EXPECT_EQ(g->early_stopping, EarlyStopping::kFalse);
  EXPECT_TRUE(g->eos_token_ids.empty());
  EXPECT_EQ(g->MaxNewTokensFor(5), 15);
  EXPECT_EQ(g->MaxNewTokensFor(50), 0);
}

TEST(GenerationConfigTest, RealLlama31FileAndRoundTrip) {
  auto g = LoadGenerationConfig(SourceDir() + "/tests/formats/data/llama-3.1-8b-instruct.generation_config.json");
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE(g->do_sample);
  EXPECT_DOUBLE_EQ(g->temperature, 0.6);
  EXPECT_DOUBLE_EQ(g->top_p, 0.9);
  EXPECT_EQ(g->top_k, 50);
  EXPECT_EQ(g->bos_token_id, 128000);
  EXPECT_THAT(g->eos_token_ids, ElementsAre(128001, 128008, 128009));
  EXPECT_EQ(g->raw["transformers_version"], "4.42.3");

  TempDir dir;
  ASSERT_TRUE(SaveGenerationConfig(*g, dir.path()).ok());
  auto again = LoadGenerationConfig(dir.path());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->ToJson(), g->ToJson());
  EXPECT_EQ(again->ToJson()["eos_token_id"], Json::array({128001, 128008, 128009}));
  EXPECT_EQ(again->raw["transformers_version"], "4.42.3");
}

TEST(GenerationConfigTest, FieldsAndErrors) {
  auto g = ParseGenerationConfig(
      Json::parse(R"({"max_new_tokens":32,"early_stopping":"never","stop_strings":"###","min_p":0.05,)"
                  R"("bad_words_ids":[[1,2],[3]],"eos_token_id":7,"no_repeat_ngram_size":3})"));
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->MaxNewTokensFor(1000), 32);
  EXPECT_EQ(g->early_stopping, EarlyStopping::kNever);
  EXPECT_THAT(g->stop_strings, ElementsAre("###"));
  EXPECT_EQ(g->min_p, 0.05);
  EXPECT_EQ(g->bad_words_ids.size(), 2u);
  EXPECT_THAT(g->eos_token_ids, ElementsAre(7));
  EXPECT_EQ(g->ToJson()["eos_token_id"], 7);
  EXPECT_EQ(g->no_repeat_ngram_size, 3);

  EXPECT_THAT(ParseGenerationConfig(Json::parse(R"({"top_k":"fifty"})")).status().message(),
              HasSubstr("field 'top_k' must be an integer"));
  EXPECT_THAT(ParseGenerationConfig(Json::parse(R"({"early_stopping":"sometimes"})")).status().message(),
              HasSubstr("early_stopping"));
  EXPECT_EQ(LoadGenerationConfig("/nonexistent").status().code(), StatusCode::kNotFound);
}

TEST(GenerationConfigTest, FromModelConfigTakesSpecialTokens) {
  auto c = LoadModelConfig(R"({"model_type":"llama","bos_token_id":128000,"eos_token_id":[128001,128009]})");
  ASSERT_TRUE(c.ok()) << c.status();
  GenerationConfig g = GenerationConfigFromModelConfig(*c);
  EXPECT_EQ(g.bos_token_id, 128000);
  EXPECT_THAT(g.eos_token_ids, ElementsAre(128001, 128009));
  EXPECT_EQ(g.top_k, 50);
}

}  // namespace
}  // namespace mhub::formats
