// Trainer's state shared by its source files (trainer.cpp: the loop and evaluation;
// trainer_save.cpp: checkpoints, save_model and the hub pushes). Internal to mhub_train.
#pragma once

#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mhub/train/data_parallel.h"
#include "mhub/train/lr_schedule.h"
#include "mhub/train/optimizer.h"
#include "mhub/train/trainer.h"

namespace mhub::train {

struct Trainer::Impl {
  models::TrainableModel* model = nullptr;
  std::vector<Feature> train, eval;
  std::unique_ptr<DataCollator> collator;
  ComputeMetrics compute_metrics;
  PreprocessLogits preprocess_logits;
  DataParallel* dp = nullptr;  // not owned; null = one process
  EarlyStoppingOptions early;
  std::unique_ptr<HubPusher> pusher;
  Json card_info = Json::object();

  std::unique_ptr<Optimizer> optimizer;
  std::unique_ptr<LrScheduler> scheduler;

  // TrainerState
  int64_t global_step = 0, max_steps = 0, num_train_epochs = 0;
  int64_t logging_steps = 0, eval_steps = 0, save_steps = 0;
  double epoch = 0;
  Json log_history = Json::array();
  std::optional<double> best_metric;
  std::optional<int64_t> best_global_step;
  std::string best_model_checkpoint;
  int64_t early_counter = 0;
  double total_flos = 0;
  bool should_stop = false;
  uint64_t micro_batches_seen = 0;  // dropout seed stream position
  std::ofstream jsonl;
};

}  // namespace mhub::train
