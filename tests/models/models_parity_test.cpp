// Numeric parity with PyTorch: every architecture and head, built by mhub with FromConfig,
// written with SavePretrained, loaded back with from_pretrained, against the reference in
// tests/clients/models_reference.py (PyTorch modules loaded with the same safetensors weights).
// Greedy generation (64 steps) must give the reference's token ids with and without the KV cache.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <set>

#include "mhub/models/auto_model.h"
#include "models/models_test_util.h"
#include "support/test_support.h"

namespace mhub::models {
namespace {

using testing::InputsJson;
using testing::MaxAbs;
using testing::MaxAbsDiff;
using testing::RandomInputs;
using testing::TinyConfig;

struct ForwardCase {
  std::string model_type;
  Task task;
  std::string dtype = "float32";

  std::string Name() const {
    std::string n = model_type + "_" + TaskName(task) + "_" + dtype;
    for (char& ch : n) {
      if (ch == '-') ch = '_';
    }
    return n;
  }
};

std::vector<ForwardCase> AllForwardCases() {
  std::vector<ForwardCase> cases;
  for (const char* enc : {"bert", "roberta", "distilbert"}) {
    for (Task t : {Task::kBase, Task::kSequenceClassification, Task::kTokenClassification, Task::kMaskedLM,
                   Task::kQuestionAnswering}) {
      cases.push_back({enc, t});
    }
  }
  for (const char* dec : {"gpt2", "llama"}) {
    for (Task t : {Task::kBase, Task::kCausalLM, Task::kSequenceClassification, Task::kTokenClassification}) {
      cases.push_back({dec, t});
    }
  }
  cases.push_back({"qwen2", Task::kCausalLM});
  cases.push_back({"qwen2", Task::kSequenceClassification});
  cases.push_back({"mistral", Task::kCausalLM});
  cases.push_back({"bert", Task::kBase, "bfloat16"});
  cases.push_back({"roberta", Task::kSequenceClassification, "bfloat16"});
  cases.push_back({"distilbert", Task::kMaskedLM, "bfloat16"});
  cases.push_back({"gpt2", Task::kCausalLM, "bfloat16"});
  cases.push_back({"llama", Task::kCausalLM, "bfloat16"});
  cases.push_back({"qwen2", Task::kCausalLM, "bfloat16"});
  return cases;
}

const std::vector<std::string> kGenerationModels = {"gpt2", "llama", "qwen2", "mistral"};
constexpr int kSteps = 64;

int64_t PadId(const std::string& model_type) { return model_type == "roberta" ? 1 : 0; }

// Everything is computed once: mhub's outputs, then one run of the PyTorch reference over all jobs.
struct Suite {
  mhub::testing::TempDir dir;
  std::map<std::string, Status> status;           // per case: building, saving, loading, running
  std::map<std::string, ModelOutputs> ours;       // loaded-from-disk model outputs
  std::map<std::string, ModelOutputs> in_memory;  // FromConfig model outputs (before saving)
  std::map<std::string, Json> theirs;
  std::map<std::string, std::vector<int64_t>> cached, uncached, reference_tokens;

  Suite() {
    Json jobs = Json::array();
    std::vector<std::string> order;
    for (const ForwardCase& c : AllForwardCases()) {
      const std::string name = c.Name();
      Status st = RunOurs(c);
      status[name] = st;
      if (!st.ok()) continue;
      const bool token_types = c.model_type == "bert";
      Json job = InputsJson(Inputs(c, token_types));
      job["kind"] = "forward";
      job["model"] = dir / name;
      job["task"] = TaskName(c.task);
      jobs.push_back(job);
      order.push_back(name);
    }
    for (const std::string& mt : kGenerationModels) {
      const std::string name = "generate_" + mt;
      Status st = RunGeneration(mt, name);
      status[name] = st;
      if (!st.ok()) continue;
      jobs.push_back(Json{{"kind", "generate"}, {"model", dir / name}, {"input_ids", {Prompt()}}, {"steps", kSteps}});
      order.push_back(name);
    }
    Json results = testing::RunReference(jobs, dir.path());
    for (size_t i = 0; i < order.size() && i < results.size(); ++i) {
      if (results[i].contains("tokens")) {
        reference_tokens[order[i]] = results[i]["tokens"].get<std::vector<int64_t>>();
      } else {
        theirs[order[i]] = results[i];
      }
    }
  }

