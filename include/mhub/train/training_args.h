// TrainingArguments: transformers' names, defaults and validation rules (reference training.md §1),
// read from a JSON object, a YAML file or command-line flags, written back with to_dict's masking.
//
// Only the fields the native Trainer acts on are here; an unknown name is an InvalidArgument
// (transformers' HfArgumentParser refuses unknown flags too), so a typo never trains silently with
// a default.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::train {

struct TrainingArguments {
  std::string output_dir = "trainer_output";
  bool overwrite_output_dir = false;
  double num_train_epochs = 3.0;  // fractional: the last epoch is cut short
  int64_t max_steps = -1;         // > 0 overrides num_train_epochs
  int64_t per_device_train_batch_size = 8;
  int64_t per_device_eval_batch_size = 8;
  int64_t gradient_accumulation_steps = 1;
  bool average_tokens_across_devices = true;

  double learning_rate = 5e-5;
  double weight_decay = 0.0;  // the decay group only (no bias / norm weights)
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_epsilon = 1e-8;
  double max_grad_norm = 1.0;         // 0 disables clipping
  std::string optim = "adamw_torch";  // adamw_torch | adamw_torch_fused | sgd
  std::string lr_scheduler_type = "linear";
  Json lr_scheduler_kwargs = Json::object();
  double warmup_steps = 0;  // int >= 1: steps; float in [0,1): ratio of max_steps (v5)
  double warmup_ratio = 0;  // deprecated in v5; used when warmup_steps == 0

  std::string eval_strategy = "no";  // no | steps | epoch
  std::optional<double> eval_steps;  // None: logging_steps
  double eval_delay = 0;
  bool eval_on_start = false;
  bool do_eval = false;

  std::string save_strategy = "steps";  // no | steps | epoch | best
  double save_steps = 500;
  std::optional<int64_t> save_total_limit;
  bool save_only_model = false;

  std::string logging_strategy = "steps";  // no | steps | epoch
  double logging_steps = 500;
  bool logging_first_step = false;
  bool logging_nan_inf_filter = true;

  int64_t seed = 42;
  std::optional<int64_t> data_seed;

  bool load_best_model_at_end = false;
  std::optional<std::string> metric_for_best_model;  // "loss" when load-best or plateau
  std::optional<bool> greater_is_better;             // not metric.endswith("loss")

  bool bf16 = false;
  bool fp16 = false;
  double label_smoothing_factor = 0.0;
  bool gradient_checkpointing = false;
  std::string resume_from_checkpoint;  // read by `mhub train`, as scripts pass it to train()
  bool ignore_data_skip = false;

  bool push_to_hub = false;
  std::string hub_model_id;                 // default <basename(output_dir)> under the token's user
  std::string hub_strategy = "every_save";  // end | every_save | checkpoint | all_checkpoints
  std::optional<bool> hub_private_repo;
  std::string hub_token;
  std::string hub_revision;
  bool hub_always_push = false;

  std::vector<std::string> report_to;  // "none" -> []; only "none" is supported
  bool dataloader_drop_last = false;
  int64_t dataloader_num_workers = 0;
  bool remove_unused_columns = true;
  std::vector<std::string> label_names;
  bool group_by_length = false;                    // v4 name of train_sampling_strategy=group_by_length
  std::string train_sampling_strategy = "random";  // random | sequential | group_by_length
  std::string length_column_name = "length";
  std::optional<bool> disable_tqdm;
  bool use_cpu = false;

  // Sets one field by its HF name from a JSON value; strings are parsed by the field's type (so
  // flags and YAML scalars work). InvalidArgument for an unknown name or a value of the wrong type.
  Status Set(const std::string& name, const Json& value);

  // The HF rules of __post_init__: fills the derived defaults (eval_steps, metric_for_best_model,
  // greater_is_better, do_eval, warmup_ratio -> warmup_steps, train_sampling_strategy) and returns
  // InvalidArgument with transformers' reason when a combination is refused.
  Status Validate();

  // Warmup steps for a run of `max_steps` updates: int(w) when w >= 1, else ceil(max_steps * w).
  int64_t GetWarmupSteps(int64_t max_steps) const;
  // Logging/eval/save steps given as a ratio < 1 become ceil(max_steps * r) at train start.
  static int64_t ResolveSteps(double steps, int64_t max_steps);

  // Every field by name in declaration order, as to_dict() writes it: fields ending in "_token"
  // become "<NAME_UPPER>", None is null.
  OrderedJson ToDict() const;
};

// From a JSON object ({"learning_rate": 3e-5, ...}); validated.
Result<TrainingArguments> TrainingArgumentsFromJson(const Json& object);
// From a YAML mapping (file text); validated.
Result<TrainingArguments> TrainingArgumentsFromYaml(const std::string& yaml_text);
// From flags as HfArgumentParser reads them: "--name value", "--name=value", and a bare "--flag"
// for booleans (true). Positional arguments are refused. Applied over `base`; validated.
Result<TrainingArguments> TrainingArgumentsFromFlags(const std::vector<std::string>& flags,
                                                     TrainingArguments base = {});

}  // namespace mhub::train
