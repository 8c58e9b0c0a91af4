// Padding must not change the rows it pads: an encoder batch with right padding gives each row's
// outputs as that row alone; a left-padded decoder batch generates, with the KV cache, the same
// tokens and logits as each prompt alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "mhub/models/auto_model.h"
#include "models/models_test_util.h"

namespace mhub::models {
namespace {

using testing::RandomInputs;
using testing::TinyConfig;

ModelInputs Row(const ModelInputs& batch, int64_t b, int64_t len) {
  ModelInputs in;
  in.batch = 1;
  in.seq_len = len;
  auto slice = [&](const std::vector<int64_t>& v) {
    if (v.empty()) return std::vector<int64_t>();
    return std::vector<int64_t>(v.begin() + b * batch.seq_len, v.begin() + b * batch.seq_len + len);
  };
  in.input_ids = slice(batch.input_ids);
  in.token_type_ids = slice(batch.token_type_ids);
  return in;
}

class EncoderPadding : public ::testing::TestWithParam<std::pair<std::string, Task>> {};

TEST_P(EncoderPadding, PaddedRowsEqualRowsAlone) {
  const auto& [model_type, task] = GetParam();
  Result<std::unique_ptr<Model>> model = ModelFromConfig(TinyConfig(model_type), task, 3);
  ASSERT_TRUE(model.ok()) << model.status();
  const std::vector<int64_t> lengths = {10, 7, 2};
  const int64_t vocab = TinyConfig(model_type)["vocab_size"].get<int64_t>();
  ModelInputs batch = RandomInputs(21, lengths, vocab, model_type == "roberta" ? 1 : 0, model_type == "bert");
  Result<ModelOutputs> batched = (*model)->Forward(batch);
  ASSERT_TRUE(batched.ok()) << batched.status();
  for (int64_t b = 0; b < batch.batch; ++b) {
    const int64_t len = lengths[static_cast<size_t>(b)];
    Result<ModelOutputs> alone = (*model)->Forward(Row(batch, b, len));
    ASSERT_TRUE(alone.ok()) << alone.status();
    for (const auto& [key, arr] : *alone) {
      const Array& full = batched->at(key);
      if (arr.shape.size() == 2 && key == "logits" && task == Task::kSequenceClassification) {
        for (int64_t j = 0; j < arr.shape[1]; ++j) {
          EXPECT_NEAR(full.at({b, j}), arr.at({0, j}), 1e-5) << key << " row " << b;
        }
        continue;
      }
      if (key == "pooler_output") {
        for (int64_t j = 0; j < arr.shape[1]; ++j) EXPECT_NEAR(full.at({b, j}), arr.at({0, j}), 1e-5) << key;
        continue;
      }
      // Per-token outputs (B,T,...) : compare the real positions.
      const int64_t inner = arr.numel() / len;
      for (int64_t t = 0; t < len; ++t) {
        for (int64_t j = 0; j < inner; ++j) {
          const float x = full.values[static_cast<size_t>((b * batch.seq_len + t) * inner + j)];
          const float y = arr.values[static_cast<size_t>(t * inner + j)];
          ASSERT_NEAR(x, y, 1e-5) << key << " row " << b << " pos " << t;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Encoders, EncoderPadding,
                         ::testing::Values(std::make_pair("bert", Task::kBase),
                                           std::make_pair("bert", Task::kSequenceClassification),
                                           std::make_pair("roberta", Task::kMaskedLM),
                                           std::make_pair("roberta", Task::kSequenceClassification),
                                           std::make_pair("distilbert", Task::kQuestionAnswering),
                                           std::make_pair("gpt2", Task::kTokenClassification),
                                           std::make_pair("llama", Task::kSequenceClassification)));

int64_t Argmax(const float* v, int64_t n) { return std::max_element(v, v + n) - v; }

class DecoderLeftPadding : public ::testing::TestWithParam<std::string> {};

TEST_P(DecoderLeftPadding, BatchedGenerationEqualsEachPromptAlone) {
  Result<std::unique_ptr<CausalLM>> lm = AutoModelForCausalLM::FromConfig(TinyConfig(GetParam()), 9);
  ASSERT_TRUE(lm.ok()) << lm.status();
  const std::vector<std::vector<int64_t>> prompts = {{4, 9, 33, 71, 12, 8, 50}, {101, 6, 27, 3}};
  const int64_t T = 7, steps = 12, V = (*lm)->info().vocab_size;
  ModelInputs batch;
  batch.batch = 2;
  batch.seq_len = T;
  for (const auto& p : prompts) {
    for (int64_t t = 0; t < T - static_cast<int64_t>(p.size()); ++t) {
      batch.input_ids.push_back(0);
      batch.attention_mask.push_back(0);
    }
    for (int64_t id : p) {
      batch.input_ids.push_back(id);
      batch.attention_mask.push_back(1);
    }
  }
  Result<std::unique_ptr<KvCache>> cache = (*lm)->NewCache(2, T + steps);
  ASSERT_TRUE(cache.ok()) << cache.status();
  std::vector<std::vector<int64_t>> batched_tokens(2);
  std::vector<std::vector<float>> batched_last(2);
  ModelInputs in = batch;
  for (int64_t s = 0; s < steps; ++s) {
    Result<Array> logits = (*lm)->ForwardCausal(in, cache->get());
    ASSERT_TRUE(logits.ok()) << logits.status();
    in = ModelInputs{2, 1, {}, {1, 1}, {}, {}};
    for (int64_t b = 0; b < 2; ++b) {
      const float* row = logits->values.data() + b * V;
      batched_tokens[b].push_back(Argmax(row, V));
      in.input_ids.push_back(batched_tokens[b].back());
      batched_last[b].assign(row, row + V);
    }
  }
  for (int64_t b = 0; b < 2; ++b) {
    Result<std::unique_ptr<KvCache>> one = (*lm)->NewCache(1, T + steps);
    ASSERT_TRUE(one.ok());
    ModelInputs alone{1, static_cast<int64_t>(prompts[b].size()), prompts[b], {}, {}, {}};
    std::vector<int64_t> tokens;
    std::vector<float> last;
    for (int64_t s = 0; s < steps; ++s) {
      Result<Array> logits = (*lm)->ForwardCausal(alone, one->get());
      ASSERT_TRUE(logits.ok()) << logits.status();
      tokens.push_back(Argmax(logits->values.data(), V));
      last = logits->values;
      alone = ModelInputs{1, 1, {tokens.back()}, {}, {}, {}};
    }
    EXPECT_EQ(tokens, batched_tokens[b]) << "row " << b;
    for (int64_t j = 0; j < V; ++j) ASSERT_NEAR(last[j], batched_last[b][j], 1e-4) << "row " << b;
  }
}

INSTANTIATE_TEST_SUITE_P(Decoders, DecoderLeftPadding, ::testing::Values("gpt2", "llama", "qwen2"));

}  // namespace
}  // namespace mhub::models
