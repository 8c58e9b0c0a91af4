// The Trainer loop against a PyTorch reference (tests/train/oracle/tiny_trainer.py) on the test's
// TinyModel, plus the properties transformers' Trainer guarantees: exact resume, checkpoints that
// survive kill -9 mid-save, save_total_limit keeping the best, early stopping, the sample order of
// torch.randperm, and clean errors on bad input.
#include "mhub/train/trainer.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "mhub/base/json.h"
#include "mhub/formats/safetensors.h"
#include "support/test_support.h"
#include "tiny_model.h"

namespace mhub::train {
namespace {

namespace fs = std::filesystem;
using mhub::testing::Python;
using mhub::testing::RunCommand;
using mhub::testing::SourceDir;
using mhub::testing::TempDir;
using mhub::train::testing::TinyModel;

constexpr int64_t kV = 20, kH = 8, kC = 3;

// Random rows of varying length; token mode labels every token, some -100.
std::vector<Feature> MakeData(int64_t n, bool token_mode, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Feature> out;
  for (int64_t i = 0; i < n; ++i) {
    Feature f;
    const int64_t len = 2 + int64_t(rng() % 6);
    for (int64_t t = 0; t < len; ++t) f.input_ids.push_back(1 + int64_t(rng() % (kV - 1)));
    if (token_mode) {
      for (int64_t t = 0; t < len; ++t) f.labels.push_back(rng() % 4 == 0 ? -100 : int64_t(f.input_ids[t] % kC));
    } else {
      int64_t s = 0;
      for (auto id : f.input_ids) s += id;
      f.label = s % kC;
    }
    out.push_back(std::move(f));
  }
  return out;
}

Json DataJson(const std::vector<Feature>& data) {
  Json out = Json::array();
  for (const auto& f : data) {
    Json r = {{"input_ids", f.input_ids}};
    if (f.label) r["label"] = *f.label;
    if (!f.labels.empty()) r["labels"] = f.labels;
    out.push_back(r);
  }
  return out;
}

std::unique_ptr<DataCollator> Collator(bool token_mode) {
  return token_mode ? TokenClassificationCollator({}) : PaddingCollator({});
}

std::vector<double> Losses(const Json& history) {
  std::vector<double> out;
  for (const auto& e : history)
    if (e.contains("loss")) out.push_back(e["loss"].get<double>());
  return out;
}

struct LoopCase {
  bool token_mode;
  std::string schedule;
  int64_t ga;
  int64_t bs;
};

TEST(TrainerTest, FiftyAdamWStepsFollowPyTorch) {
  for (const LoopCase& c : {LoopCase{false, "linear", 1, 4}, LoopCase{false, "cosine", 3, 4},
                            LoopCase{true, "linear", 2, 3}, LoopCase{true, "cosine", 4, 2}}) {
    SCOPED_TRACE((c.token_mode ? "token " : "sequence ") + c.schedule + " GA=" + std::to_string(c.ga));
    TempDir dir;
    const int64_t steps = 50;
    auto data = MakeData(37, c.token_mode, 7);
    TinyModel model(kV, kH, kC, c.token_mode, 99);
    const std::vector<float> init = model.Flat();
    TrainingArguments a;
    a.output_dir = dir / "out";
    a.max_steps = steps;
    a.per_device_train_batch_size = c.bs;
    a.gradient_accumulation_steps = c.ga;
    a.learning_rate = 3e-2;
    a.weight_decay = 0.01;
    a.lr_scheduler_type = c.schedule;
    a.warmup_steps = 5;
    a.logging_steps = 1;
    a.save_strategy = "no";
    a.seed = 11;
    Trainer trainer(&model, a, data, {}, Collator(c.token_mode));
    auto r = trainer.Train();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->global_step, steps);

    Json spec = {
        {"vocab", kV},        {"hidden", kH},    {"classes", kC},       {"token_mode", c.token_mode}, {"bs", c.bs},
        {"ga", c.ga},         {"lr", 3e-2},      {"wd", 0.01},          {"schedule", c.schedule},     {"warmup", 5},
        {"max_steps", steps}, {"data_seed", 11}, {"max_grad_norm", 1.0}};
    mhub::testing::WriteFileOrDie(dir / "spec.json", spec.dump());
    mhub::testing::WriteFileOrDie(dir / "data.json", DataJson(data).dump());
    std::ofstream(dir / "init.f32", std::ios::binary)
        .write(reinterpret_cast<const char*>(init.data()), init.size() * sizeof(float));
    auto py = RunCommand(Python() + " " + SourceDir() + "/tests/train/oracle/tiny_trainer.py " + dir / "spec.json " +
                         dir / "data.json " + dir / "init.f32");
    ASSERT_EQ(py.exit_code, 0) << py.err;
    auto want = ParseJson(py.out);
    ASSERT_TRUE(want.ok());
    const auto got = Losses(trainer.log_history());
    ASSERT_EQ(got.size(), size_t(steps));
    ASSERT_EQ((*want)["losses"].size(), size_t(steps));
    double worst = 0;
    size_t k = 0;
    for (const auto& e : trainer.log_history()) {
      if (!e.contains("loss")) continue;
      const double w = (*want)["losses"][k].get<double>();
      // The log rounds to 4 decimals, as transformers does.
      // Half a unit of the 4th decimal is the log's own rounding; beyond it, 1e-3 relative.
      worst = std::max(worst, std::max(0.0, std::fabs(got[k] - w) - 5e-5) / std::fabs(w));
      EXPECT_NEAR(e["learning_rate"].get<double>(), (*want)["lrs"][k].get<double>(), 1e-12) << "step " << k + 1;
      EXPECT_NEAR(e["grad_norm"].get<double>(), (*want)["norms"][k].get<double>(),
                  1e-3 * (*want)["norms"][k].get<double>())
          << "step " << k + 1;
      ++k;
    }
    EXPECT_LE(worst, 1e-3) << "worst relative loss difference";
    std::printf(
        "[ loop ] %s %s GA=%lld: worst relative loss diff vs PyTorch over %lld steps (beyond the log's 4-decimal "
        "rounding): %.2e\n",
        c.token_mode ? "token" : "sequence", c.schedule.c_str(), (long long)c.ga, (long long)steps, worst);
    const auto fin = model.Flat();
    for (size_t i = 0; i < fin.size(); ++i) {
      const double w = (*want)["final"][i].get<double>();
      ASSERT_NEAR(fin[i], w, 1e-3 * std::max(1.0, std::fabs(w))) << "weight " << i;
    }
  }
}

TEST(TrainerTest, RandpermIsTorchs) {
  // One python process for every (n, seed): importing torch is the slow part.
  const std::vector<int64_t> ns = {1, 2, 10, 97, 1000};
  const std::vector<uint64_t> seeds = {0, 42, 12345};
  auto py = RunCommand(Python() +
                       " -c 'import torch,json\nout=[]\nfor n in (1,2,10,97,1000):\n for s in "
                       "(0,42,12345):\n  g=torch.Generator(); g.manual_seed(s); "
                       "out.append(torch.randperm(n, generator=g).tolist())\nprint(json.dumps(out))'");
  ASSERT_EQ(py.exit_code, 0) << py.err;
  auto want = ParseJson(py.out);
  ASSERT_TRUE(want.ok());
  size_t k = 0;
  for (int64_t n : ns)
    for (uint64_t seed : seeds) EXPECT_EQ(Json(TorchRandperm(n, seed)), (*want)[k++]) << "n=" << n << " seed=" << seed;
}

TEST(TrainerTest, GroupByLengthPutsLongestFirstAndKeepsEveryIndex) {
  std::vector<int64_t> lengths;
  for (int i = 0; i < 230; ++i) lengths.push_back((i * 37) % 101);
  auto order = LengthGroupedOrder(lengths, 2, 5);
  ASSERT_EQ(order.size(), lengths.size());
  std::vector<int64_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < int64_t(sorted.size()); ++i) ASSERT_EQ(sorted[i], i);
  EXPECT_EQ(lengths[order[0]], *std::max_element(lengths.begin(), lengths.end()));
  // Within each megabatch of 100 (after the first element) lengths descend.
  for (size_t m = 0; m < order.size(); m += 100)
    for (size_t i = std::max<size_t>(m + 1, 1) + 1; i < std::min(order.size(), m + 100); ++i)
      ASSERT_GE(lengths[order[i - 1]], lengths[order[i]]);
}

