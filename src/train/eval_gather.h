// What Trainer.evaluate keeps for compute_metrics: each batch's outputs and labels concatenated on
// the batch axis, as transformers' nested_concat(..., padding_index=-100) does, so batches padded to
// different sequence lengths are gathered by padding the shorter ones with -100 on axis 1.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/models/model.h"
#include "mhub/train/metrics.h"

namespace mhub::train::internal {

class EvalGatherer {
 public:
  // `outputs`: one batch's arrays (leading axis = rows). `labels`: (B) or (B,T) as `label_shape`.
  Status Add(const models::ModelOutputs& outputs, std::span<const int64_t> labels,
             const std::vector<int64_t>& label_shape);
  // The gathered predictions and labels (moves them out).
  EvalPrediction Take();

 private:
  EvalPrediction pred_;
};

}  // namespace mhub::train::internal
