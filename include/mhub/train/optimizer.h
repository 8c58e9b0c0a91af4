// Optimizers with torch's exact update (training.md §3.1-3.2) over a TrainableModel's parameters,
// the Trainer's weight-decay groups (§2.6) and clip_grad_norm_ (§2.3).
//
// State is saved as safetensors (optimizer.safetensors in a checkpoint; transformers writes a
// pickled optimizer.pt, which mhub never reads nor writes): "<param>.exp_avg", "<param>.exp_avg_sq"
// (AdamW) or "<param>.momentum_buffer" (SGD with momentum), the step count in __metadata__.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/models/trainable.h"

namespace mhub::train {

struct OptimizerOptions {
  std::string kind = "adamw";  // "adamw" (adamw_torch, adamw_torch_fused) | "sgd"
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0.0;               // applied to the decay group only
  double momentum = 0.0, dampening = 0.0;  // SGD; the Trainer's "sgd" uses momentum 0
  bool nesterov = false;
};

// True when transformers puts `name` in the no-decay group: its lower-cased dotted name matches
// bias, layernorm, rmsnorm, (^|\.)norm($|\.) or _norm($|\.) (v5 get_decay_parameter_names), or it is
// a GPT-2 LayerNorm (ln_1, ln_2, ln_f: excluded by module type in transformers).
bool IsNoDecayParameter(const std::string& name);

class Optimizer {
 public:
  // `params` must stay valid (the model owns the storage) for the optimizer's life.
  static Result<std::unique_ptr<Optimizer>> Create(const OptimizerOptions& options,
                                                   std::vector<models::Parameter> params);
  virtual ~Optimizer() = default;

  // One update of every parameter from its grad at learning rate `lr` (both groups share it).
  virtual void Step(double lr) = 0;
  virtual int64_t steps() const = 0;

  virtual Status Save(const std::string& path) const = 0;
  // Corruption when a tensor is missing or mis-shaped (a checkpoint of another model).
  virtual Status Load(const std::string& path) = 0;
};

// torch.nn.utils.clip_grad_norm_(params, max_norm): returns the total L2 norm before clipping and
// scales every grad by min(1, max_norm / (total + 1e-6)). max_norm <= 0 only measures.
double ClipGradNorm(std::span<const models::Parameter> params, double max_norm);

}  // namespace mhub::train
