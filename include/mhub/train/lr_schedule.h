// Learning-rate schedules of transformers' optimization.py (training.md §3.3): every one but
// reduce_lr_on_plateau is a LambdaLR multiplier of the base lr. As torch's LambdaLR, construction
// puts the lr at base*lambda(0) and each Step() moves to the next step, so optimizer update k
// (1-based) uses lambda(k-1): with warmup the first update has lr 0.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::train {

struct ScheduleOptions {
  std::string type = "linear";
  Json kwargs = Json::object();  // lr_scheduler_kwargs: num_cycles, power, lr_end, min_lr, timescale, ...
  int64_t num_warmup_steps = 0;
  int64_t num_training_steps = 0;
  double base_lr = 5e-5;
};

class LrScheduler {
 public:
  // InvalidArgument for an unknown type or kwargs the schedule refuses (cosine_with_min_lr without
  // exactly one of min_lr/min_lr_rate, polynomial with lr_end >= lr, wsd without num_decay_steps).
  static Result<std::unique_ptr<LrScheduler>> Create(const ScheduleOptions& options);
  virtual ~LrScheduler() = default;

  // The lr the next optimizer update uses.
  virtual double lr() const = 0;
  // After an update (LambdaLR.step()). Plateau schedules ignore it.
  virtual void Step() = 0;
  // After an evaluation, with eval_<metric_for_best_model> (ReduceLROnPlateau.step(metric)); others ignore it.
  virtual void StepMetric(double metric) {}
  // State for scheduler.json in a checkpoint, and back.
  virtual Json State() const = 0;
  virtual Status LoadState(const Json& state) = 0;
};

// The multiplier lambda(step) of a LambdaLR schedule (not plateau). For tests and plots.
Result<double> ScheduleLambda(const ScheduleOptions& options, int64_t step);

}  // namespace mhub::train
