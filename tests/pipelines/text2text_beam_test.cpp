// summarization / translation_xx_to_yy / text2text-generation pipelines on a tiny T5 with a
// WordPiece tokenizer: the task's task_specific_params (prefix, beam settings) and the request's
// parameters reach generate(), whose tokens equal the torch port of transformers' generate()
// (tests/models/oracle/seq2seq_oracle.py) on the prefixed input; outputs in the HF shapes.
#include <gtest/gtest.h>

#include "mhub/models/auto_model.h"
#include "mhub/models/seq2seq.h"
#include "mhub/pipelines/pipeline.h"
#include "mhub/pipelines/seq2seq_generation.h"
#include "mhub/tokenizers/tokenizer.h"
#include "support/test_support.h"

namespace mhub::pipelines {
namespace {

const std::vector<std::string> kVocab = {
    "[PAD]", "[SEP]", "[CLS]", "[UNK]", "summarize", ":",   "translate", "english", "to",  "german", "the",  "cat",
    "sat",   "on",    "mat",   "a",     "dog",       "ran", "fast",      "and",     "big", "red",    "blue", "sky"};

Json T5Config() {
  return Json{{"model_type", "t5"},
              {"architectures", {"T5ForConditionalGeneration"}},
              {"vocab_size", static_cast<int64_t>(kVocab.size())},
              {"d_model", 32},
              {"d_kv", 8},
              {"num_heads", 4},
              {"d_ff", 48},
              {"num_layers", 2},
              {"initializer_range", 0.3},
              {"pad_token_id", 0},
              {"eos_token_id", 1},
              {"decoder_start_token_id", 0},
              {"task_specific_params",
               {{"summarization",
                 {{"prefix", "summarize: "},
                  {"num_beams", 3},
                  {"length_penalty", 2.0},
                  {"max_length", 12},
                  {"min_length", 4},
                  {"no_repeat_ngram_size", 2},
                  {"early_stopping", true}}},
                {"translation_en_to_de",
                 {{"prefix", "translate english to german: "}, {"num_beams", 4}, {"max_length", 10}}}}}};
}

struct Fixture {
  mhub::testing::TempDir dir;
  std::string path = dir / "t5";
  std::unique_ptr<models::Seq2SeqLM> lm;
  std::unique_ptr<tokenizers::Tokenizer> tok;

  Fixture() {
    auto built = models::Seq2SeqLMFromConfig(T5Config(), 9);
    EXPECT_TRUE(built.ok()) << built.status();
    EXPECT_TRUE((*built)->SavePretrained(path).ok());
    mhub::testing::WriteFileOrDie(path + "/tokenizer.json", mhub::testing::WordPieceTokenizerJson(kVocab, 4));
    auto loaded = models::AutoModelForSeq2SeqLM::FromPretrained(path);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    lm = std::move(*loaded);
    auto t = tokenizers::Tokenizer::FromPretrained(path);
    EXPECT_TRUE(t.ok()) << t.status();
    tok = std::make_unique<tokenizers::Tokenizer>(std::move(*t));
  }

