// The Trainer loop, step for step as transformers' _inner_training_loop (training.md §2).
#include "mhub/train/trainer.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "checkpoint_io.h"
#include "eval_gather.h"
#include "mhub/base/env.h"
#include "mhub/train/data_parallel.h"
#include "mhub/train/lr_schedule.h"
#include "mhub/train/model_card.h"
#include "mhub/train/optimizer.h"
#include "mhub/train/training_curve.h"
#include "trainer_impl.h"

namespace mhub::train {
namespace fs = std::filesystem;
using internal::WriteJsonFile;

namespace {

double Round(double x, int digits) {
  const double f = std::pow(10.0, digits);
  return std::round(x * f) / f;
}

// Seeds a micro-batch's dropout masks from (seed, micro-batch index): resumable and reproducible.
uint64_t MixSeed(uint64_t seed, uint64_t index) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + index + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A tqdm-like line over max_steps on a TTY stderr only (logs and tests never see it).
class StepBar {
 public:
  explicit StepBar(int64_t total, bool disabled)
      : total_(total), on_(!disabled && isatty(2) && !getenv("MHUB_NO_PROGRESS")) {}
  void Update(int64_t step) {
    if (!on_) return;
    const int width = 30;
    const int filled = total_ > 0 ? int(width * step / total_) : 0;
    std::fprintf(stderr, "\r%3d%%|%s%s| %lld/%lld", total_ ? int(100 * step / total_) : 0,
                 std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(), (long long)step,
                 (long long)total_);
    std::fflush(stderr);
  }
  void Print(const std::string& line) {
    if (!on_) return;
    std::fprintf(stderr, "\r%s\n", line.c_str());
  }
  void Finish() {
    if (on_) std::fprintf(stderr, "\n");
    on_ = false;
  }

