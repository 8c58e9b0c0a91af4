// Task pipelines, as transformers' pipeline(task, model) and the HF Inference API:
// a request {"inputs": ..., "parameters": {...}} in, the task's response JSON out.
//
//   MHUB_ASSIGN_OR_RETURN(auto pipe, Pipeline::Create("text-classification", "/models/sst2"));
//   MHUB_ASSIGN_OR_RETURN(Json out, pipe->Run(Json{{"inputs", "I love it"}}));
//   // out == [[{"label": "POSITIVE", "score": 0.99}, ...]]
//
// Tasks: feature-extraction, sentence-similarity, text-classification (alias sentiment-analysis),
// token-classification (alias ner), fill-mask, question-answering, zero-shot-classification,
// text-generation. `model` is a local folder (config.json, model.safetensors, tokenizer.json) or
// a hub repo id. A Pipeline is not thread-safe; make one per thread or serialise Run calls.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::pipelines {

struct PipelineOptions {
  std::string revision = "main";
  // Parameters merged under each request's own "parameters" (the request wins), e.g. from CLI flags.
  Json default_parameters = Json::object();
  // Rows per forward pass when a request holds a list of inputs (encoder tasks).
  int batch_size = 8;
  // Int8 linear layers (models::Quantization::kInt8).
  bool quantize_int8 = false;
};

// Called by text-generation for each new piece of text (TGI stream semantics); return false to stop.
using TokenStreamFn = std::function<bool(int32_t token, std::string_view text)>;

class Pipeline {
 public:
  virtual ~Pipeline() = default;

  // Loads the model (with the head the task needs) and its tokenizer.
  static Result<std::unique_ptr<Pipeline>> Create(std::string_view task, const std::string& model,
                                                  const PipelineOptions& options = {});
  // Canonical task names this build answers.
  static std::vector<std::string> SupportedTasks();
  // InvalidArgument when `parameters` (a request's "parameters" object) names a parameter `task`
  // does not take or gives one a wrong type or an out-of-range value. Run checks every request.
  static Status CheckParameters(std::string_view task, const Json& parameters);

  // One request in the HF Inference API shape; the response in that task's shape.
  // InvalidArgument for a malformed request (missing inputs, wrong parameter types, ...).
  virtual Result<Json> Run(const Json& request) = 0;
  // Same as Run; text-generation also calls `stream` for each new token.
  virtual Result<Json> RunStreaming(const Json& request, const TokenStreamFn& stream) { return Run(request); }

  const std::string& task() const { return task_; }

 protected:
  std::string task_;
};

}  // namespace mhub::pipelines
