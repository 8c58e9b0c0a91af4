// The state behind mhub::tokenizers::Tokenizer: the pipeline components and settings.
#pragma once

#include <memory>
#include <optional>

#include "mhub/tokenizers/decoder.h"
#include "mhub/tokenizers/tokenizer.h"
#include "tokenizers/added_vocabulary.h"
#include "tokenizers/models/model.h"
#include "tokenizers/normalizers/normalizer.h"
#include "tokenizers/pre_tokenizers/pre_tokenizer.h"
#include "tokenizers/processors/post_processor.h"

namespace mhub::tokenizers {

struct Tokenizer::Impl {
  std::unique_ptr<Normalizer> normalizer;
  std::unique_ptr<PreTokenizer> pre_tokenizer;
  std::unique_ptr<Model> model;
  std::unique_ptr<PostProcessor> post_processor;
  std::unique_ptr<Decoder> decoder;
  AddedVocabulary added;
  std::optional<TruncationParams> truncation;
  std::optional<PaddingParams> padding;
  bool encode_special_tokens = false;
  bool byte_level_input = false;  // the pre-tokenizer hands raw bytes to the model

  // One sequence (raw text, or one word of pre-tokenized input) up to the model's tokens.
  // With `max_tokens`, tokenization stops after the pre-token that reaches that many tokens,
  // working from the end for kLeft (HF 0.23's early exit under truncation; it decides which
  // overflowing windows exist).
  Result<Encoding> EncodeSequence(std::string_view text, uint32_t type_id, std::optional<uint32_t> word,
                                  OffsetType offset_type, std::optional<size_t> max_tokens = std::nullopt,
                                  Direction direction = Direction::kRight) const;
  // Steps 1-2 of EncodeSequence on valid UTF-8: added tokens, normalization, pre-tokenization
  // into `pt` (cleared first). ByteLevel pieces may stay deferred (pt.byte_level).
  Status NormalizeAndPreTokenize(std::string_view text, PreTokenized& pt) const;
  // Sequence(s) -> truncation, post-processing, padding (HF encode).
  Result<Encoding> EncodeFull(const std::vector<std::string_view>& first, bool first_pretokenized,
                              const std::vector<std::string_view>* second, bool add_special_tokens,
                              OffsetType offset_type, bool pad) const;
};

}  // namespace mhub::tokenizers
