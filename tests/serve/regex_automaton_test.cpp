// The grammar regex automaton against std::regex (ECMAScript, regex_match = whole-string match) on
// every string over a small alphabet up to length 5, for patterns covering each construct; and the
// prefix property constrained decoding relies on (a state is live iff some completion matches).
#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "serve/regex_automaton.h"

namespace mhub::serve {
namespace {

void AllStrings(const std::string& alphabet, size_t max_len, const std::function<void(const std::string&)>& fn) {
  std::vector<std::string> level = {""};
  fn("");
  for (size_t len = 1; len <= max_len; ++len) {
    std::vector<std::string> next;
    for (const auto& s : level)
      for (char c : alphabet) {
        next.push_back(s + c);
        fn(next.back());
      }
    level = std::move(next);
  }
}

TEST(RegexAutomaton, AgreesWithStdRegex) {
  const std::vector<std::string> patterns = {
      "ab",       "a|b",          "a*b",         "(ab)+",          "a?b?",        "[a-c]{2}",   "[^a]b",
      "a{1,3}",   "a{2,}b",       "(a|bc)*",     "\\d+",           "[0-9a]{0,2}", "(?:ab|a)c?", ".b",
      "\\w\\s?",  "a\\.b",        "(a(b|c))*d?", "[\\d.]+",        "b{0}a",       "(|a)b",      "a+?b",
      "[a\\-]c*", "(a|b|c){2,3}", "^ab$",        "[a-c]+\\d{1,2}", "\\D\\S",      "c(a*|b+)c"};
  const std::string alphabet = "abc1.- ";
  for (const std::string& p : patterns) {
    auto a = RegexAutomaton::Compile(p);
    ASSERT_TRUE(a.ok()) << p << ": " << a.status();
    const std::regex re(p, std::regex::ECMAScript);
    AllStrings(alphabet, 5, [&](const std::string& s) {
      const int st = a->Walk(a->start(), s);
      EXPECT_EQ(a->Accepts(st), std::regex_match(s, re)) << "pattern " << p << " on '" << s << "'";
    });
  }
}

// A live state can always be completed to a match (what masking needs: never a dead end).
TEST(RegexAutomaton, LiveStatesCanFinish) {
  auto a = RegexAutomaton::Compile("[a-c]{2}-\\d{2,3}(x|yz)?");
  ASSERT_TRUE(a.ok());
  const std::regex re("[a-c]{2}-\\d{2,3}(x|yz)?");
  AllStrings("ab-1xyz", 7, [&](const std::string& s) {
    const int st = a->Walk(a->start(), s);
    if (st == RegexAutomaton::kDead) return;
    bool found = a->Accepts(st);
    AllStrings("ab-1xyz", 6, [&](const std::string& tail) { found = found || std::regex_match(s + tail, re); });
    EXPECT_TRUE(found) << "live prefix '" << s << "' has no completion";
  });
}

TEST(RegexAutomaton, BadPatternsAreRefused) {
  for (const char* p : {"(ab", "ab)", "[ab", "a{2,1}", "*a", "a{99999}", "\\q", "a{", "[z-a]", "a{1000}{1000}"}) {
    auto a = RegexAutomaton::Compile(p);
    EXPECT_FALSE(a.ok()) << p;
    if (!a.ok()) {
      EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument) << p;
    }
  }
  EXPECT_FALSE(RegexAutomaton::Compile(std::string(5000, 'a')).ok());
}

}  // namespace
}  // namespace mhub::serve
