// T5, T5 v1.1 and Flan-T5 (transformers modeling_t5.py, T5ForConditionalGeneration): pre-norm
// encoder and decoder with RMS layer norms (no mean, no bias), no biases anywhere, unscaled
// attention plus a learned relative position bias made by each stack's block 0 and shared by its
// other blocks, ReLU or gated-GELU feed-forward, and a head tied to `shared` (scaled by
// d_model^-0.5 only when tied).
//
// Checkpoint names:
//   shared.weight (V,d); encoder./decoder.embed_tokens.weight are tied aliases (not read)
//   {encoder,decoder}.block.{i}.layer.0.SelfAttention.{q,k,v}.weight (inner,d), .o.weight (d,inner)
//   {encoder,decoder}.block.0.layer.0.SelfAttention.relative_attention_bias.weight (buckets, H)
//   {encoder,decoder}.block.{i}.layer.0.layer_norm.weight
//   decoder.block.{i}.layer.1.EncDecAttention.{q,k,v,o}.weight, decoder.block.{i}.layer.1.layer_norm.weight
//   FFN at layer.1 (encoder) / layer.2 (decoder): DenseReluDense.{wi,wo} or .{wi_0,wi_1,wo}; layer_norm
//   {encoder,decoder}.final_layer_norm.weight; lm_head.weight (V,d) when not tied
#include <cmath>
#include <memory>
#include <vector>

#include "mhub/core/kernels.h"
#include "models/seq2seq_model.h"

namespace mhub::models {
namespace {

struct T5Config {
  int64_t vocab_size = 32128, d_model = 512, d_kv = 64, d_ff = 2048, num_layers = 6, num_decoder_layers = 6;
  int64_t num_heads = 8, buckets = 32, max_distance = 128;
  double eps = 1e-6;
  bool gated = false;
  core::Activation act = core::Activation::kRelu;
  bool tied = true;
  int64_t inner() const { return num_heads * d_kv; }
};

Result<T5Config> ParseT5(const formats::ModelConfig& c) {
  T5Config t;
  MHUB_ASSIGN_OR_RETURN(t.vocab_size, ConfigInt(c, "vocab_size", 32128));
  MHUB_ASSIGN_OR_RETURN(int64_t d_model, ConfigInt(c, "hidden_size", 512));  // alias
  MHUB_ASSIGN_OR_RETURN(t.d_model, ConfigInt(c, "d_model", d_model));
  MHUB_ASSIGN_OR_RETURN(t.d_kv, ConfigInt(c, "d_kv", 64));
  MHUB_ASSIGN_OR_RETURN(t.d_ff, ConfigInt(c, "d_ff", 2048));
  MHUB_ASSIGN_OR_RETURN(int64_t layers, ConfigInt(c, "num_hidden_layers", 6));
  MHUB_ASSIGN_OR_RETURN(t.num_layers, ConfigInt(c, "num_layers", layers));
  MHUB_ASSIGN_OR_RETURN(t.num_decoder_layers, ConfigInt(c, "num_decoder_layers", t.num_layers));
  MHUB_ASSIGN_OR_RETURN(int64_t heads, ConfigInt(c, "num_attention_heads", 8));
  MHUB_ASSIGN_OR_RETURN(t.num_heads, ConfigInt(c, "num_heads", heads));
  MHUB_ASSIGN_OR_RETURN(t.buckets, ConfigInt(c, "relative_attention_num_buckets", 32));
  MHUB_ASSIGN_OR_RETURN(t.max_distance, ConfigInt(c, "relative_attention_max_distance", 128));
  MHUB_ASSIGN_OR_RETURN(t.eps, ConfigNumber(c, "layer_norm_epsilon", 1e-6));
  for (int64_t v : {t.vocab_size, t.d_model, t.d_kv, t.d_ff, t.num_layers, t.num_decoder_layers, t.num_heads}) {
    if (v <= 0) return Status::InvalidArgument("config.json: T5 sizes must be positive");
  }
  if (t.buckets < 4 || t.max_distance <= t.buckets / 4) {
    return Status::InvalidArgument(
        "config.json: relative_attention_num_buckets must be >= 4 and "
        "relative_attention_max_distance > num_buckets / 4");
  }
  // feed_forward_proj is "[gated-]ACT" (T5Config.__init__); "gated-gelu" means gelu_new.
  MHUB_ASSIGN_OR_RETURN(std::string proj, ConfigString(c, "feed_forward_proj", "relu"));
  std::string act = proj;
  const size_t dash = proj.find('-');
  if (dash != std::string::npos) {
    if (proj.substr(0, dash) != "gated" || proj.find('-', dash + 1) != std::string::npos) {
      return Status::InvalidArgument("config.json: feed_forward_proj '" + proj +
                                     "' is not 'ACT' or 'gated-ACT' (e.g. 'relu', 'gated-gelu')");
    }
    t.gated = true;
    act = proj.substr(dash + 1);
  }
  if (proj == "gated-gelu") act = "gelu_new";
  MHUB_ASSIGN_OR_RETURN(t.act, ParseActivation(act));
  t.tied = c.tie_word_embeddings;
  return t;
}

// T5Attention._relative_position_bucket for rel = key - query.
int64_t RelativeBucket(int64_t rel, bool bidirectional, int64_t num_buckets, int64_t max_distance) {
  int64_t bucket = 0;
  int64_t n = 0;
  if (bidirectional) {
    num_buckets /= 2;
    if (rel > 0) bucket += num_buckets;
    n = rel < 0 ? -rel : rel;
  } else {
    n = rel < 0 ? -rel : 0;
  }
  const int64_t max_exact = num_buckets / 2;
  if (n < max_exact) return bucket + n;
  // float32 log as torch computes it, truncated toward zero by .to(long)
  const float large =
      static_cast<float>(max_exact) + std::log(static_cast<float>(n) / static_cast<float>(max_exact)) /
                                          std::log(static_cast<float>(max_distance) / static_cast<float>(max_exact)) *
                                          static_cast<float>(num_buckets - max_exact);
  return bucket + std::min<int64_t>(static_cast<int64_t>(large), num_buckets - 1);
}

struct T5Attn {
  LazyLinear qkv, q, kv, o;  // self: qkv fused; cross: q from the decoder, k|v fused over the encoder
};

struct T5Ffn {
  Norm norm;
  LazyLinear wi, wi_1, wo;  // wi = wi_0 when gated
};

struct T5Block {
  Norm self_norm, cross_norm;
  T5Attn self, cross;
  T5Ffn ffn;
};

class T5Model final : public Seq2SeqModel {
 public:
  static Result<std::unique_ptr<Model>> Build(const BuildContext& ctx);

