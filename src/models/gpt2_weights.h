// The weights of the GPT-2 body by their checkpoint names, declared once for the inference model
// (gpt2.cpp) and the trainable one (gpt2_train.cpp). Conv1D weights are (in, out).
#pragma once

#include <vector>

#include "mhub/base/result.h"
#include "mhub/formats/model_config.h"
#include "models/bert_weights.h"
#include "models/layers.h"
#include "models/var_builder.h"

namespace mhub::models {

struct Gpt2BlockWeights {
  Norm ln_1, ln_2;
  LinearWeights c_attn, attn_proj, c_fc, mlp_proj;  // (C,3C) (C,C) (C,I) (I,C) and biases
};

struct Gpt2Weights {
  core::Tensor wte, wpe;  // (V,C), (P,C)
  std::vector<Gpt2BlockWeights> blocks;
  Norm ln_f;
};

Result<Gpt2Weights> DeclareGpt2Weights(const VarBuilder& vb, const formats::Gpt2Config& c);

}  // namespace mhub::models