  static std::vector<int64_t> Prompt() { return {5, 17, 42, 8, 99}; }

  static ModelInputs Inputs(const ForwardCase& c, bool token_types) {
    const int64_t vocab = TinyConfig(c.model_type)["vocab_size"].get<int64_t>();
    return RandomInputs(7, {9, 6, 3}, vocab, PadId(c.model_type), token_types);
  }

  Status RunOurs(const ForwardCase& c) {
    const std::string name = c.Name();
    MHUB_ASSIGN_OR_RETURN(std::unique_ptr<Model> fresh, ModelFromConfig(TinyConfig(c.model_type, c.dtype), c.task, 11));
    MHUB_RETURN_IF_ERROR(fresh->SavePretrained(dir / name));
    MHUB_ASSIGN_OR_RETURN(std::unique_ptr<Model> loaded, LoadModel(dir / name, c.task));
    const ModelInputs in = Inputs(c, c.model_type == "bert");
    MHUB_ASSIGN_OR_RETURN(in_memory[name], fresh->Forward(in));
    MHUB_ASSIGN_OR_RETURN(ours[name], loaded->Forward(in));
    return Status::OK();
  }

  Status RunGeneration(const std::string& model_type, const std::string& name) {
    MHUB_ASSIGN_OR_RETURN(std::unique_ptr<CausalLM> fresh, AutoModelForCausalLM::FromConfig(TinyConfig(model_type), 5));
    MHUB_RETURN_IF_ERROR(fresh->SavePretrained(dir / name));
    MHUB_ASSIGN_OR_RETURN(std::unique_ptr<CausalLM> lm, AutoModelForCausalLM::FromPretrained(dir / name));
    Status st;
    cached[name] = testing::GreedyTokens(*lm, Prompt(), kSteps, true, &st);
    MHUB_RETURN_IF_ERROR(st);
    uncached[name] = testing::GreedyTokens(*lm, Prompt(), kSteps, false, &st);
    return st;
  }
};

const Suite& GetSuite() {
  static Suite* suite = new Suite();
  return *suite;
}

class ForwardParity : public ::testing::TestWithParam<ForwardCase> {};

TEST_P(ForwardParity, MatchesPyTorch) {
  const Suite& s = GetSuite();
  const ForwardCase& c = GetParam();
  const std::string name = c.Name();
  ASSERT_TRUE(s.status.at(name).ok()) << s.status.at(name);
  ASSERT_TRUE(s.theirs.count(name)) << "no reference result";
  const ModelOutputs& ours = s.ours.at(name);
  // fp32: 1e-4 (relative to the output's magnitude when above 1); bf16 matmuls round activations
  // to 8 mantissa bits, so a few bf16 ulps of the magnitude.
  testing::ExpectOutputsMatch(name, ours, s.theirs.at(name), c.dtype == "bfloat16" ? 3e-2 : 1e-4);
  // A load/save round trip changes nothing.
  for (const auto& [key, array] : ours) EXPECT_EQ(array.values, s.in_memory.at(name).at(key).values) << key;
}

INSTANTIATE_TEST_SUITE_P(AllHeads, ForwardParity, ::testing::ValuesIn(AllForwardCases()),
                         [](const ::testing::TestParamInfo<ForwardCase>& info) { return info.param.Name(); });

class GenerationParity : public ::testing::TestWithParam<std::string> {};

TEST_P(GenerationParity, GreedyTokensMatchPyTorchWithAndWithoutCache) {
  const Suite& s = GetSuite();
  const std::string name = "generate_" + GetParam();
  ASSERT_TRUE(s.status.at(name).ok()) << s.status.at(name);
  ASSERT_TRUE(s.reference_tokens.count(name)) << "no reference result";
  const auto& ref = s.reference_tokens.at(name);
  ASSERT_EQ(ref.size(), static_cast<size_t>(kSteps));
  EXPECT_EQ(s.cached.at(name), ref);
  EXPECT_EQ(s.uncached.at(name), ref);
  // A model stuck on one token would make the comparison weak.
  EXPECT_GT(std::set<int64_t>(ref.begin(), ref.end()).size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Decoders, GenerationParity, ::testing::ValuesIn(kGenerationModels));

}  // namespace
}  // namespace mhub::models