 private:
  int64_t total_;
  bool on_;
};

}  // namespace

Trainer::Trainer(models::TrainableModel* model, TrainingArguments args, std::vector<Feature> train_dataset,
                 std::vector<Feature> eval_dataset, std::unique_ptr<DataCollator> collator,
                 ComputeMetrics compute_metrics, EarlyStoppingOptions early_stopping)
    : impl_(std::make_unique<Impl>()), args_(std::move(args)) {
  impl_->model = model;
  impl_->train = std::move(train_dataset);
  impl_->eval = std::move(eval_dataset);
  impl_->collator = std::move(collator);
  impl_->compute_metrics = std::move(compute_metrics);
  impl_->early = early_stopping;
}

Trainer::~Trainer() = default;

void Trainer::set_hub_pusher(std::unique_ptr<HubPusher> pusher) { impl_->pusher = std::move(pusher); }
void Trainer::set_card_info(Json info) { impl_->card_info = std::move(info); }
void Trainer::set_data_parallel(DataParallel* dp) { impl_->dp = dp; }
bool Trainer::is_world_process_zero() const { return impl_->dp == nullptr || impl_->dp->rank() == 0; }
void Trainer::set_preprocess_logits_for_metrics(PreprocessLogits fn) { impl_->preprocess_logits = std::move(fn); }
const Json& Trainer::log_history() const { return impl_->log_history; }

Json Trainer::StateJson() const {
  const Impl& s = *impl_;
  Json control = {{"args", Json::object()},
                  {"attributes",
                   {{"should_epoch_stop", false},
                    {"should_evaluate", false},
                    {"should_log", false},
                    {"should_save", true},
                    {"should_training_stop", s.should_stop || s.global_step >= s.max_steps}}}};
  Json callbacks = {{"TrainerControl", control}};
  if (s.early.patience > 0)
    callbacks["EarlyStoppingCallback"] = {
        {"args", {{"early_stopping_patience", s.early.patience}, {"early_stopping_threshold", s.early.threshold}}},
        {"attributes", {{"early_stopping_patience_counter", s.early_counter}}}};
  return {{"best_global_step", s.best_global_step ? Json(*s.best_global_step) : Json(nullptr)},
          {"best_metric", s.best_metric ? Json(*s.best_metric) : Json(nullptr)},
          {"best_model_checkpoint", s.best_model_checkpoint.empty() ? Json(nullptr) : Json(s.best_model_checkpoint)},
          {"epoch", s.epoch},
          {"eval_steps", s.eval_steps},
          {"global_step", s.global_step},
          {"is_hyper_param_search", false},
          {"is_local_process_zero", true},
          {"is_world_process_zero", true},
          {"log_history", s.log_history},
          {"logging_steps", s.logging_steps},
          {"max_steps", s.max_steps},
          {"num_input_tokens_seen", 0},
          {"num_train_epochs", s.num_train_epochs},
          {"save_steps", s.save_steps},
          {"stateful_callbacks", callbacks},
          {"total_flos", s.total_flos},
          {"train_batch_size", args_.per_device_train_batch_size},
          {"trial_name", nullptr},
          {"trial_params", nullptr}};
}

Result<std::string> GetLastCheckpoint(const std::string& output_dir) {
  auto all = internal::SortedCheckpoints(output_dir);
  if (all.empty()) return Status::NotFound("no valid checkpoint found in output directory (" + output_dir + ")");
  return all.back();
}

Result<std::map<std::string, double>> Trainer::Evaluate(const std::string& prefix) {
  Impl& s = *impl_;
  if (s.eval.empty()) return Status::InvalidArgument("Trainer: evaluation requires an eval_dataset (it is empty)");
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t bs = args_.per_device_eval_batch_size;
  double weighted = 0;
  int64_t rows = 0, batches = 0;
  internal::EvalGatherer gathered;
  const bool want_outputs = bool(s.compute_metrics);
  for (size_t i = 0; i < s.eval.size(); i += size_t(bs)) {
    const size_t n = std::min(s.eval.size() - i, size_t(bs));
    MHUB_ASSIGN_OR_RETURN(models::TrainBatch batch,
                          s.collator->Collate(std::span<const Feature>(s.eval.data() + i, n)));
    models::StepOptions so;
    so.backward = false;
    so.training = false;
    so.keep_outputs = want_outputs;
    so.bf16 = args_.bf16;
    MHUB_ASSIGN_OR_RETURN(models::StepResult r, s.model->Step(batch, so));
    const double mean = r.num_items > 0 ? r.loss_sum / double(r.num_items) : 0.0;
    weighted += mean * double(n);
    rows += int64_t(n);
    ++batches;
    if (want_outputs) {
      if (s.preprocess_logits) {
        MHUB_ASSIGN_OR_RETURN(r.outputs, s.preprocess_logits(std::move(r.outputs), batch));
      }
      std::vector<int64_t> label_shape = {batch.batch};
      if (int64_t(batch.labels.size()) != batch.batch) label_shape.push_back(batch.seq_len);
      MHUB_RETURN_IF_ERROR(gathered.Add(r.outputs, batch.labels, label_shape));
    }
  }
  EvalPrediction pred = gathered.Take();
  const double runtime = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::map<std::string, double> metrics;
  metrics[prefix + "_loss"] = weighted / double(rows);
  if (s.compute_metrics) {
    MHUB_ASSIGN_OR_RETURN(auto extra, s.compute_metrics(pred));
    for (auto& [k, v] : extra) metrics[k.rfind(prefix + "_", 0) == 0 ? k : prefix + "_" + k] = v;
  }
  metrics[prefix + "_runtime"] = Round(runtime, 4);
  metrics[prefix + "_samples_per_second"] = Round(double(rows) / std::max(runtime, 1e-9), 3);
  metrics[prefix + "_steps_per_second"] = Round(double(batches) / std::max(runtime, 1e-9), 3);
  Json entry = Json::object();
  for (auto& [k, v] : metrics) entry[k] = v;
  entry["epoch"] = s.epoch;
  entry["step"] = s.global_step;
  s.log_history.push_back(entry);
  if (s.jsonl.is_open()) s.jsonl << DumpJson(entry) << "\n" << std::flush;

  // EarlyStoppingCallback.on_evaluate runs before the best metric is updated.
  if (s.early.patience > 0 && args_.metric_for_best_model) {
    std::string key = *args_.metric_for_best_model;
    if (key.rfind(prefix + "_", 0) != 0) key = prefix + "_" + key;
    auto it = metrics.find(key);
    if (it != metrics.end()) {
      const bool greater = args_.greater_is_better.value_or(false);
      const double v = it->second;
      if (!s.best_metric ||
          ((greater ? v > *s.best_metric : v < *s.best_metric) && std::fabs(v - *s.best_metric) > s.early.threshold)) {
        s.early_counter = 0;
      } else {
        ++s.early_counter;
      }
      if (s.early_counter >= s.early.patience) s.should_stop = true;
    }
  }
  return metrics;
}

namespace {

struct Plan {
  int64_t micro_batches = 0, updates_per_epoch = 0, max_steps = 0, epochs = 0;
};

}  // namespace

Result<TrainOutput> Trainer::Train(const std::string& resume_from_checkpoint) {
  Impl& s = *impl_;
  MHUB_RETURN_IF_ERROR(args_.Validate());
  if (s.model == nullptr || !s.collator) return Status::InvalidArgument("Trainer: a model and a collator are required");
  if (s.train.empty()) return Status::InvalidArgument("Trainer: the train dataset is empty");
  if (args_.do_eval && s.eval.empty())
    return Status::InvalidArgument("Trainer: evaluation requires an eval_dataset (eval_strategy is " +
                                   args_.eval_strategy + ")");
  if (args_.push_to_hub && !s.pusher && is_world_process_zero())
    return Status::InvalidArgument("push_to_hub is set but no hub client was given (set_hub_pusher)");
  if (s.early.patience > 0 && (!args_.metric_for_best_model || args_.eval_strategy == "no"))
    return Status::InvalidArgument("EarlyStoppingCallback requires metric_for_best_model and an eval strategy");
  const std::string out = args_.output_dir;
  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(out));