 protected:
  Result<core::Tensor> EncoderHidden(const core::Tensor& ids, const core::Tensor& mask) const override;
  Status CrossKeysValues(size_t layer, const core::Tensor& encoded, core::Tensor& k, core::Tensor& v) const override;
  Result<core::Tensor> DecoderHidden(const Seq2SeqStep& step) const override;
  Status LmHead(const core::Tensor& hidden, core::Tensor& logits) const override;
  int64_t decoder_layers() const override { return t_.num_decoder_layers; }
  int64_t decoder_heads() const override { return t_.num_heads; }
  int64_t head_dim() const override { return t_.d_kv; }

 private:
  Status LoadFfn(const VarBuilder& vb, T5Ffn& ffn) const;
  // h += FFN(norm(h)); x, inner, gate are scratch.
  Status RunFfn(const T5Ffn& f, core::Tensor& h, core::Tensor& x) const;
  // (H, Tq, Tk) bias of queries at positions q_offset.. against keys 0..Tk-1.
  std::vector<float> PositionBias(const std::vector<float>& table, int64_t Tq, int64_t Tk, int64_t q_offset,
                                  bool bidirectional) const;

  T5Config t_;
  core::Tensor shared_;                   // (V,d)
  std::vector<float> enc_rel_, dec_rel_;  // (buckets, H) of block 0
  std::vector<T5Block> encoder_, decoder_;
  Norm enc_final_, dec_final_;
  LazyLinear lm_head_;
};

Status T5Model::LoadFfn(const VarBuilder& vb, T5Ffn& f) const {
  MHUB_ASSIGN_OR_RETURN(f.norm, Norm::RmsNorm(vb.Pp("layer_norm"), t_.d_model, t_.eps));
  const VarBuilder d = vb.Pp("DenseReluDense");
  if (t_.gated) {
    MHUB_ASSIGN_OR_RETURN(f.wi, LazyLinear::Load(d.Pp("wi_0"), t_.d_model, t_.d_ff, false));
    MHUB_ASSIGN_OR_RETURN(f.wi_1, LazyLinear::Load(d.Pp("wi_1"), t_.d_model, t_.d_ff, false));
  } else {
    MHUB_ASSIGN_OR_RETURN(f.wi, LazyLinear::Load(d.Pp("wi"), t_.d_model, t_.d_ff, false));
  }
  MHUB_ASSIGN_OR_RETURN(f.wo, LazyLinear::Load(d.Pp("wo"), t_.d_ff, t_.d_model, false));
  return Status::OK();
}

Result<std::unique_ptr<Model>> T5Model::Build(const BuildContext& ctx) {
  if (ctx.task != Task::kBase) return UnsupportedTask("t5", ctx.task, {Task::kBase});
  auto m = std::make_unique<T5Model>();
  m->config_ = ctx.config;
  m->config_json_ = ctx.config.ToJson();
  m->keepalive_ = ctx.keepalive;
  m->task_ = ctx.task;
  MHUB_ASSIGN_OR_RETURN(m->t_, ParseT5(ctx.config));
  const T5Config& t = m->t_;
  const int64_t d = t.d_model, inner = t.inner(), H = t.num_heads;

  VarBuilder vb(ctx.source, &m->params_, "");
  MHUB_ASSIGN_OR_RETURN(m->shared_, LoadEmbedding(vb.Pp("shared"), t.vocab_size, d));
  auto load_rel = [&](const VarBuilder& att, std::vector<float>& out) -> Status {
    MHUB_ASSIGN_OR_RETURN(core::Tensor w, att.Pp("relative_attention_bias").Get("weight", {t.buckets, H}));
    out = w.ToFloatVector();
    return Status::OK();
  };
  auto load_self = [&](const VarBuilder& att, T5Attn& a) -> Status {
    MHUB_ASSIGN_OR_RETURN(LazyLinear q, LazyLinear::Load(att.Pp("q"), d, inner, false));
    MHUB_ASSIGN_OR_RETURN(LazyLinear k, LazyLinear::Load(att.Pp("k"), d, inner, false));
    MHUB_ASSIGN_OR_RETURN(LazyLinear v, LazyLinear::Load(att.Pp("v"), d, inner, false));
    MHUB_ASSIGN_OR_RETURN(a.o, LazyLinear::Load(att.Pp("o"), inner, d, false));
    MHUB_ASSIGN_OR_RETURN(a.qkv, LazyLinear::Fuse({q, k, v}));
    return Status::OK();
  };
  for (int64_t i = 0; i < t.num_layers; ++i) {
    const VarBuilder blk = vb.Pp("encoder").Pp("block").Pp(i).Pp("layer");
    T5Block b;
    const VarBuilder att = blk.Pp(0).Pp("SelfAttention");
    MHUB_RETURN_IF_ERROR(load_self(att, b.self));
    if (i == 0) MHUB_RETURN_IF_ERROR(load_rel(att, m->enc_rel_));
    MHUB_ASSIGN_OR_RETURN(b.self_norm, Norm::RmsNorm(blk.Pp(0).Pp("layer_norm"), d, t.eps));
    MHUB_RETURN_IF_ERROR(m->LoadFfn(blk.Pp(1), b.ffn));
    m->encoder_.push_back(std::move(b));
  }
  MHUB_ASSIGN_OR_RETURN(m->enc_final_, Norm::RmsNorm(vb.Pp("encoder").Pp("final_layer_norm"), d, t.eps));
  for (int64_t i = 0; i < t.num_decoder_layers; ++i) {
    const VarBuilder blk = vb.Pp("decoder").Pp("block").Pp(i).Pp("layer");
    T5Block b;
    const VarBuilder att = blk.Pp(0).Pp("SelfAttention");
    MHUB_RETURN_IF_ERROR(load_self(att, b.self));
    if (i == 0) MHUB_RETURN_IF_ERROR(load_rel(att, m->dec_rel_));
    MHUB_ASSIGN_OR_RETURN(b.self_norm, Norm::RmsNorm(blk.Pp(0).Pp("layer_norm"), d, t.eps));
    const VarBuilder cross = blk.Pp(1).Pp("EncDecAttention");
    MHUB_ASSIGN_OR_RETURN(b.cross.q, LazyLinear::Load(cross.Pp("q"), d, inner, false));
    MHUB_ASSIGN_OR_RETURN(LazyLinear k, LazyLinear::Load(cross.Pp("k"), d, inner, false));
    MHUB_ASSIGN_OR_RETURN(LazyLinear v, LazyLinear::Load(cross.Pp("v"), d, inner, false));
    MHUB_ASSIGN_OR_RETURN(b.cross.o, LazyLinear::Load(cross.Pp("o"), inner, d, false));
    MHUB_ASSIGN_OR_RETURN(b.cross.kv, LazyLinear::Fuse({k, v}));
    MHUB_ASSIGN_OR_RETURN(b.cross_norm, Norm::RmsNorm(blk.Pp(1).Pp("layer_norm"), d, t.eps));
    MHUB_RETURN_IF_ERROR(m->LoadFfn(blk.Pp(2), b.ffn));
    m->decoder_.push_back(std::move(b));
  }
  MHUB_ASSIGN_OR_RETURN(m->dec_final_, Norm::RmsNorm(vb.Pp("decoder").Pp("final_layer_norm"), d, t.eps));
  if (t.tied) {
    m->lm_head_ = LazyLinear::Of(m->shared_, core::Tensor(), vb.quantize_int8());
  } else {
    MHUB_ASSIGN_OR_RETURN(m->lm_head_, LazyLinear::Load(vb.Head().Pp("lm_head"), d, t.vocab_size, false));
  }

  ModelInfo& info = m->info_;
  info.model_type = "t5";
  info.architecture = "T5ForConditionalGeneration";
  info.vocab_size = t.vocab_size;
  info.hidden_size = d;
  info.num_layers = t.num_layers;
  info.pad_token_id = ctx.config.pad_token_id.value_or(0);
  info.eos_token_ids = ctx.config.eos_token_ids;
  if (info.eos_token_ids.empty() && !ctx.config.raw.contains("eos_token_id")) info.eos_token_ids = {1};
  info.weight_dtype = WeightDtypeName(m->params_);
  m->s2s_.decoder_start_token_id = ctx.config.decoder_start_token_id.value_or(info.pad_token_id);
  MHUB_ASSIGN_OR_RETURN(m->s2s_.forced_bos_token_id, ConfigInt(ctx.config, "forced_bos_token_id", -1));
  MHUB_ASSIGN_OR_RETURN(m->s2s_.forced_eos_token_id, ConfigInt(ctx.config, "forced_eos_token_id", -1));
  return std::unique_ptr<Model>(std::move(m));
}

std::vector<float> T5Model::PositionBias(const std::vector<float>& table, int64_t Tq, int64_t Tk, int64_t q_offset,
                                         bool bidirectional) const {
  const int64_t H = t_.num_heads;
  std::vector<float> bias(static_cast<size_t>(H * Tq * Tk));
  for (int64_t i = 0; i < Tq; ++i) {
    for (int64_t j = 0; j < Tk; ++j) {
      const int64_t bucket = RelativeBucket(j - (q_offset + i), bidirectional, t_.buckets, t_.max_distance);
      for (int64_t h = 0; h < H; ++h) {
        bias[static_cast<size_t>((h * Tq + i) * Tk + j)] = table[static_cast<size_t>(bucket * H + h)];
      }
    }
  }
  return bias;
}

Status T5Model::RunFfn(const T5Ffn& f, core::Tensor& h, core::Tensor& x) const {
  MHUB_RETURN_IF_ERROR(f.norm.Apply(h, x));
  core::Tensor inner;  // (...,d_ff)
  MHUB_RETURN_IF_ERROR(f.wi.Forward(x, inner, t_.act));
  if (t_.gated) {  // act(wi_0 x) * wi_1 x
    core::Tensor up;
    MHUB_RETURN_IF_ERROR(f.wi_1.Forward(x, up));
    MHUB_RETURN_IF_ERROR(core::Mul(inner, up, inner));
  }
  return f.wo.Forward(inner, h, core::Activation::kNone, /*accumulate=*/true);  // h += ffn
}

Result<core::Tensor> T5Model::EncoderHidden(const core::Tensor& ids, const core::Tensor& mask) const {
  const int64_t B = ids.dim(0), T = ids.dim(1), d = t_.d_model, H = t_.num_heads, inner = t_.inner();
  core::Tensor h = NewF32({B, T, d});  // (B,T,d) residual stream
  MHUB_RETURN_IF_ERROR(core::Embedding(ids, shared_, h));
  const std::vector<float> bias = PositionBias(enc_rel_, T, T, 0, /*bidirectional=*/true);  // (H,T,T)
  core::Tensor x = NewF32({B, T, d}), ctx = NewF32({B, T, inner}), qkv;
  for (const T5Block& b : encoder_) {
    MHUB_RETURN_IF_ERROR(b.self_norm.Apply(h, x));
    MHUB_RETURN_IF_ERROR(b.self.qkv.Forward(x, qkv));  // (B,T,3 inner)
    MHUB_ASSIGN_OR_RETURN(core::HeadsView q, core::HeadsView::FromPacked(qkv, 0, H, t_.d_kv));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView k, core::HeadsView::FromPacked(qkv, H, H, t_.d_kv));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView v, core::HeadsView::FromPacked(qkv, 2 * H, H, t_.d_kv));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView out, core::HeadsView::Of(ctx, H));
    MHUB_RETURN_IF_ERROR(BiasedAttention(q, k, v, out, bias, &mask, /*causal=*/false, 0, /*scale=*/1.0f));
    MHUB_RETURN_IF_ERROR(b.self.o.Forward(ctx, h, core::Activation::kNone, /*accumulate=*/true));  // h += attn
    MHUB_RETURN_IF_ERROR(RunFfn(b.ffn, h, x));
  }
  MHUB_RETURN_IF_ERROR(enc_final_.Apply(h, h));
  return h;
}

