#include "models/models_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <random>

#include "support/test_support.h"

namespace mhub::models::testing {

Json TinyConfig(const std::string& model_type, const std::string& dtype) {
  Json c;
  c["model_type"] = model_type;
  c["torch_dtype"] = dtype;
  c["initializer_range"] = 0.2;
  c["id2label"] = {{"0", "NEG"}, {"1", "NEU"}, {"2", "POS"}};
  c["label2id"] = {{"NEG", 0}, {"NEU", 1}, {"POS", 2}};
  if (model_type == "bert" || model_type == "roberta") {
    const bool roberta = model_type == "roberta";
    c["vocab_size"] = 211;
    c["hidden_size"] = 32;
    c["num_hidden_layers"] = 2;
    c["num_attention_heads"] = 4;
    c["intermediate_size"] = 64;
    c["max_position_embeddings"] = roberta ? 66 : 64;
    c["type_vocab_size"] = roberta ? 1 : 2;
    c["layer_norm_eps"] = roberta ? 1e-5 : 1e-12;
    c["pad_token_id"] = roberta ? 1 : 0;
    c["hidden_act"] = "gelu";
  } else if (model_type == "distilbert") {
    c["vocab_size"] = 211;
    c["dim"] = 32;
    c["n_layers"] = 2;
    c["n_heads"] = 4;
    c["hidden_dim"] = 64;
    c["max_position_embeddings"] = 64;
    c["pad_token_id"] = 0;
    c["activation"] = "gelu";
  } else if (model_type == "gpt2") {
    c["vocab_size"] = 307;
    c["n_embd"] = 32;
    c["n_layer"] = 2;
    c["n_head"] = 4;
    c["n_positions"] = 128;
    c["pad_token_id"] = 0;
    c["bos_token_id"] = 1;
    c["eos_token_id"] = 2;
  } else {  // llama, mistral, qwen2
    c["vocab_size"] = 307;
    c["hidden_size"] = 32;
    c["intermediate_size"] = 64;
    c["num_hidden_layers"] = 2;
    c["num_attention_heads"] = 4;
    c["num_key_value_heads"] = model_type == "qwen2" ? 1 : 2;  // GQA, MQA for qwen2
    c["max_position_embeddings"] = 256;
    c["rms_norm_eps"] = 1e-5;
    c["pad_token_id"] = 0;
    c["bos_token_id"] = 1;
    c["eos_token_id"] = 2;
    c["tie_word_embeddings"] = model_type == "qwen2";
    if (model_type == "llama") {
      c["rope_theta"] = 500000.0;
      c["rope_scaling"] = {{"rope_type", "llama3"},
                           {"factor", 8.0},
                           {"low_freq_factor", 1.0},
                           {"high_freq_factor", 4.0},
                           {"original_max_position_embeddings", 16}};
    } else if (model_type == "mistral") {
      c["rope_theta"] = 10000.0;
      c["sliding_window"] = 4096;
    } else {
      c["rope_theta"] = 1000000.0;
    }
  }
  return c;
}

ModelInputs RandomInputs(uint64_t seed, const std::vector<int64_t>& lengths, int64_t vocab, int64_t pad_id,
                         bool token_types, int64_t first_id) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> id(first_id, vocab - 1), type(0, 1);
  ModelInputs in;
  in.batch = static_cast<int64_t>(lengths.size());
  in.seq_len = *std::max_element(lengths.begin(), lengths.end());
  for (int64_t len : lengths) {
    for (int64_t t = 0; t < in.seq_len; ++t) {
      const bool real = t < len;
      in.input_ids.push_back(real ? id(rng) : pad_id);
      in.attention_mask.push_back(real ? 1 : 0);
      if (token_types) in.token_type_ids.push_back(real ? type(rng) : 0);
    }
  }
  return in;
}

Json InputsJson(const ModelInputs& in) {
  auto rows = [&](const std::vector<int64_t>& v) {
    Json out = Json::array();
    for (int64_t b = 0; b < in.batch; ++b) {
      out.push_back(std::vector<int64_t>(v.begin() + b * in.seq_len, v.begin() + (b + 1) * in.seq_len));
    }
    return out;
  };
  Json j;
  j["input_ids"] = rows(in.input_ids);
  if (!in.attention_mask.empty()) j["attention_mask"] = rows(in.attention_mask);
  if (!in.token_type_ids.empty()) j["token_type_ids"] = rows(in.token_type_ids);
  if (!in.position_ids.empty()) j["position_ids"] = rows(in.position_ids);
  return j;
}