  // Step counting (§2.1).
  // Data parallel: DistributedSampler's shard, ceil(N / world) rows per process (the order padded by
  // repeating its start), so a global batch is world x per_device_train_batch_size rows.
  const int64_t world = s.dp ? s.dp->world_size() : 1, rank = s.dp ? s.dp->rank() : 0;
  const int64_t N_all = int64_t(s.train.size()), N = (N_all + world - 1) / world,
                bs = args_.per_device_train_batch_size, GA = args_.gradient_accumulation_steps;
  Plan p;
  p.micro_batches = args_.dataloader_drop_last ? N / bs : (N + bs - 1) / bs;
  if (p.micro_batches == 0) return Status::InvalidArgument("Trainer: fewer train rows than one batch with drop_last");
  p.updates_per_epoch = std::max<int64_t>((p.micro_batches + GA - 1) / GA, 1);
  if (args_.max_steps > 0) {
    p.max_steps = args_.max_steps;
    p.epochs = (p.max_steps + p.updates_per_epoch - 1) / p.updates_per_epoch;
  } else {
    p.max_steps = int64_t(std::ceil(args_.num_train_epochs * double(p.updates_per_epoch)));
    p.epochs = int64_t(std::ceil(args_.num_train_epochs));
  }
  if (p.max_steps <= 0) return Status::InvalidArgument("Trainer: nothing to train (max_steps resolves to 0)");
  s.max_steps = p.max_steps;
  s.num_train_epochs = p.epochs;
  s.logging_steps = TrainingArguments::ResolveSteps(args_.logging_steps, p.max_steps);
  s.eval_steps = TrainingArguments::ResolveSteps(args_.eval_steps.value_or(args_.logging_steps), p.max_steps);
  s.save_steps = TrainingArguments::ResolveSteps(args_.save_steps, p.max_steps);

