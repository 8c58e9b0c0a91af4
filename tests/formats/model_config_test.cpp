// config.json: transformers' defaults for missing fields (values from the configuration_*.py
// classes), real Hub configs read as they are written, and load/save round trips.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mhub/formats/model_config.h"
#include "support/test_support.h"

namespace mhub::formats {
namespace {

using mhub::testing::SourceDir;
using mhub::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string DataPath(const std::string& name) { return SourceDir() + "/tests/formats/data/" + name; }

ModelConfig Parse(const std::string& text) {
  auto j = ParseJson(text);
  EXPECT_TRUE(j.ok()) << j.status();
  auto c = ParseModelConfig(*j);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : ModelConfig{};
}

TEST(ModelConfigTest, BertDefaults) {
  ModelConfig c = Parse(R"({"model_type":"bert"})");
  ASSERT_TRUE(c.bert);
  const BertConfig& b = *c.bert;
  EXPECT_EQ(b.vocab_size, 30522);
  EXPECT_EQ(b.hidden_size, 768);
  EXPECT_EQ(b.num_hidden_layers, 12);
  EXPECT_EQ(b.num_attention_heads, 12);
  EXPECT_EQ(b.intermediate_size, 3072);
  EXPECT_EQ(b.hidden_act, "gelu");
  EXPECT_EQ(b.max_position_embeddings, 512);
  EXPECT_EQ(b.type_vocab_size, 2);
  EXPECT_DOUBLE_EQ(b.layer_norm_eps, 1e-12);
  EXPECT_EQ(b.position_embedding_type, "absolute");
  EXPECT_FALSE(b.classifier_dropout);
  EXPECT_EQ(c.pad_token_id, 0);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_EQ(c.num_labels(), 2);
  EXPECT_EQ(c.id2label.at(1), "LABEL_1");
  EXPECT_EQ(c.label2id.at("LABEL_0"), 0);
  EXPECT_FALSE(c.gpt2 || c.llama || c.distilbert);
}

TEST(ModelConfigTest, RobertaDefaultsDifferOnlyInSpecialTokens) {
  ModelConfig c = Parse(R"({"model_type":"roberta"})");
  ASSERT_TRUE(c.bert);
  EXPECT_EQ(c.bert->vocab_size, 30522);
  EXPECT_EQ(c.pad_token_id, 1);
  EXPECT_EQ(c.bos_token_id, 0);
  EXPECT_THAT(c.eos_token_ids, ElementsAre(2));
}

TEST(ModelConfigTest, DistilBertDefaultsAndAliases) {
  ModelConfig c = Parse(R"({"model_type":"distilbert"})");
  ASSERT_TRUE(c.distilbert);
  EXPECT_EQ(c.distilbert->dim, 768);
  EXPECT_EQ(c.distilbert->n_layers, 6);
  EXPECT_EQ(c.distilbert->n_heads, 12);
  EXPECT_EQ(c.distilbert->hidden_dim, 3072);
  EXPECT_EQ(c.distilbert->activation, "gelu");
  EXPECT_FALSE(c.distilbert->sinusoidal_pos_embds);
  EXPECT_DOUBLE_EQ(c.distilbert->seq_classif_dropout, 0.2);
  ModelConfig alias =
      Parse(R"({"model_type":"distilbert","hidden_size":256,"num_hidden_layers":2,"num_attention_heads":4})");
  EXPECT_EQ(alias.distilbert->dim, 256);
  EXPECT_EQ(alias.distilbert->n_layers, 2);
  EXPECT_EQ(alias.distilbert->n_heads, 4);
  EXPECT_EQ(alias.hidden_size(), 256);
}

TEST(ModelConfigTest, Gpt2DefaultsAndAliases) {
  ModelConfig c = Parse(R"({"model_type":"gpt2"})");
  ASSERT_TRUE(c.gpt2);
  const Gpt2Config& g = *c.gpt2;
  EXPECT_EQ(g.vocab_size, 50257);
  EXPECT_EQ(g.n_positions, 1024);
  EXPECT_EQ(g.n_embd, 768);
  EXPECT_EQ(g.n_layer, 12);
  EXPECT_EQ(g.n_head, 12);
  EXPECT_FALSE(g.n_inner);
  EXPECT_EQ(g.inner_dim(), 3072);
  EXPECT_EQ(g.activation_function, "gelu_new");
  EXPECT_DOUBLE_EQ(g.layer_norm_epsilon, 1e-5);
  EXPECT_TRUE(g.scale_attn_weights);
  EXPECT_EQ(c.bos_token_id, 50256);
  EXPECT_THAT(c.eos_token_ids, ElementsAre(50256));
  EXPECT_TRUE(c.tie_word_embeddings);

  ModelConfig alias = Parse(
      R"({"model_type":"gpt2","hidden_size":128,"num_hidden_layers":3,"num_attention_heads":4,"max_position_embeddings":256})");
  EXPECT_EQ(alias.gpt2->n_embd, 128);
  EXPECT_EQ(alias.gpt2->n_layer, 3);
  EXPECT_EQ(alias.gpt2->n_head, 4);
  EXPECT_EQ(alias.gpt2->n_positions, 256);
  // Saved with the canonical names only, as transformers does.
  Json saved = alias.ToJson();
  EXPECT_FALSE(saved.contains("hidden_size"));
  EXPECT_EQ(saved["n_embd"], 128);
}

TEST(ModelConfigTest, LlamaDefaults) {
  ModelConfig c = Parse(R"({"model_type":"llama"})");
  ASSERT_TRUE(c.llama);
  const LlamaConfig& l = *c.llama;
  EXPECT_EQ(l.vocab_size, 32000);
  EXPECT_EQ(l.hidden_size, 4096);
  EXPECT_EQ(l.intermediate_size, 11008);
  EXPECT_EQ(l.num_hidden_layers, 32);
  EXPECT_EQ(l.num_attention_heads, 32);
  EXPECT_EQ(l.num_key_value_heads, 32);
  EXPECT_EQ(l.head_dim, 128);
  EXPECT_EQ(l.hidden_act, "silu");
  EXPECT_EQ(l.max_position_embeddings, 2048);
  EXPECT_DOUBLE_EQ(l.rms_norm_eps, 1e-6);
  EXPECT_DOUBLE_EQ(l.rope_theta, 10000.0);
  EXPECT_FALSE(l.rope_scaling);
  EXPECT_FALSE(l.attention_bias);
  EXPECT_FALSE(l.qkv_bias);
  EXPECT_FALSE(l.mlp_bias);
  EXPECT_EQ(c.bos_token_id, 1);
  EXPECT_THAT(c.eos_token_ids, ElementsAre(2));
  EXPECT_FALSE(c.tie_word_embeddings);

  ModelConfig gqa =
      Parse(R"({"model_type":"llama","hidden_size":512,"num_attention_heads":8,"num_key_value_heads":null})");
  EXPECT_EQ(gqa.llama->num_key_value_heads, 8);
  EXPECT_EQ(gqa.llama->head_dim, 64);
}

TEST(ModelConfigTest, MistralAndQwen2Defaults) {
  ModelConfig m = Parse(R"({"model_type":"mistral"})");
  ASSERT_TRUE(m.llama);
  EXPECT_EQ(m.llama->intermediate_size, 14336);
  EXPECT_EQ(m.llama->num_key_value_heads, 8);
  EXPECT_EQ(m.llama->max_position_embeddings, 131072);
  EXPECT_EQ(m.llama->sliding_window, 4096);
  EXPECT_FALSE(m.llama->qkv_bias);
  EXPECT_FALSE(m.tie_word_embeddings);

  ModelConfig q = Parse(R"({"model_type":"qwen2"})");
  ASSERT_TRUE(q.llama);
  EXPECT_EQ(q.llama->vocab_size, 151936);
  EXPECT_EQ(q.llama->intermediate_size, 22016);
  EXPECT_EQ(q.llama->num_key_value_heads, 32);
  EXPECT_EQ(q.llama->max_position_embeddings, 32768);
  EXPECT_EQ(q.llama->max_window_layers, 28);
  EXPECT_FALSE(q.llama->use_sliding_window);
  EXPECT_TRUE(q.llama->qkv_bias);
  EXPECT_FALSE(q.llama->attention_bias);
  EXPECT_FALSE(q.bos_token_id);
  EXPECT_TRUE(q.eos_token_ids.empty());
}

TEST(ModelConfigTest, RealLlama32ConfigReadsAsWritten) {
  auto c = LoadModelConfig(DataPath("llama-3.2-1b.config.json"));
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->llama);
  const LlamaConfig& l = *c->llama;
  EXPECT_EQ(l.head_dim, 64);
  EXPECT_EQ(l.num_key_value_heads, 8);
  EXPECT_DOUBLE_EQ(l.rope_theta, 500000.0);
  ASSERT_TRUE(l.rope_scaling);
  EXPECT_EQ(l.rope_scaling->rope_type, "llama3");
  EXPECT_DOUBLE_EQ(l.rope_scaling->factor, 32.0);
  EXPECT_DOUBLE_EQ(l.rope_scaling->low_freq_factor, 1.0);
  EXPECT_DOUBLE_EQ(l.rope_scaling->high_freq_factor, 4.0);
  EXPECT_EQ(l.rope_scaling->original_max_position_embeddings, 8192);
  EXPECT_TRUE(c->tie_word_embeddings);
  EXPECT_EQ(c->torch_dtype, "bfloat16");
  EXPECT_THAT(c->architectures, ElementsAre("LlamaForCausalLM"));
  EXPECT_EQ(c->bos_token_id, 128000);
  EXPECT_THAT(c->eos_token_ids, ElementsAre(128001));
}

TEST(ModelConfigTest, LegacyRopeTypeKeyAndV5RopeParameters) {
  ModelConfig legacy = Parse(R"({"model_type":"llama","rope_scaling":{"type":"linear","factor":2.0}})");
  ASSERT_TRUE(legacy.llama->rope_scaling);
  EXPECT_EQ(legacy.llama->rope_scaling->rope_type, "linear");
  EXPECT_DOUBLE_EQ(legacy.llama->rope_scaling->factor, 2.0);

  ModelConfig v5 =
      Parse(R"({"model_type":"llama","rope_parameters":{"rope_type":"llama3","rope_theta":500000.0,"factor":8.0,)"
            R"("low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192}})");
  EXPECT_DOUBLE_EQ(v5.llama->rope_theta, 500000.0);
  ASSERT_TRUE(v5.llama->rope_scaling);
  EXPECT_EQ(v5.llama->rope_scaling->rope_type, "llama3");
  EXPECT_DOUBLE_EQ(v5.llama->rope_scaling->factor, 8.0);
  Json saved = v5.ToJson();
  EXPECT_EQ(saved["rope_parameters"]["rope_theta"], 500000.0);
  EXPECT_EQ(saved["rope_parameters"]["rope_type"], "llama3");
}

