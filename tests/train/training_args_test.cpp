// TrainingArguments: HF defaults, the __post_init__ rules of transformers (training.md §1.2), the
// three input forms agreeing, and to_dict's token masking.
#include "mhub/train/training_args.h"

#include <gtest/gtest.h>

namespace mhub::train {
namespace {

TEST(TrainingArgumentsTest, DefaultsAreTransformers) {
  TrainingArguments a;
  ASSERT_TRUE(a.Validate().ok());
  EXPECT_EQ(a.output_dir, "trainer_output");
  EXPECT_EQ(a.num_train_epochs, 3.0);
  EXPECT_EQ(a.max_steps, -1);
  EXPECT_EQ(a.per_device_train_batch_size, 8);
  EXPECT_EQ(a.learning_rate, 5e-5);
  EXPECT_EQ(a.adam_epsilon, 1e-8);
  EXPECT_EQ(a.max_grad_norm, 1.0);
  EXPECT_EQ(a.optim, "adamw_torch");
  EXPECT_EQ(a.lr_scheduler_type, "linear");
  EXPECT_EQ(a.save_strategy, "steps");
  EXPECT_EQ(a.save_steps, 500);
  EXPECT_EQ(a.logging_steps, 500);
  EXPECT_EQ(a.seed, 42);
  EXPECT_FALSE(a.metric_for_best_model.has_value());
  EXPECT_TRUE(a.report_to.empty());
}

TEST(TrainingArgumentsTest, DerivedDefaults) {
  auto a = TrainingArgumentsFromJson(
      {{"eval_strategy", "steps"}, {"logging_steps", 25}, {"save_steps", 50}, {"load_best_model_at_end", true}});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(*a->eval_steps, 25);  // copied from logging_steps
  EXPECT_TRUE(a->do_eval);
  EXPECT_EQ(*a->metric_for_best_model, "loss");
  EXPECT_FALSE(*a->greater_is_better);  // ends with "loss"
  auto b = TrainingArgumentsFromJson({{"eval_strategy", "epoch"},
                                      {"save_strategy", "epoch"},
                                      {"load_best_model_at_end", true},
                                      {"metric_for_best_model", "accuracy"}});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_TRUE(*b->greater_is_better);
}

TEST(TrainingArgumentsTest, RefusedCombinations) {
  auto refused = [](const Json& j, const std::string& needle) {
    auto r = TrainingArgumentsFromJson(j);
    ASSERT_FALSE(r.ok()) << j.dump();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status();
  };
  refused({{"eval_strategy", "epoch"}, {"load_best_model_at_end", true}}, "strategy to match");
  refused({{"eval_strategy", "steps"}, {"eval_steps", 30}, {"save_steps", 50}, {"load_best_model_at_end", true}},
          "multiple of the evaluation steps");
  refused({{"eval_strategy", "steps"}, {"eval_steps", 0.1}, {"save_steps", 50}, {"load_best_model_at_end", true}},
          "mixing ratio and absolute");
  refused({{"fp16", true}, {"bf16", true}}, "At most one of fp16 and bf16");
  refused({{"lr_scheduler_type", "reduce_lr_on_plateau"}}, "requires an eval strategy");
  refused({{"warmup_steps", -1}}, "warmup_steps");
  refused({{"logging_steps", 0}}, "non-zero --logging_steps");
  refused({{"logging_steps", 2.5}}, "must be an integer if bigger than 1");
  refused({{"save_strategy", "best"}}, "metric_for_best_model");
  refused({{"eval_strategy", "sometimes"}}, "not one of");
  refused({{"learning_rat", 1e-4}}, "no field 'learning_rat'");
  refused({{"learning_rate", "fast"}}, "expected a number");
  refused({{"evaluation_strategy", "steps"}}, "renamed eval_strategy");
}

TEST(TrainingArgumentsTest, WarmupResolution) {
  TrainingArguments a;
  a.warmup_steps = 10;
  EXPECT_EQ(a.GetWarmupSteps(100), 10);
  a.warmup_steps = 0.06;
  EXPECT_EQ(a.GetWarmupSteps(100), 6);
  EXPECT_EQ(a.GetWarmupSteps(101), 7);  // ceil
  TrainingArguments b;
  b.warmup_ratio = 0.1;
  ASSERT_TRUE(b.Validate().ok());
  EXPECT_EQ(b.GetWarmupSteps(55), 6);
  EXPECT_EQ(TrainingArguments::ResolveSteps(0.25, 10), 3);
  EXPECT_EQ(TrainingArguments::ResolveSteps(7, 10), 7);
}

TEST(TrainingArgumentsTest, FlagsJsonAndYamlAgree) {
  auto f = TrainingArgumentsFromFlags({"--learning_rate", "3e-5", "--num-train-epochs=2", "--bf16", "--seed", "7",
                                       "--lr_scheduler_kwargs", "{\"num_cycles\": 2}", "--label_names", "labels,x",
                                       "--save_total_limit", "2", "--push_to_hub", "false"});
  ASSERT_TRUE(f.ok()) << f.status();
  auto j = TrainingArgumentsFromJson({{"learning_rate", 3e-5},
                                      {"num_train_epochs", 2},
                                      {"bf16", true},
                                      {"seed", 7},
                                      {"lr_scheduler_kwargs", {{"num_cycles", 2}}},
                                      {"label_names", {"labels", "x"}},
                                      {"save_total_limit", 2},
                                      {"push_to_hub", false}});
  ASSERT_TRUE(j.ok()) << j.status();
  auto y = TrainingArgumentsFromYaml(
      "learning_rate: 3e-5\nnum_train_epochs: 2\nbf16: true\nseed: 7\nlr_scheduler_kwargs: {num_cycles: 2}\n"
      "label_names: [labels, x]\nsave_total_limit: 2\npush_to_hub: false\n");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(f->ToDict().dump(), j->ToDict().dump());
  EXPECT_EQ(y->ToDict().dump(), j->ToDict().dump());
  EXPECT_EQ(j->learning_rate, 3e-5);
  EXPECT_TRUE(j->bf16);
  EXPECT_EQ(j->lr_scheduler_kwargs["num_cycles"], 2);
  EXPECT_FALSE(TrainingArgumentsFromFlags({"positional"}).ok());
  EXPECT_FALSE(TrainingArgumentsFromYaml("- a\n- b\n").ok());
  EXPECT_FALSE(TrainingArgumentsFromYaml("learning_rate: [1\n").ok());
}

TEST(TrainingArgumentsTest, ToDictMasksTokens) {
  TrainingArguments a;
  a.hub_token = "hf_secret";
  ASSERT_TRUE(a.Validate().ok());
  OrderedJson d = a.ToDict();
  EXPECT_EQ(d["hub_token"], "<HUB_TOKEN>");
  EXPECT_EQ(d.dump().find("hf_secret"), std::string::npos);
  EXPECT_TRUE(d["save_total_limit"].is_null());
  EXPECT_EQ(d["learning_rate"], 5e-5);
  EXPECT_EQ(d.begin().key(), "output_dir");
}

}  // namespace
}  // namespace mhub::train
