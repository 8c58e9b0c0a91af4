// Trainable models against PyTorch autograd (tests/models/oracle/train_grad_oracle.py, plain torch
// ops mirroring transformers' BERT / GPT-2 and their losses): a tiny random model is written with
// SavePretrained, the oracle loads the same file and inputs, and the loss and the gradient of every
// parameter must agree within 1e-4 relative (per tensor, norm-wise).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mhub/base/json.h"
#include "mhub/formats/safetensors.h"
#include "mhub/models/auto_model.h"
#include "mhub/models/trainable.h"
#include "support/test_support.h"

namespace mhub::models {
namespace {

Json BertConfig(int64_t num_labels) {
  Json c = {{"model_type", "bert"},
            {"vocab_size", 40},
            {"hidden_size", 16},
            {"num_hidden_layers", 2},
            {"num_attention_heads", 2},
            {"intermediate_size", 24},
            {"max_position_embeddings", 16},
            {"type_vocab_size", 2},
            {"initializer_range", 0.3},
            {"pad_token_id", 0},
            {"hidden_act", "gelu"},
            {"layer_norm_eps", 1e-12}};
  Json id2label = Json::object();
  for (int64_t i = 0; i < num_labels; ++i) id2label[std::to_string(i)] = "L" + std::to_string(i);
  c["id2label"] = id2label;
  return c;
}

Json Gpt2Config() {
  return {{"model_type", "gpt2"}, {"vocab_size", 48}, {"n_positions", 16},        {"n_embd", 16},
          {"n_layer", 2},         {"n_head", 2},      {"initializer_range", 0.3}, {"activation_function", "gelu_new"}};
}

// Rows of lengths `lengths` padded (id 0, mask 0) to the longest.
TrainBatch RandomBatch(uint64_t seed, const std::vector<int64_t>& lengths, int64_t vocab) {
  std::mt19937_64 rng(seed);
  TrainBatch b;
  b.batch = static_cast<int64_t>(lengths.size());
  b.seq_len = *std::max_element(lengths.begin(), lengths.end());
  for (int64_t len : lengths) {
    for (int64_t t = 0; t < b.seq_len; ++t) {
      b.input_ids.push_back(t < len ? 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(vocab - 1)) : 0);
      b.attention_mask.push_back(t < len ? 1 : 0);
    }
  }
  return b;
}

Json Rows(const std::vector<int64_t>& v, int64_t batch) {
  Json out = Json::array();
  const int64_t t = static_cast<int64_t>(v.size()) / batch;
  for (int64_t b = 0; b < batch; ++b) out.push_back(std::vector<int64_t>(v.begin() + b * t, v.begin() + (b + 1) * t));
  return out;
}

struct Case {
  std::string name;
  Json config;
  Task task;
  std::string task_name;
  TrainBatch batch;
  float label_smoothing = 0;
};

Json JobJson(const Case& c, const std::string& model_dir, const std::string& out) {
  const TrainBatch& b = c.batch;
  Json job = {{"out", out},
              {"model", model_dir},
              {"task", c.task_name},
              {"input_ids", Rows(b.input_ids, b.batch)},
              {"label_smoothing", c.label_smoothing}};
  if (!b.attention_mask.empty()) job["attention_mask"] = Rows(b.attention_mask, b.batch);
  if (!b.token_type_ids.empty()) job["token_type_ids"] = Rows(b.token_type_ids, b.batch);
  if (!b.labels.empty()) {
    job["labels"] = static_cast<int64_t>(b.labels.size()) == b.batch ? Json(b.labels) : Rows(b.labels, b.batch);
  }
  if (!b.float_labels.empty()) {
    Json rows = Json::array();
    const size_t per = b.float_labels.size() / static_cast<size_t>(b.batch);
    for (int64_t r = 0; r < b.batch; ++r) {
      rows.push_back(std::vector<float>(b.float_labels.begin() + r * per, b.float_labels.begin() + (r + 1) * per));
    }
    job["float_labels"] = rows;
  }
  if (!b.start_positions.empty()) {
    job["start_positions"] = b.start_positions;
    job["end_positions"] = b.end_positions;
  }
  return job;
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  {
    Case c{"seq_single", BertConfig(3), Task::kSequenceClassification, "sequence-classification",
           RandomBatch(1, {7, 5, 3}, 40)};
    c.batch.token_type_ids.assign(c.batch.input_ids.size(), 0);
    for (size_t i = 3; i < c.batch.token_type_ids.size(); i += 7) c.batch.token_type_ids[i] = 1;
    c.batch.labels = {2, 0, 1};
    cases.push_back(c);
  }
  {
    Case c{"seq_smoothing", BertConfig(4), Task::kSequenceClassification, "sequence-classification",
           RandomBatch(2, {6, 6}, 40)};
    c.batch.labels = {3, 1};
    c.label_smoothing = 0.1f;
    cases.push_back(c);
  }
  {
    Case c{"regression", BertConfig(1), Task::kSequenceClassification, "sequence-classification",
           RandomBatch(3, {5, 4, 2}, 40)};
    c.batch.float_labels = {0.5f, -1.25f, 2.0f};
    cases.push_back(c);
  }
  {
    Case c{"multi_label", BertConfig(3), Task::kSequenceClassification, "sequence-classification",
           RandomBatch(4, {6, 3}, 40)};
    c.batch.float_labels = {1, 0, 1, 0, 0, 1};
    cases.push_back(c);
  }
  {
    Case c{"token", BertConfig(5), Task::kTokenClassification, "token-classification", RandomBatch(5, {6, 4}, 40)};
    for (size_t i = 0; i < c.batch.input_ids.size(); ++i) {
      c.batch.labels.push_back(c.batch.attention_mask[i] == 0 || i % 5 == 0 ? -100 : static_cast<int64_t>(i % 5));
    }
    cases.push_back(c);
  }
  {
    Case c{"mlm", BertConfig(2), Task::kMaskedLM, "masked-lm", RandomBatch(6, {8, 5}, 40)};
    for (size_t i = 0; i < c.batch.input_ids.size(); ++i) {
      c.batch.labels.push_back(c.batch.attention_mask[i] != 0 && i % 3 == 1 ? (static_cast<int64_t>(i) * 7) % 40
                                                                            : -100);
    }
    cases.push_back(c);
  }
  {
    Case c{"qa", BertConfig(2), Task::kQuestionAnswering, "question-answering", RandomBatch(7, {7, 7, 5}, 40)};
    c.batch.start_positions = {1, 3, 40};  // 40 > seq_len: clamped to seq_len, ignored
    c.batch.end_positions = {4, 6, 2};
    cases.push_back(c);
  }
  {
    Case c{"gpt2", Gpt2Config(), Task::kCausalLM, "causal-lm", RandomBatch(8, {9, 6}, 48)};
    for (size_t i = 0; i < c.batch.input_ids.size(); ++i) {
      c.batch.labels.push_back(c.batch.attention_mask[i] != 0 ? c.batch.input_ids[i] : -100);
    }
    cases.push_back(c);
  }
  {
    // 290 rows: the LM head runs in two chunks of rows (kLmChunkRows = 256)
    Json config = Gpt2Config();
    config["n_positions"] = 160;
    Case c{"gpt2_long", config, Task::kCausalLM, "causal-lm", RandomBatch(10, {150, 140}, 48)};
    for (size_t i = 0; i < c.batch.input_ids.size(); ++i) {
      c.batch.labels.push_back(c.batch.attention_mask[i] != 0 ? c.batch.input_ids[i] : -100);
    }
    cases.push_back(c);
  }
  {
    Case c{"gpt2_smoothing", Gpt2Config(), Task::kCausalLM, "causal-lm", RandomBatch(9, {7, 7}, 48)};
    c.batch.attention_mask.clear();
    c.batch.labels = c.batch.input_ids;
    c.label_smoothing = 0.2f;
    cases.push_back(c);
  }
  return cases;
}

// Every case's model saved and the oracle run once (importing torch takes seconds) for the suite.
class TrainParity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new mhub::testing::TempDir();
    Json jobs = Json::array();
    for (const Case& c : Cases()) {
      Result<std::unique_ptr<TrainableModel>> model = NewTrainable(c.config, c.task, 7);
      ASSERT_TRUE(model.ok()) << model.status();
      ASSERT_TRUE((*model)->SavePretrained(*dir_ / c.name).ok());
      jobs.push_back(JobJson(c, *dir_ / c.name, *dir_ / (c.name + ".grads.safetensors")));
    }
    mhub::testing::WriteFileOrDie(*dir_ / "jobs.json", DumpJson(Json{{"jobs", jobs}}));
    const std::string script = mhub::testing::SourceDir() + "/tests/models/oracle/train_grad_oracle.py";
    mhub::testing::CommandResult r =
        mhub::testing::RunCommand(mhub::testing::Python() + " " + mhub::testing::ShellQuote(script) + " " +
                                  mhub::testing::ShellQuote(*dir_ / "jobs.json"));
    oracle_ok_ = r.exit_code == 0;
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  // Runs ours on the saved model and compares loss and every gradient with the oracle's.
  static void ExpectMatchesTorch(const std::string& name) {
    ASSERT_TRUE(oracle_ok_);
    const Case* found = nullptr;
    static const std::vector<Case> cases = Cases();
    for (const Case& c : cases) found = c.name == name ? &c : found;
    ASSERT_NE(found, nullptr);
    const Case& c = *found;
    Result<std::unique_ptr<TrainableModel>> model = LoadTrainable(*dir_ / c.name, c.task);
    ASSERT_TRUE(model.ok()) << model.status();
    auto theirs = formats::SafetensorsFile::Open(*dir_ / (c.name + ".grads.safetensors"));
    ASSERT_TRUE(theirs.ok()) << theirs.status();
    auto values = [&](const std::string& tensor) {
      Result<formats::TensorView> v = (*theirs)->Get(tensor);
      EXPECT_TRUE(v.ok()) << tensor;
      std::vector<float> out(v.ok() ? static_cast<size_t>(v->numel()) : 0);
      if (v.ok()) std::memcpy(out.data(), v->data, out.size() * sizeof(float));
      return out;
    };

    StepOptions options;
    options.training = false;  // the oracle runs eval mode (no dropout)
    options.label_smoothing = c.label_smoothing;
    Result<StepResult> step = (*model)->Step(c.batch, options);
    ASSERT_TRUE(step.ok()) << step.status();
    ASSERT_GT(step->num_items, 0);
    const double n = static_cast<double>(step->num_items);
    const double loss = values("__loss__")[0];
    EXPECT_NEAR(step->loss_sum / n, loss, 1e-5 * std::max(1.0, std::fabs(loss)));

    std::vector<Parameter> params = (*model)->Parameters();
    double global = 0;
    for (const Parameter& p : params) {
      for (float g : values(p.name)) global += static_cast<double>(g) * g;
    }
    global = std::sqrt(global);
    ASSERT_GT(global, 1e-3);
    for (const Parameter& p : params) {
      const std::vector<float> want = values(p.name);
      ASSERT_EQ(want.size(), p.grad.size()) << p.name;
      double diff = 0, norm = 0, ours_norm = 0;
      for (size_t i = 0; i < want.size(); ++i) {
        const double ours = p.grad[i] / n;
        diff += (ours - want[i]) * (ours - want[i]);
        norm += static_cast<double>(want[i]) * want[i];
        ours_norm += ours * ours;
      }
      diff = std::sqrt(diff);
      norm = std::sqrt(norm);
      if (norm < 1e-6 * global) {
        // zero in exact arithmetic (key biases under softmax, QA biases): rounding noise on both sides
        EXPECT_LT(std::sqrt(ours_norm), 1e-6 * global) << p.name << " should have no gradient";
      } else {
        EXPECT_LT(diff / norm, 1e-4) << p.name << " |grad| " << norm;
      }
    }
    EXPECT_GT(params.size(), 10u);
  }

