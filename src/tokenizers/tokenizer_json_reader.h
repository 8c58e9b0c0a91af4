// Reads tokenizer.json fast: simdjson parses the document, the model's vocab/merges go straight
// into ModelTables (the bulk of a 9 MB file) and everything else becomes a small nlohmann Json
// that the component loaders read. Malformed JSON gets nlohmann's line/column message.
#pragma once

#include <string_view>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "tokenizers/models/model.h"

namespace mhub::tokenizers {

struct TokenizerJsonParts {
  Json rest;           // the document with model.vocab and model.merges removed
  ModelTables tables;  // model.vocab and model.merges
};

Result<TokenizerJsonParts> ReadTokenizerJson(std::string_view text);

}  // namespace mhub::tokenizers
