// T5 (v1.0 relu/tied, v1.1 gated-gelu/untied), BART and Marian against a plain-torch mirror of
// transformers' modules (tests/models/oracle/seq2seq_oracle.py) on random small weights that mhub
// built, saved in the HF layout and loaded back: encoder output, decoder hidden states and logits
// within 1e-4 (relative to max(1, max|reference|)), and the KV-cached decoder (one token per call)
// equal to the all-positions pass.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mhub/formats/safetensors.h"
#include "mhub/models/seq2seq.h"
#include "models/models_test_util.h"
#include "support/test_support.h"

namespace mhub::models {
namespace {

using testing::MaxAbs;
using testing::MaxAbsDiff;

constexpr int64_t kVocab = 96;

Json T5Config(bool v11) {
  Json c = {{"model_type", "t5"},
            {"architectures", {"T5ForConditionalGeneration"}},
            {"vocab_size", kVocab},
            {"d_model", 32},
            {"d_kv", 12},  // inner_dim 48 != d_model
            {"num_heads", 4},
            {"d_ff", 40},
            {"num_layers", 2},
            {"num_decoder_layers", 3},
            {"relative_attention_num_buckets", 8},  // small buckets: the log range is reached
            {"relative_attention_max_distance", 12},
            {"initializer_range", 0.15},
            {"pad_token_id", 0},
            {"eos_token_id", 1},
            {"decoder_start_token_id", 0}};
  if (v11) {
    c["feed_forward_proj"] = "gated-gelu";
    c["tie_word_embeddings"] = false;
  }
  return c;
}

Json BartConfig(bool marian) {
  Json c = {{"model_type", marian ? "marian" : "bart"},
            {"vocab_size", kVocab},
            {"d_model", 32},
            {"encoder_layers", 2},
            {"decoder_layers", 2},
            {"encoder_attention_heads", 4},
            {"decoder_attention_heads", 2},
            {"encoder_ffn_dim", 48},
            {"decoder_ffn_dim", 40},
            {"max_position_embeddings", 40},
            {"initializer_range", 0.2},
            {"pad_token_id", marian ? kVocab - 1 : 1},
            {"bos_token_id", 0},
            {"eos_token_id", marian ? 0 : 2},
            {"decoder_start_token_id", marian ? kVocab - 1 : 2}};
  if (marian) {
    c["activation_function"] = "swish";
    c["scale_embedding"] = true;
    c["architectures"] = {"MarianMTModel"};
  } else {
    c["architectures"] = {"BartForConditionalGeneration"};
  }
  return c;
}

// Rewrites `name` in dir/model.safetensors with normal(0, 1) values (final_logits_bias is zeros
// after random init, which would prove nothing).
void RandomizeTensor(const std::string& dir, const std::string& name, uint64_t seed) {
  const std::string path = dir + "/model.safetensors";
  auto file = formats::SafetensorsFile::Open(path);
  ASSERT_TRUE(file.ok()) << file.status();
  std::vector<formats::TensorView> views = (*file)->tensors();
  std::vector<float> values;
  for (formats::TensorView& v : views) {
    if (v.name != name) continue;
    ASSERT_EQ(v.dtype, formats::Dtype::kF32);
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    values.resize(static_cast<size_t>(v.numel()));
    for (float& x : values) x = normal(rng);
    v.data = reinterpret_cast<const uint8_t*>(values.data());
  }
  ASSERT_FALSE(values.empty()) << name << " not in " << path;
  const std::string tmp = dir + "/rewritten.safetensors";
  ASSERT_TRUE(formats::WriteSafetensors(tmp, views).ok());
  file->reset();
  ASSERT_EQ(std::rename(tmp.c_str(), path.c_str()), 0);
}

struct Case {
  std::string name;
  Json config;
  int64_t src_len = 14, dec_len = 11;
};

// T5's default buckets (32, max_distance 128) over 300 source and 150 decoder positions: relative
// distances from -299 to 299, past max_distance, in both bucket modes.
Json T5LongConfig() {
  Json c = T5Config(false);
  c["relative_attention_num_buckets"] = 32;
  c["relative_attention_max_distance"] = 128;
  c["num_layers"] = 1;
  c["num_decoder_layers"] = 1;
  return c;
}

std::vector<Case> Cases() {
  return {{"t5_v1_0", T5Config(false)},
          {"t5_v1_1", T5Config(true)},
          {"bart", BartConfig(false)},
          {"marian", BartConfig(true)},
          {"t5_long_distances", T5LongConfig(), 300, 150}};
}

// Two source rows (the second right-padded) and three decoder rows' worth of ids.
ModelInputs Source(int64_t len = 14) {
  ModelInputs in;
  in.batch = 2;
  in.seq_len = len;
  std::mt19937_64 rng(7);
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t t = 0; t < len; ++t) {
      const bool real = b == 0 || t < len * 2 / 3;
      in.input_ids.push_back(real ? static_cast<int64_t>(3 + rng() % (kVocab - 4)) : 1);
      in.attention_mask.push_back(real ? 1 : 0);
    }
  }
  return in;
}