  static mhub::testing::TempDir* dir_;
  static bool oracle_ok_;
};
mhub::testing::TempDir* TrainParity::dir_ = nullptr;
bool TrainParity::oracle_ok_ = false;

TEST_F(TrainParity, BertSequenceClassificationSingleLabel) { ExpectMatchesTorch("seq_single"); }
TEST_F(TrainParity, BertSequenceClassificationLabelSmoothing) { ExpectMatchesTorch("seq_smoothing"); }
TEST_F(TrainParity, BertRegression) { ExpectMatchesTorch("regression"); }
TEST_F(TrainParity, BertMultiLabel) { ExpectMatchesTorch("multi_label"); }
TEST_F(TrainParity, BertTokenClassification) { ExpectMatchesTorch("token"); }
TEST_F(TrainParity, BertMaskedLM) { ExpectMatchesTorch("mlm"); }
TEST_F(TrainParity, BertQuestionAnswering) { ExpectMatchesTorch("qa"); }
TEST_F(TrainParity, Gpt2CausalLM) { ExpectMatchesTorch("gpt2"); }
TEST_F(TrainParity, Gpt2CausalLMLongerThanOneHeadChunk) { ExpectMatchesTorch("gpt2_long"); }
TEST_F(TrainParity, Gpt2CausalLMLabelSmoothingNoMask) { ExpectMatchesTorch("gpt2_smoothing"); }