TrainingArguments ResumeArgs(const std::string& out) {
  TrainingArguments a;
  a.output_dir = out;
  a.max_steps = 20;
  a.per_device_train_batch_size = 4;
  a.gradient_accumulation_steps = 2;
  a.learning_rate = 2e-2;
  a.warmup_steps = 3;
  a.lr_scheduler_type = "cosine";
  a.logging_steps = 1;
  a.save_steps = 5;
  a.eval_strategy = "steps";
  a.eval_steps = 5;
  return a;
}

TEST(TrainerTest, ResumeReproducesTheUninterruptedRun) {
  TempDir dir;
  auto data = MakeData(30, true, 3), eval = MakeData(9, true, 4);
  TinyModel full(kV, kH, kC, true, 5);
  Trainer t1(&full, ResumeArgs(dir / "full"), data, eval, Collator(true));
  ASSERT_TRUE(t1.Train().ok());

  // A run stopped at step 10 (as a crash after that save), then resumed by a fresh process's model.
  TinyModel first(kV, kH, kC, true, 5);
  {
    // The same run, of which only checkpoint-10 is kept (as if it had died after that save).
    Trainer t(&first, ResumeArgs(dir / "part"), data, eval, Collator(true));
    ASSERT_TRUE(t.Train().ok());
    fs::remove_all(dir / "part/checkpoint-15");
    fs::remove_all(dir / "part/checkpoint-20");
  }
  TinyModel resumed(kV, kH, kC, true, 777);  // different init: everything must come from the checkpoint
  Trainer t2(&resumed, ResumeArgs(dir / "part"), data, eval, Collator(true));
  auto r = t2.Train("last");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->global_step, 20);
  EXPECT_EQ(Losses(t2.log_history()), Losses(t1.log_history()));
  EXPECT_EQ(resumed.Flat(), full.Flat());
  // The eval entries too (eval_loss at 5, 10, 15, 20).
  std::vector<double> e1, e2;
  for (const auto& e : t1.log_history())
    if (e.contains("eval_loss")) e1.push_back(e["eval_loss"]);
  for (const auto& e : t2.log_history())
    if (e.contains("eval_loss")) e2.push_back(e["eval_loss"]);
  EXPECT_EQ(e1, e2);
  EXPECT_EQ(e1.size(), 4u);
}

