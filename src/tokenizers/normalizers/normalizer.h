// Normalizers: the `normalizer` section of tokenizer.json (HF normalizers/*.rs). Each rewrites a
// NormalizedString in place and keeps its alignments exact (normalized_string.h).
// Immutable after construction; safe to share between threads.
#pragma once

#include <memory>
#include <string_view>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "tokenizers/normalized_string.h"

namespace mhub::tokenizers {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  // Dispatches on "type" (legacy files without "type" are matched by their fields, as HF does).
  // Errors name `path` ("normalizer.normalizers[1].pattern: ...").
  static Result<std::unique_ptr<Normalizer>> FromJson(const Json& j, std::string_view path);

  virtual Status Normalize(NormalizedString& s) const = 0;
  virtual Json ToJson() const = 0;
};

// Unicode normalization forms with alignment tracking (also used by BertNormalizer).
enum class UnicodeForm { kNFC, kNFD, kNFKC, kNFKD };
void NormalizeUnicode(NormalizedString& s, UnicodeForm form);
// Rust char::to_lowercase over every char.
void LowercaseString(NormalizedString& s);
// Removes every char for which `drop` is true.
template <typename Pred>
void FilterString(NormalizedString& s, Pred drop) {
  {  // Nothing to drop: leave the string alone (the common case).
    std::string_view t = s.text;
    bool any = false;
    for (size_t i = 0; i < t.size() && !any;) any = drop(unicode::NextChar(t, i));
    if (!any) return;
  }
  NormalizedRewrite rewrite(s, s.text.size());
  Rewriter& rw = rewrite.rw();
  std::string_view t = s.text;
  size_t i = 0;
  while (i < t.size()) {
    size_t start = i;
    char32_t c = unicode::NextChar(t, i);
    if (drop(c)) {
      rw.Skip(i - start);
    } else {
      rw.Copy(i - start);
    }
  }
  rewrite.Finish();
}

}  // namespace mhub::tokenizers

namespace mhub::tokenizers {
// Factories for the normalizers that live in their own files.
Result<std::unique_ptr<Normalizer>> MakeBertNormalizer(const Json& j, std::string_view path);
Result<std::unique_ptr<Normalizer>> MakePrecompiledNormalizer(const Json& j, std::string_view path);
// "pattern": {"String": s} or {"Regex": r} -> compiled regex (HF ReplacePattern / SplitPattern).
class Regex;
Result<std::shared_ptr<const Regex>> ParsePatternJson(const Json& j, std::string_view path, bool allow_fast_path);
}  // namespace mhub::tokenizers