  // Optimizer and schedule (§3).
  OptimizerOptions oo;
  oo.kind = args_.optim == "sgd" ? "sgd" : "adamw";
  oo.beta1 = args_.adam_beta1, oo.beta2 = args_.adam_beta2, oo.eps = args_.adam_epsilon;
  oo.weight_decay = args_.weight_decay;
  MHUB_ASSIGN_OR_RETURN(s.optimizer, Optimizer::Create(oo, s.model->Parameters()));
  ScheduleOptions so{args_.lr_scheduler_type, args_.lr_scheduler_kwargs, args_.GetWarmupSteps(p.max_steps), p.max_steps,
                     args_.learning_rate};
  MHUB_ASSIGN_OR_RETURN(s.scheduler, LrScheduler::Create(so));

  // Fresh state, or the checkpoint's (§2.10).
  s.global_step = 0, s.epoch = 0, s.log_history = Json::array(), s.best_metric.reset(), s.best_global_step.reset();
  s.best_model_checkpoint.clear(), s.early_counter = 0, s.total_flos = 0, s.should_stop = false,
                                   s.micro_batches_seen = 0;
  if (!resume_from_checkpoint.empty()) {
    std::string dir = resume_from_checkpoint;
    if (dir == "last" || dir == "true" || dir == "True") {
      MHUB_ASSIGN_OR_RETURN(dir, GetLastCheckpoint(out));
    }
    if (!fs::is_directory(dir)) return Status::NotFound("resume_from_checkpoint: no checkpoint folder at " + dir);
    MHUB_RETURN_IF_ERROR(internal::LoadWeights(*s.model, dir).WithContext("while resuming"));
    MHUB_ASSIGN_OR_RETURN(Json state, ReadJsonFile(dir + "/trainer_state.json"));
    if (!fs::exists(dir + "/optimizer.safetensors"))
      return Status::InvalidArgument(dir + " has no optimizer state (saved with save_only_model?): cannot resume");
    MHUB_RETURN_IF_ERROR(s.optimizer->Load(dir + "/optimizer.safetensors").WithContext("while resuming"));
    MHUB_ASSIGN_OR_RETURN(Json sched, ReadJsonFile(dir + "/scheduler.json"));
    MHUB_RETURN_IF_ERROR(s.scheduler->LoadState(sched).WithContext("while resuming " + dir));
    MHUB_ASSIGN_OR_RETURN(Json rng, ReadJsonFile(dir + "/rng_state.json"));
    try {
      s.global_step = state.at("global_step").get<int64_t>();
      s.epoch = state.at("epoch").get<double>();
      s.log_history = state.at("log_history");
      if (state["best_metric"].is_number()) s.best_metric = state["best_metric"].get<double>();
      if (state["best_global_step"].is_number()) s.best_global_step = state["best_global_step"].get<int64_t>();
      if (state["best_model_checkpoint"].is_string()) s.best_model_checkpoint = state["best_model_checkpoint"];
      s.total_flos = state.value("total_flos", 0.0);
      const Json& es = state["stateful_callbacks"]["EarlyStoppingCallback"];
      if (es.is_object()) s.early_counter = es["attributes"].value("early_stopping_patience_counter", int64_t(0));
      s.micro_batches_seen = rng.at("micro_batches_seen").get<uint64_t>();
      MHUB_RETURN_IF_ERROR(s.collator->LoadState(rng.value("collator", std::string())));
    } catch (const std::exception& e) {
      return Status::Corruption(dir + "/trainer_state.json: " + e.what());
    }
    if (state.value("train_batch_size", bs) != bs)
      std::cerr << "mhub: warning: resuming with a different per_device_train_batch_size than the checkpoint's\n";
  }
  const int64_t epochs_trained = s.global_step / p.updates_per_epoch;
  const int64_t updates_to_skip = args_.ignore_data_skip ? 0 : s.global_step % p.updates_per_epoch;

