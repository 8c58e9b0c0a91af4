// BART and Marian (transformers modeling_bart.py / modeling_marian.py, *ForConditionalGeneration):
// post-LN encoder and decoder layers with biased q/k/v/out projections (q scaled by head_dim^-0.5),
// token embeddings x sqrt(d_model) when scale_embedding, and a head tied to `model.shared` plus the
// `final_logits_bias` buffer.
//   BART:   learned positions read at row position + 2 (fairseq's offset), then layernorm_embedding.
//   Marian: fixed sinusoidal positions without offset (computed here: sin in the first half of the
//           columns, cos in the second, not interleaved), no layernorm_embedding.
//
// Checkpoint names (under "model."):
//   shared.weight (V,d); encoder/decoder.embed_tokens.weight are tied aliases (not read)
//   {encoder,decoder}.embed_positions.weight (P+2,d) (BART), {encoder,decoder}.layernorm_embedding.*
//   {encoder,decoder}.layers.{i}.self_attn.{q,k,v,out}_proj.{weight,bias}, .self_attn_layer_norm.*
//   decoder.layers.{i}.encoder_attn.{q,k,v,out}_proj.*, .encoder_attn_layer_norm.*
//   {encoder,decoder}.layers.{i}.fc1.*, .fc2.*, .final_layer_norm.*
// Head (outside "model."): final_logits_bias (1,V); lm_head.weight (V,d) only when not tied.
#include <cmath>
#include <memory>
#include <vector>

#include "mhub/core/attention.h"
#include "mhub/core/kernels.h"
#include "models/seq2seq_model.h"

namespace mhub::models {
namespace {

struct BartConfig {
  bool marian = false;
  int64_t vocab_size = 50265, d_model = 1024, max_positions = 1024;
  int64_t encoder_layers = 12, decoder_layers = 12, encoder_heads = 16, decoder_heads = 16;
  int64_t encoder_ffn = 4096, decoder_ffn = 4096;
  core::Activation act = core::Activation::kGeluErf;
  bool scale_embedding = false;
};

Result<BartConfig> ParseBart(const formats::ModelConfig& c) {
  BartConfig b;
  b.marian = c.model_type == "marian";
  MHUB_ASSIGN_OR_RETURN(b.vocab_size, ConfigInt(c, "vocab_size", b.marian ? 58101 : 50265));
  MHUB_ASSIGN_OR_RETURN(b.d_model, ConfigInt(c, "d_model", 1024));
  MHUB_ASSIGN_OR_RETURN(b.max_positions, ConfigInt(c, "max_position_embeddings", 1024));
  MHUB_ASSIGN_OR_RETURN(b.encoder_layers, ConfigInt(c, "encoder_layers", 12));
  MHUB_ASSIGN_OR_RETURN(b.decoder_layers, ConfigInt(c, "decoder_layers", 12));
  MHUB_ASSIGN_OR_RETURN(b.encoder_heads, ConfigInt(c, "encoder_attention_heads", 16));
  MHUB_ASSIGN_OR_RETURN(b.decoder_heads, ConfigInt(c, "decoder_attention_heads", 16));
  MHUB_ASSIGN_OR_RETURN(b.encoder_ffn, ConfigInt(c, "encoder_ffn_dim", 4096));
  MHUB_ASSIGN_OR_RETURN(b.decoder_ffn, ConfigInt(c, "decoder_ffn_dim", 4096));
  MHUB_ASSIGN_OR_RETURN(std::string act, ConfigString(c, "activation_function", "gelu"));
  MHUB_ASSIGN_OR_RETURN(b.act, ParseActivation(act));
  MHUB_ASSIGN_OR_RETURN(b.scale_embedding, ConfigBool(c, "scale_embedding", false));
  for (int64_t v : {b.vocab_size, b.d_model, b.max_positions, b.encoder_layers, b.decoder_layers, b.encoder_heads,
                    b.decoder_heads, b.encoder_ffn, b.decoder_ffn}) {
    if (v <= 0) return Status::InvalidArgument("config.json: " + c.model_type + " sizes must be positive");
  }
  if (b.d_model % b.encoder_heads != 0 || b.d_model % b.decoder_heads != 0) {
    return Status::InvalidArgument("config.json: d_model is not divisible by the attention heads");
  }
  if (b.marian) {
    MHUB_ASSIGN_OR_RETURN(int64_t dec_vocab, ConfigInt(c, "decoder_vocab_size", b.vocab_size));
    MHUB_ASSIGN_OR_RETURN(bool shared, ConfigBool(c, "share_encoder_decoder_embeddings", true));
    if (!shared || dec_vocab != b.vocab_size) {
      return Status::Unsupported("Marian with separate encoder/decoder vocabularies is not supported");
    }
  }
  return b;
}

struct BartAttn {
  LazyLinear qkv, q, kv, out;  // self: q|k|v fused; cross: q from the decoder, k|v over the encoder
  Norm norm;
};

struct BartLayer {
  BartAttn self, cross;
  LazyLinear fc1, fc2;
  Norm final_norm;
};

struct BartStack {
  core::Tensor positions;  // (P+2,d) learned (BART) or (P,d) sinusoidal (Marian)
  Norm layernorm_embedding;
  bool has_layernorm_embedding = false;
  std::vector<BartLayer> layers;
};

// MarianSinusoidalPositionalEmbedding._init_weight, computed in double as numpy does.
core::Tensor SinusoidalTable(int64_t rows, int64_t dim) {
  core::Tensor t = NewF32({rows, dim});
  const int64_t sin_cols = (dim + 1) / 2;  // the sin half gets the extra column for odd dim
  for (int64_t p = 0; p < rows; ++p) {
    float* row = t.data<float>() + p * dim;
    for (int64_t j = 0; j < dim; ++j) {
      const bool is_sin = j < sin_cols;
      const int64_t k = is_sin ? j : j - sin_cols;  // angle index: columns 2k (sin) and 2k+1 (cos)
      const int64_t col = is_sin ? 2 * k : 2 * k + 1;
      const double angle = static_cast<double>(p) / std::pow(10000.0, 2.0 * static_cast<double>(col / 2) / dim);
      row[j] = static_cast<float>(is_sin ? std::sin(angle) : std::cos(angle));
    }
  }
  return t;
}

class BartModel final : public Seq2SeqModel {
 public:
  static Result<std::unique_ptr<Model>> Build(const BuildContext& ctx);

