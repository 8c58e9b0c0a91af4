// GPT-2 (transformers modeling_gpt2.py, llm.c train_gpt2.c): pre-LN decoder, learned positions,
// tanh GELU, Conv1D weights stored (in, out), lm_head tied to wte.
//
// Checkpoint names (with or without "transformer."):
//   wte.weight (V,C), wpe.weight (P,C), ln_f.*
//   h.{i}.ln_1.*, h.{i}.attn.c_attn.{weight (C,3C), bias}, h.{i}.attn.c_proj.{weight (C,C), bias}
//   h.{i}.ln_2.*, h.{i}.mlp.c_fc.{weight (C,4C), bias}, h.{i}.mlp.c_proj.{weight (4C,C), bias}
//   h.{i}.attn.bias / attn.masked_bias: causal-mask buffers, never read.
//   heads: lm_head (tied) | score.weight | classifier.*
#include <memory>
#include <vector>

#include "mhub/core/attention.h"
#include "mhub/core/kernels.h"
#include "models/decoder_model.h"
#include "models/gpt2_weights.h"

namespace mhub::models {
namespace {

struct Gpt2Block {
  Norm ln_1, ln_2;
  LazyLinear c_attn, attn_proj, c_fc, mlp_proj;
};

class Gpt2Model final : public DecoderModel {
 public:
  static Result<std::unique_ptr<Model>> Build(const BuildContext& ctx);

 protected:
  Result<core::Tensor> Hidden(const DecoderStep& step) const override;
  int64_t num_layers() const override { return c_.n_layer; }
  int64_t num_kv_heads() const override { return c_.n_head; }
  int64_t head_dim() const override { return c_.n_embd / c_.n_head; }
  int64_t max_positions() const override { return c_.n_positions; }

 private:
  formats::Gpt2Config c_;
  core::Activation act_ = core::Activation::kGeluTanh;
  core::Tensor wte_, wpe_;  // (V,C), (P,C)
  std::vector<Gpt2Block> blocks_;
  Norm ln_f_;
};

Result<std::unique_ptr<Model>> Gpt2Model::Build(const BuildContext& ctx) {
  if (!ctx.config.gpt2) return Status::InvalidArgument("config is not a GPT-2 config");
  auto m = std::make_unique<Gpt2Model>();
  m->config_ = ctx.config;
  m->c_ = *ctx.config.gpt2;
  m->keepalive_ = ctx.keepalive;
  m->task_ = ctx.task;
  const formats::Gpt2Config& c = m->c_;
  if (!c.scale_attn_weights || c.scale_attn_by_inverse_layer_idx) {
    return Status::Unsupported(
        "GPT-2 attention scaling other than 1/sqrt(head_dim) is not supported "
        "(scale_attn_weights=false or scale_attn_by_inverse_layer_idx=true)");
  }
  if (c.n_embd % c.n_head != 0) return Status::InvalidArgument("n_embd is not divisible by n_head");
  MHUB_ASSIGN_OR_RETURN(m->act_, ParseActivation(c.activation_function));
  m->info_ = MakeModelInfo(ctx.config, ArchitectureName("GPT2", ctx.task), ctx.task);

  VarBuilder vb(ctx.source, &m->params_, ctx.task == Task::kBase ? "" : BasePrefix("gpt2"));
  const int64_t C = c.n_embd;
  MHUB_ASSIGN_OR_RETURN(Gpt2Weights w, DeclareGpt2Weights(vb, c));
  constexpr core::WeightLayout kConv1D = core::WeightLayout::kInOut;
  auto conv1d = [&vb](const LinearWeights& l) -> Result<LazyLinear> {
    return LazyLinear::Of(l.weight, l.bias, kConv1D, vb.quantize_int8());
  };
  m->wte_ = w.wte;
  m->wpe_ = w.wpe;
  for (const Gpt2BlockWeights& bw : w.blocks) {
    Gpt2Block b;
    b.ln_1 = bw.ln_1;
    b.ln_2 = bw.ln_2;
    MHUB_ASSIGN_OR_RETURN(b.c_attn, conv1d(bw.c_attn));
    MHUB_ASSIGN_OR_RETURN(b.attn_proj, conv1d(bw.attn_proj));
    MHUB_ASSIGN_OR_RETURN(b.c_fc, conv1d(bw.c_fc));
    MHUB_ASSIGN_OR_RETURN(b.mlp_proj, conv1d(bw.mlp_proj));
    m->blocks_.push_back(std::move(b));
  }
  m->ln_f_ = w.ln_f;
  // GPT2LMHeadModel always ties lm_head to wte.
  MHUB_RETURN_IF_ERROR(m->LoadHead(vb.Head(), m->wte_, /*tied=*/true, C, "classifier", true));
  m->info_.weight_dtype = WeightDtypeName(m->params_);
  return std::unique_ptr<Model>(std::move(m));
}

Result<core::Tensor> Gpt2Model::Hidden(const DecoderStep& step) const {
  const int64_t B = step.batch, T = step.seq, C = c_.n_embd, H = c_.n_head, D = C / H;
  core::Tensor pos = IdsTensor(step.positions, B, T);
  core::Tensor h = NewF32({B, T, C});  // (B,T,C) residual stream = wte[ids] + wpe[pos]
  MHUB_RETURN_IF_ERROR(core::Embedding(step.ids, wte_, h));
  MHUB_RETURN_IF_ERROR(core::Embedding(pos, wpe_, h, /*accumulate=*/true));

  core::Tensor x = NewF32({B, T, C});    // (B,T,C) normalised block input
  core::Tensor ctx = NewF32({B, T, C});  // (B,T,C) attention output
  core::Tensor qkv, inner;               // (B,T,3C), (B,T,4C)
  for (size_t l = 0; l < blocks_.size(); ++l) {
    const Gpt2Block& b = blocks_[l];
    MHUB_RETURN_IF_ERROR(b.ln_1.Apply(h, x));
    MHUB_RETURN_IF_ERROR(b.c_attn.Forward(x, qkv));  // x @ W (C,3C) + b, split q|k|v
    MHUB_ASSIGN_OR_RETURN(core::HeadsView q, core::HeadsView::FromPacked(qkv, 0, H, D));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView k, core::HeadsView::FromPacked(qkv, H, H, D));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView v, core::HeadsView::FromPacked(qkv, 2 * H, H, D));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView out, core::HeadsView::Of(ctx, H));
    MHUB_RETURN_IF_ERROR(DecoderAttention(step, l, q, k, v, out));
    MHUB_RETURN_IF_ERROR(b.attn_proj.Forward(ctx, h, core::Activation::kNone, /*accumulate=*/true));  // h += attn
    MHUB_RETURN_IF_ERROR(b.ln_2.Apply(h, x));
    MHUB_RETURN_IF_ERROR(b.c_fc.Forward(x, inner, act_));
    MHUB_RETURN_IF_ERROR(b.mlp_proj.Forward(inner, h, core::Activation::kNone, /*accumulate=*/true));  // h += mlp
  }
  MHUB_RETURN_IF_ERROR(ln_f_.Apply(h, h));
  return h;
}

}  // namespace

Result<std::unique_ptr<Model>> BuildGpt2(const BuildContext& context) { return Gpt2Model::Build(context); }

}  // namespace mhub::models
