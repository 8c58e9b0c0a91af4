// Decoder features beyond the basic heads, each against the PyTorch reference
// (tests/clients/models_reference.py) on tiny random models made with FromConfig + SavePretrained:
//   - question answering heads of GPT-2, Llama, Mistral and Qwen2 (qa_outputs, HF base prefixes);
//   - Mistral / Qwen2 sliding-window attention in prefill longer than the window and in greedy
//     generation past it, with and without the KV cache;
//   - rope_scaling yarn and longrope (inv_freq and the cos/sin attention factor);
//   - left-padded batches longer than the sliding window (Forward and ForwardCausal's generate()
//     position ids), also against each sequence run alone.
// Plus `mhub run question-answering` on decoder QA models.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>
#include <tuple>

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

// Right padding: every padded query must keep a real key inside its window (a query that sees no
// key is NaN-free garbage in PyTorch and zeros in mhub), so rows differ by less than the window.
struct Case {
  std::string name;
  Json config;
  Task task;
  std::vector<int64_t> lengths;  // rows, right-padded to the longest
  double tolerance = 1e-4;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

Json With(Json config, const Json& changes) {
  for (auto it = changes.begin(); it != changes.end(); ++it) config[it.key()] = it.value();
  return config;
}

Json MistralWindow(int64_t window) { return With(TinyConfig("mistral"), {{"sliding_window", window}}); }

Json Qwen2Window(int64_t window, int64_t max_window_layers) {
  return With(TinyConfig("qwen2"),
              {{"use_sliding_window", true}, {"sliding_window", window}, {"max_window_layers", max_window_layers}});
}

Json LlamaRope(const Json& rope_scaling, int64_t max_positions, const Json& extra = Json::object()) {
  Json c = With(TinyConfig("llama"),
                {{"rope_theta", 10000.0}, {"rope_scaling", rope_scaling}, {"max_position_embeddings", max_positions}});
  return With(c, extra);
}

// head_dim 8: 4 factors each.
const Json kShortFactor = {1.0, 1.25, 2.0, 3.5};
const Json kLongFactor = {1.5, 3.0, 6.0, 11.0};

std::vector<Case> ForwardCases() {
  std::vector<Case> cases;
  for (const char* mt : {"gpt2", "llama", "mistral", "qwen2"}) {
    cases.push_back({std::string(mt) + "_qa", TinyConfig(mt), Task::kQuestionAnswering, {9, 6, 3}});
  }
  // Sliding windows shorter than the sequences.
  cases.push_back({"mistral_window4_lm", MistralWindow(4), Task::kCausalLM, {13, 11, 10}});
  cases.push_back({"mistral_window1_base", MistralWindow(1), Task::kBase, {6}});
  cases.push_back({"mistral_window5_qa", MistralWindow(5), Task::kQuestionAnswering, {12, 9}});
  cases.push_back({"qwen2_window3_layers_ge1", Qwen2Window(3, 1), Task::kCausalLM, {11, 9}});
  cases.push_back({"qwen2_window3_layers_ge0", Qwen2Window(3, 0), Task::kSequenceClassification, {11, 9}});
  cases.push_back(
      {"qwen2_window_off", With(Qwen2Window(3, 0), {{"use_sliding_window", false}}), Task::kCausalLM, {11, 5}});
  cases.push_back({"qwen2_layer_types",
                   With(Qwen2Window(4, 0), {{"layer_types", {"sliding_attention", "full_attention"}}}),
                   Task::kCausalLM,
                   {12, 9}});
  cases.push_back(
      {"mistral_window4_bf16", With(MistralWindow(4), {{"torch_dtype", "bfloat16"}}), Task::kCausalLM, {13, 11}, 3e-2});
  // YaRN: defaults, then mscale / betas, then an explicit attention_factor without truncation.
  cases.push_back(
      {"llama_yarn",
       LlamaRope({{"rope_type", "yarn"}, {"factor", 4.0}, {"original_max_position_embeddings", 4096}}, 16384),
       Task::kCausalLM,
       {20, 11}});
  cases.push_back({"llama_yarn_mscale",
                   LlamaRope({{"rope_type", "yarn"},
                              {"factor", 8.0},
                              {"original_max_position_embeddings", 8},
                              {"mscale", 0.707},
                              {"mscale_all_dim", 1.0},
                              {"beta_fast", 16},
                              {"beta_slow", 2}},
                             64),
                   Task::kBase,
                   {18, 4}});
  cases.push_back({"qwen2_yarn_attention_factor",
                   With(TinyConfig("qwen2"), {{"rope_scaling",
                                               {{"type", "yarn"},
                                                {"factor", 2.0},
                                                {"original_max_position_embeddings", 128},
                                                {"attention_factor", 1.3},
                                                {"truncate", false}}}}),
                   Task::kCausalLM,
                   {15}});
  // LongRoPE: short factors up to original_max_position_embeddings positions, long ones past it;
  // factor derived from max_position_embeddings / original (no "factor" key, as Phi-3 writes it).
  const Json longrope = {{"rope_type", "longrope"},
                         {"short_factor", kShortFactor},
                         {"long_factor", kLongFactor},
                         {"original_max_position_embeddings", 16}};
  cases.push_back({"llama_longrope_short", LlamaRope(longrope, 64), Task::kCausalLM, {16, 9}});
  cases.push_back({"llama_longrope_long", LlamaRope(longrope, 64), Task::kCausalLM, {21, 9}});
  cases.push_back({"llama_longrope_top_level_original",
                   LlamaRope({{"type", "longrope"}, {"short_factor", kShortFactor}, {"long_factor", kLongFactor}}, 128,
                             {{"original_max_position_embeddings", 12}}),
                   Task::kBase,
                   {14, 3}});
  return cases;
}

struct GenerationCase {
  std::string name;
  Json config;
  std::vector<int64_t> prompt;
  int steps;
};

void PrintTo(const GenerationCase& g, std::ostream* os) { *os << g.name; }

std::vector<GenerationCase> GenerationCases() {
  return {
      {"mistral_window4", MistralWindow(4), {5, 17, 42, 8, 99, 31}, 40},
      {"qwen2_window3", Qwen2Window(3, 1), {5, 17, 42}, 40},
      {"llama_yarn",
       LlamaRope({{"rope_type", "yarn"}, {"factor", 4.0}, {"original_max_position_embeddings", 4096}}, 16384),
       {5, 17, 42, 8},
       40},
  };
}

ModelInputs InputsFor(const Case& c) {
  return RandomInputs(13, c.lengths, c.config["vocab_size"].get<int64_t>(), c.config["pad_token_id"].get<int64_t>());
}

// Everything runs once: mhub's outputs, then one run of the reference over all jobs.
struct Suite {
  mhub::testing::TempDir dir;
  std::map<std::string, Status> status;
  std::map<std::string, ModelOutputs> ours;
  std::map<std::string, Json> theirs;
  std::map<std::string, std::vector<std::string>> weight_names;
  std::map<std::string, std::vector<int64_t>> cached, uncached, reference_tokens;

