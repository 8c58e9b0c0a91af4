// DistilBERT (transformers modeling_distilbert.py): BERT's post-LN encoder without token types or
// pooler; LayerNorm eps fixed at 1e-12.
//
// Checkpoint names (the base part with or without "distilbert."):
//   embeddings.{word_embeddings,position_embeddings}.weight, embeddings.LayerNorm.*
//   transformer.layer.{i}.attention.{q_lin,k_lin,v_lin,out_lin}.*, sa_layer_norm.*,
//   transformer.layer.{i}.ffn.{lin1,lin2}.*, output_layer_norm.*
//   heads: pre_classifier.* + classifier.* | classifier.* | qa_outputs.* |
//          vocab_transform.*, vocab_layer_norm.*, vocab_projector.bias (weight tied to embeddings)
#include <memory>
#include <vector>

#include "mhub/core/attention.h"
#include "models/layers.h"
#include "models/model_common.h"

namespace mhub::models {
namespace {

struct DistilBertLayer {
  LazyLinear q_lin, k_lin, v_lin, out_lin;
  LazyLinear qkv;  // q|k|v as one (3D, D) linear (the three are kept for their weight names)
  Norm sa_layer_norm;
  LazyLinear lin1, lin2;
  Norm output_layer_norm;
};

class DistilBertModel final : public Model {
 public:
  static Result<std::unique_ptr<Model>> Build(const BuildContext& ctx);

  Result<ModelOutputs> Forward(const ModelInputs& in) const override;
  Status SavePretrained(const std::string& dir, int64_t max_shard_size) const override {
    return SaveModel(config_, info_.architecture, params_, dir, max_shard_size);
  }
  std::vector<std::string> WeightNames() const override { return ParamNames(params_); }

 private:
  Result<core::Tensor> Encode(const ModelInputs& in, core::Arena& arena) const;  // (B,T,dim), in `arena`

  formats::ModelConfig config_;
  formats::DistilBertConfig c_;
  ParamRegistry params_;
  std::shared_ptr<const void> keepalive_;
  core::Activation act_ = core::Activation::kGeluErf;
  std::vector<PostLnLayer> post_ln_;  // views of layers_ for RunPostLnEncoder
  std::unique_ptr<ArenaPool> arenas_ = std::make_unique<ArenaPool>();

