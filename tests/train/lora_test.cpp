// LoRA against PyTorch: the Trainer with a LoraModel over the real trainable BERT-mini (query/value
// adapters + the classifier as modules_to_save) and GPT-2-mini (c_attn, Conv1D with fan_in_fan_out)
// follows tests/train/oracle/lora_oracle.py (W0 + s B A in torch autograd, AdamW on A/B only, the
// same schedule, clipping and accumulation) step for step: the final adapter tensors equal torch's.
// Also: PEFT's file layout, load = the trained model, merge (in the model and on the files) = the
// adapter's outputs, and the refusals (dropout, unknown target, embeddings).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "mhub/base/env.h"
#include "mhub/base/json.h"
#include "mhub/formats/safetensors.h"
#include "mhub/models/trainable.h"
#include "mhub/train/lora.h"
#include "mhub/train/trainer.h"
#include "support/test_support.h"
#include "tiny_model_configs.h"

namespace mhub::train {
namespace {

using mhub::testing::TempDir;

using testing::TinyBertConfig;
using testing::TinyGpt2Config;

std::vector<Feature> Data(bool bert) {
  std::mt19937_64 rng(3);
  std::vector<Feature> data;
  for (int i = 0; i < 16; ++i) {
    Feature f;
    const int len = 3 + int(rng() % 8);
    for (int t = 0; t < len; ++t) f.input_ids.push_back(1 + int64_t(rng() % (bert ? 39 : 47)));
    if (bert) f.label = f.input_ids[0] % 3;
    data.push_back(f);
  }
  return data;
}

// Reads every tensor of a safetensors file as floats by name.
std::map<std::string, std::vector<float>> ReadTensors(const std::string& path) {
  std::map<std::string, std::vector<float>> out;
  auto f = formats::SafetensorsFile::Open(path);
  EXPECT_TRUE(f.ok()) << f.status();
  if (!f.ok()) return out;
  for (const auto& t : (*f)->tensors()) {
    const float* p = reinterpret_cast<const float*>(t.data);
    out[t.name].assign(p, p + t.numel());
  }
  return out;
}

void RunAgainstTorch(bool bert, int64_t ga) {
  SCOPED_TRACE(std::string(bert ? "bert" : "gpt2") + " GA=" + std::to_string(ga));
  const models::Task task = bert ? models::Task::kSequenceClassification : models::Task::kCausalLM;
  auto base = models::NewTrainable(bert ? TinyBertConfig() : TinyGpt2Config(), task, 7);
  ASSERT_TRUE(base.ok()) << base.status();
  TempDir dir;
  ASSERT_TRUE((*base)->SavePretrained(dir / "base").ok());
  LoraConfig lc;
  lc.r = 4;
  lc.lora_alpha = 8;
  lc.target_modules = bert ? std::vector<std::string>{"query", "value"} : std::vector<std::string>{"c_attn"};
  lc.init_lora_weights = false;  // B random too, so A gets a gradient from the first step
  auto lora = LoraModel::Create(base->get(), lc, 11);
  ASSERT_TRUE(lora.ok()) << lora.status();
  ASSERT_TRUE((*lora)->SavePretrained(dir / "adapter0").ok());

  const std::vector<Feature> data = Data(bert);
  const int64_t steps = 12, bs = 4;
  TrainingArguments a;
  a.output_dir = dir / "out";
  a.max_steps = steps;
  a.per_device_train_batch_size = bs;
  a.gradient_accumulation_steps = ga;
  a.learning_rate = 1e-2;
  a.weight_decay = 0.01;
  a.warmup_steps = 3;
  a.lr_scheduler_type = "linear";
  a.logging_steps = 1;
  a.save_strategy = "no";
  a.train_sampling_strategy = "sequential";
  PaddingOptions pad;
  auto jc = bert ? PaddingCollator(pad) : CausalLMCollator(pad);
  const int64_t micro = int64_t(data.size()) / bs;
  const int64_t per_epoch = micro / ga + (micro % ga > 0);
  Json updates = Json::array();
  for (int64_t u = 0; u < steps; ++u) {
    const int64_t e = u % per_epoch;
    std::vector<models::TrainBatch> mbs;
    for (int64_t m = e * ga; m < std::min(micro, (e + 1) * ga); ++m) {
      auto b = jc->Collate(std::span<const Feature>(data.data() + m * bs, bs));
      ASSERT_TRUE(b.ok());
      mbs.push_back(*b);
    }
    std::vector<int64_t> items;
    int64_t update_items = 0;
    for (auto& b : mbs) {
      int64_t n = 0;
      if (!bert)
        for (int64_t r = 0; r < b.batch; ++r)
          for (int64_t t = 1; t < b.seq_len; ++t) n += b.labels[r * b.seq_len + t] != -100;
      items.push_back(n);
      update_items += n;
    }
    Json update = Json::array();
    for (size_t k = 0; k < mbs.size(); ++k) {
      const auto& b = mbs[k];
      Json ids = Json::array(), mask = Json::array(), labels = Json::array();
      for (int64_t r = 0; r < b.batch; ++r) {
        auto row = [&](const std::vector<int64_t>& v) {
          return std::vector<int64_t>(v.begin() + r * b.seq_len, v.begin() + (r + 1) * b.seq_len);
        };
        ids.push_back(row(b.input_ids));
        mask.push_back(row(b.attention_mask));
        if (!bert) labels.push_back(row(b.labels));
      }
      Json job = {{"input_ids", ids}, {"attention_mask", mask}, {"labels", bert ? Json(b.labels) : labels}};
      if (!bert && (*lora)->accepts_loss_kwargs()) job["items"] = items[k], job["update_items"] = update_items;
      update.push_back(job);
    }
    updates.push_back(update);
  }
  Json spec = {{"base", dir / "base"},
               {"adapter", dir / "adapter0"},
               {"task", bert ? "sequence-classification" : "causal-lm"},
               {"lr", 1e-2},
               {"wd", 0.01},
               {"warmup", 3},
               {"steps", steps},
               {"updates", updates},
               {"out", dir / "torch_adapter.safetensors"}};
  mhub::testing::WriteFileOrDie(dir / "spec.json", spec.dump());

  Trainer trainer(lora->get(), a, data, {}, bert ? PaddingCollator(pad) : CausalLMCollator(pad));
  auto r = trainer.Train();
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(trainer.SaveModel(dir / "final").ok());
  auto py = mhub::testing::RunCommand(mhub::testing::Python() + " " + mhub::testing::SourceDir() +
                                      "/tests/train/oracle/lora_oracle.py " + dir / "spec.json");
  ASSERT_EQ(py.exit_code, 0) << py.err;
  auto want_losses = ParseJson(py.out);
  ASSERT_TRUE(want_losses.ok()) << py.out;
  size_t k = 0;
  for (const auto& e : trainer.log_history())
    if (e.contains("loss")) {
      const double w = (*want_losses)["losses"][k++].get<double>();
      EXPECT_NEAR(e["loss"].get<double>(), w, 5e-5 + 1e-4 * std::fabs(w)) << "step " << k;
    }
  EXPECT_EQ(k, size_t(steps));
  // The trained adapter, in PEFT's names, equals torch's after the same updates.
  auto ours = ReadTensors(dir / "final/adapter_model.safetensors");
  auto theirs = ReadTensors(dir / "torch_adapter.safetensors");
  ASSERT_EQ(ours.size(), theirs.size());
  double worst = 0;
  for (const auto& [name, v] : theirs) {
    ASSERT_TRUE(ours.count(name)) << name;
    const auto& o = ours[name];
    ASSERT_EQ(o.size(), v.size()) << name;
    double diff = 0, norm = 0, moved = 0;
    for (size_t i = 0; i < v.size(); ++i) diff += (o[i] - v[i]) * (o[i] - v[i]), norm += v[i] * v[i];
    worst = std::max(worst, std::sqrt(diff / std::max(norm, 1e-30)));
    // and it did move from the initial adapter
    auto init = ReadTensors(dir / "adapter0/adapter_model.safetensors")[name];
    for (size_t i = 0; i < v.size(); ++i) moved = std::max(moved, double(std::fabs(o[i] - init[i])));
    EXPECT_GT(moved, 1e-4) << name;
  }
  EXPECT_LE(worst, 1e-4);
  std::printf("[ lora ] %s GA=%lld: %lld AdamW steps, worst relative norm diff of the adapter vs PyTorch %.2e\n",
              bert ? "bert" : "gpt2", (long long)ga, (long long)steps, worst);
}

TEST(LoraTest, BertAdaptersFollowTorch) { RunAgainstTorch(true, 2); }
TEST(LoraTest, Gpt2Conv1dAdaptersFollowTorch) { RunAgainstTorch(false, 1); }

// Mean eval loss of `m` over one batch.
double EvalLoss(models::TrainableModel& m, const models::TrainBatch& b) {
  models::StepOptions so;
  so.backward = false;
  so.training = false;
  auto r = m.Step(b, so);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? r->loss_sum / double(r->num_items) : NAN;
}

TEST(LoraTest, PeftLayoutLoadAndMerge) {
  TempDir dir;
  auto base = models::NewTrainable(TinyBertConfig(), models::Task::kSequenceClassification, 7);
  ASSERT_TRUE(base.ok());
  ASSERT_TRUE((*base)->SavePretrained(dir / "base").ok());
  LoraConfig lc;
  lc.target_modules = {"query", "attention.self.value", "output.dense"};
  lc.init_lora_weights = false;
  lc.base_model_name_or_path = "me/base";
  auto lora = LoraModel::Create(base->get(), lc, 5);
  ASSERT_TRUE(lora.ok()) << lora.status();
  ASSERT_TRUE((*lora)->SavePretrained(dir / "adapter").ok());
  // PEFT's names and config.
  auto t = ReadTensors(dir / "adapter/adapter_model.safetensors");
  EXPECT_TRUE(t.count("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight"));
  EXPECT_TRUE(t.count("base_model.model.bert.encoder.layer.1.attention.self.value.lora_B.weight"));
  EXPECT_TRUE(t.count("base_model.model.bert.encoder.layer.1.attention.output.dense.lora_A.weight"));
  EXPECT_TRUE(t.count("base_model.model.bert.encoder.layer.1.output.dense.lora_B.weight"));
  EXPECT_TRUE(t.count("base_model.model.classifier.weight"));  // modules_to_save of SEQ_CLS
  EXPECT_EQ(t["base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight"].size(), 8u * 16u);
  auto cfg = ParseJson(*ReadFile(dir / "adapter/adapter_config.json"));
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ((*cfg)["peft_type"], "LORA");
  EXPECT_EQ((*cfg)["task_type"], "SEQ_CLS");
  EXPECT_EQ((*cfg)["r"], 8);
  EXPECT_EQ((*cfg)["base_model_name_or_path"], "me/base");
  EXPECT_EQ((*cfg)["modules_to_save"], Json::array({"classifier", "score"}));

  auto batch = PaddingCollator({})->Collate(Data(true));
  ASSERT_TRUE(batch.ok());
  const double with_adapter = EvalLoss(**lora, *batch);
  // Load onto a fresh base: the same outputs.
  auto base2 = models::LoadTrainable(dir / "base", models::Task::kSequenceClassification);
  ASSERT_TRUE(base2.ok()) << base2.status();
  const double plain = EvalLoss(**base2, *batch);
  auto loaded = LoraModel::Load(base2->get(), dir / "adapter");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_NEAR(EvalLoss(**loaded, *batch), with_adapter, 1e-6);
  EXPECT_GT(std::fabs(plain - with_adapter), 1e-4);  // the adapter changes the model
  // Merged in the model, and merged on the files (what mhub run does): the same outputs, no adapter.
  ASSERT_TRUE((*loaded)->SaveMerged(dir / "merged").ok());
  ASSERT_TRUE(MergeAdapterIntoFolder(dir / "base", dir / "adapter", dir / "merged_files").ok());
  for (const char* m : {"merged", "merged_files"}) {
    auto merged = models::LoadTrainable(dir / m, models::Task::kSequenceClassification);
    ASSERT_TRUE(merged.ok()) << merged.status();
    EXPECT_NEAR(EvalLoss(**merged, *batch), with_adapter, 1e-5) << m;
  }
}

TEST(LoraTest, ResumeFromAnAdapterCheckpointContinuesExactly) {
  TempDir dir;
  auto run = [&](const std::string& out, const std::string& resume, int64_t save_steps) -> std::string {
    auto base = models::NewTrainable(TinyBertConfig(), models::Task::kSequenceClassification, 7);
    EXPECT_TRUE(base.ok());
    LoraConfig lc;
    lc.target_modules = {"query", "value"};
    auto lora = LoraModel::Create(base->get(), lc, 3);
    EXPECT_TRUE(lora.ok()) << lora.status();
    TrainingArguments a;
    a.output_dir = dir / out;
    a.max_steps = 6;
    a.per_device_train_batch_size = 4;
    a.learning_rate = 1e-2;
    a.save_steps = save_steps;
    Trainer t(lora->get(), a, Data(true), {}, PaddingCollator({}));
    auto r = t.Train(resume);
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(t.SaveModel().ok());
    return *ReadFile(dir / out + "/adapter_model.safetensors");
  };
  const std::string straight = run("a", "", 100);
  run("b", "", 3);
  // The checkpoint is an adapter folder (PEFT layout), and resuming from step 3 ends where the
  // uninterrupted run ends.
  EXPECT_TRUE(std::filesystem::exists(dir / "b/checkpoint-3/adapter_model.safetensors"));
  EXPECT_FALSE(std::filesystem::exists(dir / "b/checkpoint-3/model.safetensors"));
  const std::string resumed = run("b", dir / "b/checkpoint-3", 100);
  EXPECT_TRUE(resumed == straight);
}

TEST(LoraTest, BadConfigsAreClearErrors) {
  auto base = models::NewTrainable(TinyBertConfig(), models::Task::kSequenceClassification, 7);
  ASSERT_TRUE(base.ok());
  LoraConfig lc;
  lc.target_modules = {"query"};
  lc.lora_dropout = 0.1;
  auto r = LoraModel::Create(base->get(), lc);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("lora_dropout"), std::string::npos);
  lc.lora_dropout = 0;
  lc.target_modules = {"nope"};
  EXPECT_EQ(LoraModel::Create(base->get(), lc).status().code(), StatusCode::kNotFound);
  lc.target_modules = {"word_embeddings"};
  EXPECT_EQ(LoraModel::Create(base->get(), lc).status().code(), StatusCode::kUnsupported);
  lc.target_modules = {"query"};
  lc.bias = "all";
  EXPECT_EQ(LoraModel::Create(base->get(), lc).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(LoraConfigFromJson(Json{{"peft_type", "IA3"}}).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(LoraConfigFromJson(Json{{"r", 0}, {"target_modules", {"q"}}}).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mhub::train