TEST(TrainerTest, CheckpointLayoutAndState) {
  TempDir dir;
  auto data = MakeData(16, false, 1);
  TinyModel m(kV, kH, kC, false, 2);
  TrainingArguments a;
  a.output_dir = dir / "out";
  a.num_train_epochs = 2;
  a.per_device_train_batch_size = 4;
  a.save_strategy = "epoch";
  a.logging_strategy = "epoch";
  Trainer t(&m, a, data, {}, Collator(false));
  auto r = t.Train();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->global_step, 8);
  for (const char* f : {"config.json", "model.safetensors", "optimizer.safetensors", "scheduler.json", "rng_state.json",
                        "trainer_state.json", "training_args.json"})
    EXPECT_TRUE(fs::exists(dir / ("out/checkpoint-8/" + std::string(f)))) << f;
  EXPECT_TRUE(fs::exists(dir / "out/checkpoint-4/trainer_state.json"));
  EXPECT_TRUE(fs::exists(dir / "out/trainer_log.jsonl"));
  EXPECT_TRUE(fs::exists(dir / "out/training_curve.svg"));
  std::string text = mhub::testing::ReadFileOrDie(dir / "out/checkpoint-8/trainer_state.json");
  EXPECT_EQ(text.back(), '\n');
  auto st = ParseJson(text);
  ASSERT_TRUE(st.ok());
  std::vector<std::string> keys;
  for (auto& [k, v] : st->items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"best_global_step",
                                            "best_metric",
                                            "best_model_checkpoint",
                                            "epoch",
                                            "eval_steps",
                                            "global_step",
                                            "is_hyper_param_search",
                                            "is_local_process_zero",
                                            "is_world_process_zero",
                                            "log_history",
                                            "logging_steps",
                                            "max_steps",
                                            "num_input_tokens_seen",
                                            "num_train_epochs",
                                            "save_steps",
                                            "stateful_callbacks",
                                            "total_flos",
                                            "train_batch_size",
                                            "trial_name",
                                            "trial_params"}));
  EXPECT_EQ((*st)["global_step"], 8);
  EXPECT_EQ((*st)["epoch"], 2.0);
  // Epoch logging: one loss entry per epoch, then the train summary.
  const Json& h = t.log_history();
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0]["step"], 4);
  EXPECT_EQ(h[0]["epoch"], 1.0);
  EXPECT_TRUE(h[2].contains("train_runtime"));
  EXPECT_TRUE(h[2].contains("train_loss"));
  // The pickle-free promise: nothing named *.pt / *.bin / *.pth in a checkpoint.
  for (const auto& e : fs::recursive_directory_iterator(dir / "out")) {
    const auto ext = e.path().extension().string();
    EXPECT_TRUE(ext != ".pt" && ext != ".bin" && ext != ".pth") << e.path();
  }
}

