// The Hub's pipeline_tag for a model head (what a model card, the widget and an endpoint call it).
#pragma once

#include "mhub/models/model.h"

namespace mhub::models {

// "text-classification", "token-classification", "fill-mask", "question-answering",
// "text-generation"; "" for the bare base model (it has no single task: feature extraction is the
// caller's default where it needs one).
const char* PipelineTagFor(Task task);

}  // namespace mhub::models