 protected:
  Result<core::Tensor> EncoderHidden(const core::Tensor& ids, const core::Tensor& mask) const override;
  Status CrossKeysValues(size_t layer, const core::Tensor& encoded, core::Tensor& k, core::Tensor& v) const override;
  Result<core::Tensor> DecoderHidden(const Seq2SeqStep& step) const override;
  Status LmHead(const core::Tensor& hidden, core::Tensor& logits) const override;
  int64_t decoder_layers() const override { return b_.decoder_layers; }
  int64_t decoder_heads() const override { return b_.decoder_heads; }
  int64_t head_dim() const override { return b_.d_model / b_.decoder_heads; }

 private:
  Status LoadStack(const VarBuilder& vb, bool decoder, BartStack& stack);
  // h (R,T,d) = embed_tokens(ids) * scale + positions(past..past+T-1) [-> layernorm_embedding].
  Result<core::Tensor> Embed(const BartStack& s, const core::Tensor& ids, int64_t past) const;

  BartConfig b_;
  core::Tensor shared_;
  core::Tensor final_logits_bias_;  // (V) F32
  BartStack encoder_, decoder_;
  LazyLinear lm_head_;
};

Status BartModel::LoadStack(const VarBuilder& vb, bool decoder, BartStack& s) {
  const int64_t d = b_.d_model, ffn = decoder ? b_.decoder_ffn : b_.encoder_ffn;
  const int64_t layers = decoder ? b_.decoder_layers : b_.encoder_layers;
  if (b_.marian) {
    s.positions = SinusoidalTable(b_.max_positions, d);
  } else {
    MHUB_ASSIGN_OR_RETURN(s.positions, LoadEmbedding(vb.Pp("embed_positions"), b_.max_positions + 2, d));
    MHUB_ASSIGN_OR_RETURN(s.layernorm_embedding, Norm::LayerNorm(vb.Pp("layernorm_embedding"), d, 1e-5));
    s.has_layernorm_embedding = true;
  }
  auto load_proj = [&](const VarBuilder& att, const char* name) { return LazyLinear::Load(att.Pp(name), d, d, true); };
  for (int64_t i = 0; i < layers; ++i) {
    const VarBuilder lv = vb.Pp("layers").Pp(i);
    BartLayer L;
    {
      const VarBuilder att = lv.Pp("self_attn");
      MHUB_ASSIGN_OR_RETURN(LazyLinear q, load_proj(att, "q_proj"));
      MHUB_ASSIGN_OR_RETURN(LazyLinear k, load_proj(att, "k_proj"));
      MHUB_ASSIGN_OR_RETURN(LazyLinear v, load_proj(att, "v_proj"));
      MHUB_ASSIGN_OR_RETURN(L.self.out, load_proj(att, "out_proj"));
      MHUB_ASSIGN_OR_RETURN(L.self.qkv, LazyLinear::Fuse({q, k, v}));
      MHUB_ASSIGN_OR_RETURN(L.self.norm, Norm::LayerNorm(lv.Pp("self_attn_layer_norm"), d, 1e-5));
    }
    if (decoder) {
      const VarBuilder att = lv.Pp("encoder_attn");
      MHUB_ASSIGN_OR_RETURN(L.cross.q, load_proj(att, "q_proj"));
      MHUB_ASSIGN_OR_RETURN(LazyLinear k, load_proj(att, "k_proj"));
      MHUB_ASSIGN_OR_RETURN(LazyLinear v, load_proj(att, "v_proj"));
      MHUB_ASSIGN_OR_RETURN(L.cross.out, load_proj(att, "out_proj"));
      MHUB_ASSIGN_OR_RETURN(L.cross.kv, LazyLinear::Fuse({k, v}));
      MHUB_ASSIGN_OR_RETURN(L.cross.norm, Norm::LayerNorm(lv.Pp("encoder_attn_layer_norm"), d, 1e-5));
    }
    MHUB_ASSIGN_OR_RETURN(L.fc1, LazyLinear::Load(lv.Pp("fc1"), d, ffn, true));
    MHUB_ASSIGN_OR_RETURN(L.fc2, LazyLinear::Load(lv.Pp("fc2"), ffn, d, true));
    MHUB_ASSIGN_OR_RETURN(L.final_norm, Norm::LayerNorm(lv.Pp("final_layer_norm"), d, 1e-5));
    s.layers.push_back(std::move(L));
  }
  return Status::OK();
}

Result<std::unique_ptr<Model>> BartModel::Build(const BuildContext& ctx) {
  const std::string& type = ctx.config.model_type;
  if (ctx.task != Task::kBase) return UnsupportedTask(type, ctx.task, {Task::kBase});
  auto m = std::make_unique<BartModel>();
  m->config_ = ctx.config;
  m->config_json_ = ctx.config.ToJson();
  m->keepalive_ = ctx.keepalive;
  m->task_ = ctx.task;
  MHUB_ASSIGN_OR_RETURN(m->b_, ParseBart(ctx.config));
  const BartConfig& b = m->b_;
  VarBuilder vb(ctx.source, &m->params_, "model.");
  MHUB_ASSIGN_OR_RETURN(m->shared_, LoadEmbedding(vb.Pp("shared"), b.vocab_size, b.d_model));
  MHUB_RETURN_IF_ERROR(m->LoadStack(vb.Pp("encoder"), /*decoder=*/false, m->encoder_));
  MHUB_RETURN_IF_ERROR(m->LoadStack(vb.Pp("decoder"), /*decoder=*/true, m->decoder_));
  const VarBuilder head = vb.Head();
  MHUB_ASSIGN_OR_RETURN(core::Tensor bias, head.Get("final_logits_bias", {1, b.vocab_size}, Init::kZeros));
  MHUB_ASSIGN_OR_RETURN(m->final_logits_bias_, bias.To(core::DType::kF32));
  MHUB_ASSIGN_OR_RETURN(m->final_logits_bias_, m->final_logits_bias_.Reshape({b.vocab_size}));
  core::Tensor lm;
  if (!ctx.config.tie_word_embeddings) {
    MHUB_ASSIGN_OR_RETURN(lm, head.Pp("lm_head").GetOptional("weight", {b.vocab_size, b.d_model}));
  }
  m->lm_head_ = LazyLinear::Of(lm.defined() ? lm : m->shared_, core::Tensor(), vb.quantize_int8());

  const bool marian = b.marian;
  ModelInfo& info = m->info_;
  info.model_type = type;
  info.architecture = marian ? "MarianMTModel" : "BartForConditionalGeneration";
  info.vocab_size = b.vocab_size;
  info.hidden_size = b.d_model;
  info.num_layers = b.encoder_layers;
  info.max_position_embeddings = b.max_positions;
  info.pad_token_id = ctx.config.pad_token_id.value_or(marian ? 58100 : 1);
  info.bos_token_id = ctx.config.bos_token_id.value_or(marian ? -1 : 0);
  info.eos_token_ids = ctx.config.eos_token_ids;
  if (info.eos_token_ids.empty() && !ctx.config.raw.contains("eos_token_id")) {
    info.eos_token_ids = {marian ? 0 : 2};
  }
  info.weight_dtype = WeightDtypeName(m->params_);
  Seq2SeqInfo& s = m->s2s_;
  s.decoder_start_token_id = ctx.config.decoder_start_token_id.value_or(marian ? info.pad_token_id : 2);
  MHUB_ASSIGN_OR_RETURN(s.forced_eos_token_id, ConfigInt(ctx.config, "forced_eos_token_id", marian ? 0 : 2));
  // Legacy configs say force_bos_token_to_be_generated instead of forced_bos_token_id.
  MHUB_ASSIGN_OR_RETURN(bool force_bos, ConfigBool(ctx.config, "force_bos_token_to_be_generated", false));
  MHUB_ASSIGN_OR_RETURN(s.forced_bos_token_id,
                        ConfigInt(ctx.config, "forced_bos_token_id", force_bos ? info.bos_token_id : -1));
  s.max_source_positions = b.max_positions;
  s.max_target_positions = b.max_positions;
  return std::unique_ptr<Model>(std::move(m));
}

Result<core::Tensor> BartModel::Embed(const BartStack& s, const core::Tensor& ids, int64_t past) const {
  const int64_t R = ids.dim(0), T = ids.dim(1), d = b_.d_model;
  core::Tensor h = NewF32({R, T, d});
  MHUB_RETURN_IF_ERROR(core::Embedding(ids, shared_, h));
  if (b_.scale_embedding) MHUB_RETURN_IF_ERROR(core::Scale(h, static_cast<float>(std::sqrt(static_cast<double>(d)))));
  const int64_t offset = b_.marian ? 0 : 2;
  std::vector<int64_t> pos(static_cast<size_t>(R * T));
  for (int64_t r = 0; r < R; ++r) {
    for (int64_t t = 0; t < T; ++t) pos[static_cast<size_t>(r * T + t)] = past + t + offset;
  }
  MHUB_RETURN_IF_ERROR(core::Embedding(IdsTensor(pos, R, T), s.positions, h, /*accumulate=*/true));
  if (s.has_layernorm_embedding) MHUB_RETURN_IF_ERROR(s.layernorm_embedding.Apply(h, h));
  return h;
}

Result<core::Tensor> BartModel::EncoderHidden(const core::Tensor& ids, const core::Tensor& mask) const {
  const int64_t B = ids.dim(0), T = ids.dim(1), H = b_.encoder_heads, D = b_.d_model / H;
  MHUB_ASSIGN_OR_RETURN(core::Tensor h, Embed(encoder_, ids, 0));  // (B,T,d)
  core::Tensor ctx = NewF32({B, T, b_.d_model}), qkv, inner;
  core::AttentionOptions opts;
  opts.key_mask = &mask;  // scale 0: head_dim^-0.5
  for (const BartLayer& L : encoder_.layers) {
    MHUB_RETURN_IF_ERROR(L.self.qkv.Forward(h, qkv));  // (B,T,3d)
    MHUB_ASSIGN_OR_RETURN(core::HeadsView q, core::HeadsView::FromPacked(qkv, 0, H, D));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView k, core::HeadsView::FromPacked(qkv, H, H, D));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView v, core::HeadsView::FromPacked(qkv, 2 * H, H, D));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView out, core::HeadsView::Of(ctx, H));
    MHUB_RETURN_IF_ERROR(core::Attention(q, k, v, out, opts));
    MHUB_RETURN_IF_ERROR(L.self.out.Forward(ctx, h, core::Activation::kNone, /*accumulate=*/true));
    MHUB_RETURN_IF_ERROR(L.self.norm.Apply(h, h));  // h = LN(h + attn)
    MHUB_RETURN_IF_ERROR(L.fc1.Forward(h, inner, b_.act));
    MHUB_RETURN_IF_ERROR(L.fc2.Forward(inner, h, core::Activation::kNone, /*accumulate=*/true));
    MHUB_RETURN_IF_ERROR(L.final_norm.Apply(h, h));  // h = LN(h + ffn)
  }
  return h;
}