TEST(ModelConfigTest, EosAsListAndLabels) {
  ModelConfig c = Parse(R"({"model_type":"llama","eos_token_id":[128001,128008,128009],)"
                        R"("id2label":{"0":"neg","1":"neu","2":"pos"},"problem_type":"single_label_classification"})");
  EXPECT_THAT(c.eos_token_ids, ElementsAre(128001, 128008, 128009));
  EXPECT_TRUE(c.eos_token_id_is_list);
  EXPECT_EQ(c.num_labels(), 3);
  EXPECT_EQ(c.label2id.at("pos"), 2);
  EXPECT_EQ(c.problem_type, "single_label_classification");
  Json saved = c.ToJson();
  EXPECT_EQ(saved["eos_token_id"], Json::array({128001, 128008, 128009}));
  EXPECT_EQ(saved["id2label"]["2"], "pos");

  ModelConfig n = Parse(R"({"model_type":"bert","num_labels":5})");
  EXPECT_EQ(n.num_labels(), 5);
  EXPECT_EQ(n.id2label.at(4), "LABEL_4");
}

// Every key of a real Hub config that mhub types is written back with the same value, and unknown
// keys survive (the property save_pretrained relies on).
TEST(ModelConfigTest, RealHubConfigsRoundTrip) {
  for (const char* name :
       {"bert-base-uncased.config.json", "roberta-base.config.json", "distilbert-sst2.config.json", "gpt2.config.json",
        "llama-3.2-1b.config.json", "qwen2.5-0.5b.config.json", "mistral-7b-v0.1.config.json"}) {
    SCOPED_TRACE(name);
    auto original = ReadJsonFile(DataPath(name));
    ASSERT_TRUE(original.ok());
    auto c = LoadModelConfig(DataPath(name));
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_TRUE(c->bert || c->distilbert || c->gpt2 || c->llama);
    Json saved = c->ToJson();
    for (auto it = original->begin(); it != original->end(); ++it) {
      ASSERT_TRUE(saved.contains(it.key())) << it.key();
      if (it.value().is_number()) {
        EXPECT_DOUBLE_EQ(saved[it.key()].get<double>(), it.value().get<double>()) << it.key();
      } else {
        EXPECT_EQ(saved[it.key()], it.value()) << it.key();
      }
    }
    // Saving and loading again gives the same typed config.
    TempDir dir;
    ASSERT_TRUE(SaveModelConfig(*c, dir.path()).ok());
    auto again = LoadModelConfig(dir.path());
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->ToJson(), saved);
    EXPECT_EQ(again->hidden_size(), c->hidden_size());
    EXPECT_GT(c->hidden_size(), 0);
    EXPECT_GT(c->num_hidden_layers(), 0);
  }
}

