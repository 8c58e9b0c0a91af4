#include "models/train_params.h"

#include <algorithm>
#include <cstring>

namespace mhub::models {

Result<core::Tensor> TrainParamStore::Fetch(const std::string& name, bool in_base, const core::Shape& shape, Init init,
                                            bool optional) {
  MHUB_ASSIGN_OR_RETURN(core::Tensor t, inner_->Fetch(name, in_base, shape, init, optional));
  if (!t.defined()) return t;
  if (t.dtype() != core::DType::kF32) {
    MHUB_ASSIGN_OR_RETURN(t, t.To(core::DType::kF32));
  }
  auto value = std::make_shared<std::vector<float>>(static_cast<size_t>(t.numel()));
  std::memcpy(value->data(), t.raw_data(), value->size() * sizeof(float));
  core::Tensor view = core::Tensor::FromExternal(core::DType::kF32, shape, value->data(), value);
  Entry e;
  e.grad.assign(value->size(), 0.f);
  e.value = std::move(value);
  entries_.emplace(view.raw_data(), std::move(e));
  return view;
}

float* TrainParamStore::Grad(const core::Tensor& value) {
  auto it = entries_.find(value.raw_data());
  return it == entries_.end() ? nullptr : it->second.grad.data();
}

void TrainParamStore::ZeroGrad() {
  for (auto& [ptr, e] : entries_) std::fill(e.grad.begin(), e.grad.end(), 0.f);
}

std::vector<Parameter> TrainParamStore::Parameters(const ParamRegistry& registry) {
  std::vector<Parameter> out;
  for (const NamedParam& p : registry.params) {
    auto it = entries_.find(p.tensor.raw_data());
    if (it == entries_.end()) continue;
    Parameter param;
    param.name = p.name;
    param.shape = p.tensor.shape().ToVector();
    param.value = std::span<float>(it->second.value->data(), it->second.value->size());
    param.grad = std::span<float>(it->second.grad.data(), it->second.grad.size());
    out.push_back(std::move(param));
  }
  return out;
}

std::string ProblemType(const formats::ModelConfig& config, const TrainBatch& batch) {
  if (!config.problem_type.empty()) return config.problem_type;
  if (config.num_labels() == 1) return "regression";
  if (batch.labels.empty() && !batch.float_labels.empty()) return "multi_label_classification";
  return "single_label_classification";
}

}  // namespace mhub::models
