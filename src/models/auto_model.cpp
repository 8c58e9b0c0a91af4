// The Auto registry: model_type -> architecture factory, plus from_pretrained / from_config.
#include "mhub/models/auto_model.h"

#include <filesystem>
#include <string_view>

#include "mhub/formats/model_config.h"
#include "mhub/formats/safetensors.h"
#include "models/model_common.h"
#include "models/seq2seq_model.h"
#include "models/var_builder.h"

#ifdef MHUB_MODELS_WITH_HUB
#include "mhub/hub/resolve.h"
#endif

namespace mhub::models {
namespace {

struct Family {
  std::string_view model_type;
  BuildFn build;
};

constexpr Family kFamilies[] = {
    {"bert", BuildBert},
    {"roberta", BuildBert},
    {"xlm-roberta", BuildBert},
    {"distilbert", BuildDistilBert},
    {"gpt2", BuildGpt2},
    {"llama", BuildLlama},
    {"mistral", BuildLlama},
    {"qwen2", BuildLlama},
    // Encoder-decoder LMs (seq2seq.h): Task::kBase builds *ForConditionalGeneration.
    {"t5", BuildT5},
    {"bart", BuildBart},
    {"marian", BuildBart},
};

std::string SupportedList() {
  std::string s;
  for (const Family& f : kFamilies) s += (s.empty() ? "" : ", ") + std::string(f.model_type);
  return s;
}

Result<BuildFn> FindFamily(const formats::ModelConfig& config) {
  for (const Family& f : kFamilies) {
    if (f.model_type == config.model_type) return f.build;
  }
  const std::string arch = config.architectures.empty() ? "(none)" : config.architectures.front();
  return Status::Unsupported("architecture '" + arch + "' (model_type " +
                             (config.model_type.empty() ? std::string("missing") : config.model_type) +
                             ") is not supported; supported model types: " + SupportedList());
}

Result<std::string> ResolveFolder(const std::string& path_or_repo_id, const LoadOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(path_or_repo_id, ec)) return path_or_repo_id;
#ifdef MHUB_MODELS_WITH_HUB
  return hub::ResolveModelPath(path_or_repo_id, options.revision);
#else
  (void)options;
  return Status::Unsupported("'" + path_or_repo_id +
                             "' is not a local folder, and this build resolves no hub repo ids (mhub_hub not linked)");
#endif
}

Result<std::unique_ptr<Model>> Build(const formats::ModelConfig& config, Task task,
                                     std::shared_ptr<WeightSource> source, std::shared_ptr<const void> keepalive) {
  MHUB_ASSIGN_OR_RETURN(BuildFn build, FindFamily(config));
  BuildContext ctx;
  ctx.config = config;
  ctx.task = task;
  ctx.source = std::move(source);
  ctx.keepalive = std::move(keepalive);
  return build(ctx);
}

double InitializerRange(const formats::ModelConfig& c) {
  if (c.bert) return c.bert->initializer_range;
  if (c.distilbert) return c.distilbert->initializer_range;
  if (c.gpt2) return c.gpt2->initializer_range;
  if (c.llama) return c.llama->initializer_range;
  return 0.02;
}

Result<std::unique_ptr<CausalLM>> AsCausalLM(std::unique_ptr<Model> model) {
  auto* lm = dynamic_cast<CausalLM*>(model.get());
  if (lm == nullptr) return Status::Internal("a causal-lm head was built without the CausalLM interface");
  model.release();
  return std::unique_ptr<CausalLM>(lm);
}

}  // namespace

std::vector<std::string> SupportedModelTypes() {
  std::vector<std::string> types;
  for (const Family& f : kFamilies) types.emplace_back(f.model_type);
  return types;
}

Result<Task> TaskFromArchitecture(const std::string& architecture) {
  auto ends_with = [&](std::string_view suffix) {
    return architecture.size() >= suffix.size() &&
           std::string_view(architecture).substr(architecture.size() - suffix.size()) == suffix;
  };
  if (ends_with("ForSequenceClassification")) return Task::kSequenceClassification;
  if (ends_with("ForTokenClassification")) return Task::kTokenClassification;
  if (ends_with("ForMaskedLM")) return Task::kMaskedLM;
  if (ends_with("ForQuestionAnswering")) return Task::kQuestionAnswering;
  if (ends_with("ForCausalLM") || ends_with("LMHeadModel")) return Task::kCausalLM;
  if (ends_with("Model")) return Task::kBase;
  return Status::InvalidArgument("architecture '" + architecture + "' names no known head");
}

Result<Json> LoadConfigJson(const std::string& path_or_repo_id, const LoadOptions& options) {
  MHUB_ASSIGN_OR_RETURN(std::string folder, ResolveFolder(path_or_repo_id, options));
  return ReadJsonFile(folder + "/config.json");
}

Result<Json> AutoConfig::FromPretrained(const std::string& path_or_repo_id, const std::string& revision) {
  return LoadConfigJson(path_or_repo_id, LoadOptions{revision});
}

Result<std::unique_ptr<Model>> LoadModel(const std::string& path_or_repo_id, Task task, const LoadOptions& options) {
  MHUB_ASSIGN_OR_RETURN(std::string folder, ResolveFolder(path_or_repo_id, options));
  const std::string context = "while loading the model in '" + folder + "'";
  Result<formats::ModelConfig> config = formats::LoadModelConfig(folder + "/config.json");
  if (!config.ok()) return config.status().WithContext(context);
  // Check the architecture before touching weights, so an unsupported model fails fast and clearly.
  Result<BuildFn> family = FindFamily(*config);
  if (!family.ok()) return family.status();
  Result<std::shared_ptr<const formats::ShardedCheckpoint>> checkpoint = formats::ShardedCheckpoint::Open(folder);
  if (!checkpoint.ok()) return checkpoint.status().WithContext(context);
  auto source = std::make_shared<CheckpointSource>(*checkpoint, BasePrefix(config->model_type));
  source->set_quantize_int8(options.quantize == Quantization::kInt8);
  Result<std::unique_ptr<Model>> model = Build(*config, task, source, *checkpoint);
  if (!model.ok()) return model.status().WithContext(context);
  return model;
}

Result<std::unique_ptr<Model>> ModelFromConfig(const Json& config_json, Task task, uint64_t seed) {
  MHUB_ASSIGN_OR_RETURN(formats::ModelConfig config, formats::ParseModelConfig(config_json));
  core::DType dtype = core::DType::kF32;
  if (config.torch_dtype == "bfloat16") {
    dtype = core::DType::kBF16;
  } else if (!config.torch_dtype.empty() && config.torch_dtype != "float32" && config.torch_dtype != "auto") {
    return Status::Unsupported("FromConfig with torch_dtype '" + config.torch_dtype +
                               "' is not supported; supported: float32, bfloat16");
  }
  auto source = std::make_shared<RandomSource>(seed, static_cast<float>(InitializerRange(config)), dtype);
  return Build(config, task, source, nullptr);
}

Result<std::unique_ptr<CausalLM>> AutoModelForCausalLM::FromPretrained(const std::string& path_or_repo_id,
                                                                       const std::string& revision) {
  MHUB_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, LoadModel(path_or_repo_id, Task::kCausalLM, {revision}));
  return AsCausalLM(std::move(model));
}

Result<std::unique_ptr<CausalLM>> AutoModelForCausalLM::FromConfig(const Json& config, uint64_t seed) {
  MHUB_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, ModelFromConfig(config, Task::kCausalLM, seed));
  return AsCausalLM(std::move(model));
}

}  // namespace mhub::models