  core::Tensor word_embeddings_, position_embeddings_;
  Norm embeddings_norm_;
  std::vector<DistilBertLayer> layers_;
  LazyLinear pre_classifier_, classifier_;  // classifier_ also serves token classification and QA
  LazyLinear vocab_transform_, vocab_projector_;
  Norm vocab_layer_norm_;
};

Result<std::unique_ptr<Model>> DistilBertModel::Build(const BuildContext& ctx) {
  if (!ctx.config.distilbert) return Status::InvalidArgument("config is not a DistilBERT config");
  auto m = std::make_unique<DistilBertModel>();
  m->config_ = ctx.config;
  m->c_ = *ctx.config.distilbert;
  m->keepalive_ = ctx.keepalive;
  m->task_ = ctx.task;
  const formats::DistilBertConfig& c = m->c_;
  if (ctx.task == Task::kCausalLM) {
    return UnsupportedTask("distilbert", ctx.task,
                           {Task::kBase, Task::kSequenceClassification, Task::kTokenClassification, Task::kMaskedLM,
                            Task::kQuestionAnswering});
  }
  if (c.sinusoidal_pos_embds) {
    return Status::Unsupported("DistilBERT with sinusoidal_pos_embds is not supported; supported: learned positions");
  }
  MHUB_ASSIGN_OR_RETURN(m->act_, ParseActivation(c.activation));
  m->info_ = MakeModelInfo(ctx.config, ArchitectureName("DistilBert", ctx.task), ctx.task);

  VarBuilder vb(ctx.source, &m->params_, ctx.task == Task::kBase ? "" : BasePrefix("distilbert"));
  const int64_t d = c.dim;
  const double eps = c.layer_norm_eps;
  VarBuilder emb = vb.Pp("embeddings");
  MHUB_ASSIGN_OR_RETURN(m->word_embeddings_, LoadEmbedding(emb.Pp("word_embeddings"), c.vocab_size, d));
  MHUB_ASSIGN_OR_RETURN(m->position_embeddings_,
                        LoadEmbedding(emb.Pp("position_embeddings"), c.max_position_embeddings, d));
  MHUB_ASSIGN_OR_RETURN(m->embeddings_norm_, Norm::LayerNorm(emb.Pp("LayerNorm"), d, eps));
  for (int64_t i = 0; i < c.n_layers; ++i) {
    VarBuilder lb = vb.Pp("transformer").Pp("layer").Pp(i);
    VarBuilder att = lb.Pp("attention");
    DistilBertLayer l;
    MHUB_ASSIGN_OR_RETURN(l.q_lin, LazyLinear::Load(att.Pp("q_lin"), d, d, true));
    MHUB_ASSIGN_OR_RETURN(l.k_lin, LazyLinear::Load(att.Pp("k_lin"), d, d, true));
    MHUB_ASSIGN_OR_RETURN(l.v_lin, LazyLinear::Load(att.Pp("v_lin"), d, d, true));
    MHUB_ASSIGN_OR_RETURN(l.out_lin, LazyLinear::Load(att.Pp("out_lin"), d, d, true));
    MHUB_ASSIGN_OR_RETURN(l.sa_layer_norm, Norm::LayerNorm(lb.Pp("sa_layer_norm"), d, eps));
    MHUB_ASSIGN_OR_RETURN(l.lin1, LazyLinear::Load(lb.Pp("ffn").Pp("lin1"), d, c.hidden_dim, true));
    MHUB_ASSIGN_OR_RETURN(l.lin2, LazyLinear::Load(lb.Pp("ffn").Pp("lin2"), c.hidden_dim, d, true));
    MHUB_ASSIGN_OR_RETURN(l.output_layer_norm, Norm::LayerNorm(lb.Pp("output_layer_norm"), d, eps));
    MHUB_ASSIGN_OR_RETURN(l.qkv, LazyLinear::Fuse({l.q_lin, l.k_lin, l.v_lin}));
    m->layers_.push_back(std::move(l));
  }
  for (const DistilBertLayer& l : m->layers_)
    m->post_ln_.push_back({&l.qkv, &l.out_lin, &l.sa_layer_norm, &l.lin1, &l.lin2, &l.output_layer_norm});

  VarBuilder head = vb.Head();
  const int64_t labels = ctx.config.num_labels();
  switch (ctx.task) {
    case Task::kSequenceClassification: {
      MHUB_ASSIGN_OR_RETURN(m->pre_classifier_, LazyLinear::Load(head.Pp("pre_classifier"), d, d, true));
      MHUB_ASSIGN_OR_RETURN(m->classifier_, LazyLinear::Load(head.Pp("classifier"), d, labels, true));
      break;
    }
    case Task::kTokenClassification: {
      MHUB_ASSIGN_OR_RETURN(m->classifier_, LazyLinear::Load(head.Pp("classifier"), d, labels, true));
      break;
    }
    case Task::kQuestionAnswering: {
      MHUB_ASSIGN_OR_RETURN(m->classifier_, LazyLinear::Load(head.Pp("qa_outputs"), d, 2, true));
      break;
    }
    case Task::kMaskedLM: {
      MHUB_ASSIGN_OR_RETURN(m->vocab_transform_, LazyLinear::Load(head.Pp("vocab_transform"), d, d, true));
      MHUB_ASSIGN_OR_RETURN(m->vocab_layer_norm_, Norm::LayerNorm(head.Pp("vocab_layer_norm"), d, eps));
      MHUB_ASSIGN_OR_RETURN(core::Tensor bias, head.Pp("vocab_projector").Get("bias", {c.vocab_size}, Init::kZeros));
      m->vocab_projector_ = LazyLinear::Of(m->word_embeddings_, bias, head.quantize_int8());
      break;
    }
    default:
      break;
  }
  m->info_.weight_dtype = WeightDtypeName(m->params_);
  return std::unique_ptr<Model>(std::move(m));
}

Result<core::Tensor> DistilBertModel::Encode(const ModelInputs& in, core::Arena& arena) const {
  MHUB_RETURN_IF_ERROR(ValidateInputs(in, c_.vocab_size, c_.max_position_embeddings));
  const int64_t B = in.batch, T = in.seq_len, D = c_.dim;
  std::vector<int64_t> positions = in.position_ids;
  if (positions.empty()) {
    positions.resize(in.input_ids.size());
    for (size_t i = 0; i < positions.size(); ++i) positions[i] = static_cast<int64_t>(i) % T;
  }
  core::Tensor ids = IdsTensor(in.input_ids, B, T);
  core::Tensor pos = IdsTensor(positions, B, T);
  core::Tensor mask = IdsTensor(MaskOrOnes(in), B, T);

  core::Tensor h = arena.NewTensor(core::DType::kF32, {B, T, D});  // (B,T,D) = LN(word + position)
  MHUB_RETURN_IF_ERROR(core::Embedding(ids, word_embeddings_, h));
  MHUB_RETURN_IF_ERROR(core::Embedding(pos, position_embeddings_, h, /*accumulate=*/true));
  MHUB_RETURN_IF_ERROR(RunPostLnEncoder(post_ln_, embeddings_norm_, c_.n_heads, c_.hidden_dim, act_, mask, h, arena));
  return h;
}

Result<ModelOutputs> DistilBertModel::Forward(const ModelInputs& in) const {
  ArenaPool::Lease lease = arenas_->Acquire();
  MHUB_ASSIGN_OR_RETURN(core::Tensor h, Encode(in, lease.arena()));
  ModelOutputs out;
  switch (task_) {
    case Task::kBase:
    case Task::kCausalLM:
      out["last_hidden_state"] = ToArray(h);
      break;
    case Task::kSequenceClassification: {
      core::Tensor x, logits;  // classifier(relu(pre_classifier(h[:, 0])))
      const std::vector<int64_t> first(static_cast<size_t>(in.batch), 0);
      MHUB_RETURN_IF_ERROR(pre_classifier_.Forward(GatherRows(h, first), x, core::Activation::kRelu));
      MHUB_RETURN_IF_ERROR(classifier_.Forward(x, logits));
      out["logits"] = ToArray(logits);
      break;
    }
    case Task::kTokenClassification: {
      core::Tensor logits;
      MHUB_RETURN_IF_ERROR(classifier_.Forward(h, logits));
      out["logits"] = ToArray(logits);
      break;
    }
    case Task::kQuestionAnswering: {
      core::Tensor logits;
      MHUB_RETURN_IF_ERROR(classifier_.Forward(h, logits));
      SplitQaLogits(logits, out);
      break;
    }
    case Task::kMaskedLM: {
      core::Tensor x, logits;  // projector(LN(act(transform(h))))
      MHUB_RETURN_IF_ERROR(vocab_transform_.Forward(h, x, act_));
      MHUB_RETURN_IF_ERROR(vocab_layer_norm_.Apply(x, x));
      MHUB_RETURN_IF_ERROR(vocab_projector_.Forward(x, logits));
      out["logits"] = ToArray(logits);
      break;
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Model>> BuildDistilBert(const BuildContext& context) { return DistilBertModel::Build(context); }

}  // namespace mhub::models
