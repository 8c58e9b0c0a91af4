// from_pretrained over the checkpoint variants real files use (prefix present or not, LayerNorm
// gamma/beta, GPT-2 mask buffers and an explicit lm_head, shards), save_pretrained's names and
// tying, and clear errors for what is not supported.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>

#include "mhub/formats/safetensors.h"
#include "mhub/models/auto_model.h"
#include "models/models_test_util.h"
#include "support/test_support.h"

namespace mhub::models {
namespace {

using ::testing::HasSubstr;
using testing::RandomInputs;
using testing::TinyConfig;

// Rewrites dir/model.safetensors into out_dir with names mapped by `rename` (empty = drop) plus
// `extra` tensors, and copies config.json.
void RewriteCheckpoint(const std::string& dir, const std::string& out_dir,
                       const std::function<std::string(const std::string&)>& rename,
                       const std::vector<formats::TensorView>& extra = {}) {
  auto file = formats::SafetensorsFile::Open(dir + "/model.safetensors");
  ASSERT_TRUE(file.ok()) << file.status();
  std::vector<formats::TensorView> views;
  for (const formats::TensorView& v : (*file)->tensors()) {
    formats::TensorView copy = v;
    copy.name = rename(v.name);
    if (!copy.name.empty()) views.push_back(copy);
  }
  for (const auto& e : extra) views.push_back(e);
  std::filesystem::create_directories(out_dir);
  ASSERT_TRUE(formats::WriteSafetensors(out_dir + "/model.safetensors", views).ok());
  std::filesystem::copy_file(dir + "/config.json", out_dir + "/config.json",
                             std::filesystem::copy_options::overwrite_existing);
}

ModelOutputs MustForward(const Model& m, const ModelInputs& in) {
  Result<ModelOutputs> out = m.Forward(in);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : ModelOutputs{};
}

std::vector<std::string> FileNames(const std::string& path) {
  auto file = formats::SafetensorsFile::Open(path);
  EXPECT_TRUE(file.ok()) << file.status();
  return file.ok() ? (*file)->names() : std::vector<std::string>{};
}

TEST(ModelsLoading, BertNamesWithoutPrefixAndGammaBeta) {
  mhub::testing::TempDir dir;
  auto model = ModelFromConfig(TinyConfig("bert"), Task::kSequenceClassification, 1);
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_TRUE((*model)->SavePretrained(dir / "orig").ok());
  // transformers' names for BertForSequenceClassification.
  auto names = FileNames(dir / "orig/model.safetensors");
  EXPECT_THAT(names, ::testing::Contains("bert.embeddings.LayerNorm.weight"));
  EXPECT_THAT(names, ::testing::Contains("bert.encoder.layer.1.attention.self.query.weight"));
  EXPECT_THAT(names, ::testing::Contains("bert.pooler.dense.weight"));
  EXPECT_THAT(names, ::testing::Contains("classifier.weight"));
  RewriteCheckpoint(dir / "orig", dir / "variant", [](const std::string& n) {
    std::string out = n.rfind("bert.", 0) == 0 ? n.substr(5) : n;
    if (out.size() > 16 && out.substr(out.size() - 16) == "LayerNorm.weight")
      out = out.substr(0, out.size() - 6) + "gamma";
    if (out.size() > 14 && out.substr(out.size() - 14) == "LayerNorm.bias")
      out = out.substr(0, out.size() - 4) + "beta";
    return out;
  });
  auto loaded = AutoModelForSequenceClassification::FromPretrained(dir / "variant");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ModelInputs in = RandomInputs(1, {5, 3}, 211, 0, true);
  EXPECT_EQ(MustForward(**loaded, in).at("logits").values, MustForward(**model, in).at("logits").values);
  EXPECT_EQ((*loaded)->info().id2label, (std::vector<std::string>{"NEG", "NEU", "POS"}));
  EXPECT_EQ((*loaded)->info().label2id.at("POS"), 2);
  EXPECT_EQ((*loaded)->info().architecture, "BertForSequenceClassification");
  // The base model reads the same file (prefix stripped, head ignored) and has a pooler.
  auto base = AutoModel::FromPretrained(dir / "orig");
  ASSERT_TRUE(base.ok()) << base.status();
  ModelOutputs out = MustForward(**base, in);
  EXPECT_TRUE(out.count("last_hidden_state") && out.count("pooler_output"));
}

TEST(ModelsLoading, TiedWeightsAreNotWrittenAndBaseSavesWithoutPrefix) {
  mhub::testing::TempDir dir;
  auto mlm = ModelFromConfig(TinyConfig("bert"), Task::kMaskedLM, 1);
  ASSERT_TRUE(mlm.ok()) << mlm.status();
  ASSERT_TRUE((*mlm)->SavePretrained(dir / "mlm").ok());
  auto names = FileNames(dir / "mlm/model.safetensors");
  EXPECT_THAT(names, ::testing::Contains("cls.predictions.bias"));
  EXPECT_THAT(names, ::testing::Not(::testing::Contains("cls.predictions.decoder.weight")));
  EXPECT_THAT(names, ::testing::Not(::testing::Contains("bert.pooler.dense.weight")));

  auto gpt = AutoModelForCausalLM::FromConfig(TinyConfig("gpt2"), 1);
  ASSERT_TRUE(gpt.ok()) << gpt.status();
  ASSERT_TRUE((*gpt)->SavePretrained(dir / "gpt").ok());
  names = FileNames(dir / "gpt/model.safetensors");
  EXPECT_THAT(names, ::testing::Contains("transformer.h.0.attn.c_attn.weight"));
  EXPECT_THAT(names, ::testing::Not(::testing::Contains("lm_head.weight")));
  Result<Json> cfg = ReadJsonFile(dir / "gpt/config.json");
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ((*cfg)["architectures"][0], "GPT2LMHeadModel");

  auto base = ModelFromConfig(TinyConfig("llama"), Task::kBase, 1);
  ASSERT_TRUE(base.ok()) << base.status();
  ASSERT_TRUE((*base)->SavePretrained(dir / "llama").ok());
  names = FileNames(dir / "llama/model.safetensors");
  EXPECT_THAT(names, ::testing::Contains("layers.0.self_attn.q_proj.weight"));
  EXPECT_THAT(names, ::testing::Contains("embed_tokens.weight"));
}

TEST(ModelsLoading, Gpt2WithoutPrefixWithBuffersAndExplicitLmHead) {
  mhub::testing::TempDir dir;
  auto gpt = AutoModelForCausalLM::FromConfig(TinyConfig("gpt2"), 2);
  ASSERT_TRUE(gpt.ok()) << gpt.status();
  ASSERT_TRUE((*gpt)->SavePretrained(dir / "orig").ok());
  // openai-community/gpt2 style: no "transformer.", causal-mask buffers, and an lm_head copy.
  std::vector<uint8_t> mask_bytes(1 * 1 * 128 * 128, 1);
  std::vector<float> masked_bias = {-1e4f};
  auto file = formats::SafetensorsFile::Open(dir / "orig/model.safetensors");
  ASSERT_TRUE(file.ok());
  formats::TensorView wte = *(*file)->Find("transformer.wte.weight");
  wte.name = "lm_head.weight";
  std::vector<formats::TensorView> extra = {
      {"h.0.attn.bias", formats::Dtype::kU8, {1, 1, 128, 128}, mask_bytes.data(), mask_bytes.size()},
      {"h.0.attn.masked_bias", formats::Dtype::kF32, {}, reinterpret_cast<const uint8_t*>(masked_bias.data()), 4},
      wte};
  RewriteCheckpoint(
      dir / "orig", dir / "variant",
      [](const std::string& n) { return n.rfind("transformer.", 0) == 0 ? n.substr(12) : n; }, extra);
  auto loaded = AutoModelForCausalLM::FromPretrained(dir / "variant");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ModelInputs in{1, 4, {5, 6, 7, 8}, {}, {}, {}};
  auto a = (*loaded)->ForwardCausal(in, nullptr, true);
  auto b = (*gpt)->ForwardCausal(in, nullptr, true);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->shape, (std::vector<int64_t>{1, 4, 307}));
  EXPECT_EQ(a->values, b->values);
}

TEST(ModelsLoading, ShardedCheckpointLoadsTheSameModel) {
  mhub::testing::TempDir dir;
  auto lm = AutoModelForCausalLM::FromConfig(TinyConfig("llama"), 4);
  ASSERT_TRUE(lm.ok()) << lm.status();
  ASSERT_TRUE((*lm)->SavePretrained(dir / "sharded", 20'000).ok());
  EXPECT_TRUE(std::filesystem::exists(dir / "sharded/model.safetensors.index.json"));
  EXPECT_FALSE(std::filesystem::exists(dir / "sharded/model.safetensors"));
  int shards = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() + "/sharded")) {
    if (e.path().extension() == ".safetensors") ++shards;
  }
  EXPECT_GT(shards, 2);
  auto loaded = AutoModelForCausalLM::FromPretrained(dir / "sharded");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ModelInputs in{1, 3, {9, 10, 11}, {}, {}, {}};
  auto a = (*loaded)->ForwardCausal(in, nullptr);
  auto b = (*lm)->ForwardCausal(in, nullptr);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->values, b->values);
}

