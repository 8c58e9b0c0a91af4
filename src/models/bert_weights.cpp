#include "models/bert_weights.h"

namespace mhub::models {
namespace {

Result<LinearWeights> DeclareLinear(const VarBuilder& vb, int64_t in, int64_t out) {
  LinearWeights l;
  MHUB_ASSIGN_OR_RETURN(l.weight, vb.Get("weight", {out, in}));
  MHUB_ASSIGN_OR_RETURN(l.bias, vb.Get("bias", {out}, Init::kZeros));
  return l;
}

Status DeclareHead(const VarBuilder& head, const formats::BertConfig& c, Task task, bool roberta, int64_t labels,
                   BertWeights& w) {
  const int64_t h = c.hidden_size;
  switch (task) {
    case Task::kBase:
    case Task::kCausalLM:
      return Status::OK();
    case Task::kSequenceClassification: {
      if (roberta) {
        MHUB_ASSIGN_OR_RETURN(w.cls_dense, DeclareLinear(head.Pp("classifier").Pp("dense"), h, h));
        MHUB_ASSIGN_OR_RETURN(w.cls_out, DeclareLinear(head.Pp("classifier").Pp("out_proj"), h, labels));
        return Status::OK();
      }
      MHUB_ASSIGN_OR_RETURN(w.classifier, DeclareLinear(head.Pp("classifier"), h, labels));
      return Status::OK();
    }
    case Task::kTokenClassification: {
      MHUB_ASSIGN_OR_RETURN(w.classifier, DeclareLinear(head.Pp("classifier"), h, labels));
      return Status::OK();
    }
    case Task::kQuestionAnswering: {
      MHUB_ASSIGN_OR_RETURN(w.classifier, DeclareLinear(head.Pp("qa_outputs"), h, 2));
      return Status::OK();
    }
    case Task::kMaskedLM: {
      if (roberta) {
        VarBuilder lm = head.Pp("lm_head");
        MHUB_ASSIGN_OR_RETURN(w.mlm_dense, DeclareLinear(lm.Pp("dense"), h, h));
        MHUB_ASSIGN_OR_RETURN(w.mlm_norm, Norm::LayerNorm(lm.Pp("layer_norm"), h, c.layer_norm_eps));
        MHUB_ASSIGN_OR_RETURN(w.mlm_bias, lm.Get("bias", {c.vocab_size}, Init::kZeros));
        return Status::OK();
      }
      {
        VarBuilder pred = head.Pp("cls").Pp("predictions");
        MHUB_ASSIGN_OR_RETURN(w.mlm_dense, DeclareLinear(pred.Pp("transform").Pp("dense"), h, h));
        MHUB_ASSIGN_OR_RETURN(w.mlm_norm, Norm::LayerNorm(pred.Pp("transform").Pp("LayerNorm"), h, c.layer_norm_eps));
        MHUB_ASSIGN_OR_RETURN(w.mlm_bias, pred.GetOptional("bias", {c.vocab_size}, Init::kZeros));
        if (!w.mlm_bias.defined()) {  // some files keep only the decoder's copy of the tied bias
          MHUB_ASSIGN_OR_RETURN(w.mlm_bias, pred.Pp("decoder").Get("bias", {c.vocab_size}, Init::kZeros));
        }
      }
      return Status::OK();
    }
  }
  return Status::OK();
}

}  // namespace

Result<BertWeights> DeclareBertWeights(const VarBuilder& vb, const formats::BertConfig& c, Task task, bool roberta,
                                       int64_t num_labels) {
  BertWeights w;
  const int64_t h = c.hidden_size;
  VarBuilder emb = vb.Pp("embeddings");
  MHUB_ASSIGN_OR_RETURN(w.word, LoadEmbedding(emb.Pp("word_embeddings"), c.vocab_size, h));
  MHUB_ASSIGN_OR_RETURN(w.position, LoadEmbedding(emb.Pp("position_embeddings"), c.max_position_embeddings, h));
  MHUB_ASSIGN_OR_RETURN(w.token_type, LoadEmbedding(emb.Pp("token_type_embeddings"), c.type_vocab_size, h));
  MHUB_ASSIGN_OR_RETURN(w.embeddings_norm, Norm::LayerNorm(emb.Pp("LayerNorm"), h, c.layer_norm_eps));

  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    VarBuilder lb = vb.Pp("encoder").Pp("layer").Pp(i);
    VarBuilder self = lb.Pp("attention").Pp("self");
    BertLayerWeights l;
    MHUB_ASSIGN_OR_RETURN(l.query, DeclareLinear(self.Pp("query"), h, h));
    MHUB_ASSIGN_OR_RETURN(l.key, DeclareLinear(self.Pp("key"), h, h));
    MHUB_ASSIGN_OR_RETURN(l.value, DeclareLinear(self.Pp("value"), h, h));
    VarBuilder ao = lb.Pp("attention").Pp("output");
    MHUB_ASSIGN_OR_RETURN(l.attn_out, DeclareLinear(ao.Pp("dense"), h, h));
    MHUB_ASSIGN_OR_RETURN(l.attn_norm, Norm::LayerNorm(ao.Pp("LayerNorm"), h, c.layer_norm_eps));
    MHUB_ASSIGN_OR_RETURN(l.intermediate, DeclareLinear(lb.Pp("intermediate").Pp("dense"), h, c.intermediate_size));
    MHUB_ASSIGN_OR_RETURN(l.output, DeclareLinear(lb.Pp("output").Pp("dense"), c.intermediate_size, h));
    MHUB_ASSIGN_OR_RETURN(l.output_norm, Norm::LayerNorm(lb.Pp("output").Pp("LayerNorm"), h, c.layer_norm_eps));
    w.layers.push_back(std::move(l));
  }

  // transformers builds the pooler for BertModel/RobertaModel and BertForSequenceClassification
  // only (add_pooling_layer=False elsewhere); a base checkpoint may lack it.
  const bool base = task == Task::kBase;
  if (base || (!roberta && task == Task::kSequenceClassification)) {
    VarBuilder pb = vb.Pp("pooler").Pp("dense");
    if (base && !pb.creates_missing()) {
      MHUB_ASSIGN_OR_RETURN(core::Tensor pw, pb.GetOptional("weight", {h, h}));
      if (pw.defined()) {
        w.pooler.weight = pw;
        MHUB_ASSIGN_OR_RETURN(w.pooler.bias, pb.Get("bias", {h}, Init::kZeros));
      }
    } else {
      MHUB_ASSIGN_OR_RETURN(w.pooler, DeclareLinear(pb, h, h));
    }
  }
  MHUB_RETURN_IF_ERROR(DeclareHead(vb.Head(), c, task, roberta, num_labels, w));
  return w;
}

}  // namespace mhub::models