// With dropout on (train mode), the loss is still a deterministic function of the weights for a
// fixed seed (counter-based masks), so the gradient must match the directional derivative along a
// random direction (central differences, double sums of f32 losses).
double DirectionalCheck(TrainableModel& model, const TrainBatch& batch, uint64_t seed) {
  StepOptions o;
  o.seed = seed;
  model.ZeroGrad();
  Result<StepResult> base = model.Step(batch, o);
  EXPECT_TRUE(base.ok()) << base.status();
  std::vector<Parameter> params = model.Parameters();
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<std::vector<float>> dir;
  double analytic = 0;
  for (const Parameter& p : params) {
    dir.emplace_back(p.value.size());
    for (size_t i = 0; i < p.value.size(); ++i) {
      dir.back()[i] = normal(rng);
      analytic += static_cast<double>(p.grad[i]) * dir.back()[i];
    }
  }
  const float h = 1e-3f;
  auto loss_at = [&](float t) {
    for (size_t k = 0; k < params.size(); ++k) {
      for (size_t i = 0; i < params[k].value.size(); ++i) params[k].value[i] += t * dir[k][i];
    }
    StepOptions eval = o;
    eval.backward = false;
    Result<StepResult> r = model.Step(batch, eval);
    for (size_t k = 0; k < params.size(); ++k) {
      for (size_t i = 0; i < params[k].value.size(); ++i) params[k].value[i] -= t * dir[k][i];
    }
    return r.ok() ? r->loss_sum : std::nan("");
  };
  const double numeric = (loss_at(h) - loss_at(-h)) / (2.0 * h);
  EXPECT_GT(std::fabs(analytic), 1e-3);
  return std::fabs(numeric - analytic) / std::fabs(analytic);
}