Status BartModel::CrossKeysValues(size_t layer, const core::Tensor& encoded, core::Tensor& k, core::Tensor& v) const {
  core::Tensor kv;  // (B,S,2d) = k | v
  MHUB_RETURN_IF_ERROR(decoder_.layers[layer].cross.kv.Forward(encoded, kv));
  const int64_t B = encoded.dim(0), S = encoded.dim(1), d = b_.d_model;
  k = NewF32({B, S, d});
  v = NewF32({B, S, d});
  const float* src = kv.data<float>();
  for (int64_t r = 0; r < B * S; ++r) {
    std::copy_n(src + r * 2 * d, d, k.data<float>() + r * d);
    std::copy_n(src + r * 2 * d + d, d, v.data<float>() + r * d);
  }
  return Status::OK();
}

Result<core::Tensor> BartModel::DecoderHidden(const Seq2SeqStep& step) const {
  const int64_t R = step.rows, T = step.seq, H = b_.decoder_heads, D = b_.d_model / H;
  if (step.past + T > b_.max_positions) {
    return Status::InvalidArgument("decoder position " + std::to_string(step.past + T - 1) +
                                   " is outside the model's " + std::to_string(b_.max_positions) + " positions");
  }
  MHUB_ASSIGN_OR_RETURN(core::Tensor h, Embed(decoder_, step.ids, step.past));  // (R,T,d)
  core::Tensor ctx = NewF32({R, T, b_.d_model}), qkv, q, inner;
  MHUB_ASSIGN_OR_RETURN(core::HeadsView out, core::HeadsView::Of(ctx, H));
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(D)));
  for (size_t l = 0; l < decoder_.layers.size(); ++l) {
    const BartLayer& L = decoder_.layers[l];
    MHUB_RETURN_IF_ERROR(L.self.qkv.Forward(h, qkv));  // (R,T,3d)
    MHUB_ASSIGN_OR_RETURN(core::HeadsView qs, core::HeadsView::FromPacked(qkv, 0, H, D));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView ks, core::HeadsView::FromPacked(qkv, H, H, D));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView vs, core::HeadsView::FromPacked(qkv, 2 * H, H, D));
    MHUB_RETURN_IF_ERROR(SelfAttention(step, l, qs, ks, vs, out, scale, {}));
    MHUB_RETURN_IF_ERROR(L.self.out.Forward(ctx, h, core::Activation::kNone, /*accumulate=*/true));
    MHUB_RETURN_IF_ERROR(L.self.norm.Apply(h, h));
    MHUB_RETURN_IF_ERROR(L.cross.q.Forward(h, q));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView qc, core::HeadsView::Of(q, H));
    MHUB_RETURN_IF_ERROR(CrossAttention(step, l, qc, out, scale));
    MHUB_RETURN_IF_ERROR(L.cross.out.Forward(ctx, h, core::Activation::kNone, /*accumulate=*/true));
    MHUB_RETURN_IF_ERROR(L.cross.norm.Apply(h, h));
    MHUB_RETURN_IF_ERROR(L.fc1.Forward(h, inner, b_.act));
    MHUB_RETURN_IF_ERROR(L.fc2.Forward(inner, h, core::Activation::kNone, /*accumulate=*/true));
    MHUB_RETURN_IF_ERROR(L.final_norm.Apply(h, h));
  }
  return h;
}

Status BartModel::LmHead(const core::Tensor& hidden, core::Tensor& logits) const {
  MHUB_RETURN_IF_ERROR(lm_head_.Forward(hidden, logits));
  return core::AddBias(logits, final_logits_bias_);
}

}  // namespace

Result<std::unique_ptr<Model>> BuildBart(const BuildContext& context) { return BartModel::Build(context); }

}  // namespace mhub::models
