// Post-processors: the `post_processor` section of tokenizer.json (HF processors/*):
// TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence.
// Immutable after construction; safe to share between threads.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/tokenizers/encoding.h"

namespace mhub::tokenizers {

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  static Result<std::unique_ptr<PostProcessor>> FromJson(const Json& j, std::string_view path);

  // Special tokens added for a single sequence / a pair (HF added_tokens).
  virtual size_t AddedTokens(bool is_pair) const = 0;
  // HF process_encodings: one encoding per sequence in, the pieces to merge out.
  virtual Status ProcessEncodings(std::vector<Encoding>& encodings, bool add_special_tokens) const = 0;
  virtual Json ToJson() const = 0;
};

// HF PostProcessor::process (sequence ids + type ids, process_encodings, merge) and the default
// used without a post-processor.
Result<Encoding> PostProcess(const PostProcessor* processor, Encoding first, Encoding* second, bool add_special_tokens);

// ByteLevel offset trimming (HF process_offsets) on char or byte offsets.
void TrimByteLevelOffsets(Encoding& e, bool add_prefix_space);

}  // namespace mhub::tokenizers