TEST(TrainDropout, BertGradientsFollowTheDroppedOutLoss) {
  Json config = BertConfig(3);
  config["hidden_dropout_prob"] = 0.2;
  config["attention_probs_dropout_prob"] = 0.2;
  for (Task task : {Task::kSequenceClassification, Task::kMaskedLM, Task::kTokenClassification}) {
    Result<std::unique_ptr<TrainableModel>> model = NewTrainable(config, task, 3);
    ASSERT_TRUE(model.ok()) << model.status();
    TrainBatch b = RandomBatch(21, {8, 6}, 40);
    if (task == Task::kSequenceClassification) {
      b.labels = {2, 1};
    } else {
      for (size_t i = 0; i < b.input_ids.size(); ++i)
        b.labels.push_back(b.attention_mask[i] ? b.input_ids[i] % 3 : -100);
    }
    EXPECT_LT(DirectionalCheck(**model, b, 5), 1e-2) << TaskName(task);
    // the masks depend on the seed: another seed, another loss; eval mode has none
    StepOptions a, other, eval;
    a.seed = 5;
    other.seed = 6;
    eval.training = false;
    a.backward = other.backward = eval.backward = false;
    EXPECT_NE((*model)->Step(b, a)->loss_sum, (*model)->Step(b, other)->loss_sum);
    EXPECT_EQ((*model)->Step(b, a)->loss_sum, (*model)->Step(b, a)->loss_sum);
    EXPECT_NE((*model)->Step(b, a)->loss_sum, (*model)->Step(b, eval)->loss_sum);
  }
}

TEST(TrainDropout, Gpt2GradientsFollowTheDroppedOutLoss) {
  Json config = Gpt2Config();
  config["resid_pdrop"] = 0.2;
  config["embd_pdrop"] = 0.2;
  config["attn_pdrop"] = 0.2;
  Result<std::unique_ptr<TrainableModel>> model = NewTrainable(config, Task::kCausalLM, 3);
  ASSERT_TRUE(model.ok()) << model.status();
  TrainBatch b = RandomBatch(22, {9, 5}, 48);
  for (size_t i = 0; i < b.input_ids.size(); ++i) b.labels.push_back(b.attention_mask[i] ? b.input_ids[i] : -100);
  EXPECT_LT(DirectionalCheck(**model, b, 8), 1e-2);
}