TEST(ModelConfigTest, QwenAndDistilbertRealValues) {
  auto q = LoadModelConfig(DataPath("qwen2.5-0.5b.config.json"));
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->llama->head_dim, 896 / 14);
  EXPECT_EQ(q->llama->num_key_value_heads, 2);
  EXPECT_EQ(q->llama->sliding_window, 32768);
  EXPECT_TRUE(q->llama->qkv_bias);
  auto d = LoadModelConfig(DataPath("distilbert-sst2.config.json"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->id2label.at(1), "POSITIVE");
  EXPECT_EQ(d->label2id.at("NEGATIVE"), 0);
}

TEST(ModelConfigTest, UnknownModelTypeKeepsCommonFields) {
  ModelConfig c = Parse(R"({"model_type":"t5","d_model":512,"architectures":["T5ForConditionalGeneration"]})");
  EXPECT_EQ(c.model_type, "t5");
  EXPECT_FALSE(c.bert || c.distilbert || c.gpt2 || c.llama);
  EXPECT_EQ(c.hidden_size(), 0);
  EXPECT_EQ(c.ToJson()["d_model"], 512);
}

TEST(ModelConfigTest, BadConfigsNameTheField) {
  auto parse = [](const std::string& text) { return LoadModelConfig(text).status(); };
  EXPECT_THAT(parse(R"({"model_type":"bert","hidden_size":"big"})").message(),
              HasSubstr("field 'hidden_size' must be an integer"));
  EXPECT_THAT(parse(R"({"model_type":"llama","hidden_size":100,"num_attention_heads":3})").message(),
              HasSubstr("not a multiple of num_attention_heads"));
  EXPECT_THAT(parse(R"({"model_type":"llama","num_key_value_heads":5})").message(),
              HasSubstr("not a multiple of num_key_value_heads"));
  EXPECT_THAT(parse(R"({"model_type":"gpt2","eos_token_id":"x"})").message(),
              HasSubstr("field 'eos_token_id' must be an integer or a list of integers"));
  EXPECT_THAT(parse(R"({"id2label":{"zero":"a"}})").message(), HasSubstr("id2label key 'zero'"));
  EXPECT_EQ(ParseModelConfig(Json::array({1})).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadModelConfig("/nonexistent/config.json").status().code(), StatusCode::kNotFound);
  // An integral float where an integer is expected is accepted (some configs write 2048.0).
  ModelConfig f = Parse(R"({"model_type":"llama","max_position_embeddings":4096.0})");
  EXPECT_EQ(f.llama->max_position_embeddings, 4096);
}

}  // namespace
}  // namespace mhub::formats
