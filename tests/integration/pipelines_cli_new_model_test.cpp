// `mhub new-model` folders run every task, checked against outside oracles: PyTorch (built from
// its own modules by tests/clients/models_reference.py) for the logits behind fill-mask and the
// tokens of greedy generation, and HF `tokenizers` (npm binding) for the tokenizer.json we write.
// Also the `run` habits of issue 19: verbatim TEXT arguments, plain text lines on stdin,
// --question/--context, generation parameters validated, a wrong head named, the int8 notice.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "mhub/base/json.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using mhub::Json;
using mhub::testing::CommandResult;
using mhub::testing::MhubBin;
using mhub::testing::NonEmptyLines;
using mhub::testing::Python;
using mhub::testing::ReadFileOrDie;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::SourceDir;
using mhub::testing::TempDir;
using mhub::testing::WriteFileOrDie;

class NewModelCliTest : public ::testing::Test {
 protected:
  CommandResult Mhub(const std::string& args, const std::string& input = "") {
    return RunCommand(
        "env HF_HUB_OFFLINE=1 HF_HOME=" + ShellQuote(tmp_ / "home") + " " + ShellQuote(MhubBin()) + " " + args, input);
  }
  std::string NewModel(const std::string& arch, const std::string& task) {
    std::string dir = tmp_ / (arch + "-" + task);
    auto r = Mhub("new-model " + arch + " --task " + task + " " + ShellQuote(dir));
    EXPECT_EQ(r.exit_code, 0) << arch << " " << task << ": " << r.err;
    return dir;
  }
  Json Reference(const Json& jobs) {
    WriteFileOrDie(tmp_ / "jobs.json", jobs.dump());
    auto r = RunCommand(Python() + " " + ShellQuote(SourceDir() + "/tests/clients/models_reference.py") + " " +
                        ShellQuote(tmp_ / "jobs.json") + " " + ShellQuote(tmp_ / "ref.json"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(ReadFileOrDie(tmp_ / "ref.json"))["results"];
  }
  Json TokenizerOracle(const std::string& tokenizer_json, const std::vector<Json>& requests) {
    std::string in;
    for (const auto& r : requests) in += r.dump() + "\n";
    auto r = RunCommand("node " + ShellQuote(SourceDir() + "/tests/clients/tokenizers_oracle.js") + " run " +
                            ShellQuote(tokenizer_json),
                        in);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Json out = Json::array();
    for (const auto& line : NonEmptyLines(r.out)) out.push_back(Json::parse(line));
    return out;
  }
  TempDir tmp_;
};

TEST_F(NewModelCliTest, EveryArchitectureAndTaskRuns) {
  struct Case {
    std::string arch, task, args;
  };
  const std::vector<Case> cases = {
      {"bert", "fill-mask", "'paris is the [MASK] of france.'"},
      {"bert", "text-classification", "'i love it'"},
      {"bert", "token-classification", "'alice lives in paris'"},
      {"bert", "question-answering", "--question 'who?' --context 'alice wrote it.'"},
      {"bert", "feature-extraction", "hello"},
      {"distilbert", "fill-mask", "'the [MASK] of france'"},
      {"gpt2", "text-generation", "hello --max-new-tokens 3"},
      {"llama", "text-generation", "hello --max-new-tokens 3"},
      {"qwen2", "text-classification", "hello"},
  };
  for (const auto& c : cases) {
    std::string dir = NewModel(c.arch, c.task);
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"})
      EXPECT_TRUE(fs::exists(dir + "/" + f)) << c.arch << " " << c.task << ": " << f;
    auto r = Mhub("run " + c.task + " --model " + ShellQuote(dir) + " " + c.args);
    EXPECT_EQ(r.exit_code, 0) << c.arch << " " << c.task << ": " << r.err;
    EXPECT_TRUE(mhub::ParseJson(r.out).ok()) << r.out;
  }
  auto bad_task = Mhub("new-model gpt2 --task fill-mask " + ShellQuote(tmp_ / "x"));
  EXPECT_EQ(bad_task.exit_code, 2);
  auto again = Mhub("new-model bert --task fill-mask " + ShellQuote(tmp_ / "bert-fill-mask"));
  EXPECT_EQ(again.exit_code, 1) << "an existing model is not overwritten without --force";
}

TEST_F(NewModelCliTest, FillMaskMatchesPyTorchAndTokenizerMatchesHfTokenizers) {
  std::string dir = NewModel("bert", "fill-mask");
  const std::string text = "paris is the [MASK] of france.";
  // Our tokenizer.json as HF tokenizers reads it, against `mhub tokenize` (texts as arguments).
  auto ours = Mhub("tokenize --tokenizer " + ShellQuote(dir) + " " + ShellQuote(text) + " 'Hello, World!'");
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  auto lines = NonEmptyLines(ours.out);
  ASSERT_EQ(lines.size(), 2u);
  auto oracle =
      TokenizerOracle(dir + "/tokenizer.json",
                      {Json{{"op", "encode"}, {"text", text}, {"pair", nullptr}, {"add_special", true}},
                       Json{{"op", "encode"}, {"text", "Hello, World!"}, {"pair", nullptr}, {"add_special", true}}});
  ASSERT_EQ(oracle.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    Json mine = Json::parse(lines[i]);
    EXPECT_EQ(mine["ids"], oracle[i]["encodings"][0]["ids"]) << lines[i];
    EXPECT_EQ(mine["tokens"], oracle[i]["encodings"][0]["tokens"]) << lines[i];
  }
  Json ids = Json::parse(lines[0])["ids"];
  size_t mask_pos = std::find(ids.begin(), ids.end(), Json(4)) - ids.begin();  // [MASK] is id 4
  ASSERT_LT(mask_pos, ids.size());

  // The top 5 of fill-mask are PyTorch's top 5 at the mask, with its softmax scores.
  auto run = Mhub("run fill-mask --model " + ShellQuote(dir) + " " + ShellQuote(text));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Json preds = Json::parse(run.out);
  Json ref = Reference(Json{
      {"jobs", {{{"kind", "forward"}, {"model", dir}, {"task", "masked-lm"}, {"input_ids", Json::array({ids})}}}}});
  const Json& logits = ref[0]["logits"];
  const size_t vocab = logits["shape"][2].get<size_t>();
  std::vector<double> row(vocab);
  for (size_t v = 0; v < vocab; ++v) row[v] = logits["values"][mask_pos * vocab + v].get<double>();
  double mx = *std::max_element(row.begin(), row.end()), sum = 0;
  for (double x : row) sum += std::exp(x - mx);
  std::vector<size_t> order(vocab);
  for (size_t v = 0; v < vocab; ++v) order[v] = v;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return row[a] > row[b]; });
  ASSERT_EQ(preds.size(), 5u) << run.out;
  for (size_t k = 0; k < 5; ++k) {
    EXPECT_EQ(preds[k]["token"].get<size_t>(), order[k]) << k;
    EXPECT_NEAR(preds[k]["score"].get<double>(), std::exp(row[order[k]] - mx) / sum, 1e-4) << k;
    // The sequence is the text with the prediction in place of the mask (special tokens, ids
    // below 5, are dropped from it as transformers decodes with skip_special_tokens).
    const std::string tok = preds[k]["token_str"];
    if (order[k] >= 5) {
      EXPECT_NE(preds[k]["sequence"].get<std::string>().find(tok), std::string::npos) << preds[k];
    }
  }
}