TEST(TrainStep, GradientsAccumulateScaledAcrossSteps) {
  Result<std::unique_ptr<TrainableModel>> model = NewTrainable(Gpt2Config(), Task::kCausalLM, 4);
  ASSERT_TRUE(model.ok()) << model.status();
  TrainBatch b = RandomBatch(23, {6, 6}, 48);
  b.labels = b.input_ids;
  StepOptions o;
  o.training = false;
  ASSERT_TRUE((*model)->Step(b, o).ok());
  std::vector<std::vector<float>> once;
  for (const Parameter& p : (*model)->Parameters()) once.emplace_back(p.grad.begin(), p.grad.end());
  o.grad_scale = 0.5f;
  ASSERT_TRUE((*model)->Step(b, o).ok());
  std::vector<Parameter> params = (*model)->Parameters();
  for (size_t k = 0; k < params.size(); ++k) {
    for (size_t i = 0; i < params[k].grad.size(); ++i) {
      ASSERT_NEAR(params[k].grad[i], 1.5f * once[k][i], 1e-6f + 1e-5f * std::fabs(once[k][i])) << params[k].name;
    }
  }
  (*model)->ZeroGrad();
  for (const Parameter& p : (*model)->Parameters()) {
    for (float g : p.grad) ASSERT_EQ(g, 0.f);
  }
}