TEST(TrainerTest, SaveTotalLimitKeepsTheBestAndLoadsIt) {
  TempDir dir;
  auto data = MakeData(24, false, 8), eval = MakeData(12, false, 9);
  TinyModel m(kV, kH, kC, false, 3);
  TrainingArguments a;
  a.output_dir = dir / "out";
  a.max_steps = 30;
  a.per_device_train_batch_size = 4;
  a.learning_rate = 0.3;  // large: the eval loss goes up and down, so the best is not the last
  a.lr_scheduler_type = "constant";
  a.eval_strategy = "steps";
  a.eval_steps = 3;
  a.save_steps = 3;
  a.logging_steps = 3;
  a.save_total_limit = 2;
  a.load_best_model_at_end = true;
  Trainer t(&m, a, data, eval, Collator(false));
  auto r = t.Train();
  ASSERT_TRUE(r.ok()) << r.status();
  double best = 1e300;
  int64_t best_step = -1;
  for (const auto& e : t.log_history())
    if (e.contains("eval_loss") && e["eval_loss"].get<double>() < best) best = e["eval_loss"], best_step = e["step"];
  const Json st = t.StateJson();
  EXPECT_EQ(st["best_global_step"], best_step);
  EXPECT_EQ(st["best_metric"].get<double>(), best);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir / "out"))
    if (e.path().filename().string().rfind("checkpoint-", 0) == 0) left.push_back(e.path().filename().string());
  std::sort(left.begin(), left.end());
  std::vector<std::string> want = {"checkpoint-" + std::to_string(best_step), "checkpoint-30"};
  if (best_step == 30) want = {"checkpoint-27", "checkpoint-30"};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(left, want) << "best step " << best_step;
  // load_best_model_at_end: the weights now are the best checkpoint's.
  auto ck =
      formats::SafetensorsFile::Open(dir / ("out/checkpoint-" + std::to_string(best_step) + "/model.safetensors"));
  ASSERT_TRUE(ck.ok());
  auto w = (*ck)->Get("classifier.weight");
  ASSERT_TRUE(w.ok());
  auto params = m.Parameters();
  EXPECT_EQ(0, std::memcmp(params[3].value.data(), w->data, w->nbytes));
}