  // The oracle's decoded outputs for `text` under the options of task_specific_params[key] and `params`.
  std::vector<std::string> Expected(const std::string& text, const std::string& key, const Json& params) {
    auto options = GenerationDefaults(*lm);
    EXPECT_TRUE(options.ok());
    Json specific = T5Config()["task_specific_params"].value(key, Json::object());
    auto o = BeamSearchOptionsFromJson(specific, *options, 1);
    EXPECT_TRUE(o.ok());
    o = BeamSearchOptionsFromJson(params, *o, 1);
    EXPECT_TRUE(o.ok());
    auto enc = tok->Encode(specific.value("prefix", std::string()) + text);
    EXPECT_TRUE(enc.ok());
    std::vector<int64_t> ids(enc->ids.begin(), enc->ids.end());
    Json opts = {{"num_beams", o->num_beams},
                 {"max_length", o->max_length},
                 {"min_length", o->min_length},
                 {"length_penalty", o->length_penalty},
                 {"num_return_sequences", o->num_return_sequences},
                 {"no_repeat_ngram_size", o->no_repeat_ngram_size},
                 {"early_stopping", o->early_stopping == EarlyStopping::kTrue},
                 {"eos_token_id", o->eos_token_ids},
                 {"pad_token_id", o->pad_token_id},
                 {"decoder_start_token_id", 0}};
    Json job = {{"kind", "generate"}, {"model", path}, {"input_ids", Json::array({ids})}, {"options", opts}};
    mhub::testing::WriteFileOrDie(dir / "jobs.json", DumpJson(Json{{"jobs", {job}}}));
    auto r = mhub::testing::RunCommand(
        mhub::testing::Python() + " " +
        mhub::testing::ShellQuote(mhub::testing::SourceDir() + "/tests/models/oracle/seq2seq_oracle.py") + " " +
        mhub::testing::ShellQuote(dir / "jobs.json") + " " + mhub::testing::ShellQuote(dir / "out.json"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto res = ParseJson(mhub::testing::ReadFileOrDie(dir / "out.json"));
    EXPECT_TRUE(res.ok());
    std::vector<std::string> texts;
    for (const Json& seq : (*res)["results"][0]["sequences"]) {
      std::vector<uint32_t> s;
      for (const Json& id : seq) s.push_back(id.get<uint32_t>());
      auto d = tok->Decode(s, true);
      texts.push_back(d.ok() ? *d : "?");
    }
    return texts;
  }
};

TEST(Text2TextPipelines, SummarizationUsesTaskParamsAndPrefix) {
  Fixture f;
  auto pipe = Pipeline::Create("summarization", f.path);
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  auto out = (*pipe)->Run(Json{{"inputs", "the cat sat on the mat"}});
  ASSERT_TRUE(out.ok()) << out.status();
  const std::vector<std::string> want = f.Expected("the cat sat on the mat", "summarization", Json::object());
  std::printf("summary: %s\n", out->dump().c_str());
  EXPECT_EQ(*out, Json::array({{{"summary_text", want[0]}}}));
}

TEST(Text2TextPipelines, TranslationReturnsSequencesPerInput) {
  Fixture f;
  auto pipe = Pipeline::Create("translation_en_to_de", f.path);
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  const Json params = {{"num_return_sequences", 2}};
  auto out = (*pipe)->Run(Json{{"inputs", "a big dog ran fast"}, {"parameters", params}});
  ASSERT_TRUE(out.ok()) << out.status();
  const std::vector<std::string> want = f.Expected("a big dog ran fast", "translation_en_to_de", params);
  ASSERT_EQ(want.size(), 2u);
  std::printf("translation: %s\n", out->dump().c_str());
  EXPECT_EQ(*out, Json::array({{{"translation_text", want[0]}}, {{"translation_text", want[1]}}}));
}

TEST(Text2TextPipelines, Text2TextListInputIsFlattened) {
  Fixture f;
  auto pipe = Pipeline::Create("text2text-generation", f.path);
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  const Json params = {{"max_new_tokens", 6}};
  auto out = (*pipe)->Run(Json{{"inputs", {"red sky", "the blue cat"}}, {"parameters", params}});
  ASSERT_TRUE(out.ok()) << out.status();
  // Batched (the second input padded) as the single-input oracle runs gives the same tokens.
  const auto a = f.Expected("red sky", "none", params), b = f.Expected("the blue cat", "none", params);
  EXPECT_EQ(*out, Json::array({{{"generated_text", a[0]}}, {{"generated_text", b[0]}}}));
  auto bad = (*pipe)->Run(Json{{"inputs", "red sky"}, {"parameters", {{"num_beam", 2}}}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  bad = (*pipe)->Run(Json{{"inputs", "red sky"}, {"parameters", {{"num_beams", 2}, {"num_return_sequences", 3}}}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  bad = (*pipe)->Run(Json{{"inputs", 5}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

// text-generation with num_beams > 1 on a decoder-only model runs the same beam search: the
// continuation equals the oracle's best beam for the tokenized prompt, cut at EOS.
TEST(Text2TextPipelines, TextGenerationWithBeams) {
  mhub::testing::TempDir dir;
  const std::string path = dir / "gpt2";
  Json config = {{"model_type", "gpt2"},
                 {"architectures", {"GPT2LMHeadModel"}},
                 {"vocab_size", static_cast<int64_t>(kVocab.size())},
                 {"n_embd", 32},
                 {"n_layer", 2},
                 {"n_head", 4},
                 {"n_positions", 64},
                 {"initializer_range", 0.3},
                 {"pad_token_id", 0},
                 {"bos_token_id", 2},
                 {"eos_token_id", 1}};
  auto built = models::AutoModelForCausalLM::FromConfig(config, 5);
  ASSERT_TRUE(built.ok()) << built.status();
  ASSERT_TRUE((*built)->SavePretrained(path).ok());
  mhub::testing::WriteFileOrDie(path + "/tokenizer.json", mhub::testing::WordPieceTokenizerJson(kVocab, 4));
  auto pipe = Pipeline::Create("text-generation", path);
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  const Json params = {{"num_beams", 3}, {"max_new_tokens", 8}, {"num_return_sequences", 2}, {"length_penalty", 0.5}};
  auto out = (*pipe)->Run(Json{{"inputs", "the cat sat"}, {"parameters", params}});
  ASSERT_TRUE(out.ok()) << out.status();
  auto tok = tokenizers::Tokenizer::FromPretrained(path);
  ASSERT_TRUE(tok.ok());
  auto enc = tok->Encode("the cat sat");
  ASSERT_TRUE(enc.ok());
  std::vector<int64_t> ids(enc->ids.begin(), enc->ids.end());
  Json opts = {{"num_beams", 3},
               {"max_length", static_cast<int>(ids.size()) + 8},
               {"num_return_sequences", 2},
               {"length_penalty", 0.5},
               {"eos_token_id", {1}},
               {"pad_token_id", 0}};
  Json job = {{"kind", "generate"}, {"model", path}, {"input_ids", Json::array({ids})}, {"options", opts}};
  mhub::testing::WriteFileOrDie(dir / "jobs.json", DumpJson(Json{{"jobs", {job}}}));
  auto r = mhub::testing::RunCommand(
      mhub::testing::Python() + " " +
      mhub::testing::ShellQuote(mhub::testing::SourceDir() + "/tests/models/oracle/seq2seq_oracle.py") + " " +
      mhub::testing::ShellQuote(dir / "jobs.json") + " " + mhub::testing::ShellQuote(dir / "out.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto res = ParseJson(mhub::testing::ReadFileOrDie(dir / "out.json"));
  ASSERT_TRUE(res.ok());
  Json want = Json::array();
  for (const Json& seq : (*res)["results"][0]["sequences"]) {
    // transformers' TextGenerationPipeline.postprocess: prompt + decode(row)[len(decode(prompt)):]
    std::vector<uint32_t> row(ids.begin(), ids.end());
    for (size_t i = ids.size(); i < seq.size() && seq[i].get<int64_t>() != 1; ++i)
      row.push_back(seq[i].get<uint32_t>());
    auto all = tok->Decode(row, true);
    auto head = tok->Decode(std::vector<uint32_t>(ids.begin(), ids.end()), true);
    ASSERT_TRUE(all.ok() && head.ok());
    want.push_back({{"generated_text", "the cat sat" + all->substr(head->size())}});
  }
  std::printf("text-generation beams: %s\n", out->dump().c_str());
  EXPECT_EQ(*out, want);
  auto streamed = (*pipe)->RunStreaming(Json{{"inputs", "the cat"}, {"parameters", params}},
                                        [](int32_t, std::string_view) { return true; });
  EXPECT_EQ(streamed.status().code(), StatusCode::kInvalidArgument);
}

// `mhub run` picks the tasks from the registry: the real binary answers the Inference API shape,
// one JSON line per request, equal to the pipeline's answer; stdin requests carry parameters.
TEST(Text2TextPipelines, MhubRunServesThem) {
  Fixture f;
  auto pipe = Pipeline::Create("summarization", f.path);
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  auto want = (*pipe)->Run(Json{{"inputs", "the cat sat on the mat"}});
  ASSERT_TRUE(want.ok());
  const std::string bin = mhub::testing::ShellQuote(mhub::testing::MhubBin());
  auto r = mhub::testing::RunCommand(bin + " run summarization --model " + mhub::testing::ShellQuote(f.path) +
                                     " 'the cat sat on the mat'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto got = ParseJson(r.out);
  ASSERT_TRUE(got.ok()) << r.out;
  EXPECT_EQ(*got, *want);
  const Json request = {{"inputs", "red sky"}, {"parameters", {{"num_beams", 2}, {"num_return_sequences", 2}}}};
  r = mhub::testing::RunCommand(bin + " run translation --model " + mhub::testing::ShellQuote(f.path),
                                DumpJson(request) + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto tr = ParseJson(r.out);
  ASSERT_TRUE(tr.ok()) << r.out;
  auto tr_want = Pipeline::Create("translation", f.path);
  ASSERT_TRUE(tr_want.ok());
  EXPECT_EQ(*tr, *(*tr_want)->Run(request));
  EXPECT_EQ(tr->size(), 2u);
  r = mhub::testing::RunCommand(bin + " run translation_en_to_de --model " + mhub::testing::ShellQuote(f.path) +
                                " 'a big dog ran fast'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto pair = ParseJson(r.out);
  ASSERT_TRUE(pair.ok()) << r.out;
  auto pair_want = Pipeline::Create("translation_en_to_de", f.path);
  ASSERT_TRUE(pair_want.ok());
  EXPECT_EQ(*pair, *(*pair_want)->Run(Json{{"inputs", "a big dog ran fast"}}));
  r = mhub::testing::RunCommand(bin + " run summarization -p num_beams=0 --model " + mhub::testing::ShellQuote(f.path) +
                                " 'red sky'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("mhub: error:"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mhub::pipelines
