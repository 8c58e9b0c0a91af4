// What every architecture shares: the class name of a head ("BertForMaskedLM"), the ModelInfo
// filled from the config, SavePretrained over the recorded parameters, and the factory signature
// the Auto registry calls.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/formats/model_config.h"
#include "mhub/models/model.h"
#include "models/var_builder.h"

namespace mhub::models {

// transformers' class name for `task` of a family whose classes start with `stem` ("Bert",
// "GPT2", "Llama"): "<stem>Model", "<stem>ForMaskedLM", ...; GPT-2's causal LM is
// "GPT2LMHeadModel".
std::string ArchitectureName(const std::string& stem, Task task);

// ModelInfo from the typed config (model_type, sizes, labels, special ids).
ModelInfo MakeModelInfo(const formats::ModelConfig& config, const std::string& architecture, Task task);

// config.json (with "architectures" = [architecture] and torch_dtype from the weights) and the
// safetensors file(s) of `params` into `dir`.
Status SaveModel(const formats::ModelConfig& config, const std::string& architecture, const ParamRegistry& params,
                 const std::string& dir, int64_t max_shard_size);

std::vector<std::string> ParamNames(const ParamRegistry& params);
// "F32", "BF16" or "F16": the dtype of the stored weights (the first non-F32 one, else F32).
std::string WeightDtypeName(const ParamRegistry& params);

// Input to an architecture factory: the config, the head, where weights come from.
struct BuildContext {
  formats::ModelConfig config;
  Task task = Task::kBase;
  std::shared_ptr<WeightSource> source;
  std::shared_ptr<const void> keepalive;  // the checkpoint, when loading
};

using BuildFn = Result<std::unique_ptr<Model>> (*)(const BuildContext& context);

// One per architecture file.
Result<std::unique_ptr<Model>> BuildBert(const BuildContext& context);        // bert, roberta, xlm-roberta
Result<std::unique_ptr<Model>> BuildDistilBert(const BuildContext& context);  // distilbert
Result<std::unique_ptr<Model>> BuildGpt2(const BuildContext& context);        // gpt2
Result<std::unique_ptr<Model>> BuildLlama(const BuildContext& context);       // llama, mistral, qwen2

// The prefix `BertFor*`-style classes put before base-model names ("bert.", "transformer.", ...).
std::string BasePrefix(const std::string& model_type);

// Unsupported "<architecture> (model_type <t>) has no <task> head; supported: ...".
Status UnsupportedTask(const std::string& model_type, Task task, const std::vector<Task>& supported);

}  // namespace mhub::models