TEST(TrainerTest, EarlyStoppingStopsAfterPatienceEvaluations) {
  TempDir dir;
  auto data = MakeData(16, false, 8), eval = MakeData(4, false, 9);
  TinyModel m(kV, kH, kC, false, 3);
  TrainingArguments a;
  a.output_dir = dir / "out";
  a.max_steps = 100;
  a.per_device_train_batch_size = 4;
  a.eval_strategy = "steps";
  a.eval_steps = 2;
  a.save_strategy = "no";
  a.logging_steps = 2;
  a.metric_for_best_model = "score";
  ASSERT_TRUE(a.Validate().ok());
  // Scripted scores: improves twice, then never (by more than the threshold 0.05).
  auto scores = std::make_shared<std::vector<double>>(std::vector<double>{0.5, 0.6, 0.62, 0.55, 0.64, 0.6, 0.9});
  auto calls = std::make_shared<size_t>(0);
  ComputeMetrics cm = [scores, calls](const EvalPrediction&) -> Result<std::map<std::string, double>> {
    return std::map<std::string, double>{{"score", (*scores)[std::min(*calls, scores->size() - 1)]}};
  };
  ComputeMetrics counting = [cm, calls](const EvalPrediction& p) {
    auto r = cm(p);
    ++*calls;
    return r;
  };
  Trainer t(&m, a, data, eval, Collator(false), counting, {3, 0.05});
  auto r = t.Train();
  ASSERT_TRUE(r.ok()) << r.status();
  // 0.5 (best), 0.6 (reset), 0.62 (+1: not by > 0.05), 0.55 (+2), 0.64 (+3: stop) -> 5 evals, step 10.
  EXPECT_EQ(*calls, 5u);
  EXPECT_EQ(r->global_step, 10);
}

TEST(TrainerTest, KillDuringSaveLeavesCompleteCheckpoints) {
  TempDir dir;
  auto data = MakeData(40, true, 3);
  for (int attempt = 0; attempt < 6; ++attempt) {
    const std::string out = dir / ("run" + std::to_string(attempt));
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      TinyModel m(kV, kH, kC, true, 5);
      TrainingArguments a;
      a.output_dir = out;
      a.max_steps = 100000;
      a.per_device_train_batch_size = 4;
      a.save_steps = 1;  // saving nearly all the time
      a.logging_steps = 1;
      Trainer t(&m, a, data, {}, Collator(true));
      (void)t.Train();
      _exit(0);
    }
    usleep(150000 + attempt * 37000);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    // Every checkpoint-N present is complete and loadable; tmp- folders are never mistaken for one.
    int complete = 0;
    for (const auto& e : fs::directory_iterator(out)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("checkpoint-", 0) != 0) continue;
      auto st = ReadJsonFile(e.path().string() + "/trainer_state.json");
      ASSERT_TRUE(st.ok()) << name << ": " << st.status();
      EXPECT_TRUE(formats::SafetensorsFile::Open(e.path().string() + "/model.safetensors").ok()) << name;
      EXPECT_TRUE(formats::SafetensorsFile::Open(e.path().string() + "/optimizer.safetensors").ok()) << name;
      ++complete;
    }
    if (complete == 0) continue;  // killed before the first save completed
    auto last = GetLastCheckpoint(out);
    ASSERT_TRUE(last.ok());
    TinyModel m(kV, kH, kC, true, 6);
    TrainingArguments a;
    a.output_dir = out;
    a.max_steps = 100000;
    a.per_device_train_batch_size = 4;
    a.save_strategy = "no";
    a.logging_steps = 1;
    auto st = ReadJsonFile(*last + "/trainer_state.json");
    a.max_steps = (*st)["global_step"].get<int64_t>() + 1;  // one more step from the resumed state
    // The schedule length must match the killed run's for an exact continuation; here we only check
    // that the checkpoint loads and training continues.
    Trainer t(&m, a, data, {}, Collator(true));
    auto r = t.Train(*last);
    ASSERT_TRUE(r.ok()) << r.status();
  }
}

// Records each upload (folder listing at the time, path in repo, message) instead of a hub.
struct RecordingPusher : HubPusher {
  struct Push {
    std::string path_in_repo, message;
    std::vector<std::string> files;
  };
  std::shared_ptr<std::vector<Push>> pushes = std::make_shared<std::vector<Push>>();
  Status Upload(const std::string& folder, const std::string& path_in_repo, const std::vector<std::string>& ignore,
                const std::string& message) override {
    Push p{path_in_repo, message, {}};
    for (const auto& e : fs::directory_iterator(folder)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("checkpoint-", 0) == 0 || name.rfind("tmp-checkpoint-", 0) == 0 || name[0] == '_') continue;
      p.files.push_back(name);
    }
    std::sort(p.files.begin(), p.files.end());
    pushes->push_back(std::move(p));
    return Status::OK();
  }
};

