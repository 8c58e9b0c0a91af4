// The request parsers of `mhub serve` (src/serve/request_parsing.h) on arbitrary bytes: the body
// parser, then every route's parser on what it accepts. Properties: no crash or exception, and an
// accepted request is within the limits the parsers promise (stop count, max tokens, batch size).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "serve/request_parsing.h"

namespace {

void CheckGeneration(const mhub::Result<mhub::serve::GenerationRequest>& r) {
  if (!r.ok()) {
    if (r.status().code() != mhub::StatusCode::kInvalidArgument) std::abort();
    return;
  }
  if (r->stop.size() > static_cast<size_t>(mhub::serve::kMaxStopSequences)) std::abort();
  if (r->max_new_tokens && *r->max_new_tokens <= 0) std::abort();
  if (r->top_logprobs < 0 || r->top_logprobs > mhub::serve::kMaxTopLogprobs) std::abort();
  if (r->sampling.temperature <= 0 || r->sampling.top_p <= 0 || r->sampling.top_p > 1) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto body = mhub::serve::ParseRequestBody(text);
  if (!body.ok()) return 0;
  if (!body->is_object()) std::abort();
  CheckGeneration(mhub::serve::ParseTgiGenerate(*body));
  CheckGeneration(mhub::serve::ParseOpenAiCompletion(*body));
  CheckGeneration(mhub::serve::ParseOpenAiChat(*body));
  for (auto r : {mhub::serve::ParseTeiInputs(*body, 4), mhub::serve::ParseOpenAiEmbeddings(*body, 4)}) {
    if (r.ok() && (r->inputs.empty() || r->inputs.size() > 4)) std::abort();
  }
  return 0;
}
