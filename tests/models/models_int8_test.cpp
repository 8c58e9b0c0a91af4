// LoadOptions::quantize = kInt8 (dynamic int8 linear layers) against the PyTorch reference with
// the same quantization written in torch (tests/clients/models_reference.py Int8Linear: per-row
// weight and activation scales, round to nearest even, exact integer sums), and against the float
// model: int8 stays close to it while actually differing from it.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>

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

struct Int8Case {
  std::string model_type;
  Task task;
};

// Every head kind, the output projections over the vocabulary included: tied to the word
// embeddings (BERT and DistilBERT masked-LM, GPT-2) or a separate lm_head (the tiny Llama), and the
// base BERT's pooler.
const std::vector<Int8Case> kCases = {{"bert", Task::kSequenceClassification},
                                      {"bert", Task::kTokenClassification},
                                      {"bert", Task::kBase},
                                      {"bert", Task::kMaskedLM},
                                      {"distilbert", Task::kQuestionAnswering},
                                      {"distilbert", Task::kMaskedLM},
                                      {"llama", Task::kCausalLM},
                                      {"gpt2", Task::kCausalLM}};

std::string Name(const Int8Case& c) { return c.model_type + "_" + std::string(TaskName(c.task)); }

TEST(ModelsInt8, MatchesTheTorchEmulationAndStaysNearFloat) {
  // Int8 runs on every ISA (vpdpbusd, AVX2 vpmaddubsw, scalar loops: the same exact int32 sums).
  mhub::testing::TempDir dir;
  Json jobs = Json::array();
  std::map<std::string, ModelOutputs> int8, f32;
  for (const Int8Case& c : kCases) {
    const std::string name = Name(c);
    auto fresh = ModelFromConfig(TinyConfig(c.model_type), c.task, 21);
    ASSERT_TRUE(fresh.ok()) << fresh.status();
    ASSERT_TRUE((*fresh)->SavePretrained(dir / name).ok());
    LoadOptions q;
    q.quantize = Quantization::kInt8;
    auto quantized = LoadModel(dir / name, c.task, q);
    ASSERT_TRUE(quantized.ok()) << quantized.status();
    auto plain = LoadModel(dir / name, c.task);
    ASSERT_TRUE(plain.ok()) << plain.status();
    const int64_t vocab = TinyConfig(c.model_type)["vocab_size"].get<int64_t>();
    const ModelInputs in = RandomInputs(9, {9, 6, 3}, vocab, 0, c.model_type == "bert");
    auto a = (*quantized)->Forward(in);
    auto b = (*plain)->Forward(in);
    ASSERT_TRUE(a.ok() && b.ok()) << name;
    int8[name] = *a;
    f32[name] = *b;
    Json job = InputsJson(in);
    job["kind"] = "forward";
    job["model"] = dir / name;
    job["task"] = TaskName(c.task);
    job["quantize"] = "int8";
    jobs.push_back(job);
  }
  const Json results = testing::RunReference(jobs, dir.path());
  ASSERT_EQ(results.size(), kCases.size());
  for (size_t i = 0; i < kCases.size(); ++i) {
    const std::string name = Name(kCases[i]);
    SCOPED_TRACE(name);
    for (const auto& [key, ours] : int8[name]) {
      ASSERT_TRUE(results[i].contains(key)) << key;
      const std::vector<float> ref = results[i][key]["values"].get<std::vector<float>>();
      const std::vector<int64_t> shape = results[i][key]["shape"].get<std::vector<int64_t>>();
      const double scale = std::max(1.0, MaxAbs(ref));
      // An activation whose float value differs in the last bit between the two sides may land on
      // the other side of a rounding boundary: one quantization step in one product.
      EXPECT_LE(MaxAbsDiff(ours, shape, ref), 2e-3 * scale) << key;
      // Against the float model: within a few percent, and not identical (the int8 path ran).
      const Array& fl = f32[name].at(key);
      const double diff = MaxAbsDiff(ours, fl.shape, fl.values);
      EXPECT_LE(diff, 0.08 * std::max(1.0, MaxAbs(fl.values))) << key;
      EXPECT_GT(diff, 0.0) << key;
    }
  }
}

}  // namespace
}  // namespace mhub::models
