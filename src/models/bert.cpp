// BERT and RoBERTa (transformers modeling_bert.py / modeling_roberta.py): post-LN encoder,
// absolute position embeddings, erf GELU. RoBERTa differs in its position ids (counted from
// padding_idx + 1 over the non-pad tokens), its single token type and its head names.
//
// Checkpoint names (the base part with or without "bert."/"roberta."):
//   embeddings.{word,position,token_type}_embeddings.weight, embeddings.LayerNorm.*
//   encoder.layer.{i}.attention.self.{query,key,value}.*, attention.output.{dense,LayerNorm}.*
//   encoder.layer.{i}.intermediate.dense.*, output.{dense,LayerNorm}.*, pooler.dense.*
//   BERT heads:    classifier.* | cls.predictions.transform.{dense,LayerNorm}.*, cls.predictions.bias
//   RoBERTa heads: classifier.{dense,out_proj}.* | lm_head.{dense,layer_norm}.*, lm_head.bias
//   both:          qa_outputs.* ; MLM decoder tied to the word embeddings.
#include <memory>
#include <vector>

#include "mhub/core/attention.h"
#include "models/bert_weights.h"
#include "models/layers.h"
#include "models/model_common.h"

namespace mhub::models {
namespace {

struct BertLayer {
  LazyLinear query, key, value, attn_out;
  LazyLinear qkv;  // query|key|value as one (3H, H) linear (the three are kept for their weight names)
  Norm attn_norm;
  LazyLinear intermediate, output;
  Norm output_norm;
};

class BertModel final : public Model {
 public:
  static Result<std::unique_ptr<Model>> Build(const BuildContext& ctx);

  Result<ModelOutputs> Forward(const ModelInputs& in) const override;
  Status SavePretrained(const std::string& dir, int64_t max_shard_size) const override {
    return SaveModel(config_, info_.architecture, params_, dir, max_shard_size);
  }
  std::vector<std::string> WeightNames() const override { return ParamNames(params_); }

 private:
  // (B,T,H) hidden states after the last layer, in `arena`.
  Result<core::Tensor> Encode(const ModelInputs& in, core::Arena& arena) const;
  std::vector<int64_t> PositionIds(const ModelInputs& in) const;

  formats::ModelConfig config_;
  formats::BertConfig bert_;
  bool roberta_ = false;
  int64_t padding_idx_ = 0;
  ParamRegistry params_;
  std::shared_ptr<const void> keepalive_;
  core::Activation act_ = core::Activation::kGeluErf;
  std::vector<PostLnLayer> post_ln_;  // views of layers_ for RunPostLnEncoder
  std::unique_ptr<ArenaPool> arenas_ = std::make_unique<ArenaPool>();

  core::Tensor word_embeddings_, position_embeddings_, token_type_embeddings_;  // (V,H) (P,H) (types,H)
  Norm embeddings_norm_;
  std::vector<BertLayer> layers_;
  LazyLinear pooler_;
  bool has_pooler_ = false;

