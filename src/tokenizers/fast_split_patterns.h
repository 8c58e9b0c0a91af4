// Hand-written matchers for the split patterns nearly every BPE tokenizer uses. They return
// exactly the matches PCRE2 returns for the same pattern (checked by a differential test over
// real text), at a fraction of the cost.
#pragma once

#include <string_view>
#include <vector>

#include "tokenizers/normalized_string.h"

namespace mhub::tokenizers {

using FastSplitFn = void (*)(std::string_view, std::vector<MatchRange>&);

// The matcher for `pattern` (exact tokenizer.json spelling), or nullptr.
FastSplitFn FindFastSplitPattern(std::string_view pattern);

// The GPT-2 ByteLevel pattern: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
void FindGpt2Matches(std::string_view text, std::vector<MatchRange>& out);
extern const char kGpt2Pattern[];

}  // namespace mhub::tokenizers