  if (rank == 0) s.jsonl.open(out + "/trainer_log.jsonl", s.global_step > 0 ? std::ios::app : std::ios::trunc);
  auto log = [&](Json entry) {
    entry["epoch"] = s.epoch;
    entry["step"] = s.global_step;
    s.log_history.push_back(entry);
    if (s.jsonl.is_open()) s.jsonl << DumpJson(entry) << "\n" << std::flush;
  };
  StepBar bar(p.max_steps, args_.disable_tqdm.value_or(false));
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<models::Parameter> params = s.model->Parameters();
  int64_t num_params = 0;
  for (auto& q : params) num_params += int64_t(q.value.size());

  double tr_loss = 0;     // since the last log
  double total_loss = 0;  // over the whole run (train_loss)
  int64_t last_logged = s.global_step;
  double grad_norm = 0;
  double last_lr = s.scheduler->lr();
  bool have_grad_norm = false;
  const int64_t start_step = s.global_step;

  // Log / evaluate / save after an update or an epoch (§2.4, _maybe_log_save_evaluate).
  auto maybe_log_save_evaluate = [&](bool should_log, bool should_eval, bool should_save) -> Status {
    if (should_log && s.global_step > last_logged) {
      Json entry = Json::object();
      entry["loss"] = Round(tr_loss / double(s.global_step - last_logged), 4);
      if (have_grad_norm) entry["grad_norm"] = grad_norm;
      entry["learning_rate"] = last_lr;
      log(entry);
      bar.Print(DumpJson(entry));
      tr_loss = 0;
      last_logged = s.global_step;
    }
    bool new_best = false;
    if (should_eval) {
      MHUB_ASSIGN_OR_RETURN(auto metrics, Evaluate("eval"));
      if (args_.metric_for_best_model) {
        std::string key = *args_.metric_for_best_model;
        if (key.rfind("eval_", 0) != 0) key = "eval_" + key;
        auto it = metrics.find(key);
        if (it == metrics.end()) {
          std::string keys;
          for (auto& [k, v] : metrics) keys += (keys.empty() ? "" : ", ") + k;
          return Status::InvalidArgument("The `metric_for_best_model` training argument is set to '" + key +
                                         "', which is not found in the evaluation metrics. The available "
                                         "evaluation metrics are: " +
                                         keys);
        }
        const bool greater = args_.greater_is_better.value_or(false);
        if (!s.best_metric || (greater ? it->second > *s.best_metric : it->second < *s.best_metric)) {
          s.best_metric = it->second;
          s.best_global_step = s.global_step;
          new_best = true;
        }
        if (args_.lr_scheduler_type == "reduce_lr_on_plateau") s.scheduler->StepMetric(it->second);
      }
    }
    if (args_.save_strategy == "best") should_save = new_best;
    if (should_save) MHUB_RETURN_IF_ERROR(SaveCheckpoint());
    return Status::OK();
  };

  std::vector<int64_t> lengths;
  if (args_.train_sampling_strategy == "group_by_length")
    for (const auto& f : s.train) lengths.push_back(int64_t(f.input_ids.size()));
  const uint64_t data_seed = uint64_t(args_.data_seed.value_or(args_.seed));

