// The training-curve plot: train loss and eval loss by step, as a self-contained SVG (no plotting
// library; the card shows it as an image).
#pragma once

#include <string>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::train {

// SVG text of `log_history`'s "loss" and "eval_loss" entries against "step".
std::string TrainingCurveSvg(const Json& log_history);
// Written atomically to `path`.
Status WriteTrainingCurveSvg(const Json& log_history, const std::string& path);

}  // namespace mhub::train
