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
  // The layers of a bf16 model over the embeddings (h, F32, not yet normalised), in `arena`.
  Status EncodeBf16(core::Tensor& h, const core::Tensor& mask, core::Arena& arena) const;

  formats::ModelConfig config_;
  formats::DistilBertConfig c_;
  ParamRegistry params_;
  std::shared_ptr<const void> keepalive_;
  core::Activation act_ = core::Activation::kGeluErf;
  bool bf16_inner_ = false;  // every FFN is bf16: the activation output stays BF16 between lin1 and lin2
  // Every layer's linears are bf16: the matmul inputs (normed hidden states, q|k|v, attention
  // context) are kept in BF16 (see EncodeBf16); the residual stream stays F32.
  bool bf16_acts_ = false;
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
  m->bf16_inner_ = true;
  for (const DistilBertLayer& l : m->layers_) m->bf16_inner_ = m->bf16_inner_ && l.lin1.bf16() && l.lin2.bf16();
  m->bf16_acts_ = m->bf16_inner_;
  for (const DistilBertLayer& l : m->layers_) m->bf16_acts_ = m->bf16_acts_ && l.qkv.bf16() && l.out_lin.bf16();

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
      m->vocab_projector_ = LazyLinear::Of(m->word_embeddings_, bias);
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
  if (bf16_acts_) {
    MHUB_RETURN_IF_ERROR(EncodeBf16(h, mask, arena));
    return h;
  }
  MHUB_RETURN_IF_ERROR(embeddings_norm_.Apply(h, h));

  // Activations, allocated once per pass and reused by every layer.
  const int64_t heads = c_.n_heads;
  core::Tensor qkv = arena.NewTensor(core::DType::kF32, {B, T, 3 * D});  // (B,T,3D) q|k|v
  core::Tensor ctx = arena.NewTensor(core::DType::kF32, {B, T, D});
  core::Tensor inner = arena.NewTensor(bf16_inner_ ? core::DType::kBF16 : core::DType::kF32, {B, T, c_.hidden_dim});

  MHUB_ASSIGN_OR_RETURN(PackedQkvViews qkv_heads, SplitPackedQkv(qkv, heads));
  MHUB_ASSIGN_OR_RETURN(core::HeadsView cv, core::HeadsView::Of(ctx, heads));
  core::AttentionOptions opts;
  opts.key_mask = &mask;
  for (const DistilBertLayer& l : layers_) {
    opts.bf16 = l.qkv.bf16();  // bf16 models: bf16 q.k and p.v products, as torch's bf16 attention
    MHUB_RETURN_IF_ERROR(l.qkv.Forward(h, qkv));
    MHUB_RETURN_IF_ERROR(core::Attention(qkv_heads.q, qkv_heads.k, qkv_heads.v, cv, opts));
    MHUB_RETURN_IF_ERROR(l.out_lin.Forward(ctx, h, core::Activation::kNone, /*accumulate=*/true));
    MHUB_RETURN_IF_ERROR(l.sa_layer_norm.Apply(h, h));  // h = LN(h + attn)
    MHUB_RETURN_IF_ERROR(l.lin1.Forward(h, inner, act_));
    MHUB_RETURN_IF_ERROR(l.lin2.Forward(inner, h, core::Activation::kNone, /*accumulate=*/true));
    MHUB_RETURN_IF_ERROR(l.output_layer_norm.Apply(h, h));  // h = LN(h + ffn)
  }
  return h;
}

// bf16 layers, as torch's bf16 TransformerBlock computes them: every matmul input is rounded to
// BF16 once, where it is produced (the layer norms write a BF16 copy beside their F32 output, the
// fused QKV projection writes BF16 q|k|v, the attention writes its context in BF16); the residual
// stream stays F32. See BertModel::EncodeBf16.
Status DistilBertModel::EncodeBf16(core::Tensor& h, const core::Tensor& mask, core::Arena& arena) const {
  const int64_t B = h.dim(0), T = h.dim(1), D = c_.dim, heads = c_.n_heads, hd = D / heads;
  core::Tensor hb = arena.NewTensor(core::DType::kBF16, {B, T, D});       // h rounded: the QKV / FFN input
  core::Tensor qkv = arena.NewTensor(core::DType::kBF16, {B, T, 3 * D});  // q|k|v
  core::Tensor ctx = arena.NewTensor(core::DType::kBF16, {B, T, D});      // attention context
  core::Tensor inner = arena.NewTensor(core::DType::kBF16, {B, T, c_.hidden_dim});
  MHUB_ASSIGN_OR_RETURN(core::HeadsViewBf16 qv, core::HeadsViewBf16::FromPacked(qkv, 0, heads, hd));
  MHUB_ASSIGN_OR_RETURN(core::HeadsViewBf16 kv, core::HeadsViewBf16::FromPacked(qkv, heads, heads, hd));
  MHUB_ASSIGN_OR_RETURN(core::HeadsViewBf16 vv, core::HeadsViewBf16::FromPacked(qkv, 2 * heads, heads, hd));
  MHUB_ASSIGN_OR_RETURN(core::HeadsViewBf16 cv, core::HeadsViewBf16::Of(ctx, heads));
  core::AttentionOptions opts;
  opts.key_mask = &mask;
  opts.bf16 = true;
  auto norm = [&](const Norm& n, bool last) {  // h = LN(h), and its BF16 copy when a layer reads it
    if (last) return core::LayerNorm(h, n.weight, n.bias, n.eps, h);
    return core::LayerNormWithBf16Copy(h, n.weight, n.bias, n.eps, h, hb);
  };
  MHUB_RETURN_IF_ERROR(norm(embeddings_norm_, layers_.empty()));
  for (size_t i = 0; i < layers_.size(); ++i) {
    const DistilBertLayer& l = layers_[i];
    MHUB_RETURN_IF_ERROR(l.qkv.Forward(hb, qkv));
    MHUB_RETURN_IF_ERROR(core::Attention(qv, kv, vv, cv, opts));
    MHUB_RETURN_IF_ERROR(l.out_lin.Forward(ctx, h, core::Activation::kNone, /*accumulate=*/true));
    MHUB_RETURN_IF_ERROR(norm(l.sa_layer_norm, false));  // h = LN(h + attn)
    MHUB_RETURN_IF_ERROR(l.lin1.Forward(hb, inner, act_));
    MHUB_RETURN_IF_ERROR(l.lin2.Forward(inner, h, core::Activation::kNone, /*accumulate=*/true));
    MHUB_RETURN_IF_ERROR(norm(l.output_layer_norm, i + 1 == layers_.size()));  // h = LN(h + ffn)
  }
  return Status::OK();
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