  if (s.global_step == 0 && args_.eval_on_start && args_.do_eval) MHUB_RETURN_IF_ERROR(Evaluate("eval").status());
  for (int64_t ep = epochs_trained; ep < p.epochs && !s.should_stop && s.global_step < p.max_steps; ++ep) {
    // This epoch's order: torch.randperm with a generator seeded data_seed + epoch.
    std::vector<int64_t> order;
    if (args_.train_sampling_strategy == "sequential") {
      order.resize(N_all);
      for (int64_t i = 0; i < N_all; ++i) order[i] = i;
    } else if (args_.train_sampling_strategy == "group_by_length") {
      order = LengthGroupedOrder(lengths, bs, data_seed + uint64_t(ep));
    } else {
      order = TorchRandperm(N_all, data_seed + uint64_t(ep));
    }
    if (world > 1) {
      std::vector<int64_t> local(N);
      for (int64_t i = 0; i < N; ++i) local[i] = order[(rank + i * world) % N_all];
      order = std::move(local);
    }
    const int64_t S = p.micro_batches;
    const int64_t updates = S / GA + (S % GA > 0);
    for (int64_t u = 0; u < updates && !s.should_stop; ++u) {
      if (ep == epochs_trained && u < updates_to_skip) continue;  // skip_first_batches on resume
      const int64_t first = u * GA, last = std::min(S, first + GA);
      std::vector<models::TrainBatch> mbs;
      for (int64_t m = first; m < last; ++m) {
        std::vector<Feature> rows;
        for (int64_t k = m * bs; k < std::min(N, (m + 1) * bs); ++k) rows.push_back(s.train[order[k]]);
        MHUB_ASSIGN_OR_RETURN(models::TrainBatch b, s.collator->Collate(rows));
        mbs.push_back(std::move(b));
      }
      // num_items_in_batch over the whole update when the model takes loss kwargs (§2.2).
      const bool loss_kwargs = s.model->accepts_loss_kwargs();
      int64_t items = 0;
      for (const auto& b : mbs) items += s.model->CountItems(b);  // causal LM: shifted labels
      if (world > 1 && loss_kwargs) {                             // num_items_in_batch is gathered over processes
        double n = double(items);
        MHUB_RETURN_IF_ERROR(s.dp->AllReduceSum(std::span<double>(&n, 1)));
        items = int64_t(n);
      }
      const int64_t cur_ga = int64_t(mbs.size());
      double step_loss = 0;
      for (auto& b : mbs) {
        models::StepOptions so2;
        so2.bf16 = args_.bf16;
        so2.seed = MixSeed(uint64_t(args_.seed), s.micro_batches_seen++);
        // LabelSmoother: the model's cross-entropy heads apply it per item (training only, as HF).
        so2.label_smoothing = float(args_.label_smoothing_factor);
        // The divisor is known before the forward: items counted from the collated labels.
        int64_t mb_items = 0;
        for (int64_t l : b.labels) mb_items += l != -100;
        // Mean-reduced losses without labels: MSE / BCE average over every target, QA over examples.
        if (b.labels.empty()) mb_items = b.float_labels.empty() ? b.batch : int64_t(b.float_labels.size());
        double scale;
        if (loss_kwargs && items > 0) {
          scale = 1.0 / double(items);
        } else {
          scale = 1.0 / (double(std::max<int64_t>(mb_items, 1)) * double(cur_ga));
        }
        so2.grad_scale = float(scale);
        MHUB_ASSIGN_OR_RETURN(models::StepResult r, s.model->Step(b, so2));
        double loss;
        if (loss_kwargs && items > 0) {
          loss = r.loss_sum / double(items);
        } else {
          loss = (r.num_items > 0 ? r.loss_sum / double(r.num_items) : 0.0) / double(cur_ga);
        }
        step_loss += loss;
        s.total_flos += 6.0 * double(num_params) * double(b.batch * b.seq_len);
      }
      if (world > 1) {
        // DDP: gradients summed over processes; mean-reduced heads average them (each process's
        // loss was already its shard's mean), num_items heads are already divided by the global
        // count. The logged loss is the same reduction of the processes' losses.
        std::vector<float> flat;
        for (auto& q : params) flat.insert(flat.end(), q.grad.begin(), q.grad.end());
        MHUB_RETURN_IF_ERROR(s.dp->AllReduceSum(std::span<float>(flat)));
        const float inv = (loss_kwargs && items > 0) ? 1.f : 1.f / float(world);
        size_t at = 0;
        for (auto& q : params)
          for (float& g : q.grad) g = flat[at++] * inv;
        MHUB_RETURN_IF_ERROR(s.dp->AllReduceSum(std::span<double>(&step_loss, 1)));
        if (!(loss_kwargs && items > 0)) step_loss /= double(world);
      }
      // logging_nan_inf_filter: a non-finite step loss is replaced by the running mean in the log.
      if (args_.logging_nan_inf_filter && !std::isfinite(step_loss)) {
        tr_loss += tr_loss / double(1 + s.global_step - last_logged);
      } else {
        tr_loss += step_loss;
      }
      total_loss += std::isfinite(step_loss) ? step_loss : 0.0;
      if (args_.max_grad_norm > 0) {
        grad_norm = ClipGradNorm(params, args_.max_grad_norm);
        have_grad_norm = true;
      }
      last_lr = s.scheduler->lr();
      s.optimizer->Step(last_lr);
      s.scheduler->Step();
      s.model->ZeroGrad();
      ++s.global_step;
      s.epoch = double(ep) + double(last) / double(S);
      bar.Update(s.global_step);

      // DefaultFlowCallback.on_step_end.
      bool do_log = false, do_eval = false, do_save = false;
      if (s.global_step == 1 && args_.logging_first_step) do_log = true;
      if (args_.logging_strategy == "steps" && s.global_step % s.logging_steps == 0) do_log = true;
      if (args_.eval_strategy == "steps" && s.global_step % s.eval_steps == 0 && args_.eval_delay <= s.global_step)
        do_eval = true;
      if (args_.save_strategy == "steps" && s.global_step % s.save_steps == 0) do_save = true;
      if (s.global_step >= p.max_steps) {
        s.should_stop = true;
        if (args_.save_strategy == "steps") do_save = true;
      }
      MHUB_RETURN_IF_ERROR(maybe_log_save_evaluate(do_log, do_eval, do_save));
      if (s.global_step >= p.max_steps) s.should_stop = true;
    }
    // DefaultFlowCallback.on_epoch_end.
    MHUB_RETURN_IF_ERROR(maybe_log_save_evaluate(args_.logging_strategy == "epoch",
                                                 args_.eval_strategy == "epoch" && args_.eval_delay <= double(ep + 1),
                                                 args_.save_strategy == "epoch"));
  }
  bar.Finish();

