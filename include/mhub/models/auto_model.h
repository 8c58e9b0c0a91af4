// The Auto registry: picks the architecture from config.json ("architectures", then
// "model_type") and builds the requested head, like transformers' Auto classes.
//
//   MHUB_ASSIGN_OR_RETURN(auto model, AutoModelForSequenceClassification::FromPretrained(dir));
//   MHUB_ASSIGN_OR_RETURN(ModelOutputs out, model->Forward(inputs));
//
// `path_or_repo_id` is a local folder holding config.json and model.safetensors (or shards with
// model.safetensors.index.json). Anything else is treated as a hub repo id and resolved through
// mhub_hub when that library is linked in; otherwise Unsupported says so.
//
// Loading maps the safetensors files and views the weights in place: nothing is converted or
// copied at load (bf16 weights run bf16 matmuls; f16 weights are the exception: widened to f32
// at load). Linear layers prepare their oneDNN weight layout on first use, inside the first Forward.
// Unsupported architectures or dtypes fail with Unsupported naming what is missing and what is
// supported.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/models/model.h"

namespace mhub::models {

// Weight quantization at load (dynamic quantization, like torch.quantization.quantize_dynamic).
enum class Quantization {
  kNone,
  // Every linear layer (encoder/decoder blocks, poolers, task heads and the output projection over
  // the vocabulary, tied to the word embeddings or not) computes in int8: weights quantized once per
  // output row (scale = max|w| / 127), activations per row on every call (core::LinearOptions::compute
  // = I8). Embedding lookups, norms and attention stay float. Every CPU gives the same int32 sums
  // (AVX512_VNNI, AVX2 or scalar kernels).
  kInt8,
};

struct LoadOptions {
  std::string revision = "main";  // for repo ids
  Quantization quantize = Quantization::kNone;
};

// Loads the model at `path_or_repo_id` with the head `task`.
Result<std::unique_ptr<Model>> LoadModel(const std::string& path_or_repo_id, Task task,
                                         const LoadOptions& options = {});

// Builds a model from a config.json object with random weights: normal(0, initializer_range)
// for linear and embedding weights, zeros for biases, ones/zeros for norms (as transformers'
// _init_weights). Deterministic for a given seed.
Result<std::unique_ptr<Model>> ModelFromConfig(const Json& config, Task task, uint64_t seed = 0);

// The config.json of a folder or repo (with its "architectures" and "model_type").
Result<Json> LoadConfigJson(const std::string& path_or_repo_id, const LoadOptions& options = {});

// model_type values this build can run, e.g. {"bert", "distilbert", "gpt2", ...}.
std::vector<std::string> SupportedModelTypes();

// The head named by an architecture ("BertForMaskedLM" -> kMaskedLM, "LlamaForCausalLM" ->
// kCausalLM, "BertModel" -> kBase); InvalidArgument for a name without a known suffix.
Result<Task> TaskFromArchitecture(const std::string& architecture);

// transformers-style entry points.
struct AutoConfig {
  static Result<Json> FromPretrained(const std::string& path_or_repo_id, const std::string& revision = "main");
};

template <Task kTask>
struct AutoModelFor {
  static Result<std::unique_ptr<Model>> FromPretrained(const std::string& path_or_repo_id,
                                                       const std::string& revision = "main") {
    return LoadModel(path_or_repo_id, kTask, LoadOptions{revision});
  }
  static Result<std::unique_ptr<Model>> FromConfig(const Json& config, uint64_t seed = 0) {
    return ModelFromConfig(config, kTask, seed);
  }
};

using AutoModel = AutoModelFor<Task::kBase>;
using AutoModelForSequenceClassification = AutoModelFor<Task::kSequenceClassification>;
using AutoModelForTokenClassification = AutoModelFor<Task::kTokenClassification>;
using AutoModelForMaskedLM = AutoModelFor<Task::kMaskedLM>;
using AutoModelForQuestionAnswering = AutoModelFor<Task::kQuestionAnswering>;

// Causal LMs come back as CausalLM (NewCache, ForwardCausal).
struct AutoModelForCausalLM {
  static Result<std::unique_ptr<CausalLM>> FromPretrained(const std::string& path_or_repo_id,
                                                          const std::string& revision = "main");
  static Result<std::unique_ptr<CausalLM>> FromConfig(const Json& config, uint64_t seed = 0);
};

}  // namespace mhub::models
