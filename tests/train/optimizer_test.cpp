// AdamW / SGD, clip_grad_norm_ and every LambdaLR schedule against torch.optim + torch's LambdaLR
// (tests/train/oracle/optim_oracle.py) over the same random parameters and per-step gradients:
// lr of every update, pre-clip norms and final parameters within 1e-6 relative over 100 steps.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "mhub/base/json.h"
#include "mhub/train/lr_schedule.h"
#include "mhub/train/optimizer.h"
#include "support/test_support.h"

namespace mhub::train {
namespace {

using mhub::testing::TempDir;

struct Case {
  std::string optim = "adamw";
  std::string schedule = "linear";
  int64_t warmup = 10;
  Json kwargs = Json::object();
  double max_grad_norm = 1.0;
  double momentum = 0;
};

namespace fs = std::filesystem;

void WriteF32(const std::string& path, const std::vector<float>& v) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

// One case: the parameters, per-step gradients and metrics written for the oracle, and our run.
struct Prepared {
  Case c;
  std::string dir;
  std::vector<std::vector<float>> init;        // per parameter
  std::vector<std::vector<float>> step_grads;  // per step, all parameters
  std::vector<double> metrics;
  std::vector<std::pair<std::string, std::vector<int64_t>>> specs;
};

constexpr int64_t kSteps = 100;
constexpr double kLr = 1e-2, kWd = 0.05;

Prepared Prepare(const Case& c, const std::string& dir) {
  Prepared p{c, dir, {}, {}, {}, {}};
  // Names chosen so both Trainer groups are present (bias and LayerNorm go undecayed).
  p.specs = {{"encoder.layer.0.dense.weight", {8, 6}},
             {"encoder.layer.0.dense.bias", {8}},
             {"encoder.layer.0.LayerNorm.weight", {6}},
             {"classifier.weight", {3, 6}}};
  std::mt19937 rng(1234);
  std::normal_distribution<float> nd(0.f, 1.f);
  std::vector<float> init, all_grads;
  Json spec = {{"params", Json::array()},
               {"steps", kSteps},
               {"optim", c.optim},
               {"lr", kLr},
               {"wd", kWd},
               {"betas", {0.9, 0.999}},
               {"eps", 1e-8},
               {"max_grad_norm", c.max_grad_norm},
               {"schedule", c.schedule},
               {"warmup", c.warmup},
               {"kwargs", c.kwargs},
               {"momentum", c.momentum}};
  int64_t total = 0;
  for (auto& [name, shape] : p.specs) {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    total += n;
    p.init.emplace_back(n);
    for (auto& v : p.init.back()) v = nd(rng);
    init.insert(init.end(), p.init.back().begin(), p.init.back().end());
    spec["params"].push_back({{"name", name}, {"shape", shape}});
  }
  // Gradients of varying scale so clipping acts on some steps and not others.
  p.step_grads.resize(kSteps);
  for (int64_t k = 0; k < kSteps; ++k) {
    const float scale = (k % 3 == 0) ? 0.05f : 0.5f;
    for (int64_t i = 0; i < total; ++i) p.step_grads[k].push_back(nd(rng) * scale);
    all_grads.insert(all_grads.end(), p.step_grads[k].begin(), p.step_grads[k].end());
  }
  for (int64_t k = 0; k < kSteps; ++k) p.metrics.push_back(1.0 / (1 + k % 7));
  spec["metrics"] = p.metrics;
  fs::create_directories(dir);
  mhub::testing::WriteFileOrDie(dir + "/spec.json", spec.dump());
  WriteF32(dir + "/init.f32", init);
  WriteF32(dir + "/grads.f32", all_grads);
  return p;
}

void Check(Prepared& p, const Json& want) {
  const Case& c = p.c;
  SCOPED_TRACE(c.optim + " " + c.schedule + " " + c.kwargs.dump());
  std::vector<std::vector<float>> grads;
  std::vector<models::Parameter> params;
  for (auto& v : p.init) grads.emplace_back(v.size());
  for (size_t i = 0; i < p.specs.size(); ++i)
    params.push_back({p.specs[i].first, p.specs[i].second, p.init[i], grads[i]});
  OptimizerOptions oo;
  oo.kind = c.optim;
  oo.weight_decay = kWd;
  oo.momentum = c.momentum;
  auto opt = Optimizer::Create(oo, params);
  ASSERT_TRUE(opt.ok()) << opt.status();
  ScheduleOptions so{c.schedule, c.kwargs, c.warmup, kSteps, kLr};
  auto sched = LrScheduler::Create(so);
  ASSERT_TRUE(sched.ok()) << sched.status();
  auto rel = [](double a, double b) { return std::fabs(a - b) / std::max(std::fabs(b), 1e-6); };
  for (int64_t k = 0; k < kSteps; ++k) {
    size_t off = 0;
    for (auto& g : grads)
      for (auto& x : g) x = p.step_grads[k][off++];
    if (c.max_grad_norm > 0) {
      const double norm = ClipGradNorm(params, c.max_grad_norm);
      ASSERT_LE(rel(norm, want["norms"][k].get<double>()), 1e-6) << "step " << k;
    }
    const double want_lr = want["lrs"][k].get<double>();
    ASSERT_LE(std::fabs((*sched)->lr() - want_lr), 1e-12 + 1e-9 * want_lr) << "lr of update " << k + 1;
    (*opt)->Step((*sched)->lr());
    if (c.schedule == "reduce_lr_on_plateau")
      (*sched)->StepMetric(p.metrics[k]);
    else
      (*sched)->Step();
  }
  // Norm-wise relative difference of all parameters (f32 rounding of 100 chained updates), and the
  // worst element relative to max(|w|, 0.01).
  size_t off = 0;
  double worst = 0, diff2 = 0, norm2 = 0;
  for (auto& v : p.init)
    for (float x : v) {
      const double w = want["final"][off++].get<double>();
      worst = std::max(worst, std::fabs(x - w) / std::max(std::fabs(w), 1e-2));
      diff2 += (x - w) * (x - w);
      norm2 += w * w;
    }
  const double normwise = std::sqrt(diff2 / norm2);
  EXPECT_LE(normwise, 1e-6);
  EXPECT_LE(worst, 5e-6);
  std::printf("[ optim ] %s %s %s: after %lld steps, norm-wise relative difference %.2e, worst element %.2e\n",
              c.optim.c_str(), c.schedule.c_str(), c.kwargs.dump().c_str(), (long long)kSteps, normwise, worst);
}

void RunCases(const std::vector<Case>& cases) {
  TempDir dir;
  std::vector<Prepared> prepared;
  std::string dirs;
  for (size_t i = 0; i < cases.size(); ++i) {
    prepared.push_back(Prepare(cases[i], dir / ("case" + std::to_string(i))));
    dirs += " " + prepared.back().dir;
  }
  auto r = mhub::testing::RunCommand(mhub::testing::Python() + " " + mhub::testing::SourceDir() +
                                     "/tests/train/oracle/optim_oracle.py" + dirs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto want = ParseJson(r.out);
  ASSERT_TRUE(want.ok()) << want.status();
  ASSERT_EQ(want->size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) Check(prepared[i], (*want)[i]);
}

TEST(OptimizerTest, AdamWAndSgdEverySchedule) {
  std::vector<Case> cases;
  for (const char* s : {"linear", "cosine", "constant", "constant_with_warmup", "inverse_sqrt"})
    cases.push_back({"adamw", s});
  cases.push_back({"adamw", "cosine_with_restarts", 10, {{"num_cycles", 3}}});
  cases.push_back({"adamw", "polynomial", 5, {{"lr_end", 1e-4}, {"power", 2.0}}});
  cases.push_back({"adamw", "cosine_with_min_lr", 10, {{"min_lr", 1e-3}}});
  cases.push_back({"adamw", "cosine_with_min_lr", 0, {{"min_lr_rate", 0.2}, {"num_cycles", 1.5}}});
  cases.push_back(
      {"adamw",
       "warmup_stable_decay",
       10,
       {{"num_decay_steps", 30}, {"warmup_type", "cosine"}, {"decay_type", "1-sqrt"}, {"min_lr_ratio", 0.1}}});
  cases.push_back({"adamw", "warmup_stable_decay", 20, {{"num_decay_steps", 40}, {"decay_type", "linear"}}});
  cases.push_back({"adamw", "reduce_lr_on_plateau", 0, {{"patience", 2}, {"factor", 0.5}}});
  cases.push_back({"adamw", "linear", 0, Json::object(), 0.0});  // no clipping, no warmup
  cases.push_back({"sgd", "linear", 10});
  cases.push_back({"sgd", "cosine", 5, Json::object(), 1.0, 0.9});  // momentum
  RunCases(cases);
}

TEST(OptimizerTest, NoDecayNames) {
  EXPECT_TRUE(IsNoDecayParameter("bert.encoder.layer.0.output.LayerNorm.weight"));
  EXPECT_TRUE(IsNoDecayParameter("classifier.bias"));
  EXPECT_TRUE(IsNoDecayParameter("model.layers.0.input_layernorm.weight"));
  EXPECT_TRUE(IsNoDecayParameter("model.norm.weight"));
  EXPECT_TRUE(IsNoDecayParameter("transformer.ln_f.bias"));
  EXPECT_TRUE(IsNoDecayParameter("transformer.h.0.ln_1.weight"));
  EXPECT_TRUE(IsNoDecayParameter("transformer.ln_f.weight"));
  EXPECT_TRUE(IsNoDecayParameter("model.layers.0.post_attention_layernorm.weight"));
  EXPECT_FALSE(IsNoDecayParameter("bert.embeddings.word_embeddings.weight"));
  EXPECT_FALSE(IsNoDecayParameter("transformer.h.0.attn.c_attn.weight"));
  EXPECT_FALSE(IsNoDecayParameter("normalizer.weight"));
}

TEST(OptimizerTest, StateRoundTripContinuesExactly) {
  std::vector<float> v1(10, 0.5f), g1(10), v2(10, 0.5f), g2(10);
  for (int i = 0; i < 10; ++i) g1[i] = g2[i] = 0.1f * float(i - 4);
  std::vector<models::Parameter> p1{{"w", {10}, v1, g1}}, p2{{"w", {10}, v2, g2}};
  OptimizerOptions o;
  auto a = Optimizer::Create(o, p1), b = Optimizer::Create(o, p2);
  ASSERT_TRUE(a.ok() && b.ok());
  for (int k = 0; k < 3; ++k) (*a)->Step(1e-2), (*b)->Step(1e-2);
  TempDir dir;
  ASSERT_TRUE((*a)->Save(dir / "opt.safetensors").ok());
  auto c = Optimizer::Create(o, p2);
  ASSERT_TRUE((*c)->Load(dir / "opt.safetensors").ok());
  EXPECT_EQ((*c)->steps(), 3);
  (*a)->Step(1e-2);
  (*c)->Step(1e-2);
  EXPECT_EQ(v1, v2);
  OptimizerOptions sgd;
  sgd.kind = "sgd";
  auto d = Optimizer::Create(sgd, p2);
  EXPECT_EQ((*d)->Load(dir / "opt.safetensors").code(), StatusCode::kInvalidArgument);
  std::vector<float> v3(4), g3(4);
  std::vector<models::Parameter> p3{{"w", {4}, v3, g3}};
  auto e = Optimizer::Create(o, p3);
  EXPECT_EQ((*e)->Load(dir / "opt.safetensors").code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace mhub::train