TEST(ModelsLoading, ClearErrors) {
  mhub::testing::TempDir dir;
  // (t5 was the unsupported example until the seq2seq models landed)
  std::filesystem::create_directories(dir / "reformer");
  mhub::testing::WriteFileOrDie(dir / "reformer/config.json",
                                R"({"model_type": "reformer", "architectures": ["ReformerModelWithLMHead"]})");
  auto reformer = AutoModel::FromPretrained(dir / "reformer");
  ASSERT_FALSE(reformer.ok());
  EXPECT_EQ(reformer.status().code(), StatusCode::kUnsupported);
  EXPECT_THAT(reformer.status().message(), HasSubstr("architecture 'ReformerModelWithLMHead' (model_type reformer)"));
  EXPECT_THAT(reformer.status().message(), HasSubstr("supported model types: bert"));

  auto bert_causal = ModelFromConfig(TinyConfig("bert"), Task::kCausalLM);
  ASSERT_FALSE(bert_causal.ok());
  EXPECT_EQ(bert_causal.status().code(), StatusCode::kUnsupported);
  EXPECT_THAT(bert_causal.status().message(), HasSubstr("no causal-lm head"));

  // A checkpoint missing a tensor names it.
  auto model = ModelFromConfig(TinyConfig("distilbert"), Task::kBase, 1);
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE((*model)->SavePretrained(dir / "db").ok());
  RewriteCheckpoint(dir / "db", dir / "db_missing", [](const std::string& n) {
    return n == "transformer.layer.1.ffn.lin2.weight" ? std::string() : n;
  });
  auto missing = AutoModel::FromPretrained(dir / "db_missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("transformer.layer.1.ffn.lin2.weight"));

  // Integer weights are not a supported weight dtype.
  std::vector<int8_t> q(211 * 32, 1);
  RewriteCheckpoint(dir / "db", dir / "db_i8",
                    [](const std::string& n) { return n == "embeddings.word_embeddings.weight" ? std::string() : n; },
                    {{"embeddings.word_embeddings.weight",
                      formats::Dtype::kI8,
                      {211, 32},
                      reinterpret_cast<const uint8_t*>(q.data()),
                      q.size()}});
  auto i8 = AutoModel::FromPretrained(dir / "db_i8");
  ASSERT_FALSE(i8.ok());
  EXPECT_EQ(i8.status().code(), StatusCode::kUnsupported);
  EXPECT_THAT(i8.status().message(), HasSubstr("dtype I8"));

  // Inputs are checked.
  ModelInputs bad{1, 2, {5, 999}, {}, {}, {}};
  auto out = (*model)->Forward(bad);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("outside the vocabulary"));
}

