// README.md as transformers' Trainer.create_model_card writes it (training.md §8.2): model-index
// YAML with the eval results, the hyperparameters list, the training results table, plus the
// training curve image.
#pragma once

#include <string>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/models/model.h"
#include "mhub/train/training_args.h"

namespace mhub::train {

struct ModelCardInput {
  TrainingArguments args;
  Json log_history = Json::array();
  // create_model_card's keyword arguments: "model_name", "finetuned_from", "language", "license",
  // "tags" (list), "dataset" (name), "dataset_tags" (id), "dataset_args", "dataset_config",
  // "dataset_split", "tasks" (pipeline tag; default from the model's head).
  Json info = Json::object();
  models::ModelInfo model_info;
  models::Task task = models::Task::kBase;
};

Result<std::string> CreateModelCard(const ModelCardInput& input);

// Python's repr() of a float ("5e-05", "0.001", "3.0") for card values.
std::string PyFloat(double v);

}  // namespace mhub::train
