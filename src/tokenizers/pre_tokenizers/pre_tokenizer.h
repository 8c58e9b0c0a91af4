// Pre-tokenizers: the `pre_tokenizer` section of tokenizer.json (HF pre_tokenizers/*.rs). Each
// splits (and for ByteLevel/Metaspace rewrites) the non-added pieces of a PreTokenized.
// Immutable after construction (apart from the one-time DeferByteLevelMapping set-up at load);
// safe to share between threads.
#pragma once

#include <memory>
#include <string_view>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "tokenizers/normalized_string.h"

namespace mhub::tokenizers {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  static Result<std::unique_ptr<PreTokenizer>> FromJson(const Json& j, std::string_view path);

  virtual Status PreTokenize(PreTokenized& pt) const = 0;
  virtual Json ToJson() const = 0;

  // When the last step is a ByteLevel pre-tokenizer, the byte -> char mapping can be left to a
  // model that reads raw bytes (PreTokenized::byte_level). Returns whether it was deferred.
  virtual bool DeferByteLevelMapping() { return false; }
};

// Factory for the ByteLevel pre-tokenizer (byte_level_pre_tokenizer.cpp).
Result<std::unique_ptr<PreTokenizer>> MakeByteLevelPreTokenizer(const Json& j, std::string_view path);

}  // namespace mhub::tokenizers
