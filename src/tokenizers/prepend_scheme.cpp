// PrependScheme names as tokenizer.json writes them.
#include "tokenizers/prepend_scheme.h"

namespace mhub::tokenizers {

std::optional<PrependScheme> PrependSchemeFromName(std::string_view name) {
  if (name == "first") return PrependScheme::kFirst;
  if (name == "never") return PrependScheme::kNever;
  if (name == "always") return PrependScheme::kAlways;
  return std::nullopt;
}

const char* PrependSchemeName(PrependScheme scheme) {
  switch (scheme) {
    case PrependScheme::kFirst:
      return "first";
    case PrependScheme::kNever:
      return "never";
    case PrependScheme::kAlways:
      return "always";
  }
  return "always";
}

}  // namespace mhub::tokenizers
