// The Trainer loop (training.md §2): epochs / max_steps, gradient accumulation with transformers'
// 2024 loss normalisation, clipping, AdamW/SGD with the §3.3 schedules, log/eval/save strategies,
// best-model tracking, save_total_limit, load_best_model_at_end, early stopping, seeded shuffling
// (torch.randperm order), group_by_length, resume_from_checkpoint and push_to_hub.
//
// Checkpoints (checkpoint-N/): config.json + model.safetensors, optimizer.safetensors (transformers'
// optimizer.pt is a pickle: mhub never writes nor reads pickles), scheduler.json, rng_state.json,
// trainer_state.json, training_args.json. Each is written into tmp-checkpoint-N/ and renamed into
// place, so a crash mid-save leaves the previous checkpoints complete and no partial one.
//
// Not thread-safe; one Train() at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/models/trainable.h"
#include "mhub/train/collators.h"
#include "mhub/train/metrics.h"
#include "mhub/train/training_args.h"

namespace mhub::train {

class DataParallel;  // data_parallel.h

// Turns examples into a batch. Stateful collators (MLM masking) expose their generator so a
// checkpoint can resume it exactly.
class DataCollator {
 public:
  virtual ~DataCollator() = default;
  virtual Result<models::TrainBatch> Collate(std::span<const Feature> features) = 0;
  virtual std::string SaveState() const { return ""; }
  virtual Status LoadState(const std::string& state) { return Status::OK(); }
};
// Wrappers of the collators of collators.h.
std::unique_ptr<DataCollator> PaddingCollator(PaddingOptions options);
std::unique_ptr<DataCollator> TokenClassificationCollator(PaddingOptions options);
std::unique_ptr<DataCollator> CausalLMCollator(PaddingOptions options);
Result<std::unique_ptr<DataCollator>> MaskedLMCollator(MlmOptions mlm, PaddingOptions options);

struct EarlyStoppingOptions {
  int64_t patience = 0;  // 0: no early stopping (EarlyStoppingCallback not added)
  double threshold = 0.0;
};

// Hub upload seam (the hub client in production, a recorder in tests): uploads `folder`'s files,
// without those matching `ignore_patterns`, as one commit. `path_in_repo` prefixes them.
struct HubPusher {
  virtual ~HubPusher() = default;
  virtual Status Upload(const std::string& folder, const std::string& path_in_repo,
                        const std::vector<std::string>& ignore_patterns, const std::string& commit_message) = 0;
};

// transformers' preprocess_logits_for_metrics: maps each eval batch's outputs before Evaluate keeps
// them for compute_metrics (e.g. argmax, so (N,T,V) LM logits are never held whole).
using PreprocessLogits =
    std::function<Result<models::ModelOutputs>(models::ModelOutputs outputs, const models::TrainBatch& batch)>;

struct TrainOutput {
  int64_t global_step = 0;
  double training_loss = 0;
  std::map<std::string, double> metrics;
};

class Trainer {
 public:
  // `model` must outlive the Trainer. `eval_collator` may be null (the train collator is used).
  Trainer(models::TrainableModel* model, TrainingArguments args, std::vector<Feature> train_dataset,
          std::vector<Feature> eval_dataset, std::unique_ptr<DataCollator> collator,
          ComputeMetrics compute_metrics = nullptr, EarlyStoppingOptions early_stopping = {});
  ~Trainer();

  // `resume_from_checkpoint`: "" = fresh, "last" (or "true") = the last checkpoint-N in output_dir
  // (NotFound when none), else a checkpoint folder. Writes output_dir/trainer_log.jsonl (one line
  // per log entry), training_curve.svg, and a progress bar on a TTY stderr.
  Result<TrainOutput> Train(const std::string& resume_from_checkpoint = "");
  // eval_loss (per-batch means weighted by rows, as transformers), compute_metrics keys, runtime;
  // all prefixed with `prefix`_. Appended to log_history.
  Result<std::map<std::string, double>> Evaluate(const std::string& prefix = "eval");

  // save_pretrained of the current weights + training_args.json into `dir` (output_dir if empty).
  Status SaveModel(const std::string& dir = "");
  // README.md (create_model_card) + the final weights into output_dir, uploaded through `pusher`
  // as "End of training" (Trainer.push_to_hub). Train() pushes only per save (hub_strategy); this is
  // the caller's final upload, after its last Evaluate, so the card holds those metrics.
  Status PushToHub(const std::string& commit_message = "End of training");
  // Receives every push (hub_strategy); without one, push_to_hub=True is refused at Train().
  void set_hub_pusher(std::unique_ptr<HubPusher> pusher);
  // Card fields transformers takes as create_model_card arguments.
  void set_card_info(Json info);
  void set_preprocess_logits_for_metrics(PreprocessLogits fn);
  // Data parallel (data_parallel.h; not owned, may be null): this process trains on its
  // DistributedSampler shard and gradients are all-reduced before each optimizer step; only process
  // 0 writes checkpoints, the log, the model and pushes.
  void set_data_parallel(DataParallel* dp);
  bool is_world_process_zero() const;

  const TrainingArguments& args() const { return args_; }
  // Every log entry so far (TrainerState.log_history).
  const Json& log_history() const;
  // trainer_state.json as it would be written now.
  Json StateJson() const;

 private:
  Status SaveCheckpoint();
  Status PushCheckpoint(const std::string& checkpoint_dir);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  TrainingArguments args_;
};

// The folder checkpoint-N with the largest N in `output_dir`; NotFound when none.
Result<std::string> GetLastCheckpoint(const std::string& output_dir);

// The sample order of one epoch: torch.randperm(n, generator=torch.Generator().manual_seed(seed))
// bit for bit (CPU mt19937, torch 1.13's swap loop).
std::vector<int64_t> TorchRandperm(int64_t n, uint64_t seed);
// transformers' LengthGroupedSampler order (megabatches of 50 x batch_size sorted by length, the
// longest first) over torch.randperm(n, seed).
std::vector<int64_t> LengthGroupedOrder(std::span<const int64_t> lengths, int64_t batch_size, uint64_t seed);

}  // namespace mhub::train