ModelInputs DecoderIds(int64_t start, int64_t len = 11) {
  ModelInputs d;
  d.batch = 2;
  d.seq_len = len;
  std::mt19937_64 rng(11);
  for (int64_t b = 0; b < 2; ++b) {
    d.input_ids.push_back(start);
    for (int64_t t = 1; t < len; ++t) d.input_ids.push_back(static_cast<int64_t>(3 + rng() % (kVocab - 4)));
  }
  return d;
}

Json Rows(const std::vector<int64_t>& flat, int64_t batch, int64_t seq) {
  Json rows = Json::array();
  for (int64_t b = 0; b < batch; ++b) {
    rows.push_back(std::vector<int64_t>(flat.begin() + b * seq, flat.begin() + (b + 1) * seq));
  }
  return rows;
}

void ExpectClose(const std::string& what, const Array& ours, const Json& theirs) {
  const auto shape = theirs["shape"].get<std::vector<int64_t>>();
  const auto values = theirs["values"].get<std::vector<float>>();
  const double scale = std::max(1.0, MaxAbs(values));
  const double diff = MaxAbsDiff(ours, shape, values);
  std::printf("%-34s max|ref| %.3f  max diff %.2e\n", what.c_str(), MaxAbs(values), diff);
  EXPECT_GT(MaxAbs(values), 1e-2) << what << ": degenerate reference";
  EXPECT_LE(diff, 1e-4 * scale) << what;
}