TEST_F(NewModelCliTest, GreedyGenerationMatchesPyTorch) {
  std::string dir = NewModel("gpt2", "text-generation");
  auto enc = Mhub("tokenize --tokenizer " + ShellQuote(dir) + " hello");
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  Json ids = Json::parse(NonEmptyLines(enc.out)[0])["ids"];
  Json ref = Reference(
      Json{{"jobs", {{{"kind", "generate"}, {"model", dir}, {"input_ids", Json::array({ids})}, {"steps", 6}}}}});
  Json tokens = ref[0]["tokens"];
  ASSERT_EQ(tokens.size(), 6u) << ref;
  // PyTorch's tokens, decoded by HF tokenizers, are the text mhub generated.
  auto text = TokenizerOracle(dir + "/tokenizer.json", {Json{{"op", "decode"}, {"ids", tokens}, {"skip", true}}});
  auto run = Mhub("run text-generation --model " + ShellQuote(dir) + " hello --max-new-tokens 6");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Json::parse(run.out)[0]["generated_text"], "hello" + text[0]["text"].get<std::string>()) << run.out;
}

TEST_F(NewModelCliTest, TextArgumentsAreVerbatimAndStdinTakesPlainLines) {
  std::string dir = NewModel("bert", "fill-mask");
  // "[MASK]" alone was read by the option parser as a list ("MASK"), "[1,2]" as two inputs.
  auto mask = Mhub("run fill-mask --model " + ShellQuote(dir) + " '[MASK]'");
  ASSERT_EQ(mask.exit_code, 0) << mask.err;
  EXPECT_EQ(NonEmptyLines(mask.out).size(), 1u);
  auto list = Mhub("tokenize --tokenizer " + ShellQuote(dir) + " '[1,2]' '[MASK]'");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto lines = NonEmptyLines(list.out);
  ASSERT_EQ(lines.size(), 2u) << list.out;
  EXPECT_EQ(Json::parse(lines[0])["tokens"], Json::array({"[CLS]", "[", "1", ",", "2", "]", "[SEP]"}));
  EXPECT_EQ(Json::parse(lines[1])["tokens"], Json::array({"[CLS]", "[MASK]", "[SEP]"}));

  // Plain text lines and JSON requests mixed on stdin: one answer line each.
  auto mixed = Mhub("run fill-mask --model " + ShellQuote(dir),
                    "paris is the [MASK] of france.\n{\"inputs\": \"the [MASK] of france\"}\n\n[MASK] here\n");
  ASSERT_EQ(mixed.exit_code, 0) << mixed.err;
  EXPECT_EQ(NonEmptyLines(mixed.out).size(), 3u) << mixed.out;
  auto broken = Mhub("run fill-mask --model " + ShellQuote(dir), "{\"inputs\": \n");
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("starting with '{' is a JSON request"), std::string::npos) << broken.err;
}

