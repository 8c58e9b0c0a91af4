// Black-box test of `mhub tokenize` batching: `--batch N --threads N --byte-offsets` must give,
// line for line, what the single-threaded default gives (offsets aside), and its byte offsets
// must be HF tokenizers' code point offsets (tests/clients/tokenizers_oracle.js) converted with
// the UTF-8 of each line.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "support/test_support.h"

namespace {

using mhub::Json;
using mhub::testing::MhubBin;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;

// Lines mixing ASCII, 2-, 3- and 4-byte chars, combining marks, special-token strings and
// whitespace runs, built deterministically from fragments.
std::vector<std::string> TestLines() {
  const std::vector<std::string> fragments = {"Hello",     "world!",
                                              "héllo",     "😀",
                                              "中文",      "émoji",
                                              "👍🏽",  "naïve",
                                              "e\xcc\x81", "   ",
                                              "can't",     "I'm",
                                              "x=42",      "<|endoftext|>",
                                              "Ünïcödé",   "ß",
                                              "Привет",    "12345",
                                              "\t",        "a.b,c",
                                              "🇫🇷",        "👩‍👩‍👧",
                                              "κόσμε",     "عربى",
                                              "  spaced  "};
  std::vector<std::string> lines = {"", "a", "Hello world! héllo 😀 x"};
  uint32_t state = 12345;
  for (int i = 0; i < 150; ++i) {
    std::string line;
    const int words = 1 + static_cast<int>(state % 12);
    for (int w = 0; w < words; ++w) {
      state = state * 1103515245u + 12345u;
      if (!line.empty() && (state >> 16) % 3 != 0) line += ' ';
      line += fragments[(state >> 8) % fragments.size()];
    }
    lines.push_back(line);
  }
  return lines;
}

std::vector<Json> Lines(const std::string& out) {
  std::vector<Json> v;
  for (const std::string& line : mhub::testing::NonEmptyLines(out)) v.push_back(Json::parse(line));
  return v;
}

// Byte offset of every code point index of `s` (index n -> s.size()).
std::vector<size_t> CharToByte(const std::string& s) {
  std::vector<size_t> map;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) map.push_back(i);
  }
  map.push_back(s.size());
  return map;
}

TEST(TokenizeBatchCliTest, BatchedThreadedByteOffsetsMatchDefault) {
  mhub::testing::TempDir dir;
  const std::vector<std::string> lines = TestLines();
  std::string input, requests;
  for (const auto& l : lines) {
    input += l + "\n";
    requests += mhub::DumpJson(Json{{"op", "encode"}, {"text", l}, {"add_special", true}}) + "\n";
  }
  mhub::testing::WriteFileOrDie(dir / "req.jsonl", requests);
  for (const char* name : {"llama3", "gpt2", "llama2"}) {
    std::string file = mhub::testing::NodeModulesDir() + "/@lenml/tokenizer-" + name + "/models/tokenizer.json";
    auto plain = RunCommand(ShellQuote(MhubBin()) + " tokenize --threads 1 --tokenizer " + ShellQuote(file), input);
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    auto batched = RunCommand(
        ShellQuote(MhubBin()) + " tokenize --batch 7 --threads 3 --byte-offsets --tokenizer " + ShellQuote(file),
        input);
    ASSERT_EQ(batched.exit_code, 0) << batched.err;
    auto hf = RunCommand("node " + ShellQuote(mhub::testing::SourceDir() + "/tests/clients/tokenizers_oracle.js") +
                         " run " + ShellQuote(file) + " < " + ShellQuote(dir / "req.jsonl"));
    ASSERT_EQ(hf.exit_code, 0) << hf.err;
    auto a = Lines(plain.out);
    auto b = Lines(batched.out);
    auto want = Lines(hf.out);
    ASSERT_EQ(a.size(), lines.size()) << name;
    ASSERT_EQ(b.size(), lines.size()) << name;
    ASSERT_EQ(want.size(), lines.size()) << name;
    for (size_t i = 0; i < lines.size(); ++i) {
      for (const char* field : {"ids", "tokens", "word_ids", "type_ids", "special_tokens_mask", "attention_mask"}) {
        EXPECT_EQ(b[i][field], a[i][field]) << name << " line " << i << " field " << field;
      }
      EXPECT_EQ(a[i]["offsets"], want[i]["encodings"][0]["offsets"]) << name << " line " << i;
      // HF's code point offsets, in bytes of this line's UTF-8.
      const std::vector<size_t> to_byte = CharToByte(lines[i]);
      const Json& char_offsets = want[i]["encodings"][0]["offsets"];
      ASSERT_EQ(b[i]["offsets"].size(), char_offsets.size()) << name << " line " << i;
      for (size_t t = 0; t < char_offsets.size(); ++t) {
        const size_t cs = char_offsets[t][0].get<size_t>();
        const size_t ce = char_offsets[t][1].get<size_t>();
        ASSERT_LE(cs, ce) << name << " line " << i;
        ASSERT_LT(ce, to_byte.size()) << name << " line " << i;
        const Json expected = Json::array({to_byte[cs], to_byte[ce]});
        EXPECT_EQ(b[i]["offsets"][t], expected) << name << " line " << i << " token " << t;
      }
    }
  }
}

}  // namespace
