// Greedy and beam search (beam_search.h, seq2seq_generation.h) token-identical to a torch port of
// transformers' generate() (BeamSearchScorer / BeamHypotheses and the logits processors, in
// tests/models/oracle/seq2seq_oracle.py, which recomputes the whole decoder every step), for
// T5, BART (forced BOS/EOS), Marian (pad banned through bad_words_ids) and GPT-2 (decoder-only),
// over num_beams, length_penalty, early_stopping True/False/"never", num_return_sequences,
// no_repeat_ngram_size and min/max length. Small vocabularies make EOS frequent, so beams finish
// at different steps and the stopping rules matter.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mhub/models/auto_model.h"
#include "mhub/models/seq2seq.h"
#include "mhub/pipelines/seq2seq_generation.h"
#include "models/models_test_util.h"
#include "support/test_support.h"

namespace mhub::pipelines {
namespace {

constexpr int64_t kVocab = 24;

Json ModelConfig(const std::string& type) {
  if (type == "gpt2") {
    Json c = models::testing::TinyConfig("gpt2");
    c["vocab_size"] = kVocab;
    return c;
  }
  if (type == "t5") {
    return Json{{"model_type", "t5"},
                {"vocab_size", kVocab},
                {"d_model", 32},
                {"d_kv", 8},
                {"num_heads", 4},
                {"d_ff", 48},
                {"num_layers", 2},
                {"relative_attention_num_buckets", 8},
                {"relative_attention_max_distance", 16},
                {"initializer_range", 0.3},
                {"pad_token_id", 0},
                {"eos_token_id", 1},
                {"decoder_start_token_id", 0}};
  }
  const bool marian = type == "marian";
  Json c = {{"model_type", type},
            {"vocab_size", kVocab},
            {"d_model", 32},
            {"encoder_layers", 2},
            {"decoder_layers", 2},
            {"encoder_attention_heads", 4},
            {"decoder_attention_heads", 4},
            {"encoder_ffn_dim", 48},
            {"decoder_ffn_dim", 48},
            {"max_position_embeddings", 64},
            {"initializer_range", 0.3},
            {"pad_token_id", marian ? kVocab - 1 : 1},
            {"bos_token_id", 0},
            {"eos_token_id", marian ? 0 : 2},
            {"decoder_start_token_id", marian ? kVocab - 1 : 2},
            {"forced_eos_token_id", marian ? 0 : 2}};
  if (marian) {
    c["bad_words_ids"] = {{kVocab - 1}};
    c["scale_embedding"] = true;
    c["activation_function"] = "swish";
  } else {
    c["forced_bos_token_id"] = 0;
  }
  return c;
}

struct Setting {
  std::string name;
  Json params;  // HF generate() parameters
};

std::vector<Setting> Settings() {
  return {
      {"greedy", {{"max_length", 12}, {"min_length", 5}}},
      {"beam4_default", {{"num_beams", 4}, {"max_length", 14}, {"num_return_sequences", 2}}},
      {"beam3_lp2_early_ngram2",
       {{"num_beams", 3},
        {"max_length", 16},
        {"length_penalty", 2.0},
        {"early_stopping", true},
        {"no_repeat_ngram_size", 2}}},
      {"beam4_never_lp05_min6",
       {{"num_beams", 4},
        {"max_length", 15},
        {"length_penalty", 0.5},
        {"early_stopping", "never"},
        {"num_return_sequences", 4},
        {"min_length", 6}}},
      {"beam2_neg_lp_ngram3",
       {{"num_beams", 2}, {"max_new_tokens", 12}, {"length_penalty", -1.0}, {"no_repeat_ngram_size", 3}}},
  };
}

Json OracleOptions(const BeamSearchOptions& o, int64_t decoder_start) {
  Json j = {{"num_beams", o.num_beams},
            {"max_length", o.max_length},
            {"min_length", o.min_length},
            {"length_penalty", o.length_penalty},
            {"num_return_sequences", o.num_return_sequences},
            {"no_repeat_ngram_size", o.no_repeat_ngram_size},
            {"eos_token_id", o.eos_token_ids},
            {"pad_token_id", o.pad_token_id},
            {"decoder_start_token_id", decoder_start},
            {"bad_token_ids", o.bad_token_ids}};
  j["early_stopping"] =
      o.early_stopping == EarlyStopping::kNever ? Json("never") : Json(o.early_stopping == EarlyStopping::kTrue);
  if (o.forced_bos_token_id >= 0) j["forced_bos_token_id"] = o.forced_bos_token_id;
  if (o.forced_eos_token_id >= 0) j["forced_eos_token_id"] = o.forced_eos_token_id;
  return j;
}

TEST(BeamSearch, TokenIdenticalToTransformersPort) {
  mhub::testing::TempDir dir;
  Json jobs = Json::array();
  std::vector<std::string> names;
  std::vector<BeamSearchOutput> ours;
  // Two source rows, the second padded (seq2seq); one prompt (decoder-only).
  const std::vector<std::vector<int64_t>> src = {{5, 9, 3, 17, 11, 6, 4, 20}, {7, 12, 8, 3, 15, 1, 1, 1}};
  for (const std::string type : {"t5", "bart", "marian", "gpt2"}) {
    const std::string path = dir / type;
    std::unique_ptr<models::Model> model;
    if (type == "gpt2") {
      auto built = models::AutoModelForCausalLM::FromConfig(ModelConfig(type), 4);
      ASSERT_TRUE(built.ok()) << built.status();
      ASSERT_TRUE((*built)->SavePretrained(path).ok());
      auto loaded = models::AutoModelForCausalLM::FromPretrained(path);
      ASSERT_TRUE(loaded.ok()) << loaded.status();
      model = std::move(*loaded);
    } else {
      auto built = models::Seq2SeqLMFromConfig(ModelConfig(type), 4);
      ASSERT_TRUE(built.ok()) << built.status();
      ASSERT_TRUE((*built)->SavePretrained(path).ok());
      auto loaded = models::AutoModelForSeq2SeqLM::FromPretrained(path);
      ASSERT_TRUE(loaded.ok()) << loaded.status();
      model = std::move(*loaded);
    }
    auto defaults = GenerationDefaults(*model);
    ASSERT_TRUE(defaults.ok()) << defaults.status();
    for (const Setting& s : Settings()) {
      const std::string name = type + "/" + s.name;
      SCOPED_TRACE(name);
      const auto* s2s = dynamic_cast<const models::Seq2SeqLM*>(model.get());
      const int prompt_len = s2s != nullptr ? 1 : 4;
      auto options = BeamSearchOptionsFromJson(s.params, *defaults, prompt_len);
      ASSERT_TRUE(options.ok()) << options.status();
      Json job = {{"kind", "generate"}, {"model", path}};
      Result<BeamSearchOutput> out = Status::Internal("unset");
      if (s2s != nullptr) {
        models::ModelInputs in;
        in.batch = 2;
        in.seq_len = 8;
        Json ids = Json::array(), mask = Json::array();
        for (size_t b = 0; b < 2; ++b) {
          std::vector<int64_t> row = src[b], m(8, 1);
          if (b == 1) {
            for (size_t t = 5; t < 8; ++t) {
              m[t] = 0;
              row[t] = model->info().pad_token_id;
            }
          }
          in.input_ids.insert(in.input_ids.end(), row.begin(), row.end());
          in.attention_mask.insert(in.attention_mask.end(), m.begin(), m.end());
          ids.push_back(row);
          mask.push_back(m);
        }
        job["input_ids"] = ids;
        job["attention_mask"] = mask;
        job["options"] = OracleOptions(*options, s2s->seq2seq_info().decoder_start_token_id);
        out = GenerateSeq2Seq(*s2s, in, *options);
      } else {
        const std::vector<int64_t> prompt = {5, 9, 3, 17};
        job["input_ids"] = Json::array({prompt});
        job["options"] = OracleOptions(*options, -1);
        out = GenerateCausal(dynamic_cast<const models::CausalLM&>(*model), {prompt}, *options);
      }
      ASSERT_TRUE(out.ok()) << out.status();
      ours.push_back(std::move(*out));
      jobs.push_back(job);
      names.push_back(name);
    }
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
  ASSERT_EQ(res.size(), names.size());
  int with_eos_early = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    SCOPED_TRACE(names[i]);
    const auto theirs = res[i]["sequences"].get<std::vector<std::vector<int64_t>>>();
    EXPECT_EQ(ours[i].sequences, theirs);
    const auto scores = res[i]["scores"].get<std::vector<double>>();
    ASSERT_EQ(ours[i].scores.size(), scores.size());
    for (size_t j = 0; j < scores.size(); ++j)
      EXPECT_NEAR(ours[i].scores[j], scores[j], 1e-4 * (1 + std::fabs(scores[j])));
    std::printf("%-34s %zu rows of %zu ids; row 0:", names[i].c_str(), theirs.size(), theirs[0].size());
    for (int64_t t : theirs[0]) std::printf(" %lld", static_cast<long long>(t));
    std::printf("\n");
    for (const auto& row : theirs) with_eos_early += row.size() < 12 ? 1 : 0;
  }
  // Not every row ran to max_length: finished hypotheses and padding were exercised.
  EXPECT_GT(with_eos_early, 0);
}

TEST(BeamSearch, RefusesInconsistentOptions) {
  auto step = [](int, std::span<const int64_t>, const std::vector<std::vector<int64_t>>& seqs) {
    return Result<std::vector<float>>(std::vector<float>(seqs.size() * 4, 0.0f));
  };
  BeamSearchOptions o;
  o.num_beams = 2;
  o.num_return_sequences = 3;
  EXPECT_EQ(BeamSearch({{0}}, o, step).status().code(), StatusCode::kInvalidArgument);
  o.num_return_sequences = 1;
  o.max_length = 1;
  EXPECT_EQ(BeamSearch({{0}}, o, step).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BeamSearch({}, BeamSearchOptions{}, step).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(BeamSearchOptionsFromJson(Json{{"early_stopping", "sometimes"}}, {}, 1).ok());
  EXPECT_FALSE(BeamSearchOptionsFromJson(Json{{"num_beams", 0}}, {}, 1).ok());
  EXPECT_FALSE(BeamSearchOptionsFromJson(Json{{"num_beams", 100000}}, {}, 1).ok());  // memory, not search
  EXPECT_FALSE(BeamSearchOptionsFromJson(Json{{"length_penalty", "x"}}, {}, 1).ok());
}

}  // namespace
}  // namespace mhub::pipelines
