// Regex: an Oniguruma-compatible pattern (as written in tokenizer.json) compiled with PCRE2 JIT in
// UTF + UCP mode. FindAll reproduces the Rust `onig` crate's find_iter: leftmost matches,
// alternation in order, non-overlapping, empty matches allowed but never twice at one position.
// The GPT-2, Llama-3 and Qwen split patterns are recognised and run by hand-written matchers
// (fast_split_patterns.h) that give the same matches.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/result.h"
#include "tokenizers/normalized_string.h"

namespace mhub::tokenizers {

class Regex {
 public:
  // `pattern` in Oniguruma syntax; `literal` escapes it first (the "String" form of HF patterns).
  static Result<std::shared_ptr<const Regex>> Compile(std::string_view pattern, bool literal = false,
                                                      bool allow_fast_path = true);
  ~Regex();

  // Appends the matches in `text` (valid UTF-8) as byte ranges. Fails only when PCRE2 gives up
  // (match or stack limit on pathological input).
  Status FindAll(std::string_view text, std::vector<MatchRange>& out) const;
  // The same, always through PCRE2 (for differential tests of the fast matchers).
  Status FindAllPcre2(std::string_view text, std::vector<MatchRange>& out) const;
  bool has_fast_path() const { return fast_ != nullptr; }

  const std::string& pattern() const { return pattern_; }

 private:
  Regex() = default;
  std::string pattern_;
  std::string literal_;   // non-empty: plain substring search
  void* code_ = nullptr;  // pcre2_code_8*
  using FastFind = void (*)(std::string_view, std::vector<MatchRange>&);
  FastFind fast_ = nullptr;
};

}  // namespace mhub::tokenizers
