// torch 1.13 _single_tensor_adamw / _single_tensor_sgd, element by element in f32 with the scalars
// computed in double as Python does, then rounded to f32 where torch's CPU kernels round them.
#include "mhub/train/optimizer.h"

#include <cmath>
#include <regex>

#include "mhub/formats/safetensors.h"

namespace mhub::train {
namespace {

struct Slot {
  models::Parameter p;
  bool decay = true;
  std::vector<float> a, b;  // AdamW exp_avg, exp_avg_sq; SGD momentum_buffer in a
};

class TorchOptimizer final : public Optimizer {
 public:
  TorchOptimizer(OptimizerOptions o, std::vector<models::Parameter> params) : o_(std::move(o)) {
    for (auto& p : params) {
      Slot s;
      s.decay = !IsNoDecayParameter(p.name);
      s.p = std::move(p);
      slots_.push_back(std::move(s));
    }
  }

  void Step(double lr) override {
    ++step_;
    if (o_.kind == "sgd") return StepSgd(lr);
    const double bc1 = 1.0 - std::pow(o_.beta1, double(step_));
    const double bc2_sqrt = std::sqrt(1.0 - std::pow(o_.beta2, double(step_)));
    const float step_size = float(lr / bc1);
    const float b1 = float(o_.beta1), one_b1 = float(1.0 - o_.beta1);
    const float b2 = float(o_.beta2), one_b2 = float(1.0 - o_.beta2);
    const float c2 = float(bc2_sqrt), eps = float(o_.eps);
    for (auto& s : slots_) {
      const size_t n = s.p.value.size();
      if (s.a.empty()) s.a.assign(n, 0.f), s.b.assign(n, 0.f);
      const float decay = float(1.0 - lr * (s.decay ? o_.weight_decay : 0.0));
      float* w = s.p.value.data();
      const float* g = s.p.grad.data();
      for (size_t i = 0; i < n; ++i) {
        // torch's kernels: add_ with alpha is one fused multiply-add (vec::fmadd); addcmul is
        // self + (value * t1) * t2; addcdiv is self + value * (t1 / t2).
        if (decay != 1.f) w[i] *= decay;                   // param.mul_(1 - lr*wd)
        s.a[i] = std::fma(g[i], one_b1, s.a[i] * b1);      // exp_avg.mul_(b1).add_(g, alpha=1-b1)
        s.b[i] = s.b[i] * b2 + (one_b2 * g[i]) * g[i];     // exp_avg_sq.mul_(b2).addcmul_(g, g, 1-b2)
        const float denom = std::sqrt(s.b[i]) / c2 + eps;  // (sqrt(v)/sqrt(bc2)).add_(eps)
        w[i] = w[i] + -step_size * (s.a[i] / denom);       // param.addcdiv_(m, denom, value=-step_size)
      }
    }
  }
  int64_t steps() const override { return step_; }

  Status Save(const std::string& path) const override {
    std::vector<formats::TensorView> views;
    for (const auto& s : slots_) {
      auto add = [&](const std::string& suffix, const std::vector<float>& v) {
        if (v.empty()) return;
        formats::TensorView t;
        t.name = s.p.name + suffix;
        t.dtype = formats::Dtype::kF32;
        t.shape = s.p.shape;
        t.data = reinterpret_cast<const uint8_t*>(v.data());
        t.nbytes = v.size() * sizeof(float);
        views.push_back(std::move(t));
      };
      add(o_.kind == "sgd" ? ".momentum_buffer" : ".exp_avg", s.a);
      if (o_.kind != "sgd") add(".exp_avg_sq", s.b);
    }
    return formats::WriteSafetensors(path, views, {{"step", std::to_string(step_)}, {"optimizer", o_.kind}});
  }

