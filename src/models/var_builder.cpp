#include "models/var_builder.h"

#include <utility>

#include "mhub/core/dtype.h"

namespace mhub::models {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Old TF-converted checkpoints name LayerNorm parameters gamma/beta.
std::string LegacyNormName(const std::string& name) {
  if (EndsWith(name, "LayerNorm.weight")) return name.substr(0, name.size() - 6) + "gamma";
  if (EndsWith(name, "LayerNorm.bias")) return name.substr(0, name.size() - 4) + "beta";
  return "";
}

}  // namespace

CheckpointSource::CheckpointSource(std::shared_ptr<const formats::ShardedCheckpoint> checkpoint,
                                   std::string base_prefix)
    : checkpoint_(std::move(checkpoint)), base_prefix_(std::move(base_prefix)) {}

const formats::TensorView* CheckpointSource::Lookup(const std::string& name, bool in_base) const {
  std::vector<std::string> candidates;
  if (in_base) {
    candidates = {base_prefix_ + name, name};
  } else {
    candidates = {name};
  }
  for (const std::string& c : candidates) {
    if (const formats::TensorView* t = checkpoint_->Find(c)) return t;
    std::string legacy = LegacyNormName(c);
    if (!legacy.empty()) {
      if (const formats::TensorView* t = checkpoint_->Find(legacy)) return t;
    }
  }
  return nullptr;
}

Result<core::Tensor> CheckpointSource::Fetch(const std::string& name, bool in_base, const core::Shape& shape,
                                             Init /*init*/, bool optional) {
  const formats::TensorView* view = Lookup(name, in_base);
  if (view == nullptr) {
    if (optional) return core::Tensor();
    return Status::NotFound("checkpoint has no tensor '" + (in_base ? base_prefix_ : std::string()) + name + "'" +
                            (in_base && !base_prefix_.empty() ? " (nor '" + name + "')" : ""));
  }
  if (view->shape != shape.ToVector()) {
    core::Shape got = core::Shape::FromVector(view->shape);
    return Status::InvalidArgument("tensor '" + view->name + "' has shape " + got.ToString() +
                                   " but the config implies " + shape.ToString());
  }
  if (view->dtype != formats::Dtype::kF32 && view->dtype != formats::Dtype::kBF16 &&
      view->dtype != formats::Dtype::kF16) {
    return Status::Unsupported("tensor '" + view->name + "' has dtype " + std::string(formats::DtypeName(view->dtype)) +
                               "; supported weight dtypes: F32, BF16, F16");
  }
  MHUB_ASSIGN_OR_RETURN(core::Tensor t, core::Tensor::FromSafetensors(*view, checkpoint_));
  if (t.dtype() == core::DType::kF16) return t.To(core::DType::kF32);
  return t;
}

RandomSource::RandomSource(uint64_t seed, float std, core::DType dtype) : rng_(seed), std_(std), dtype_(dtype) {}

Result<core::Tensor> RandomSource::Fetch(const std::string& /*name*/, bool /*in_base*/, const core::Shape& shape,
                                         Init init, bool /*optional*/) {
  std::vector<float> values(static_cast<size_t>(shape.numel()), init == Init::kOnes ? 1.0f : 0.0f);
  if (init == Init::kNormal) {
    std::normal_distribution<float> normal(0.0f, std_);
    for (float& v : values) v = normal(rng_);
  }
  core::Tensor t = core::Tensor::FromVector(values, shape);
  if (dtype_ == core::DType::kF32) return t;
  return t.To(dtype_);
}

VarBuilder::VarBuilder(std::shared_ptr<WeightSource> source, ParamRegistry* registry, std::string save_prefix)
    : source_(std::move(source)), registry_(registry), save_prefix_(std::move(save_prefix)) {}

VarBuilder VarBuilder::Pp(std::string_view part) const {
  VarBuilder sub = *this;
  sub.path_ += std::string(part) + ".";
  return sub;
}

VarBuilder VarBuilder::Head() const {
  VarBuilder sub = *this;
  sub.in_base_ = false;
  return sub;
}

Result<core::Tensor> VarBuilder::Fetch(std::string_view name, const core::Shape& shape, Init init,
                                       bool optional) const {
  std::string full = path_ + std::string(name);
  MHUB_ASSIGN_OR_RETURN(core::Tensor t, source_->Fetch(full, in_base_, shape, init, optional));
  if (t.defined() && t.numel() > 0) {
    registry_->params.push_back({(in_base_ ? save_prefix_ : std::string()) + full, t});
  }
  return t;
}

Result<core::Tensor> VarBuilder::Get(std::string_view name, const core::Shape& shape, Init init) const {
  return Fetch(name, shape, init, /*optional=*/false);
}

Result<core::Tensor> VarBuilder::GetOptional(std::string_view name, const core::Shape& shape, Init init) const {
  return Fetch(name, shape, init, /*optional=*/true);
}

}  // namespace mhub::models
