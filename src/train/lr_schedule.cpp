// LR schedules: the formulas of transformers' optimization.py (get_*_schedule_with_warmup) and
// torch's ReduceLROnPlateau (training.md §3.3).
#include "mhub/train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace mhub::train {
namespace {

constexpr double kPi = 3.14159265358979323846;

double Num(const Json& kw, const char* key, double fallback) {
  auto it = kw.find(key);
  return (it != kw.end() && it->is_number()) ? it->get<double>() : fallback;
}

double Warmup(int64_t s, int64_t w) { return double(s) / double(std::max<int64_t>(1, w)); }

// Validated lambda parameters.
struct Lambda {
  ScheduleOptions o;
  double min_lr_rate = 0;  // cosine_with_min_lr / cosine_warmup_with_min_lr / wsd min_lr_ratio

  double operator()(int64_t s) const {
    const int64_t W = o.num_warmup_steps, T = o.num_training_steps;
    const double p = double(s - W) / double(std::max<int64_t>(1, T - W));
    const std::string& t = o.type;
    if (t == "constant") return 1.0;
    if (t == "constant_with_warmup") return s < W ? Warmup(s, W) : 1.0;
    if (t == "linear") return s < W ? Warmup(s, W) : std::max(0.0, double(T - s) / double(std::max<int64_t>(1, T - W)));
    if (t == "cosine") {
      if (s < W) return Warmup(s, W);
      const double c = Num(o.kwargs, "num_cycles", 0.5);
      return std::max(0.0, 0.5 * (1.0 + std::cos(kPi * c * 2.0 * p)));
    }
    if (t == "cosine_with_restarts") {
      if (s < W) return Warmup(s, W);
      if (p >= 1.0) return 0.0;
      const double c = Num(o.kwargs, "num_cycles", 1.0);
      return std::max(0.0, 0.5 * (1.0 + std::cos(kPi * std::fmod(c * p, 1.0))));
    }
    if (t == "polynomial") {
      const double lr_end = Num(o.kwargs, "lr_end", 1e-7), power = Num(o.kwargs, "power", 1.0);
      const double lr_init = o.base_lr;
      if (s < W) return Warmup(s, W);
      if (s > T) return lr_end / lr_init;
      const double range = lr_init - lr_end;
      const double remaining = 1.0 - double(s - W) / double(T - W);
      return (range * std::pow(remaining, power) + lr_end) / lr_init;
    }
    if (t == "inverse_sqrt") {
      double timescale = Num(o.kwargs, "timescale", W > 0 ? double(W) : 10000.0);
      if (s < W) return Warmup(s, W);
      const double shift = timescale - double(W);
      return 1.0 / std::sqrt((double(s) + shift) / timescale);
    }
    if (t == "cosine_with_min_lr") {
      if (s < W) return Warmup(s, W);
      const double c = Num(o.kwargs, "num_cycles", 0.5);
      const double f = 0.5 * (1.0 + std::cos(kPi * c * 2.0 * p));
      return std::max(0.0, f * (1.0 - min_lr_rate) + min_lr_rate);
    }
    if (t == "cosine_warmup_with_min_lr") {
      const double warmup_lr_rate = Num(o.kwargs, "warmup_lr_rate", -1);
      if (s < W) {
        if (warmup_lr_rate >= 0)
          return warmup_lr_rate + (1.0 - warmup_lr_rate) * double(s) / double(std::max<int64_t>(1, W - 1));
        return double(s + 1) / double(std::max<int64_t>(1, W));
      }
      const double c = Num(o.kwargs, "num_cycles", 0.5);
      const double q = double(s - W + 1) / double(std::max<int64_t>(1, T - W));
      const double f = 0.5 * (1.0 + std::cos(kPi * c * 2.0 * q));
      return std::max(0.0, f * (1.0 - min_lr_rate) + min_lr_rate);
    }
    if (t == "warmup_stable_decay") {
      const int64_t D = int64_t(Num(o.kwargs, "num_decay_steps", 0));
      const int64_t S = int64_t(Num(o.kwargs, "num_stable_steps", double(T - W - D)));
      const double c = Num(o.kwargs, "num_cycles", 0.5);
      const double r = min_lr_rate;
      const std::string wt = o.kwargs.value("warmup_type", std::string("linear"));
      const std::string dt = o.kwargs.value("decay_type", std::string("cosine"));
      if (s < W) {
        const double q = double(s) / double(std::max<int64_t>(1, W));
        double f = q;
        if (wt == "cosine") f = 0.5 * (1.0 - std::cos(kPi * q));
        if (wt == "1-sqrt") f = 1.0 - std::sqrt(1.0 - q);
        return f * (1.0 - r) + r;
      }
      if (s < W + S) return 1.0;
      if (s < W + S + D) {
        const double q = double(s - W - S) / double(std::max<int64_t>(1, D));
        double f = 0;
        if (dt == "linear") f = 1.0 - q;
        if (dt == "cosine") f = 0.5 * (1.0 + std::cos(kPi * c * 2.0 * q));
        if (dt == "1-sqrt") f = 1.0 - std::sqrt(q);
        return f * (1.0 - r) + r;
      }
      return r;
    }
    return 1.0;
  }
};

Result<Lambda> MakeLambda(const ScheduleOptions& o) {
  Lambda l{o};
  const std::string& t = o.type;
  static const char* kTypes[] = {"linear",
                                 "cosine",
                                 "cosine_with_restarts",
                                 "polynomial",
                                 "constant",
                                 "constant_with_warmup",
                                 "inverse_sqrt",
                                 "cosine_with_min_lr",
                                 "cosine_warmup_with_min_lr",
                                 "warmup_stable_decay"};
  if (std::find(std::begin(kTypes), std::end(kTypes), t) == std::end(kTypes))
    return Status::InvalidArgument("unknown lr_scheduler_type '" + t + "'");
  if (o.num_warmup_steps < 0) return Status::InvalidArgument("num_warmup_steps must be >= 0");
  if (t == "polynomial" && !(o.base_lr > Num(o.kwargs, "lr_end", 1e-7)))
    return Status::InvalidArgument("polynomial schedule: lr_end (" + std::to_string(Num(o.kwargs, "lr_end", 1e-7)) +
                                   ") must be smaller than initial lr (" + std::to_string(o.base_lr) + ")");
  if (t == "cosine_with_min_lr" || t == "cosine_warmup_with_min_lr") {
    const bool has_min = o.kwargs.contains("min_lr"), has_rate = o.kwargs.contains("min_lr_rate");
    if (has_min == has_rate)
      return Status::InvalidArgument(t + ": lr_scheduler_kwargs needs exactly one of min_lr and min_lr_rate");
    l.min_lr_rate = has_min ? Num(o.kwargs, "min_lr", 0) / o.base_lr : Num(o.kwargs, "min_lr_rate", 0);
  }
  if (t == "warmup_stable_decay") {
    if (!o.kwargs.contains("num_decay_steps"))
      return Status::InvalidArgument("warmup_stable_decay: lr_scheduler_kwargs needs num_decay_steps");
    l.min_lr_rate = Num(o.kwargs, "min_lr_ratio", 0);
  }
  return l;
}

class LambdaScheduler final : public LrScheduler {
 public:
  explicit LambdaScheduler(Lambda l) : l_(std::move(l)) {}
  double lr() const override { return l_.o.base_lr * l_(step_); }
  void Step() override { ++step_; }
  Json State() const override { return {{"type", l_.o.type}, {"last_epoch", step_}, {"base_lr", l_.o.base_lr}}; }
  Status LoadState(const Json& s) override {
    if (!s.is_object() || !s.contains("last_epoch") || !s["last_epoch"].is_number_integer())
      return Status::Corruption("scheduler state: missing integer last_epoch");
    if (s.value("type", std::string()) != l_.o.type)
      return Status::InvalidArgument("scheduler state is for '" + s.value("type", std::string()) + "', not '" +
                                     l_.o.type + "'");
    step_ = s["last_epoch"].get<int64_t>();
    return Status::OK();
  }

