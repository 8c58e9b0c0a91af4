// LoadTrainable / NewTrainable: the trainable architectures by model_type, over the same config
// parsing, checkpoint lookup and random init as the Auto registry (auto_model.cpp).
#include <filesystem>

#include "mhub/formats/model_config.h"
#include "mhub/formats/safetensors.h"
#include "models/model_common.h"
#include "models/train_params.h"

#ifdef MHUB_MODELS_WITH_HUB
#include "mhub/hub/resolve.h"
#endif

namespace mhub::models {
namespace {

Result<std::unique_ptr<TrainableModel>> Build(const formats::ModelConfig& config, Task task,
                                              std::shared_ptr<WeightSource> source) {
  auto store = std::make_shared<TrainParamStore>(std::move(source));
  if (config.model_type == "bert") return BuildBertTrainable(config, task, std::move(store));
  if (config.model_type == "gpt2") return BuildGpt2Trainable(config, task, std::move(store));
  return Status::Unsupported("training model_type '" + config.model_type + "' is not supported; supported: bert, gpt2");
}

Result<std::string> ResolveFolder(const std::string& path_or_repo_id, const std::string& revision) {
  std::error_code ec;
  if (std::filesystem::is_directory(path_or_repo_id, ec)) return path_or_repo_id;
#ifdef MHUB_MODELS_WITH_HUB
  return hub::ResolveModelPath(path_or_repo_id, revision);
#else
  (void)revision;
  return Status::Unsupported("'" + path_or_repo_id +
                             "' is not a local folder, and this build resolves no hub repo ids (mhub_hub not linked)");
#endif
}

double InitializerRange(const formats::ModelConfig& c) {
  if (c.bert) return c.bert->initializer_range;
  if (c.gpt2) return c.gpt2->initializer_range;
  return 0.02;
}

}  // namespace

int64_t TrainableModel::CountItems(const TrainBatch& batch) const {
  int64_t n = 0;
  for (int64_t y : batch.labels) n += y != -100;
  return n;
}

Result<std::unique_ptr<TrainableModel>> LoadTrainable(const std::string& path_or_repo_id, Task task,
                                                      const std::string& revision) {
  MHUB_ASSIGN_OR_RETURN(std::string folder, ResolveFolder(path_or_repo_id, revision));
  const std::string context = "while loading the model in '" + folder + "' for training";
  Result<formats::ModelConfig> config = formats::LoadModelConfig(folder + "/config.json");
  if (!config.ok()) return config.status().WithContext(context);
  Result<std::shared_ptr<const formats::ShardedCheckpoint>> checkpoint = formats::ShardedCheckpoint::Open(folder);
  if (!checkpoint.ok()) return checkpoint.status().WithContext(context);
  // Weights the checkpoint lacks (a new head on a pretrained body) are initialised as
  // transformers' _init_weights does; everything else comes from the file.
  class CheckpointOrRandom : public WeightSource {
   public:
    CheckpointOrRandom(std::shared_ptr<WeightSource> file, std::shared_ptr<WeightSource> random)
        : file_(std::move(file)), random_(std::move(random)) {}
    Result<core::Tensor> Fetch(const std::string& name, bool in_base, const core::Shape& shape, Init init,
                               bool optional) override {
      Result<core::Tensor> t = file_->Fetch(name, in_base, shape, init, /*optional=*/true);
      if (!t.ok()) return t.status();
      if (t->defined()) return t;
      // the base model's own weights must be there; heads (and BERT's pooler) may be new
      if (in_base && name.rfind("pooler.", 0) != 0) return file_->Fetch(name, in_base, shape, init, optional);
      return random_->Fetch(name, in_base, shape, init, optional);
    }
    bool CreatesMissing() const override { return false; }

   private:
    std::shared_ptr<WeightSource> file_, random_;
  };
  auto file = std::make_shared<CheckpointSource>(*checkpoint, BasePrefix(config->model_type));
  auto random = std::make_shared<RandomSource>(0, static_cast<float>(InitializerRange(*config)), core::DType::kF32);
  Result<std::unique_ptr<TrainableModel>> model =
      Build(*config, task, std::make_shared<CheckpointOrRandom>(file, random));
  if (!model.ok()) return model.status().WithContext(context);
  return model;
}

Result<std::unique_ptr<TrainableModel>> NewTrainable(const Json& config_json, Task task, uint64_t seed) {
  MHUB_ASSIGN_OR_RETURN(formats::ModelConfig config, formats::ParseModelConfig(config_json));
  auto source = std::make_shared<RandomSource>(seed, static_cast<float>(InitializerRange(config)), core::DType::kF32);
  return Build(config, task, source);
}

}  // namespace mhub::models