Json RunReference(const Json& jobs, const std::string& work_dir) {
  const std::string in_path = work_dir + "/reference_jobs.json", out_path = work_dir + "/reference_out.json";
  mhub::testing::WriteFileOrDie(in_path, DumpJson(Json{{"jobs", jobs}}));
  const std::string script = mhub::testing::SourceDir() + "/tests/clients/models_reference.py";
  mhub::testing::CommandResult r =
      mhub::testing::RunCommand(mhub::testing::Python() + " " + mhub::testing::ShellQuote(script) + " " +
                                mhub::testing::ShellQuote(in_path) + " " + mhub::testing::ShellQuote(out_path));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return Json::array();
  Result<Json> parsed = ParseJson(mhub::testing::ReadFileOrDie(out_path));
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? (*parsed)["results"] : Json::array();
}

double MaxAbsDiff(const Array& a, const std::vector<int64_t>& b_shape, const std::vector<float>& b_values) {
  if (a.shape != b_shape || a.values.size() != b_values.size()) return std::numeric_limits<double>::infinity();
  double m = 0;
  for (size_t i = 0; i < a.values.size(); ++i) {
    const double d = std::fabs(static_cast<double>(a.values[i]) - b_values[i]);
    if (std::isnan(d)) return std::numeric_limits<double>::infinity();
    m = std::max(m, d);
  }
  return m;
}

double MaxAbs(const std::vector<float>& values) {
  double m = 0;
  for (float v : values) m = std::max(m, static_cast<double>(std::fabs(v)));
  return m;
}

std::vector<int64_t> GreedyTokens(const CausalLM& lm, const std::vector<int64_t>& prompt, int steps, bool use_cache,
                                  Status* st) {
  std::unique_ptr<KvCache> cache;
  if (use_cache) {
    Result<std::unique_ptr<KvCache>> c = lm.NewCache(1, static_cast<int64_t>(prompt.size()) + steps);
    if (!c.ok()) {
      *st = c.status();
      return {};
    }
    cache = std::move(c).value();
  }
  std::vector<int64_t> tokens = prompt, out;
  ModelInputs in{1, static_cast<int64_t>(prompt.size()), prompt, {}, {}, {}};
  for (int i = 0; i < steps; ++i) {
    if (!use_cache) in = ModelInputs{1, static_cast<int64_t>(tokens.size()), tokens, {}, {}, {}};
    Result<Array> logits = lm.ForwardCausal(in, cache.get());
    if (!logits.ok()) {
      *st = logits.status();
      return out;
    }
    const auto& v = logits->values;
    const int64_t next = std::max_element(v.begin(), v.end()) - v.begin();
    out.push_back(next);
    tokens.push_back(next);
    in = ModelInputs{1, 1, {next}, {}, {}, {}};
  }
  return out;
}

void ExpectOutputsMatch(const std::string& name, const ModelOutputs& ours, const Json& theirs, double rel_tolerance) {
  ASSERT_EQ(ours.size(), theirs.size()) << theirs.dump().substr(0, 200);
  for (const auto& [key, ref] : theirs.items()) {
    ASSERT_TRUE(ours.count(key)) << "mhub has no output '" << key << "'";
    const auto shape = ref["shape"].get<std::vector<int64_t>>();
    const auto values = ref["values"].get<std::vector<float>>();
    const double scale = std::max(1.0, MaxAbs(values));
    const double tol = rel_tolerance * scale;
    const double diff = MaxAbsDiff(ours.at(key), shape, values);
    std::printf("    %-40s %-18s max|mhub-torch| %.3g  (tolerance %.3g)\n", name.c_str(), key.c_str(), diff, tol);
    EXPECT_LE(diff, tol) << key << " max |mhub - torch| = " << diff << " (magnitude " << scale << ")";
    EXPECT_GT(MaxAbs(values), 1e-3) << key;
  }
}

}  // namespace mhub::models::testing