  // After the loop: best weights, final metrics, limit-1 cleanup (§2.9).
  if (args_.load_best_model_at_end && !s.best_model_checkpoint.empty())
    MHUB_RETURN_IF_ERROR(
        internal::LoadWeights(*s.model, s.best_model_checkpoint).WithContext("load_best_model_at_end"));
  const double runtime = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  TrainOutput result;
  result.global_step = s.global_step;
  // train_loss = sum of step losses / global_step; a resumed run adds the logged losses before it.
  double before = 0;
  if (start_step > 0) {
    int64_t prev = 0;
    for (const auto& e : s.log_history)
      if (e.contains("loss") && e.contains("step") && e["step"].get<int64_t>() <= start_step) {
        before += e["loss"].get<double>() * double(e["step"].get<int64_t>() - prev);
        prev = e["step"].get<int64_t>();
      }
  }
  result.training_loss = (total_loss + before) / double(std::max<int64_t>(s.global_step, 1));
  result.metrics = {{"train_runtime", Round(runtime, 4)},
                    {"train_samples_per_second", Round(double(N) * double(p.epochs) / std::max(runtime, 1e-9), 3)},
                    {"train_steps_per_second", Round(double(p.max_steps) / std::max(runtime, 1e-9), 3)},
                    {"total_flos", s.total_flos},
                    {"train_loss", result.training_loss},
                    {"epoch", s.epoch}};
  Json entry = Json::object();
  for (auto& [k, v] : result.metrics)
    if (k != "epoch") entry[k] = v;
  log(entry);
  if (args_.save_total_limit && *args_.save_total_limit == 1 && !s.best_model_checkpoint.empty())
    for (const auto& c : internal::SortedCheckpoints(out))
      if (!fs::equivalent(c, s.best_model_checkpoint)) MHUB_RETURN_IF_ERROR(internal::RemoveTree(c));
  s.jsonl.close();
  if (rank == 0) MHUB_RETURN_IF_ERROR(WriteTrainingCurveSvg(s.log_history, out + "/training_curve.svg"));
  // Like transformers, the run's final upload is the caller's PushToHub() after its last evaluate
  // (run_glue: train, evaluate, push_to_hub), so the card holds the final metrics.
  return result;
}

}  // namespace mhub::train