  LazyLinear classifier_;               // BERT sequence (on the pooler), token classification; QA
  LazyLinear cls_dense_, cls_out_;      // RoBERTa sequence classification (on <s>)
  LazyLinear mlm_dense_, mlm_decoder_;  // MLM transform and the tied decoder (+ bias)
  Norm mlm_norm_;
  core::Activation mlm_act_ = core::Activation::kGeluErf;
};

Result<std::unique_ptr<Model>> BertModel::Build(const BuildContext& ctx) {
  if (!ctx.config.bert) return Status::InvalidArgument("config is not a BERT-family config");
  auto m = std::make_unique<BertModel>();
  m->config_ = ctx.config;
  m->bert_ = *ctx.config.bert;
  m->roberta_ = ctx.config.model_type == "roberta" || ctx.config.model_type == "xlm-roberta";
  m->padding_idx_ = ctx.config.pad_token_id.value_or(m->roberta_ ? 1 : 0);
  m->keepalive_ = ctx.keepalive;
  m->task_ = ctx.task;
  const formats::BertConfig& c = m->bert_;
  if (c.position_embedding_type != "absolute") {
    return Status::Unsupported("position_embedding_type '" + c.position_embedding_type +
                               "' is not supported; supported: absolute");
  }
  if (ctx.task == Task::kCausalLM) {
    return UnsupportedTask(ctx.config.model_type, ctx.task,
                           {Task::kBase, Task::kSequenceClassification, Task::kTokenClassification, Task::kMaskedLM,
                            Task::kQuestionAnswering});
  }
  MHUB_ASSIGN_OR_RETURN(m->act_, ParseActivation(c.hidden_act));
  const std::string stem = m->roberta_ ? (ctx.config.model_type == "roberta" ? "Roberta" : "XLMRoberta") : "Bert";
  m->info_ = MakeModelInfo(ctx.config, ArchitectureName(stem, ctx.task), ctx.task);
  if (m->roberta_) m->info_.max_position_embeddings = c.max_position_embeddings - m->padding_idx_ - 1;

  VarBuilder vb(ctx.source, &m->params_, ctx.task == Task::kBase ? "" : BasePrefix(ctx.config.model_type));
  MHUB_ASSIGN_OR_RETURN(BertWeights w, DeclareBertWeights(vb, c, ctx.task, m->roberta_, ctx.config.num_labels()));
  const bool int8 = vb.quantize_int8();
  auto linear = [int8](const LinearWeights& l) { return LazyLinear::Of(l.weight, l.bias, int8); };
  m->word_embeddings_ = w.word;
  m->position_embeddings_ = w.position;
  m->token_type_embeddings_ = w.token_type;
  m->embeddings_norm_ = w.embeddings_norm;
  for (const BertLayerWeights& lw : w.layers) {
    BertLayer l;
    l.query = linear(lw.query);
    l.key = linear(lw.key);
    l.value = linear(lw.value);
    l.attn_out = linear(lw.attn_out);
    l.attn_norm = lw.attn_norm;
    l.intermediate = linear(lw.intermediate);
    l.output = linear(lw.output);
    l.output_norm = lw.output_norm;
    MHUB_ASSIGN_OR_RETURN(l.qkv, LazyLinear::Fuse({l.query, l.key, l.value}));
    m->layers_.push_back(std::move(l));
  }
  for (const BertLayer& l : m->layers_)
    m->post_ln_.push_back({&l.qkv, &l.attn_out, &l.attn_norm, &l.intermediate, &l.output, &l.output_norm});
  if (w.pooler.defined()) {
    m->pooler_ = linear(w.pooler);
    m->has_pooler_ = true;
  }
  if (w.classifier.defined()) m->classifier_ = linear(w.classifier);
  if (w.cls_dense.defined()) m->cls_dense_ = linear(w.cls_dense);
  if (w.cls_out.defined()) m->cls_out_ = linear(w.cls_out);
  if (w.mlm_dense.defined()) {
    m->mlm_dense_ = linear(w.mlm_dense);
    m->mlm_norm_ = w.mlm_norm;
    m->mlm_decoder_ = LazyLinear::Of(w.word, w.mlm_bias, int8);
    m->mlm_act_ = m->roberta_ ? core::Activation::kGeluErf : m->act_;  // RobertaLMHead always uses erf GELU
  }
  m->info_.weight_dtype = WeightDtypeName(m->params_);
  return std::unique_ptr<Model>(std::move(m));
}

std::vector<int64_t> BertModel::PositionIds(const ModelInputs& in) const {
  if (!in.position_ids.empty()) return in.position_ids;
  std::vector<int64_t> pos(in.input_ids.size());
  for (int64_t b = 0; b < in.batch; ++b) {
    int64_t count = 0;
    for (int64_t t = 0; t < in.seq_len; ++t) {
      const size_t i = static_cast<size_t>(b * in.seq_len + t);
      if (roberta_) {
        // create_position_ids_from_input_ids: cumsum(ids != pad) * (ids != pad) + padding_idx
        const bool real = in.input_ids[i] != padding_idx_;
        count += real ? 1 : 0;
        pos[i] = real ? count + padding_idx_ : padding_idx_;
      } else {
        pos[i] = t;
      }
    }
  }
  return pos;
}

Result<core::Tensor> BertModel::Encode(const ModelInputs& in, core::Arena& arena) const {
  const int64_t max_pos = roberta_ ? bert_.max_position_embeddings - padding_idx_ - 1 : bert_.max_position_embeddings;
  MHUB_RETURN_IF_ERROR(ValidateInputs(in, bert_.vocab_size, max_pos));
  const int64_t B = in.batch, T = in.seq_len, H = bert_.hidden_size;
  for (int64_t tt : in.token_type_ids) {
    if (tt < 0 || tt >= bert_.type_vocab_size) {
      return Status::InvalidArgument("token_type_id " + std::to_string(tt) + " is outside [0, " +
                                     std::to_string(bert_.type_vocab_size) + ")");
    }
  }
  core::Tensor ids = IdsTensor(in.input_ids, B, T);
  core::Tensor pos = IdsTensor(PositionIds(in), B, T);
  core::Tensor types =
      in.token_type_ids.empty() ? core::Tensor::Zeros(core::DType::kI64, {B, T}) : IdsTensor(in.token_type_ids, B, T);
  core::Tensor mask = IdsTensor(MaskOrOnes(in), B, T);

  // embeddings: LN(word + position + token_type)
  core::Tensor h = arena.NewTensor(core::DType::kF32, {B, T, H});  // (B,T,H) hidden states
  MHUB_RETURN_IF_ERROR(core::Embedding(ids, word_embeddings_, h));
  MHUB_RETURN_IF_ERROR(core::Embedding(pos, position_embeddings_, h, /*accumulate=*/true));
  MHUB_RETURN_IF_ERROR(core::Embedding(types, token_type_embeddings_, h, /*accumulate=*/true));
  MHUB_RETURN_IF_ERROR(RunPostLnEncoder(post_ln_, embeddings_norm_, bert_.num_attention_heads, bert_.intermediate_size,
                                        act_, mask, h, arena));
  return h;
}

Result<ModelOutputs> BertModel::Forward(const ModelInputs& in) const {
  ArenaPool::Lease lease = arenas_->Acquire();
  MHUB_ASSIGN_OR_RETURN(core::Tensor h, Encode(in, lease.arena()));
  ModelOutputs out;
  const std::vector<int64_t> first(static_cast<size_t>(in.batch), 0);
  switch (task_) {
    case Task::kBase:
    case Task::kCausalLM:
      if (has_pooler_) {
        core::Tensor pooled;  // (B,H) = tanh(dense(h[:, 0]))
        MHUB_RETURN_IF_ERROR(pooler_.Forward(GatherRows(h, first), pooled));
        TanhInPlace(pooled);
        out["pooler_output"] = ToArray(pooled);
      }
      out["last_hidden_state"] = ToArray(h);
      break;
    case Task::kSequenceClassification: {
      core::Tensor x, logits;  // (B,H), (B,labels)
      if (roberta_) {
        MHUB_RETURN_IF_ERROR(cls_dense_.Forward(GatherRows(h, first), x));
        TanhInPlace(x);
        MHUB_RETURN_IF_ERROR(cls_out_.Forward(x, logits));
      } else {
        MHUB_RETURN_IF_ERROR(pooler_.Forward(GatherRows(h, first), x));
        TanhInPlace(x);
        MHUB_RETURN_IF_ERROR(classifier_.Forward(x, logits));
      }
      out["logits"] = ToArray(logits);
      break;
    }
    case Task::kTokenClassification: {
      core::Tensor logits;  // (B,T,labels)
      MHUB_RETURN_IF_ERROR(classifier_.Forward(h, logits));
      out["logits"] = ToArray(logits);
      break;
    }
    case Task::kQuestionAnswering: {
      core::Tensor logits;  // (B,T,2)
      MHUB_RETURN_IF_ERROR(classifier_.Forward(h, logits));
      SplitQaLogits(logits, out);
      break;
    }
    case Task::kMaskedLM: {
      core::Tensor x, logits;  // (B,T,H), (B,T,V) = LN(act(dense(h))) E^T + bias
      MHUB_RETURN_IF_ERROR(mlm_dense_.Forward(h, x, mlm_act_));
      MHUB_RETURN_IF_ERROR(mlm_norm_.Apply(x, x));
      MHUB_RETURN_IF_ERROR(mlm_decoder_.Forward(x, logits));
      out["logits"] = ToArray(logits);
      break;
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Model>> BuildBert(const BuildContext& context) { return BertModel::Build(context); }

}  // namespace mhub::models