  Status Load(const std::string& path) override {
    MHUB_ASSIGN_OR_RETURN(auto file, formats::SafetensorsFile::Open(path));
    auto it = file->metadata().find("step");
    if (it == file->metadata().end()) return Status::Corruption(path + ": optimizer state without a step count");
    auto kind = file->metadata().find("optimizer");
    if (kind == file->metadata().end() || kind->second != o_.kind)
      return Status::InvalidArgument(path + ": optimizer state is not for " + o_.kind);
    const int64_t step = std::stoll(it->second);
    std::vector<std::pair<std::vector<float>, std::vector<float>>> loaded;
    for (const auto& s : slots_) {
      auto read = [&](const std::string& suffix, std::vector<float>& out) -> Status {
        const auto* t = file->Find(s.p.name + suffix);
        if (t == nullptr) {
          if (step == 0 || (o_.kind == "sgd" && o_.momentum == 0)) return Status::OK();
          return Status::Corruption(path + ": no optimizer state '" + s.p.name + suffix + "'");
        }
        if (t->dtype != formats::Dtype::kF32 || t->shape != s.p.shape)
          return Status::Corruption(path + ": optimizer state '" + t->name + "' does not match the parameter's shape");
        out.assign(reinterpret_cast<const float*>(t->data), reinterpret_cast<const float*>(t->data) + t->numel());
        return Status::OK();
      };
      std::pair<std::vector<float>, std::vector<float>> ab;
      MHUB_RETURN_IF_ERROR(read(o_.kind == "sgd" ? ".momentum_buffer" : ".exp_avg", ab.first));
      if (o_.kind != "sgd") MHUB_RETURN_IF_ERROR(read(".exp_avg_sq", ab.second));
      loaded.push_back(std::move(ab));
    }
    for (size_t i = 0; i < slots_.size(); ++i) {
      slots_[i].a = std::move(loaded[i].first);
      slots_[i].b = std::move(loaded[i].second);
    }
    step_ = step;
    return Status::OK();
  }

 private:
  void StepSgd(double lr) {
    const float neg_lr = float(-lr), mu = float(o_.momentum), damp = float(1.0 - o_.dampening);
    for (auto& s : slots_) {
      const size_t n = s.p.value.size();
      const float wd = float(s.decay ? o_.weight_decay : 0.0);
      float* w = s.p.value.data();
      const float* g = s.p.grad.data();
      const bool first = s.a.empty();
      if (o_.momentum != 0 && first) s.a.assign(n, 0.f);
      for (size_t i = 0; i < n; ++i) {
        float d = wd != 0.f ? std::fma(w[i], wd, g[i]) : g[i];  // d_p = d_p.add(param, alpha=wd)
        if (o_.momentum != 0) {
          s.a[i] = first ? d : std::fma(d, damp, s.a[i] * mu);  // buf.mul_(mu).add_(d_p, alpha=1-damp)
          d = o_.nesterov ? std::fma(s.a[i], mu, d) : s.a[i];   // d_p.add(buf, alpha=mu) | buf
        }
        w[i] = std::fma(d, neg_lr, w[i]);  // param.add_(d_p, alpha=-lr)
      }
    }
  }

  OptimizerOptions o_;
  std::vector<Slot> slots_;
  int64_t step_ = 0;
};

}  // namespace

bool IsNoDecayParameter(const std::string& name) {
  // The v5 name patterns, plus GPT-2's LayerNorm modules ln_1 / ln_2 / ln_f, which transformers
  // finds by module type (nn.LayerNorm) rather than by name.
  static const std::regex kNoDecay("bias|layernorm|rmsnorm|(^|\\.)norm($|\\.)|_norm($|\\.)|(^|\\.)ln_[0-9a-z]+\\.");
  std::string lower = name;
  for (auto& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  return std::regex_search(lower, kNoDecay);
}

Result<std::unique_ptr<Optimizer>> Optimizer::Create(const OptimizerOptions& options,
                                                     std::vector<models::Parameter> params) {
  if (options.kind != "adamw" && options.kind != "sgd")
    return Status::InvalidArgument("unknown optimizer '" + options.kind + "' (adamw or sgd)");
  for (const auto& p : params)
    if (p.value.size() != p.grad.size())
      return Status::InvalidArgument("parameter '" + p.name + "': value and grad sizes differ");
  return std::unique_ptr<Optimizer>(new TorchOptimizer(options, std::move(params)));
}

double ClipGradNorm(std::span<const models::Parameter> params, double max_norm) {
  // total = ||(||g_1||, ..., ||g_n||)||: per-tensor norms first, as torch does (f32 per tensor).
  double total_sq = 0;
  for (const auto& p : params) {
    double sq = 0;
    for (float g : p.grad) sq += double(g) * double(g);
    const float norm = float(std::sqrt(sq));
    total_sq += double(norm) * double(norm);
  }
  const float total = float(std::sqrt(total_sq));
  if (max_norm > 0) {
    const float coef = float(max_norm) / (total + 1e-6f);
    if (coef < 1.f)
      for (const auto& p : params)
        for (float& g : p.grad) g *= coef;
  }
  return total;
}

}  // namespace mhub::train