TEST(Seq2SeqModels, MatchTorchMirrorOfTransformers) {
  mhub::testing::TempDir dir;
  Json jobs = Json::array();
  struct Ours {
    Array encoder, hidden, logits, stepped;
  };
  std::vector<Ours> ours;
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    const ModelInputs src = Source(c.src_len);
    auto built = Seq2SeqLMFromConfig(c.config, 3);
    ASSERT_TRUE(built.ok()) << built.status();
    const std::string path = dir / c.name;
    ASSERT_TRUE((*built)->SavePretrained(path).ok());
    if (c.config["model_type"] != "t5") RandomizeTensor(path, "final_logits_bias", 5);
    auto loaded = AutoModelForSeq2SeqLM::FromPretrained(path);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    const Seq2SeqLM& lm = **loaded;
    const ModelInputs dec = DecoderIds(lm.seq2seq_info().decoder_start_token_id, c.dec_len);
    Ours o;
    auto enc = lm.Forward(src);
    ASSERT_TRUE(enc.ok()) << enc.status();
    o.encoder = (*enc)["last_hidden_state"];
    auto state = lm.Encode(src, 1, dec.seq_len);
    ASSERT_TRUE(state.ok()) << state.status();
    auto hidden = lm.DecodeHidden(dec, **state);
    ASSERT_TRUE(hidden.ok()) << hidden.status();
    o.hidden = *hidden;
    state = lm.Encode(src, 1, dec.seq_len);
    auto logits = lm.Decode(dec, **state, /*all_positions=*/true);
    ASSERT_TRUE(logits.ok()) << logits.status();
    o.logits = *logits;
    // The cached decoder, one position per call, gives the last-position logits of each prefix.
    state = lm.Encode(src, 1, dec.seq_len);
    o.stepped.shape = o.logits.shape;
    o.stepped.values.assign(o.logits.values.size(), 0.0f);
    const int64_t V = lm.info().vocab_size;
    for (int64_t t = 0; t < dec.seq_len; ++t) {
      ModelInputs one;
      one.batch = 2;
      one.seq_len = 1;
      one.input_ids = {dec.input_ids[static_cast<size_t>(t)], dec.input_ids[static_cast<size_t>(dec.seq_len + t)]};
      auto step = lm.Decode(one, **state);
      ASSERT_TRUE(step.ok()) << step.status();
      for (int64_t b = 0; b < 2; ++b) {
        std::copy_n(step->values.begin() + b * V, V, o.stepped.values.begin() + (b * dec.seq_len + t) * V);
      }
    }
    ours.push_back(std::move(o));
    jobs.push_back(Json{{"kind", "forward"},
                        {"model", path},
                        {"input_ids", Rows(src.input_ids, 2, src.seq_len)},
                        {"attention_mask", Rows(src.attention_mask, 2, src.seq_len)},
                        {"decoder_input_ids", Rows(dec.input_ids, 2, dec.seq_len)}});
  }
  mhub::testing::WriteFileOrDie(dir / "jobs.json", DumpJson(Json{{"jobs", jobs}}));
  const std::string script = mhub::testing::SourceDir() + "/tests/models/oracle/seq2seq_oracle.py";
  auto r = mhub::testing::RunCommand(mhub::testing::Python() + " " + mhub::testing::ShellQuote(script) + " " +
                                     mhub::testing::ShellQuote(dir / "jobs.json") + " " +
                                     mhub::testing::ShellQuote(dir / "out.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto results = ParseJson(mhub::testing::ReadFileOrDie(dir / "out.json"));
  ASSERT_TRUE(results.ok());
  const Json& res = (*results)["results"];
  const std::vector<Case> cases = Cases();
  ASSERT_EQ(res.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string& n = cases[i].name;
    ExpectClose(n + " encoder_last_hidden_state", ours[i].encoder, res[i]["encoder_last_hidden_state"]);
    ExpectClose(n + " decoder hidden", ours[i].hidden, res[i]["decoder_hidden"]);
    ExpectClose(n + " logits", ours[i].logits, res[i]["logits"]);
    ExpectClose(n + " logits (kv cache)", ours[i].stepped, res[i]["logits"]);
  }
}

TEST(Seq2SeqModels, BadInputsFailClearly) {
  auto lm = Seq2SeqLMFromConfig(BartConfig(false), 1);
  ASSERT_TRUE(lm.ok()) << lm.status();
  ModelInputs in;
  in.batch = 1;
  in.seq_len = 41;  // > max_position_embeddings 40
  in.input_ids.assign(41, 5);
  EXPECT_EQ((*lm)->Encode(in, 1, 4).status().code(), StatusCode::kInvalidArgument);
  in.seq_len = 3;
  in.input_ids = {5, kVocab, 6};
  EXPECT_EQ((*lm)->Encode(in, 1, 4).status().code(), StatusCode::kInvalidArgument);
  in.input_ids = {5, 6, 7};
  EXPECT_EQ((*lm)->Encode(in, 1, 41).status().code(), StatusCode::kInvalidArgument);  // decoder positions
  auto state = (*lm)->Encode(in, 2, 2);
  ASSERT_TRUE(state.ok());
  ModelInputs dec;
  dec.batch = 2;
  dec.seq_len = 3;  // more than the state holds
  dec.input_ids.assign(6, 2);
  EXPECT_EQ((*lm)->Decode(dec, **state).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ((*state)->length(), 0);
  EXPECT_FALSE((*state)->Reorder(std::vector<int64_t>{1, 2}).ok());  // a row from outside its group
  auto t5 = Seq2SeqLMFromConfig(T5Config(false), 1);                 // no position table bounds T5's decoder
  ASSERT_TRUE(t5.ok());
  EXPECT_EQ((*t5)->Encode(in, 4, int64_t{1} << 30).status().code(), StatusCode::kResourceExhausted);
  Json bad = T5Config(false);
  bad["feed_forward_proj"] = "gated-gelu-x";
  EXPECT_EQ(Seq2SeqLMFromConfig(bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(LoadSeq2SeqLM("/nonexistent/model").ok());
}

}  // namespace
}  // namespace mhub::models
