// The weights of BERT (and RoBERTa) by their checkpoint names, declared once for both the
// inference model (bert.cpp) and the trainable one (bert_train.cpp): one definition of which
// tensors a BERT head has, their shapes, and how random init fills them.
#pragma once

#include <vector>

#include "mhub/base/result.h"
#include "mhub/core/tensor.h"
#include "mhub/formats/model_config.h"
#include "mhub/models/model.h"
#include "models/layers.h"
#include "models/var_builder.h"

namespace mhub::models {

struct LinearWeights {
  core::Tensor weight, bias;  // (out,in), (out); weight undefined when the layer is absent
  bool defined() const { return weight.defined(); }
};

struct BertLayerWeights {
  LinearWeights query, key, value, attn_out;  // attention.self.{query,key,value}, attention.output.dense
  Norm attn_norm;                             // attention.output.LayerNorm
  LinearWeights intermediate, output;         // intermediate.dense (I,H), output.dense (H,I)
  Norm output_norm;                           // output.LayerNorm
};

struct BertWeights {
  core::Tensor word, position, token_type;  // (V,H) (P,H) (types,H)
  Norm embeddings_norm;
  std::vector<BertLayerWeights> layers;
  LinearWeights pooler;              // pooler.dense; undefined when the head has none
  LinearWeights classifier;          // BERT sequence / token classification; qa_outputs for QA
  LinearWeights cls_dense, cls_out;  // RoBERTa sequence classification (on <s>)
  LinearWeights mlm_dense;           // MLM transform; the decoder is `word` (tied) + mlm_bias
  Norm mlm_norm;
  core::Tensor mlm_bias;
};

// Declares every weight of BERT/RoBERTa with head `task` through `vb` (the base model's builder;
// heads are declared through vb.Head(); `num_labels` sizes the classification heads).
Result<BertWeights> DeclareBertWeights(const VarBuilder& vb, const formats::BertConfig& c, Task task, bool roberta,
                                       int64_t num_labels);

}  // namespace mhub::models