  Suite() {
    Json jobs = Json::array();
    std::vector<std::string> order;
    for (const Case& c : ForwardCases()) {
      Status st = RunForward(c);
      status[c.name] = st;
      if (!st.ok()) continue;
      Json job = InputsJson(InputsFor(c));
      job["kind"] = "forward";
      job["model"] = dir / c.name;
      job["task"] = TaskName(c.task);
      jobs.push_back(job);
      order.push_back(c.name);
    }
    for (const GenerationCase& g : GenerationCases()) {
      const std::string name = "generate_" + g.name;
      Status st = RunGeneration(g, name);
      status[name] = st;
      if (!st.ok()) continue;
      jobs.push_back(Json{{"kind", "generate"}, {"model", dir / name}, {"input_ids", {g.prompt}}, {"steps", g.steps}});
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

  Status RunForward(const Case& c) {
    MHUB_ASSIGN_OR_RETURN(std::unique_ptr<Model> fresh, ModelFromConfig(c.config, c.task, 21));
    MHUB_RETURN_IF_ERROR(fresh->SavePretrained(dir / c.name));
    MHUB_ASSIGN_OR_RETURN(std::unique_ptr<Model> loaded, LoadModel(dir / c.name, c.task));
    weight_names[c.name] = loaded->WeightNames();
    MHUB_ASSIGN_OR_RETURN(ours[c.name], loaded->Forward(InputsFor(c)));
    return Status::OK();
  }

  Status RunGeneration(const GenerationCase& g, const std::string& name) {
    MHUB_ASSIGN_OR_RETURN(std::unique_ptr<CausalLM> fresh, AutoModelForCausalLM::FromConfig(g.config, 9));
    MHUB_RETURN_IF_ERROR(fresh->SavePretrained(dir / name));
    MHUB_ASSIGN_OR_RETURN(std::unique_ptr<CausalLM> lm, AutoModelForCausalLM::FromPretrained(dir / name));
    Status st;
    cached[name] = testing::GreedyTokens(*lm, g.prompt, g.steps, true, &st);
    MHUB_RETURN_IF_ERROR(st);
    uncached[name] = testing::GreedyTokens(*lm, g.prompt, g.steps, false, &st);
    return st;
  }
};

const Suite& GetSuite() {
  static Suite* suite = new Suite();
  return *suite;
}

class DecoderForwardParity : public ::testing::TestWithParam<Case> {};

TEST_P(DecoderForwardParity, MatchesPyTorch) {
  const Suite& s = GetSuite();
  const Case& c = GetParam();
  ASSERT_TRUE(s.status.at(c.name).ok()) << s.status.at(c.name);
  ASSERT_TRUE(s.theirs.count(c.name)) << "no reference result";
  testing::ExpectOutputsMatch(c.name, s.ours.at(c.name), s.theirs.at(c.name), c.tolerance);
}

INSTANTIATE_TEST_SUITE_P(Decoders, DecoderForwardParity, ::testing::ValuesIn(ForwardCases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

class DecoderGenerationParity : public ::testing::TestWithParam<GenerationCase> {};

TEST_P(DecoderGenerationParity, GreedyTokensMatchPyTorchWithAndWithoutCache) {
  const Suite& s = GetSuite();
  const GenerationCase& g = GetParam();
  const std::string name = "generate_" + g.name;
  ASSERT_TRUE(s.status.at(name).ok()) << s.status.at(name);
  ASSERT_TRUE(s.reference_tokens.count(name)) << "no reference result";
  const auto& ref = s.reference_tokens.at(name);
  ASSERT_EQ(ref.size(), static_cast<size_t>(g.steps));
  EXPECT_EQ(s.cached.at(name), ref);
  EXPECT_EQ(s.uncached.at(name), ref);
  EXPECT_GT(std::set<int64_t>(ref.begin(), ref.end()).size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Decoders, DecoderGenerationParity, ::testing::ValuesIn(GenerationCases()),
                         [](const ::testing::TestParamInfo<GenerationCase>& info) { return info.param.name; });

// The window really cuts attention: a window as long as the sequence gives the full-attention
// result, a shorter one does not.
TEST(SlidingWindow, ChangesOutputsOnlyWhenShorterThanTheSequence) {
  const ModelInputs in = RandomInputs(3, {10}, 307, 0);
  auto run = [&](const Json& config) -> std::vector<float> {
    Result<std::unique_ptr<Model>> m = ModelFromConfig(config, Task::kCausalLM, 4);
    EXPECT_TRUE(m.ok()) << m.status();
    if (!m.ok()) return {};
    Result<ModelOutputs> out = (*m)->Forward(in);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? out->at("logits").values : std::vector<float>{};
  };
  const std::vector<float> full = run(With(TinyConfig("mistral"), {{"sliding_window", nullptr}}));
  EXPECT_EQ(run(MistralWindow(10)), full);
  const std::vector<float> windowed = run(MistralWindow(9));
  ASSERT_EQ(windowed.size(), full.size());
  // Positions before the 10th see everything either way.
  const size_t vocab = 307;
  double head = 0, tail = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    (i < 9 * vocab ? head : tail) =
        std::max(i < 9 * vocab ? head : tail, static_cast<double>(std::fabs(full[i] - windowed[i])));
  }
  EXPECT_LT(head, 1e-5);
  EXPECT_GT(tail, 1e-3);
}

// Left padding with a sliding window: rows of different lengths left-padded (attention_mask 0) to a
// length longer than the window. The reference gets the same mask; its attention applies causal AND
// window (over key indices, pads included) AND key-not-padded, as transformers' sliding-window
// masks do. Position ids: Forward uses 0..T-1 over the padded row as transformers' forward() does;
// ForwardCausal uses generate()'s cumsum(mask) - 1 (1 at pads), which the reference derives from
// the mask itself ("generate_position_ids"). Only the non-pad positions are compared (a pad query
// sees no key: zeros in mhub, a uniform average in PyTorch). Then properties: each row equals its
// sequence run alone, decoding through the KV cache equals the one-pass result, and the window
// does change these logits. (Rotary attention depends on position differences only, so on the real
// positions of a left-padded row the two position conventions agree up to rounding.)
struct LeftPadCase {
  std::string name;
  Json config;
  std::vector<int64_t> lengths;
};

void PrintTo(const LeftPadCase& c, std::ostream* os) { *os << c.name; }

std::vector<LeftPadCase> LeftPadCases() {
  return {
      {"mistral_window4", MistralWindow(4), {13, 9, 5, 2}},
      {"mistral_window6", MistralWindow(6), {15, 4, 11}},
      {"qwen2_window3_layers_ge1", Qwen2Window(3, 1), {12, 7}},
      {"qwen2_window5_layers_ge0", Qwen2Window(5, 0), {6, 14, 10}},
  };
}

// RandomInputs rows moved to the right end of the row: the pads (and mask zeros) come first.
ModelInputs LeftPadded(uint64_t seed, const std::vector<int64_t>& lengths, int64_t vocab, int64_t pad_id) {
  const ModelInputs right = RandomInputs(seed, lengths, vocab, pad_id);
  ModelInputs in = right;
  const int64_t T = right.seq_len;
  for (int64_t b = 0; b < right.batch; ++b) {
    const int64_t pads = T - lengths[static_cast<size_t>(b)];
    for (int64_t t = 0; t < T; ++t) {
      const size_t i = static_cast<size_t>(b * T + t);
      const bool real = t >= pads;
      in.input_ids[i] = real ? right.input_ids[static_cast<size_t>(b * T + t - pads)] : pad_id;
      in.attention_mask[i] = real ? 1 : 0;
    }
  }
  return in;
}

// Row b of a left-padded batch without its padding.
ModelInputs Unpadded(const ModelInputs& batch, int64_t b, int64_t len) {
  const auto first = batch.input_ids.begin() + (b + 1) * batch.seq_len - len;
  return ModelInputs{1, len, std::vector<int64_t>(first, first + len), {}, {}, {}};
}

// Largest |a - b| over the last `len` positions of row `b` of (B, T, V) logits `a`, against `len`
// positions of `b_values` starting at position `b_first` of row `b_row` in a (., Tb, V) array.
double MaxDiffOnRows(const Array& a, int64_t b, int64_t len, const std::vector<float>& b_values, int64_t b_row,
                     int64_t b_seq, int64_t b_first) {
  const int64_t T = a.shape[1], V = a.shape[2];
  double m = 0;
  for (int64_t t = 0; t < len; ++t)
    for (int64_t j = 0; j < V; ++j) {
      const double x = a.values[static_cast<size_t>((b * T + T - len + t) * V + j)];
      const double y = b_values[static_cast<size_t>((b_row * b_seq + b_first + t) * V + j)];
      const double d = std::fabs(x - y);
      m = std::isnan(d) ? std::numeric_limits<double>::infinity() : std::max(m, d);
    }
  return m;
}

class LeftPaddedWindow : public ::testing::TestWithParam<LeftPadCase> {};

TEST_P(LeftPaddedWindow, MatchesPyTorchAndEachRowAlone) {
  const LeftPadCase& c = GetParam();
  const int64_t window = c.config["sliding_window"].get<int64_t>();
  const ModelInputs in =
      LeftPadded(17, c.lengths, c.config["vocab_size"].get<int64_t>(), c.config["pad_token_id"].get<int64_t>());
  ASSERT_GT(in.seq_len, window) << "the padded rows must be longer than the window";
  mhub::testing::TempDir dir;
  Result<std::unique_ptr<CausalLM>> lm = AutoModelForCausalLM::FromConfig(c.config, 23);
  ASSERT_TRUE(lm.ok()) << lm.status();
  ASSERT_TRUE((*lm)->SavePretrained(dir / "model").ok());

  Result<ModelOutputs> forward = (*lm)->Forward(in);
  ASSERT_TRUE(forward.ok()) << forward.status();
  const Array& forward_logits = forward->at("logits");
  Result<Array> causal = (*lm)->ForwardCausal(in, nullptr, /*all_positions=*/true);
  ASSERT_TRUE(causal.ok()) << causal.status();
  ASSERT_EQ(forward_logits.shape, causal->shape);
  ASSERT_EQ(forward_logits.shape, (std::vector<int64_t>{in.batch, in.seq_len, c.config["vocab_size"].get<int64_t>()}));

  Json forward_job = InputsJson(in), generate_job = InputsJson(in);
  for (Json* job : {&forward_job, &generate_job}) {
    (*job)["kind"] = "forward";
    (*job)["model"] = dir / "model";
    (*job)["task"] = "causal-lm";
  }
  generate_job["generate_position_ids"] = true;
  const Json results = testing::RunReference(Json::array({forward_job, generate_job}), dir.path());
  ASSERT_EQ(results.size(), 2u);

  const int64_t T = in.seq_len;
  for (const auto& [what, ours, theirs] : std::vector<std::tuple<std::string, const Array*, const Json*>>{
           {"forward (positions 0..T-1)", &forward_logits, &results[0].at("logits")},
           {"generate positions (cumsum(mask) - 1)", &*causal, &results[1].at("logits")}}) {
    SCOPED_TRACE(what);
    ASSERT_EQ(theirs->at("shape").get<std::vector<int64_t>>(), ours->shape);
    const auto values = theirs->at("values").get<std::vector<float>>();
    const double tol = 1e-4 * std::max(1.0, MaxAbs(values));
    for (int64_t b = 0; b < in.batch; ++b) {
      const int64_t len = c.lengths[static_cast<size_t>(b)];
      const double diff = MaxDiffOnRows(*ours, b, len, values, b, T, T - len);
      std::printf("    %-26s row %lld (%2lld of %lld real) %-38s max|mhub-torch| %.3g  (tolerance %.3g)\n",
                  c.name.c_str(), static_cast<long long>(b), static_cast<long long>(len), static_cast<long long>(T),
                  what.c_str(), diff, tol);
      EXPECT_LE(diff, tol) << "row " << b;
    }
    EXPECT_GT(MaxAbs(values), 1e-3);
  }

  // Each row's real positions equal that sequence run alone (positions 0..len-1, no padding), within
  // 1e-4 (f32 rounding: Forward's rows sit at shifted rotary positions).
  for (int64_t b = 0; b < in.batch; ++b) {
    const int64_t len = c.lengths[static_cast<size_t>(b)];
    SCOPED_TRACE("row " + std::to_string(b) + " alone");
    Result<ModelOutputs> alone = (*lm)->Forward(Unpadded(in, b, len));
    ASSERT_TRUE(alone.ok()) << alone.status();
    const std::vector<float>& want = alone->at("logits").values;
    const double forward_diff = MaxDiffOnRows(forward_logits, b, len, want, 0, len, 0);
    const double causal_diff = MaxDiffOnRows(*causal, b, len, want, 0, len, 0);
    std::printf("    %-26s row %lld alone: max|batched-alone| Forward %.3g, ForwardCausal %.3g\n", c.name.c_str(),
                static_cast<long long>(b), forward_diff, causal_diff);
    EXPECT_LE(forward_diff, 1e-4) << "Forward";
    EXPECT_LE(causal_diff, 1e-4) << "ForwardCausal";
  }

  // The same batch through the KV cache (a prefill chunk, then one position at a time, the mask
  // given per step): the real positions' logits equal the one-pass ForwardCausal.
  Result<std::unique_ptr<KvCache>> cache = (*lm)->NewCache(in.batch, T);
  ASSERT_TRUE(cache.ok()) << cache.status();
  for (int64_t t = 0; t < T;) {
    const int64_t n = t == 0 ? 3 : 1;
    ModelInputs step{in.batch, n, {}, {}, {}, {}};
    for (int64_t b = 0; b < in.batch; ++b) {
      const auto row = static_cast<size_t>(b * T + t);
      step.input_ids.insert(step.input_ids.end(), in.input_ids.begin() + row, in.input_ids.begin() + row + n);
      step.attention_mask.insert(step.attention_mask.end(), in.attention_mask.begin() + row,
                                 in.attention_mask.begin() + row + n);
    }
    Result<Array> logits = (*lm)->ForwardCausal(step, cache->get(), /*all_positions=*/true);
    ASSERT_TRUE(logits.ok()) << logits.status();
    const int64_t V = logits->shape[2];
    double diff = 0;
    for (int64_t b = 0; b < in.batch; ++b)
      for (int64_t i = 0; i < n; ++i) {
        if (in.attention_mask[static_cast<size_t>(b * T + t + i)] == 0) continue;
        for (int64_t j = 0; j < V; ++j) {
          const double d = std::fabs(logits->values[static_cast<size_t>((b * n + i) * V + j)] -
                                     causal->values[static_cast<size_t>((b * T + t + i) * V + j)]);
          diff = std::isnan(d) ? std::numeric_limits<double>::infinity() : std::max(diff, d);
        }
      }
    EXPECT_LE(diff, 1e-4) << "cached step at position " << t;
    t += n;
  }

  // The window really cuts attention here: the same weights without a window (as long as the row)
  // give other logits on the longest row.
  Result<std::unique_ptr<CausalLM>> full =
      AutoModelForCausalLM::FromConfig(With(c.config, {{"sliding_window", T}}), 23);
  ASSERT_TRUE(full.ok()) << full.status();
  Result<ModelOutputs> full_out = (*full)->Forward(in);
  ASSERT_TRUE(full_out.ok()) << full_out.status();
  const int64_t longest = std::max_element(c.lengths.begin(), c.lengths.end()) - c.lengths.begin();
  EXPECT_GT(MaxDiffOnRows(forward_logits, longest, c.lengths[static_cast<size_t>(longest)],
                          full_out->at("logits").values, longest, T, 0),
            1e-2);
}

INSTANTIATE_TEST_SUITE_P(Decoders, LeftPaddedWindow, ::testing::ValuesIn(LeftPadCases()),
                         [](const ::testing::TestParamInfo<LeftPadCase>& info) { return info.param.name; });

TEST(QuestionAnsweringNames, SavedAsTransformersNamesThem) {
  const Suite& s = GetSuite();
  auto check = [&](const std::string& name, const std::string& prefix) -> std::string {
    if (!s.weight_names.count(name)) {
      ADD_FAILURE() << name << " was not built";
      return "";
    }
    const auto& names = s.weight_names.at(name);
    EXPECT_NE(std::find(names.begin(), names.end(), "qa_outputs.weight"), names.end()) << name;
    EXPECT_NE(std::find(names.begin(), names.end(), "qa_outputs.bias"), names.end()) << name;
    for (const std::string& n : names) {
      if (n.rfind("qa_outputs.", 0) == 0) continue;
      EXPECT_EQ(n.rfind(prefix, 0), 0u) << name << ": " << n;
    }
    Result<Json> config = ParseJson(mhub::testing::ReadFileOrDie(s.dir / (name + "/config.json")));
    EXPECT_TRUE(config.ok());
    return config.ok() ? (*config)["architectures"][0].get<std::string>() : "";
  };
  EXPECT_EQ(check("gpt2_qa", "transformer."), "GPT2ForQuestionAnswering");
  EXPECT_EQ(check("llama_qa", "transformer."), "LlamaForQuestionAnswering");
  EXPECT_EQ(check("qwen2_qa", "transformer."), "Qwen2ForQuestionAnswering");
  EXPECT_EQ(check("mistral_qa", "model."), "MistralForQuestionAnswering");
}

// Renames the base-model tensors of a safetensors file from one prefix to another (the data
// bytes are kept, the header rewritten) with python's json module.
void RenamePrefix(const std::string& dir, const std::string& from, const std::string& to) {
  const std::string script =
      "import json,struct,sys\n"
      "p,a,b=sys.argv[1:4]\n"
      "d=open(p,'rb').read(); n=struct.unpack('<Q',d[:8])[0]; h=json.loads(d[8:8+n])\n"
      "h={(b+k[len(a):] if k.startswith(a) else k):v for k,v in h.items()}\n"
      "s=json.dumps(h).encode(); s+=b' '*((8-len(s)%8)%8)\n"
      "open(p,'wb').write(struct.pack('<Q',len(s))+s+d[8+n:])\n";
  const std::string py = dir + "/../rename_prefix.py";
  mhub::testing::WriteFileOrDie(py, script);
  auto r = mhub::testing::RunCommand(mhub::testing::Python() + " " + mhub::testing::ShellQuote(py) + " " +
                                     mhub::testing::ShellQuote(dir + "/model.safetensors") + " " +
                                     mhub::testing::ShellQuote(from) + " " + mhub::testing::ShellQuote(to));
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// Checkpoints in the wild: Llama/Qwen2 QA under "transformer." (transformers), "model." or no
// prefix; Mistral QA under "model." or "transformer.". All load to the same model.
TEST(QuestionAnsweringNames, LoadsEitherBasePrefix) {
  mhub::testing::TempDir dir;
  const ModelInputs in = RandomInputs(5, {7, 4}, 307, 0);
  for (const auto& [mt, saved, other] :
       std::vector<std::tuple<std::string, std::string, std::string>>{{"llama", "transformer.", "model."},
                                                                      {"llama", "transformer.", ""},
                                                                      {"qwen2", "transformer.", "model."},
                                                                      {"mistral", "model.", "transformer."}}) {
    SCOPED_TRACE(mt + " saved under '" + saved + "', renamed to '" + other + "'");
    Result<std::unique_ptr<Model>> m = ModelFromConfig(TinyConfig(mt), Task::kQuestionAnswering, 3);
    ASSERT_TRUE(m.ok()) << m.status();
    const std::string folder = dir / (mt + "_" + (other.empty() ? "bare" : other));
    ASSERT_TRUE((*m)->SavePretrained(folder).ok());
    RenamePrefix(folder, saved, other);
    Result<std::unique_ptr<Model>> loaded = LoadModel(folder, Task::kQuestionAnswering);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    Result<ModelOutputs> a = (*m)->Forward(in), b = (*loaded)->Forward(in);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->at("start_logits").values, b->at("start_logits").values);
    EXPECT_EQ(a->at("end_logits").values, b->at("end_logits").values);
    // And it saves back under transformers' names.
    for (const std::string& n : (*loaded)->WeightNames()) {
      if (n.rfind("qa_outputs.", 0) != 0) {
        EXPECT_EQ(n.rfind(saved, 0), 0u) << n;
      }
    }
  }
}

// A WordPiece tokenizer.json (BERT-style pair template) over a few words.
std::string WordPieceTokenizerJson() {
  const std::vector<std::string> words = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "the",  "cat",  "sat",   "on",
                                          "mat",   "john",  "lives", "in",    "new",  "york", "paris", "is",
                                          "where", "does",  "live",  "what",  "city", ".",    "?",     ","};
  return mhub::testing::WordPieceTokenizerJson(words, 4);
}

// `mhub run question-answering` on decoder QA models made with FromConfig + SavePretrained: the
// answers are spans of the context, ranked by score, and their scores follow the model's logits.
TEST(QuestionAnsweringCli, DecoderModelsAnswerWithContextSpans) {
  mhub::testing::TempDir dir;
  const std::string context = "john lives in new york. the cat sat on the mat. paris is the city.";
  for (const std::string mt : {"llama", "gpt2", "qwen2"}) {
    SCOPED_TRACE(mt);
    Json config = TinyConfig(mt);
    config.erase("id2label");
    config.erase("label2id");
    Result<std::unique_ptr<Model>> m = ModelFromConfig(config, Task::kQuestionAnswering, 8);
    ASSERT_TRUE(m.ok()) << m.status();
    const std::string folder = dir / mt;
    ASSERT_TRUE((*m)->SavePretrained(folder).ok());
    mhub::testing::WriteFileOrDie(folder + "/tokenizer.json", WordPieceTokenizerJson());
    mhub::testing::WriteFileOrDie(folder + "/tokenizer_config.json", R"({"model_max_length": 64})");
    Json req = {{"inputs", {{"question", "where does john live?"}, {"context", context}}},
                {"parameters", {{"top_k", 3}}}};
    auto r = mhub::testing::RunCommand(mhub::testing::ShellQuote(mhub::testing::MhubBin()) +
                                           " run question-answering --model " + mhub::testing::ShellQuote(folder),
                                       req.dump() + "\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Result<Json> out = ParseJson(r.out);
    ASSERT_TRUE(out.ok()) << r.out;
    ASSERT_TRUE(out->is_array()) << r.out;
    // Up to top_k: transformers drops the best-scored spans that fall outside the context.
    ASSERT_GE(out->size(), 1u) << r.out;
    ASSERT_LE(out->size(), 3u) << r.out;
    double previous = 2.0;
    for (const Json& a : *out) {
      const size_t start = a["start"], end = a["end"];
      ASSERT_LE(start, end);
      ASSERT_LE(end, context.size());
      EXPECT_EQ(context.substr(start, end - start), a["answer"].get<std::string>());
      EXPECT_FALSE(a["answer"].get<std::string>().empty());
      const double score = a["score"];
      EXPECT_GT(score, 0.0);
      EXPECT_LE(score, previous);
      previous = score;
    }
  }
}

}  // namespace
}  // namespace mhub::models