 private:
  Lambda l_;
  int64_t step_ = 0;
};

// torch.optim.lr_scheduler.ReduceLROnPlateau with transformers' defaults; stepped per evaluation.
class PlateauScheduler final : public LrScheduler {
 public:
  explicit PlateauScheduler(const ScheduleOptions& o) : lr_(o.base_lr) {
    const Json& k = o.kwargs;
    mode_min_ = k.value("mode", std::string("min")) != "max";
    factor_ = Num(k, "factor", 0.1);
    patience_ = int64_t(Num(k, "patience", 10));
    threshold_ = Num(k, "threshold", 1e-4);
    rel_ = k.value("threshold_mode", std::string("rel")) == "rel";
    cooldown_ = int64_t(Num(k, "cooldown", 0));
    min_lr_ = Num(k, "min_lr", 0);
    eps_ = Num(k, "eps", 1e-8);
    best_ = mode_min_ ? INFINITY : -INFINITY;
  }
  double lr() const override { return lr_; }
  void Step() override {}
  void StepMetric(double current) override {
    if (Better(current)) {
      best_ = current;
      bad_ = 0;
    } else {
      ++bad_;
    }
    if (cooldown_counter_ > 0) {
      --cooldown_counter_;
      bad_ = 0;
    }
    if (bad_ > patience_) {
      const double new_lr = std::max(lr_ * factor_, min_lr_);
      if (lr_ - new_lr > eps_) lr_ = new_lr;
      cooldown_counter_ = cooldown_;
      bad_ = 0;
    }
  }
  Json State() const override {
    return {{"type", "reduce_lr_on_plateau"},
            {"lr", lr_},
            {"best", best_},
            {"num_bad_epochs", bad_},
            {"cooldown_counter", cooldown_counter_}};
  }
  Status LoadState(const Json& s) override {
    if (!s.is_object() || s.value("type", std::string()) != "reduce_lr_on_plateau" || !s.contains("lr") ||
        !s.contains("best"))
      return Status::Corruption("scheduler state: not a reduce_lr_on_plateau state");
    lr_ = s["lr"].get<double>();
    best_ = s["best"].is_number() ? s["best"].get<double>() : (mode_min_ ? INFINITY : -INFINITY);
    bad_ = s.value("num_bad_epochs", int64_t(0));
    cooldown_counter_ = s.value("cooldown_counter", int64_t(0));
    return Status::OK();
  }

 private:
  bool Better(double a) const {
    if (mode_min_) return rel_ ? a < best_ * (1.0 - threshold_) : a < best_ - threshold_;
    return rel_ ? a > best_ * (threshold_ + 1.0) : a > best_ + threshold_;
  }
  double lr_;
  bool mode_min_ = true, rel_ = true;
  double factor_, threshold_, min_lr_, eps_, best_;
  int64_t patience_, cooldown_, bad_ = 0, cooldown_counter_ = 0;
};

}  // namespace

Result<std::unique_ptr<LrScheduler>> LrScheduler::Create(const ScheduleOptions& options) {
  if (options.type == "reduce_lr_on_plateau") return std::unique_ptr<LrScheduler>(new PlateauScheduler(options));
  MHUB_ASSIGN_OR_RETURN(Lambda l, MakeLambda(options));
  return std::unique_ptr<LrScheduler>(new LambdaScheduler(std::move(l)));
}

Result<double> ScheduleLambda(const ScheduleOptions& options, int64_t step) {
  MHUB_ASSIGN_OR_RETURN(Lambda l, MakeLambda(options));
  return l(step);
}

}  // namespace mhub::train
