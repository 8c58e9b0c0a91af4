// What every task pipeline holds: the resolved model folder, its tokenizer, the model with the
// task's head, and the folder's tokenizer_config.json / generation_config.json; plus the request
// helpers the tasks share.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/formats/generation_config.h"
#include "mhub/models/model.h"
#include "mhub/pipelines/pipeline.h"
#include "mhub/tokenizers/tokenizer.h"
#include "mhub/tokenizers/tokenizer_config.h"

namespace mhub::pipelines {

struct PipelineContext {
  std::string folder;
  std::unique_ptr<tokenizers::Tokenizer> tokenizer;
  std::unique_ptr<models::Model> model;          // a models::CausalLM for text-generation
  tokenizers::TokenizerConfig tokenizer_config;  // defaults when the folder has none
  formats::GenerationConfig generation;
  PipelineOptions options;
};

// Resolves `model` (folder or repo id), loads tokenizer.json and the model with `head`.
Result<PipelineContext> LoadPipelineContext(const std::string& model, models::Task head,
                                            const PipelineOptions& options);

// The request's "parameters" over the pipeline defaults (the request wins).
Result<Json> MergedParameters(const Json& request, const PipelineOptions& options);
// "inputs" as a list of strings: a string gives one; a list of strings gives them all.
Result<std::vector<std::string>> StringInputs(const Json& request, bool* was_list);

// Typed optional parameters; InvalidArgument naming the parameter on a wrong type.
Result<std::optional<int64_t>> OptInt(const Json& params, const char* name);
Result<std::optional<double>> OptNumber(const Json& params, const char* name);
Result<std::optional<bool>> OptBool(const Json& params, const char* name);
Result<std::optional<std::string>> OptString(const Json& params, const char* name);

// Encodes texts (or pairs when `second` is given) with truncation to the model's positions,
// pads them to the longest and fills ModelInputs. `encodings` receives the encodings.
Result<models::ModelInputs> EncodeForModel(const PipelineContext& ctx, const std::vector<std::string>& first,
                                           const std::vector<std::string>* second,
                                           std::vector<tokenizers::Encoding>* encodings);

// Pads encodings to the longest with the model's pad id and fills ModelInputs.
models::ModelInputs BatchInputs(const PipelineContext& ctx, const std::vector<const tokenizers::Encoding*>& encodings);

// The model's usable sequence length for inputs (positions table, capped by model_max_length).
size_t ModelMaxLength(const PipelineContext& ctx);

// Decodes ids of one row to text (skipping special tokens).
std::string DecodeIds(const PipelineContext& ctx, const std::vector<uint32_t>& ids, bool skip_special = true);

}  // namespace mhub::pipelines
