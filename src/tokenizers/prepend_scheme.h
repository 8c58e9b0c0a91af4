// PrependScheme: when Metaspace (the pre-tokenizer and the decoder) puts its replacement char in
// front of a word, under the names tokenizer.json's "prepend_scheme" uses (HF metaspace.rs).
#pragma once

#include <optional>
#include <string_view>

namespace mhub::tokenizers {

enum class PrependScheme { kFirst, kNever, kAlways };

// The scheme named "first", "never" or "always"; nullopt for any other name (callers word the error).
std::optional<PrependScheme> PrependSchemeFromName(std::string_view name);
// The tokenizer.json name of `scheme`.
const char* PrependSchemeName(PrependScheme scheme);

}  // namespace mhub::tokenizers
