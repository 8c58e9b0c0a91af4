// Parsers of untrusted request bodies into validated requests (fuzz/serve_request_fuzzer.cpp).
// They never throw; a malformed or out-of-range field is InvalidArgument naming the field, with
// TGI's wording where TGI has one ("`temperature` must be strictly positive").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/pipelines/logits_processing.h"

namespace mhub::serve {

// A body that must be one JSON object (InvalidArgument otherwise: malformed JSON, an array, ...).
Result<Json> ParseRequestBody(std::string_view body);

// A generation request from any route, validated. The prompt is `prompt`, or `messages` (a chat)
// rendered with the model's chat template.
struct GenerationRequest {
  std::string prompt;
  Json messages;                      // chat messages (null for a plain prompt)
  std::optional<int> max_new_tokens;  // unset: up to the model's limit
  pipelines::SamplingParams sampling;
  std::optional<uint64_t> seed;
  std::vector<std::string> stop;
  bool stream = false;
  bool details = false;                  // TGI: details in the answer
  std::optional<bool> return_full_text;  // TGI / Inference API: prompt + generated text (unset: the route's default)
  bool logprobs = false;                 // OpenAI: per-token log probabilities
  int top_logprobs = 0;
  bool include_usage = false;  // OpenAI stream_options.include_usage
  bool echo = false;           // OpenAI completions: the prompt before the text
  std::string grammar_regex;   // TGI grammar {"type": "regex"}: the output must match it whole ("" = none)
};

constexpr int kMaxStopSequences = 4;  // TGI's default max_stop_sequences
constexpr int kMaxTopLogprobs = 20;

// TGI / Inference API: {"inputs": str, "parameters": {...}, "stream": bool}.
Result<GenerationRequest> ParseTgiGenerate(const Json& body);
// OpenAI legacy completions: {"prompt": str|[str] (one), "max_tokens", "temperature", ...}; the
// TGI parameters @huggingface/inference flattens into it (do_sample, top_k, ...) are read too.
Result<GenerationRequest> ParseOpenAiCompletion(const Json& body);
// OpenAI chat: {"messages": [{"role", "content": str | [{"type": "text", "text"}]}], ...}.
Result<GenerationRequest> ParseOpenAiChat(const Json& body);

// Texts to embed or classify: TEI /embed, /predict, the Inference API's feature-extraction and
// OpenAI /v1/embeddings.
struct TextBatchRequest {
  std::vector<std::string> inputs;
  bool batch = false;  // the client sent a list (answers are then lists too)
  bool normalize = true;
  bool truncate = false;
  bool raw_scores = false;
  bool base64 = false;  // OpenAI encoding_format "base64"
};
// TEI: {"inputs": str | [str], "normalize", "truncate", "truncation_direction"}.
Result<TextBatchRequest> ParseTeiInputs(const Json& body, size_t max_batch);
// OpenAI: {"input": str | [str], "model", "encoding_format", "dimensions" (unsupported), "user"}.
Result<TextBatchRequest> ParseOpenAiEmbeddings(const Json& body, size_t max_batch);

}  // namespace mhub::serve
