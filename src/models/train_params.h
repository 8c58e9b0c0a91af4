// What the trainable architectures (*_train.cpp) share: fp32 parameter storage with a gradient
// beside each tensor, filled through the same VarBuilder declarations as the inference models.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "mhub/formats/model_config.h"
#include "mhub/models/trainable.h"
#include "models/var_builder.h"

namespace mhub::models {

// Wraps a WeightSource (a checkpoint, or random init): every tensor it gives is copied to fp32
// storage owned here, and a zeroed gradient of the same size is kept beside it. The tensors the
// declarations hold (and the registry SavePretrained writes) are views of that storage, so the
// weights the optimizer updates are the weights that get saved.
class TrainParamStore : public WeightSource {
 public:
  explicit TrainParamStore(std::shared_ptr<WeightSource> inner) : inner_(std::move(inner)) {}
  Result<core::Tensor> Fetch(const std::string& name, bool in_base, const core::Shape& shape, Init init,
                             bool optional) override;
  bool CreatesMissing() const override { return inner_->CreatesMissing(); }

  // The gradient buffer of a tensor this store returned (same numel); null for any other tensor.
  float* Grad(const core::Tensor& value);
  void ZeroGrad();
  // Every registered parameter, by its registry name, in declaration order.
  std::vector<Parameter> Parameters(const ParamRegistry& registry);

 private:
  struct Entry {
    std::shared_ptr<std::vector<float>> value;
    std::vector<float> grad;
  };
  std::shared_ptr<WeightSource> inner_;
  std::map<const void*, Entry> entries_;
};

// fp32 pointers of a declared linear / norm and their gradients, for the explicit backward code.
struct LinearParams {
  const float* w = nullptr;
  const float* b = nullptr;
  float* dw = nullptr;
  float* db = nullptr;
};
struct NormParams {
  const float* w = nullptr;
  const float* b = nullptr;
  float* dw = nullptr;
  float* db = nullptr;
  float eps = 1e-5f;
};

// Sequence classification's problem type as transformers settles it (reference §5.1): the config's,
// else regression for one label, multi-label when only float labels come, single-label otherwise.
std::string ProblemType(const formats::ModelConfig& config, const TrainBatch& batch);

// Factories, one per trainable architecture (the source is already wrapped in a TrainParamStore).
Result<std::unique_ptr<TrainableModel>> BuildBertTrainable(const formats::ModelConfig& config, Task task,
                                                           std::shared_ptr<TrainParamStore> store);
Result<std::unique_ptr<TrainableModel>> BuildGpt2Trainable(const formats::ModelConfig& config, Task task,
                                                           std::shared_ptr<TrainParamStore> store);

}  // namespace mhub::models