TEST(TrainerTest, PushToHubCommitsPerSaveAsHubStrategySays) {
  for (const std::string strategy : {"every_save", "checkpoint", "end"}) {
    SCOPED_TRACE(strategy);
    TempDir dir;
    TinyModel m(kV, kH, kC, false, 3);
    TrainingArguments a;
    a.output_dir = dir / "my-model";
    a.max_steps = 6;
    a.per_device_train_batch_size = 4;
    a.save_steps = 3;
    a.logging_steps = 3;
    a.eval_strategy = "steps";
    a.eval_steps = 3;
    a.push_to_hub = true;
    a.hub_strategy = strategy;
    auto pusher = std::make_unique<RecordingPusher>();
    auto pushes = pusher->pushes;
    Trainer t(&m, a, MakeData(12, false, 1), MakeData(4, false, 2), Collator(false), ClassificationMetrics(""));
    t.set_hub_pusher(std::move(pusher));
    t.set_card_info({{"dataset", "toy"}, {"dataset_tags", "me/toy"}});
    auto r = t.Train();
    ASSERT_TRUE(r.ok()) << r.status();
    // The final upload is the caller's, after its last evaluate (run_glue's order).
    ASSERT_TRUE(t.Evaluate().ok());
    ASSERT_TRUE(t.PushToHub().ok());
    // every_save: steps 3 and 6, then "End of training"; checkpoint adds last-checkpoint/ uploads.
    std::vector<std::string> messages;
    for (const auto& p : *pushes) messages.push_back(p.path_in_repo + "|" + p.message);
    std::vector<std::string> want;
    if (strategy != "end") {
      want.push_back("|Training in progress, step 3");
      if (strategy == "checkpoint") want.push_back("last-checkpoint|Training in progress, step 3");
      want.push_back("|Training in progress, step 6");
      if (strategy == "checkpoint") want.push_back("last-checkpoint|Training in progress, step 6");
    }
    want.push_back("|End of training");
    EXPECT_EQ(messages, want);
    const auto& last = pushes->back().files;
    for (const char* f : {"README.md", "config.json", "model.safetensors", "training_args.json", "training_curve.svg"})
      EXPECT_NE(std::find(last.begin(), last.end(), f), last.end()) << f;
    const std::string card = mhub::testing::ReadFileOrDie(dir / "my-model/README.md");
    EXPECT_NE(card.find("- name: my-model"), std::string::npos) << card;
    EXPECT_NE(card.find("type: accuracy"), std::string::npos) << card;
  }
  // push_to_hub without a client is refused before training.
  TempDir dir;
  TinyModel m(kV, kH, kC, false, 3);
  TrainingArguments a;
  a.output_dir = dir / "x";
  a.push_to_hub = true;
  Trainer t(&m, a, MakeData(4, false, 1), {}, Collator(false));
  EXPECT_EQ(t.Train().status().code(), StatusCode::kInvalidArgument);
}

TEST(TrainerTest, BadInputIsAClearError) {
  TempDir dir;
  TinyModel m(kV, kH, kC, false, 3);
  TrainingArguments a;
  a.output_dir = dir / "out";
  a.max_steps = 3;
  a.per_device_train_batch_size = 2;
  a.save_steps = 1;
  {
    Trainer t(&m, a, {}, {}, Collator(false));
    auto r = t.Train();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  {
    auto data = MakeData(4, false, 1);
    data[3].label = 7;  // outside num_labels
    Trainer t(&m, a, data, {}, Collator(false));
    auto r = t.Train();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("outside num_labels"), std::string::npos) << r.status();
  }
  {
    auto data = MakeData(4, false, 1);
    data[1].label.reset();  // a row without its label column
    Trainer t(&m, a, data, {}, Collator(false));
    EXPECT_FALSE(t.Train().ok());
  }
  {
    TrainingArguments b = a;
    b.eval_strategy = "steps";
    b.eval_steps = 1;
    Trainer t(&m, b, MakeData(4, false, 1), {}, Collator(false));  // eval requested, no eval split
    auto r = t.Train();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  a.output_dir = dir / "never_trained";
  EXPECT_EQ(Trainer(&m, a, MakeData(4, false, 1), {}, Collator(false)).Train("last").status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace mhub::train