TEST(ModelsLoading, CacheRefusesOverflowAndStaysUsable) {
  auto lm = AutoModelForCausalLM::FromConfig(TinyConfig("llama"), 6);
  ASSERT_TRUE(lm.ok()) << lm.status();
  auto cache = (*lm)->NewCache(1, 3);
  ASSERT_TRUE(cache.ok()) << cache.status();
  auto too_long = (*lm)->ForwardCausal(ModelInputs{1, 4, {5, 6, 7, 8}, {}, {}, {}}, cache->get());
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ((*cache)->length(), 0);
  auto a = (*lm)->ForwardCausal(ModelInputs{1, 2, {5, 6}, {}, {}, {}}, cache->get());
  auto b = (*lm)->ForwardCausal(ModelInputs{1, 1, {7}, {}, {}, {}}, cache->get());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*cache)->length(), 3);
  // Same logits as the three tokens at once without a cache.
  auto whole = (*lm)->ForwardCausal(ModelInputs{1, 3, {5, 6, 7}, {}, {}, {}}, nullptr);
  ASSERT_TRUE(whole.ok());
  for (size_t i = 0; i < whole->values.size(); ++i) ASSERT_NEAR(whole->values[i], b->values[i], 1e-5);
  EXPECT_FALSE((*lm)->ForwardCausal(ModelInputs{1, 1, {8}, {}, {}, {}}, cache->get()).ok());
  (*cache)->Reset();
  EXPECT_TRUE((*lm)->ForwardCausal(ModelInputs{1, 1, {8}, {}, {}, {}}, cache->get()).ok());
}

TEST(ModelsLoading, TaskFromArchitecture) {
  EXPECT_EQ(*TaskFromArchitecture("BertForMaskedLM"), Task::kMaskedLM);
  EXPECT_EQ(*TaskFromArchitecture("GPT2LMHeadModel"), Task::kCausalLM);
  EXPECT_EQ(*TaskFromArchitecture("LlamaForCausalLM"), Task::kCausalLM);
  EXPECT_EQ(*TaskFromArchitecture("DistilBertModel"), Task::kBase);
  EXPECT_FALSE(TaskFromArchitecture("BertForPreTraining").ok());
}

}  // namespace
}  // namespace mhub::models