TEST(TrainErrors, LabelOutOfRangeLeavesGradientsUntouched) {
  Result<std::unique_ptr<TrainableModel>> model = NewTrainable(BertConfig(3), Task::kSequenceClassification, 1);
  ASSERT_TRUE(model.ok()) << model.status();
  TrainBatch b = RandomBatch(1, {4, 4}, 40);
  b.labels = {1, 3};
  Result<StepResult> r = (*model)->Step(b, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status();
  for (const Parameter& p : (*model)->Parameters()) {
    for (float g : p.grad) ASSERT_EQ(g, 0.f) << p.name;
  }
}

TEST(TrainStep, ProblemTypeIsSettledAndSaved) {
  mhub::testing::TempDir dir;
  Result<std::unique_ptr<TrainableModel>> model = NewTrainable(BertConfig(3), Task::kSequenceClassification, 1);
  ASSERT_TRUE(model.ok()) << model.status();
  TrainBatch b = RandomBatch(1, {4, 4}, 40);
  b.float_labels = {1, 0, 1, 0, 1, 1};
  ASSERT_TRUE((*model)->Step(b, {}).ok());
  ASSERT_TRUE((*model)->SavePretrained(dir / "m").ok());
  Result<Json> config = ParseJson(mhub::testing::ReadFileOrDie(dir / "m/config.json"));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ((*config)["problem_type"], "multi_label_classification");
  EXPECT_EQ((*config)["architectures"][0], "BertForSequenceClassification");
}

// The gradients train: plain SGD on one small batch drives the loss of every head well down
// (the optimizer is the Trainer's; here only w -= lr * g).
TEST(TrainStep, SgdOverfitsOneBatch) {
  struct Run {
    Json config;
    Task task;
    float lr;
  };
  Json bert = BertConfig(3);
  bert["initializer_range"] = 0.05;
  Json gpt2 = Gpt2Config();
  gpt2["initializer_range"] = 0.05;
  for (const Run& run : {Run{bert, Task::kSequenceClassification, 0.5f}, Run{bert, Task::kTokenClassification, 0.5f},
                         Run{bert, Task::kMaskedLM, 0.1f}, Run{gpt2, Task::kCausalLM, 0.5f}}) {
    Result<std::unique_ptr<TrainableModel>> model = NewTrainable(run.config, run.task, 11);
    ASSERT_TRUE(model.ok()) << model.status();
    TrainBatch b = RandomBatch(31, {8, 8, 6, 5}, 40);
    if (run.task == Task::kSequenceClassification) {
      b.labels = {0, 2, 1, 2};
    } else {
      for (size_t i = 0; i < b.input_ids.size(); ++i)
        b.labels.push_back(b.attention_mask[i] ? b.input_ids[i] % 3 : -100);
    }
    double first = 0, last = 0;
    for (int step = 0; step < 60; ++step) {
      (*model)->ZeroGrad();
      StepOptions o;
      o.training = false;
      Result<StepResult> r = (*model)->Step(b, o);
      ASSERT_TRUE(r.ok()) << r.status();
      const double loss = r->loss_sum / static_cast<double>(r->num_items);
      ASSERT_TRUE(std::isfinite(loss));
      (step == 0 ? first : last) = loss;
      for (const Parameter& p : (*model)->Parameters()) {
        for (size_t i = 0; i < p.value.size(); ++i) p.value[i] -= run.lr * p.grad[i] / static_cast<float>(r->num_items);
      }
    }
    EXPECT_LT(last, 0.3 * first) << TaskName(run.task) << ": " << first << " -> " << last;
  }
}

// One definition per architecture: the training forward's logits (eval mode) are the inference
// model's on the same saved weights.
TEST(TrainStep, LogitsMatchTheInferenceModel) {
  struct Run {
    Json config;
    Task task;
  };
  for (const Run& run : {Run{BertConfig(3), Task::kSequenceClassification}, Run{BertConfig(3), Task::kMaskedLM},
                         Run{Gpt2Config(), Task::kCausalLM}}) {
    mhub::testing::TempDir dir;
    Result<std::unique_ptr<TrainableModel>> model = NewTrainable(run.config, run.task, 12);
    ASSERT_TRUE(model.ok()) << model.status();
    ASSERT_TRUE((*model)->SavePretrained(dir / "m").ok());
    TrainBatch b = RandomBatch(41, {7, 4}, 40);
    if (run.task == Task::kSequenceClassification) {
      b.labels = {0, 2};
    } else {
      b.labels = b.input_ids;
    }
    StepOptions o;
    o.training = false;
    o.backward = false;
    o.keep_outputs = true;
    Result<StepResult> ours = (*model)->Step(b, o);
    ASSERT_TRUE(ours.ok()) << ours.status();
    Result<std::unique_ptr<Model>> inference = LoadModel(dir / "m", run.task);
    ASSERT_TRUE(inference.ok()) << inference.status();
    ModelInputs in;
    in.batch = b.batch;
    in.seq_len = b.seq_len;
    in.input_ids = b.input_ids;
    in.attention_mask = b.attention_mask;
    Result<ModelOutputs> theirs = (*inference)->Forward(in);
    ASSERT_TRUE(theirs.ok()) << theirs.status();
    const Array& a = ours->outputs.at("logits");
    const Array& e = theirs->at("logits");
    ASSERT_EQ(a.shape, e.shape) << TaskName(run.task);
    double max_diff = 0, max_abs = 0;
    for (size_t i = 0; i < a.values.size(); ++i) {
      // padded query rows differ by design (inference zeroes what torch leaves); compare real rows
      const int64_t row = a.shape.size() == 3 ? static_cast<int64_t>(i) / a.shape[2] : 0;
      if (a.shape.size() == 3 && b.attention_mask[static_cast<size_t>(row)] == 0) continue;
      max_diff = std::max(max_diff, static_cast<double>(std::fabs(a.values[i] - e.values[i])));
      max_abs = std::max(max_abs, static_cast<double>(std::fabs(e.values[i])));
    }
    EXPECT_LT(max_diff, 1e-4 * std::max(1.0, max_abs)) << TaskName(run.task);
  }
}

TEST(TrainErrors, Bf16IsRefusedNotIgnored) {
  Result<std::unique_ptr<TrainableModel>> model = NewTrainable(BertConfig(3), Task::kSequenceClassification, 1);
  ASSERT_TRUE(model.ok()) << model.status();
  TrainBatch b = RandomBatch(1, {4, 4}, 40);
  b.labels = {1, 2};
  StepOptions o;
  o.bf16 = true;
  Result<StepResult> r = (*model)->Step(b, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
}

TEST(TrainErrors, UnsupportedArchitectureAndHead) {
  Result<std::unique_ptr<TrainableModel>> gpt2_cls = NewTrainable(Gpt2Config(), Task::kSequenceClassification, 1);
  ASSERT_FALSE(gpt2_cls.ok());
  EXPECT_EQ(gpt2_cls.status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace mhub::models
