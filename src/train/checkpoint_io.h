// Checkpoint folder I/O for the Trainer: atomic checkpoint-N directories, weight reload by
// parameter name, rotation (save_total_limit keeping the best), and small JSON files.
#pragma once

#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/models/trainable.h"

namespace mhub::train::internal {

// checkpoint-N folders in `output_dir`, by N ascending (transformers sorts by mtime, which is the
// same order when checkpoints are written in step order, and falls back to N when mtimes tie).
std::vector<std::string> SortedCheckpoints(const std::string& output_dir);

// Renames `tmp_dir` to `final_dir` (replacing an older folder of that name) and fsyncs the parent.
Status CommitFolder(const std::string& tmp_dir, const std::string& final_dir);

// Copies the checkpoint's weights (model.safetensors or shards) into the model's parameters by
// name. Corruption naming the tensor when one is missing or mis-shaped.
Status LoadWeights(models::TrainableModel& model, const std::string& dir);

// transformers' _rotate_checkpoints: keep `limit` newest, the best moved to second-to-last so it
// survives; limit 1 with a best that is not the newest keeps 2.
Status RotateCheckpoints(const std::string& output_dir, int64_t limit, const std::string& best_checkpoint);

// JSON with sorted keys, indent 2, trailing newline (trainer_state.json's format), atomically.
Status WriteJsonFile(const std::string& path, const Json& value);
Status RemoveTree(const std::string& path);

}  // namespace mhub::train::internal
