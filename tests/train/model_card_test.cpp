// create_model_card: front matter parsed by PyYAML and checked against the Hub's model-index rules
// (tests/train/oracle/card_check.py); body sections, hyperparameters and results table as
// transformers' modelcard.py writes them for the same log_history.
#include "mhub/train/model_card.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace mhub::train {
namespace {

TEST(ModelCardTest, TrainerCardParsesAndCarriesTheResults) {
  ModelCardInput in;
  in.args.output_dir = "/tmp/x/bert-genre";
  in.args.learning_rate = 3e-5;
  in.args.gradient_accumulation_steps = 2;
  in.args.warmup_steps = 10;
  ASSERT_TRUE(in.args.Validate().ok());
  in.task = models::Task::kSequenceClassification;
  in.info = {{"finetuned_from", "mhub/bert-mini"}, {"dataset", "brown"},
             {"dataset_tags", "mhub/brown"},       {"dataset_config", "default"},
             {"dataset_split", "validation"},      {"license", "apache-2.0"}};
  in.log_history = Json::parse(R"([
    {"loss": 1.23456, "grad_norm": 2.0, "learning_rate": 3e-05, "epoch": 0.5, "step": 5},
    {"eval_loss": 1.1, "eval_accuracy": 0.5, "eval_f1": 0.41234567, "eval_runtime": 0.1, "eval_samples_per_second": 10.0, "eval_steps_per_second": 1.0, "epoch": 1.0, "step": 10},
    {"loss": 0.9, "learning_rate": 1e-05, "epoch": 1.5, "step": 15},
    {"eval_loss": 0.8, "eval_accuracy": 0.75, "eval_f1": 0.7, "eval_runtime": 0.1, "eval_samples_per_second": 10.0, "eval_steps_per_second": 1.0, "epoch": 2.0, "step": 20},
    {"train_runtime": 3.0, "train_samples_per_second": 1.0, "train_steps_per_second": 1.0, "total_flos": 0.0, "train_loss": 1.0, "epoch": 2.0, "step": 20}
  ])");
  auto card = CreateModelCard(in);
  ASSERT_TRUE(card.ok()) << card.status();
  mhub::testing::TempDir dir;
  mhub::testing::WriteFileOrDie(dir / "README.md", *card);
  auto r = mhub::testing::RunCommand(mhub::testing::Python() + " " + mhub::testing::SourceDir() +
                                     "/tests/train/oracle/card_check.py " + dir / "README.md");
  ASSERT_EQ(r.exit_code, 0) << r.err << "\n" << *card;
  auto parsed = ParseJson(r.out);
  ASSERT_TRUE(parsed.ok());
  const Json& meta = (*parsed)["meta"];
  EXPECT_EQ(meta["library_name"], "transformers");
  EXPECT_EQ(meta["base_model"], "mhub/bert-mini");
  EXPECT_EQ(meta["license"], "apache-2.0");
  EXPECT_EQ(meta["tags"], Json::array({"generated_from_trainer"}));
  EXPECT_EQ(meta["datasets"], Json::array({"mhub/brown"}));
  const Json& res = meta["model-index"][0]["results"][0];
  EXPECT_EQ(meta["model-index"][0]["name"], "bert-genre");
  EXPECT_EQ(res["task"]["type"], "text-classification");
  EXPECT_EQ(res["dataset"]["split"], "validation");
  ASSERT_EQ(res["metrics"].size(), 2u);  // accuracy and f1 are Hub metric tags; loss is not
  EXPECT_EQ(res["metrics"][0]["type"], "accuracy");
  EXPECT_EQ(res["metrics"][0]["value"], 0.75);
  const std::string body = (*parsed)["body"];
  EXPECT_NE(body.find("# bert-genre"), std::string::npos);
  EXPECT_NE(body.find("fine-tuned version of [mhub/bert-mini](https://huggingface.co/mhub/bert-mini) on the brown "
                      "dataset."),
            std::string::npos);
  EXPECT_NE(body.find("- Loss: 0.8\n- Accuracy: 0.75\n- F1: 0.7\n"), std::string::npos) << body;
  EXPECT_NE(body.find("- learning_rate: 3e-05\n- train_batch_size: 8\n- eval_batch_size: 8\n- seed: 42\n"
                      "- gradient_accumulation_steps: 2\n- total_train_batch_size: 16\n"
                      "- optimizer: Use adamw_torch with betas=(0.9,0.999) and epsilon=1e-08 and "
                      "optimizer_args=No additional optimizer arguments\n- lr_scheduler_type: linear\n"
                      "- lr_scheduler_warmup_steps: 10\n- num_epochs: 3.0\n"),
            std::string::npos)
      << body;
  // make_markdown_table: header widths from names/values, 4-decimal rounding of long floats.
  EXPECT_NE(body.find("| Training Loss | Epoch | Step | Validation Loss | Accuracy | F1     |\n"
                      "|:-------------:|:-----:|:----:|:---------------:|:--------:|:------:|\n"
                      "| 1.2346        | 1.0   | 10   | 1.1             | 0.5      | 0.4123 |\n"
                      "| 0.9           | 2.0   | 20   | 0.8             | 0.75     | 0.7    |\n"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("![Training curve](training_curve.svg)"), std::string::npos);
}

TEST(ModelCardTest, NoDatasetGivesEmptyResults) {
  ModelCardInput in;
  in.task = models::Task::kCausalLM;
  in.log_history = Json::array();
  auto card = CreateModelCard(in);
  ASSERT_TRUE(card.ok());
  EXPECT_NE(card->find("  results: []\n"), std::string::npos);
  EXPECT_NE(card->find("This model was trained from scratch on an unknown dataset."), std::string::npos);
}

TEST(ModelCardTest, PythonFloatRepr) {
  EXPECT_EQ(PyFloat(5e-5), "5e-05");
  EXPECT_EQ(PyFloat(0.001), "0.001");
  EXPECT_EQ(PyFloat(3.0), "3.0");
  EXPECT_EQ(PyFloat(0.999), "0.999");
  EXPECT_EQ(PyFloat(1e-8), "1e-08");
  EXPECT_EQ(PyFloat(0.1), "0.1");
}

}  // namespace
}  // namespace mhub::train
