// LoraModel: adapters over a TrainableModel by projecting the base's full weight gradient.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>

#include "mhub/base/env.h"
#include "mhub/formats/safetensors.h"
#include "mhub/train/lora.h"

namespace mhub::train {
namespace fs = std::filesystem;

namespace {

bool ModuleMatches(const std::string& path, const std::string& target) {
  return path == target || (path.size() > target.size() && path.ends_with("." + target));
}

bool IsEmbedding(const std::string& name) {
  return name.find("embeddings") != std::string::npos || name.ends_with("wte.weight") || name.ends_with("wpe.weight");
}

}  // namespace

struct LoraModel::Impl {
  models::TrainableModel* base = nullptr;
  LoraConfig config;
  double s = 1;
  struct Target {
    std::string path;          // module path, e.g. bert.encoder.layer.0.attention.self.query
    models::Parameter weight;  // the base's W (value rewritten each Step) and its dL/dW
    int64_t out = 0, in = 0;
    bool transposed = false;              // Conv1D: W stored (in, out)
    std::vector<float> w0, a, b, ga, gb;  // W0 (as stored), A (r,in), B (out,r), grads
  };
  std::vector<Target> targets;
  std::vector<models::Parameter> saved;  // modules_to_save: the base's own parameters

  // W = W0 + s * B A (transposed for Conv1D).
  void WriteWeights() {
    const int64_t r = config.r;
    for (auto& t : targets) {
      float* w = t.weight.value.data();
      for (int64_t o = 0; o < t.out; ++o)
        for (int64_t i = 0; i < t.in; ++i) {
          float d = 0;
          for (int64_t k = 0; k < r; ++k) d += t.b[o * r + k] * t.a[k * t.in + i];
          const int64_t idx = t.transposed ? i * t.out + o : o * t.in + i;
          w[idx] = t.w0[idx] + float(s) * d;
        }
    }
  }
  // dA += s B^T dW, dB += s dW A^T.
  void Project() {
    const int64_t r = config.r;
    const float sf = float(s);
    for (auto& t : targets) {
      const float* g = t.weight.grad.data();
      auto dw = [&](int64_t o, int64_t i) { return t.transposed ? g[i * t.out + o] : g[o * t.in + i]; };
      for (int64_t o = 0; o < t.out; ++o)
        for (int64_t i = 0; i < t.in; ++i) {
          const float d = sf * dw(o, i);
          if (d == 0.f) continue;
          for (int64_t k = 0; k < r; ++k) {
            t.ga[k * t.in + i] += t.b[o * r + k] * d;
            t.gb[o * r + k] += d * t.a[k * t.in + i];
          }
        }
    }
  }
};

LoraModel::LoraModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LoraModel::~LoraModel() = default;

Result<std::unique_ptr<LoraModel>> LoraModel::Create(models::TrainableModel* base, LoraConfig config, uint64_t seed) {
  if (base == nullptr) return Status::InvalidArgument("LoRA: no base model");
  if (config.r <= 0) return Status::InvalidArgument("LoRA: r must be > 0, not " + std::to_string(config.r));
  if (config.lora_dropout != 0)
    return Status::InvalidArgument(
        "LoRA: lora_dropout > 0 is not supported (mhub trains adapters by projecting the full weight gradient, "
        "exact only without dropout on the adapter input); use lora_dropout 0");
  if (config.bias != "none") return Status::Unsupported("LoRA: bias '" + config.bias + "' (only \"none\")");
  if (config.target_modules.empty()) return Status::InvalidArgument("LoRA: target_modules is empty");
  const auto& info = base->info();
  if (info.model_type == "gpt2") config.fan_in_fan_out = true;  // Conv1D, as PEFT sets it (with a warning)
  if (config.task_type.empty()) config.task_type = PeftTaskType(base->task());
  if (config.modules_to_save.empty()) {
    if (config.task_type == "SEQ_CLS" || config.task_type == "TOKEN_CLS")
      config.modules_to_save = {"classifier", "score"};
    if (config.task_type == "QUESTION_ANS") config.modules_to_save = {"qa_outputs"};
  }
  auto impl = std::make_unique<Impl>();
  impl->base = base;
  impl->config = config;
  impl->s = config.scaling();
  std::mt19937_64 rng(seed);
  std::vector<bool> matched(config.target_modules.size(), false);
  for (const auto& p : base->Parameters()) {
    const std::string module = p.name.substr(0, p.name.rfind('.'));
    bool to_save = false;
    for (const auto& m : config.modules_to_save) to_save = to_save || ModuleMatches(module, m);
    if (to_save) {
      models::Parameter q = p;
      q.name = "base_model.model." + p.name;
      impl->saved.push_back(q);
      continue;
    }
    if (!p.name.ends_with(".weight") || p.shape.size() != 2) continue;
    for (size_t k = 0; k < config.target_modules.size(); ++k) {
      if (!ModuleMatches(module, config.target_modules[k])) continue;
      matched[k] = true;
      if (IsEmbedding(p.name))
        return Status::Unsupported("LoRA: target '" + config.target_modules[k] + "' matches the embedding " + p.name +
                                   "; adapters go on linear layers only");
      Impl::Target t;
      t.path = module;
      t.weight = p;
      t.transposed = config.fan_in_fan_out;
      t.out = t.transposed ? p.shape[1] : p.shape[0];
      t.in = t.transposed ? p.shape[0] : p.shape[1];
      t.w0.assign(p.value.begin(), p.value.end());
      const int64_t r = config.r;
      t.a.resize(size_t(r * t.in));
      t.b.assign(size_t(t.out * r), 0.f);
      // kaiming_uniform_(a=sqrt(5)) of an (fan_out, fan_in) weight: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
      std::uniform_real_distribution<float> ua(-1.f / std::sqrt(float(t.in)), 1.f / std::sqrt(float(t.in)));
      for (auto& x : t.a) x = ua(rng);
      if (!config.init_lora_weights) {
        std::uniform_real_distribution<float> ub(-1.f / std::sqrt(float(r)), 1.f / std::sqrt(float(r)));
        for (auto& x : t.b) x = ub(rng);
      }
      t.ga.assign(t.a.size(), 0.f);
      t.gb.assign(t.b.size(), 0.f);
      impl->targets.push_back(std::move(t));
      break;
    }
  }
  for (size_t k = 0; k < matched.size(); ++k)
    if (!matched[k])
      return Status::NotFound("LoRA: target module '" + config.target_modules[k] + "' matches no linear layer of the " +
                              info.model_type + " model");
  impl->WriteWeights();
  return std::unique_ptr<LoraModel>(new LoraModel(std::move(impl)));
}

Result<std::unique_ptr<LoraModel>> LoraModel::Load(models::TrainableModel* base, const std::string& dir) {
  MHUB_ASSIGN_OR_RETURN(std::string text, ReadFile(dir + "/adapter_config.json"));
  MHUB_ASSIGN_OR_RETURN(Json j, ParseJson(text, dir + "/adapter_config.json"));
  MHUB_ASSIGN_OR_RETURN(LoraConfig cfg, LoraConfigFromJson(j));
  MHUB_ASSIGN_OR_RETURN(auto model, Create(base, cfg));
  MHUB_ASSIGN_OR_RETURN(auto file, formats::SafetensorsFile::Open(dir + "/adapter_model.safetensors"));
  for (auto& p : model->Parameters()) {
    const formats::TensorView* t = file->Find(p.name);
    if (t == nullptr) return Status::Corruption(dir + "/adapter_model.safetensors has no tensor '" + p.name + "'");
    if (t->dtype != formats::Dtype::kF32 || t->numel() != int64_t(p.value.size()))
      return Status::Corruption(dir + "/adapter_model.safetensors: '" + p.name + "' is not f32 of shape " +
                                std::to_string(p.shape[0]) + "x" + std::to_string(p.shape.size() > 1 ? p.shape[1] : 1));
    std::memcpy(p.value.data(), t->data, t->nbytes);
  }
  model->impl_->WriteWeights();
  return model;
}

const models::ModelInfo& LoraModel::info() const { return impl_->base->info(); }
models::Task LoraModel::task() const { return impl_->base->task(); }
bool LoraModel::accepts_loss_kwargs() const { return impl_->base->accepts_loss_kwargs(); }
int64_t LoraModel::CountItems(const models::TrainBatch& batch) const { return impl_->base->CountItems(batch); }
const LoraConfig& LoraModel::config() const { return impl_->config; }

std::vector<models::Parameter> LoraModel::Parameters() {
  std::vector<models::Parameter> out;
  const int64_t r = impl_->config.r;
  for (auto& t : impl_->targets) {
    out.push_back({"base_model.model." + t.path + ".lora_A.weight", {r, t.in}, t.a, t.ga});
    out.push_back({"base_model.model." + t.path + ".lora_B.weight", {t.out, r}, t.b, t.gb});
  }
  for (const auto& p : impl_->saved) out.push_back(p);
  return out;
}

void LoraModel::ZeroGrad() {
  for (auto& t : impl_->targets) {
    std::fill(t.ga.begin(), t.ga.end(), 0.f);
    std::fill(t.gb.begin(), t.gb.end(), 0.f);
  }
  impl_->base->ZeroGrad();
}

Result<models::StepResult> LoraModel::Step(const models::TrainBatch& batch, const models::StepOptions& options) {
  // A and B may have moved since the last step (optimizer, checkpoint load).
  impl_->WriteWeights();
  // dL/dW of this micro-batch alone: the accumulated part was projected by the steps before.
  if (options.backward)
    for (auto& t : impl_->targets) std::fill(t.weight.grad.begin(), t.weight.grad.end(), 0.f);
  MHUB_ASSIGN_OR_RETURN(models::StepResult r, impl_->base->Step(batch, options));
  if (options.backward) impl_->Project();
  return r;
}

Status LoraModel::SavePretrained(const std::string& dir) const {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("creating " + dir + ": " + ec.message());
  MHUB_RETURN_IF_ERROR(
      WriteFileAtomic(dir + "/adapter_config.json", DumpJson(LoraConfigToJson(impl_->config), 2) + "\n"));
  std::vector<formats::TensorView> views;
  for (auto& p : const_cast<LoraModel*>(this)->Parameters()) {
    formats::TensorView v;
    v.name = p.name;
    v.dtype = formats::Dtype::kF32;
    v.shape = p.shape;
    v.data = reinterpret_cast<const uint8_t*>(p.value.data());
    v.nbytes = p.value.size() * sizeof(float);
    views.push_back(std::move(v));
  }
  return formats::WriteSafetensors(dir + "/adapter_model.safetensors", views);
}

Status LoraModel::SaveMerged(const std::string& dir) {
  impl_->WriteWeights();
  for (auto& t : impl_->targets) t.w0.assign(t.weight.value.begin(), t.weight.value.end());
  for (auto& t : impl_->targets) std::fill(t.b.begin(), t.b.end(), 0.f);  // merged: the adapter is now a no-op
  return impl_->base->SavePretrained(dir);
}

}  // namespace mhub::train