Status T5Model::CrossKeysValues(size_t layer, const core::Tensor& encoded, core::Tensor& k, core::Tensor& v) const {
  core::Tensor kv;  // (B,S,2 inner) = k | v
  MHUB_RETURN_IF_ERROR(decoder_[layer].cross.kv.Forward(encoded, kv));
  const int64_t B = encoded.dim(0), S = encoded.dim(1), inner = t_.inner();
  k = NewF32({B, S, inner});
  v = NewF32({B, S, inner});
  const float* src = kv.data<float>();
  for (int64_t r = 0; r < B * S; ++r) {
    std::copy_n(src + r * 2 * inner, inner, k.data<float>() + r * inner);
    std::copy_n(src + r * 2 * inner + inner, inner, v.data<float>() + r * inner);
  }
  return Status::OK();
}

Result<core::Tensor> T5Model::DecoderHidden(const Seq2SeqStep& step) const {
  const int64_t R = step.rows, T = step.seq, d = t_.d_model, H = t_.num_heads, inner = t_.inner();
  core::Tensor h = NewF32({R, T, d});  // (R,T,d) residual stream
  MHUB_RETURN_IF_ERROR(core::Embedding(step.ids, shared_, h));
  const std::vector<float> bias =
      PositionBias(dec_rel_, T, step.past + T, step.past, /*bidirectional=*/false);  // (H,T,past+T)
  core::Tensor x = NewF32({R, T, d}), ctx = NewF32({R, T, inner}), qkv, q;
  MHUB_ASSIGN_OR_RETURN(core::HeadsView out, core::HeadsView::Of(ctx, H));
  for (size_t l = 0; l < decoder_.size(); ++l) {
    const T5Block& b = decoder_[l];
    MHUB_RETURN_IF_ERROR(b.self_norm.Apply(h, x));
    MHUB_RETURN_IF_ERROR(b.self.qkv.Forward(x, qkv));  // (R,T,3 inner)
    MHUB_ASSIGN_OR_RETURN(core::HeadsView qs, core::HeadsView::FromPacked(qkv, 0, H, t_.d_kv));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView ks, core::HeadsView::FromPacked(qkv, H, H, t_.d_kv));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView vs, core::HeadsView::FromPacked(qkv, 2 * H, H, t_.d_kv));
    MHUB_RETURN_IF_ERROR(SelfAttention(step, l, qs, ks, vs, out, 1.0f, bias));
    MHUB_RETURN_IF_ERROR(b.self.o.Forward(ctx, h, core::Activation::kNone, /*accumulate=*/true));
    MHUB_RETURN_IF_ERROR(b.cross_norm.Apply(h, x));
    MHUB_RETURN_IF_ERROR(b.cross.q.Forward(x, q));  // (R,T,inner)
    MHUB_ASSIGN_OR_RETURN(core::HeadsView qc, core::HeadsView::Of(q, H));
    MHUB_RETURN_IF_ERROR(CrossAttention(step, l, qc, out, 1.0f));
    MHUB_RETURN_IF_ERROR(b.cross.o.Forward(ctx, h, core::Activation::kNone, /*accumulate=*/true));
    MHUB_RETURN_IF_ERROR(RunFfn(b.ffn, h, x));
  }
  MHUB_RETURN_IF_ERROR(dec_final_.Apply(h, h));
  return h;
}

Status T5Model::LmHead(const core::Tensor& hidden, core::Tensor& logits) const {
  if (!t_.tied) return lm_head_.Forward(hidden, logits);
  // Tied to the input embeddings: rescale first (T5ForConditionalGeneration.forward).
  core::Tensor scaled = hidden.Clone();
  MHUB_RETURN_IF_ERROR(core::Scale(scaled, static_cast<float>(1.0 / std::sqrt(static_cast<double>(t_.d_model)))));
  return lm_head_.Forward(scaled, logits);
}

}  // namespace

Result<std::unique_ptr<Model>> BuildT5(const BuildContext& context) { return T5Model::Build(context); }

}  // namespace mhub::models