TEST_F(NewModelCliTest, QuestionAnsweringAndGenerationParameters) {
  std::string qa = NewModel("bert", "question-answering");
  auto answer = Mhub("run question-answering --model " + ShellQuote(qa) +
                     " --question 'where is paris?' --context 'paris is the capital of france.'");
  ASSERT_EQ(answer.exit_code, 0) << answer.err;
  Json a = Json::parse(answer.out);
  const std::string context = "paris is the capital of france.";
  ASSERT_TRUE(a.contains("answer")) << answer.out;
  EXPECT_EQ(context.substr(a["start"].get<size_t>(), a["end"].get<size_t>() - a["start"].get<size_t>()), a["answer"]);
  EXPECT_EQ(Mhub("run question-answering --model " + ShellQuote(qa) + " --question q").exit_code, 2);

  std::string lm = NewModel("gpt2", "text-generation");
  for (const std::string bad : {"-p max_new_tokns=3", "--max-new-tokens -1", "--do-sample --temperature 0"}) {
    auto r = Mhub("run text-generation --model " + ShellQuote(lm) + " hello " + bad);
    EXPECT_EQ(r.exit_code, 1) << bad << ": " << r.out;
    EXPECT_EQ(NonEmptyLines(r.err).size(), 1u) << bad << ": " << r.err;
  }
  auto typo = Mhub("run text-generation --model " + ShellQuote(lm) + " hello -p max_new_tokns=3");
  EXPECT_NE(typo.err.find("unknown text-generation parameter 'max_new_tokns'"), std::string::npos) << typo.err;

  // A model with another head: the error names both.
  auto head = Mhub("run fill-mask --model " + ShellQuote(qa) + " 'a [MASK]'");
  EXPECT_EQ(head.exit_code, 1);
  EXPECT_NE(head.err.find("BertForQuestionAnswering"), std::string::npos) << head.err;
  EXPECT_NE(head.err.find("masked-lm"), std::string::npos) << head.err;

  // int8 on a path without VNNI says how it runs.
  std::string mlm = NewModel("bert", "fill-mask");
  auto q = RunCommand("env MHUB_ISA=avx2 " + ShellQuote(MhubBin()) + " run fill-mask --quantize int8 --model " +
                      ShellQuote(mlm) + " 'a [MASK]'");
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE(q.err.find("no AVX512-VNNI"), std::string::npos) << q.err;
}

}  // namespace
