// Llama, Mistral and Qwen2 (transformers modeling_llama.py / modeling_mistral.py /
// modeling_qwen2.py): pre-RMSNorm decoder, rotary positions (rotate_half layout, rope_scaling
// default/linear/dynamic/llama3/yarn/longrope), grouped-query attention, SwiGLU MLP. Qwen2 adds
// q/k/v biases. Sliding-window attention (a query sees the `sliding_window` most recent positions,
// its own included): Mistral on every layer, Qwen2 with use_sliding_window on layers
// >= max_window_layers, or as config "layer_types" says.
//
// Checkpoint names (with or without "model."; *ForQuestionAnswering of Llama and Qwen2 save the
// base model under "transformer.", Mistral's under "model."; both are accepted):
//   embed_tokens.weight (V,C), norm.weight
//   layers.{i}.input_layernorm.weight, layers.{i}.post_attention_layernorm.weight
//   layers.{i}.self_attn.{q_proj (Hq*D,C), k_proj (Hkv*D,C), v_proj (Hkv*D,C), o_proj (C,Hq*D)}.{weight,bias?}
//   layers.{i}.mlp.{gate_proj, up_proj (I,C), down_proj (C,I)}.weight
//   heads: lm_head.weight (absent when tie_word_embeddings) | score.weight | qa_outputs.{weight,bias}
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "mhub/core/attention.h"
#include "mhub/core/kernels.h"
#include "mhub/core/rope.h"
#include "models/decoder_model.h"

namespace mhub::models {
namespace {

// Looks base-model names up under a second prefix when the usual ones miss (the checkpoint source
// tries "model." and no prefix; Llama/Qwen2 QA checkpoints use "transformer.").
class AltPrefixSource final : public WeightSource {
 public:
  AltPrefixSource(std::shared_ptr<WeightSource> inner, std::string alt)
      : inner_(std::move(inner)), alt_(std::move(alt)) {
    set_quantize_int8(inner_->quantize_int8());
  }

  Result<core::Tensor> Fetch(const std::string& name, bool in_base, const core::Shape& shape, Init init,
                             bool optional) override {
    if (!in_base || inner_->CreatesMissing()) return inner_->Fetch(name, in_base, shape, init, optional);
    MHUB_ASSIGN_OR_RETURN(core::Tensor t, inner_->Fetch(name, true, shape, init, /*optional=*/true));
    if (t.defined()) return t;
    MHUB_ASSIGN_OR_RETURN(core::Tensor alt, inner_->Fetch(alt_ + name, false, shape, init, /*optional=*/true));
    if (alt.defined()) return alt;
    return inner_->Fetch(name, true, shape, init, optional);  // absent: the usual outcome
  }
  bool CreatesMissing() const override { return inner_->CreatesMissing(); }

 private:
  std::shared_ptr<WeightSource> inner_;
  std::string alt_;
};

struct LlamaLayer {
  Norm input_layernorm, post_attention_layernorm;
  LazyLinear q_proj, k_proj, v_proj, o_proj;
  LazyLinear gate_proj, up_proj, down_proj;
};

class LlamaModel final : public DecoderModel {
 public:
  static Result<std::unique_ptr<Model>> Build(const BuildContext& ctx);

 protected:
  Result<core::Tensor> Hidden(const DecoderStep& step) const override;
  int64_t num_layers() const override { return c_.num_hidden_layers; }
  int64_t num_kv_heads() const override { return c_.num_key_value_heads; }
  int64_t head_dim() const override { return c_.head_dim; }
  int64_t max_positions() const override { return 0; }

 private:
  // cos/sin for positions [0, needed); grown (and cached) on demand.
  Result<std::shared_ptr<const core::RopeTable>> Rope(int64_t needed) const;
  Status SetRope(const std::string& model_type);
  void SetWindows(const std::string& model_type);

  formats::LlamaConfig c_;
  core::RopeConfig rope_;
  std::vector<int64_t> window_;  // per layer: sliding window, 0 = full attention
  core::Tensor embed_tokens_;    // (V,C)
  std::vector<LlamaLayer> layers_;
  Norm norm_;
  mutable std::mutex rope_mu_;
  mutable std::shared_ptr<const core::RopeTable> rope_table_;
  mutable std::shared_ptr<const core::RopeTable> rope_long_table_;  // longrope past the original length
};

Status LlamaModel::SetRope(const std::string& model_type) {
  const formats::LlamaConfig& c = c_;
  rope_.rotary_dim = c.head_dim;
  rope_.theta = c.rope_theta;
  if (!c.rope_scaling) return Status::OK();
  const formats::RopeScaling& rs = *c.rope_scaling;
  MHUB_ASSIGN_OR_RETURN(rope_.scaling, core::ParseRopeScaling(rs.rope_type));
  rope_.factor = rs.factor;
  rope_.low_freq_factor = rs.low_freq_factor;
  rope_.high_freq_factor = rs.high_freq_factor;
  if (rope_.scaling != core::RopeScaling::kYarn && rope_.scaling != core::RopeScaling::kLongRope) {
    rope_.original_max_position_embeddings = rs.original_max_position_embeddings.value_or(
        rope_.scaling == core::RopeScaling::kDynamic ? c.max_position_embeddings : 8192);
    return Status::OK();
  }
  // transformers' _compute_yarn_parameters / _compute_longrope_parameters: the original length from
  // rope_scaling (longrope also from the config's top level, Phi-3 style), else max_position_embeddings;
  // a missing factor is max_position_embeddings / original.
  int64_t orig = c.max_position_embeddings;
  if (rs.original_max_position_embeddings) {
    orig = *rs.original_max_position_embeddings;
  } else if (rope_.scaling == core::RopeScaling::kLongRope && c.original_max_position_embeddings) {
    orig = *c.original_max_position_embeddings;
  }
  if (orig <= 0) return Status::InvalidArgument(model_type + ": original_max_position_embeddings must be positive");
  rope_.original_max_position_embeddings = orig;
  if (!rs.has_factor) rope_.factor = static_cast<double>(c.max_position_embeddings) / static_cast<double>(orig);
  rope_.attention_factor = rs.attention_factor.value_or(core::RopeAttentionFactor(
      rope_.scaling, rope_.factor, orig, rs.mscale.value_or(0.0), rs.mscale_all_dim.value_or(0.0)));
  rope_.beta_fast = rs.beta_fast;
  rope_.beta_slow = rs.beta_slow;
  rope_.truncate = rs.truncate;
  rope_.short_factor = rs.short_factor;
  rope_.long_factor = rs.long_factor;
  if (rope_.scaling == core::RopeScaling::kLongRope) {
    const size_t half = static_cast<size_t>(c.head_dim / 2);
    if (rs.short_factor.size() != half || rs.long_factor.size() != half) {
      return Status::InvalidArgument(model_type + ": longrope short_factor and long_factor need head_dim / 2 = " +
                                     std::to_string(half) + " values each");
    }
  }
  return Status::OK();
}

void LlamaModel::SetWindows(const std::string& model_type) {
  const formats::LlamaConfig& c = c_;
  window_.assign(static_cast<size_t>(c.num_hidden_layers), 0);
  // MistralConfig: sliding_window (null = none) on every layer. Qwen2Config: sliding_window only
  // with use_sliding_window, on layers >= max_window_layers. Llama: none.
  int64_t window = 0;
  if (model_type == "mistral" && c.sliding_window) window = *c.sliding_window;
  if (model_type == "qwen2" && c.use_sliding_window && c.sliding_window) window = *c.sliding_window;
  if (window <= 0) return;
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    bool sliding = true;
    if (!c.layer_types.empty()) {
      sliding = c.layer_types[static_cast<size_t>(i)] == "sliding_attention";
    } else if (model_type == "qwen2") {
      sliding = i >= c.max_window_layers;
    }
    window_[static_cast<size_t>(i)] = sliding ? window : 0;
  }
}

Result<std::unique_ptr<Model>> LlamaModel::Build(const BuildContext& ctx) {
  if (!ctx.config.llama) return Status::InvalidArgument("config is not a Llama-family config");
  auto m = std::make_unique<LlamaModel>();
  m->config_ = ctx.config;
  m->c_ = *ctx.config.llama;
  m->keepalive_ = ctx.keepalive;
  m->task_ = ctx.task;
  const formats::LlamaConfig& c = m->c_;
  if (c.hidden_act != "silu") {
    return Status::Unsupported("hidden_act '" + c.hidden_act + "' is not supported for " + ctx.config.model_type +
                               "; supported: silu");
  }
  if (c.num_attention_heads % c.num_key_value_heads != 0) {
    return Status::InvalidArgument("num_attention_heads is not a multiple of num_key_value_heads");
  }
  MHUB_RETURN_IF_ERROR(m->SetRope(ctx.config.model_type));
  m->SetWindows(ctx.config.model_type);

  const std::string stem = ctx.config.model_type == "mistral" ? "Mistral"
                           : ctx.config.model_type == "qwen2" ? "Qwen2"
                                                              : "Llama";
  m->info_ = MakeModelInfo(ctx.config, ArchitectureName(stem, ctx.task), ctx.task);
  m->info_.is_decoder = true;

  // LlamaForQuestionAnswering / Qwen2ForQuestionAnswering: base_model_prefix "transformer" (kept
  // for backward compatibility in transformers); MistralForQuestionAnswering: "model".
  std::string prefix = ctx.task == Task::kBase ? "" : BasePrefix(ctx.config.model_type);
  std::shared_ptr<WeightSource> source = ctx.source;
  if (ctx.task == Task::kQuestionAnswering) {
    if (ctx.config.model_type != "mistral") prefix = "transformer.";
    source = std::make_shared<AltPrefixSource>(ctx.source, "transformer.");
  }
  VarBuilder vb(source, &m->params_, prefix);
  const int64_t C = c.hidden_size, D = c.head_dim, Hq = c.num_attention_heads, Hkv = c.num_key_value_heads;
  const bool qkv_bias = c.attention_bias || c.qkv_bias;
  MHUB_ASSIGN_OR_RETURN(m->embed_tokens_, LoadEmbedding(vb.Pp("embed_tokens"), c.vocab_size, C));
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    VarBuilder lb = vb.Pp("layers").Pp(i);
    VarBuilder att = lb.Pp("self_attn"), mlp = lb.Pp("mlp");
    LlamaLayer l;
    MHUB_ASSIGN_OR_RETURN(l.input_layernorm, Norm::RmsNorm(lb.Pp("input_layernorm"), C, c.rms_norm_eps));
    MHUB_ASSIGN_OR_RETURN(l.q_proj, LazyLinear::Load(att.Pp("q_proj"), C, Hq * D, qkv_bias));
    MHUB_ASSIGN_OR_RETURN(l.k_proj, LazyLinear::Load(att.Pp("k_proj"), C, Hkv * D, qkv_bias));
    MHUB_ASSIGN_OR_RETURN(l.v_proj, LazyLinear::Load(att.Pp("v_proj"), C, Hkv * D, qkv_bias));
    MHUB_ASSIGN_OR_RETURN(l.o_proj, LazyLinear::Load(att.Pp("o_proj"), Hq * D, C, c.attention_bias));
    MHUB_ASSIGN_OR_RETURN(l.post_attention_layernorm,
                          Norm::RmsNorm(lb.Pp("post_attention_layernorm"), C, c.rms_norm_eps));
    MHUB_ASSIGN_OR_RETURN(l.gate_proj, LazyLinear::Load(mlp.Pp("gate_proj"), C, c.intermediate_size, c.mlp_bias));
    MHUB_ASSIGN_OR_RETURN(l.up_proj, LazyLinear::Load(mlp.Pp("up_proj"), C, c.intermediate_size, c.mlp_bias));
    MHUB_ASSIGN_OR_RETURN(l.down_proj, LazyLinear::Load(mlp.Pp("down_proj"), c.intermediate_size, C, c.mlp_bias));
    m->layers_.push_back(std::move(l));
  }
  MHUB_ASSIGN_OR_RETURN(m->norm_, Norm::RmsNorm(vb.Pp("norm"), C, c.rms_norm_eps));
  MHUB_RETURN_IF_ERROR(m->LoadHead(vb.Head(), m->embed_tokens_, ctx.config.tie_word_embeddings, C, "score", false));
  m->info_.weight_dtype = WeightDtypeName(m->params_);
  return std::unique_ptr<Model>(std::move(m));
}

Result<std::shared_ptr<const core::RopeTable>> LlamaModel::Rope(int64_t needed) const {
  if (rope_.scaling == core::RopeScaling::kDynamic && needed > rope_.original_max_position_embeddings) {
    // NTK-dynamic theta depends on the current length: a table for this call only.
    MHUB_ASSIGN_OR_RETURN(core::RopeTable t, core::RopeTable::Build(rope_, needed, needed));
    return std::make_shared<const core::RopeTable>(std::move(t));
  }
  // LongRoPE (transformers' longrope_frequency_update): the long factors when this call's largest
  // position + 1 exceeds original_max_position_embeddings, else the short ones.
  const bool long_rope =
      rope_.scaling == core::RopeScaling::kLongRope && needed > rope_.original_max_position_embeddings;
  std::shared_ptr<const core::RopeTable>& table = long_rope ? rope_long_table_ : rope_table_;
  const int64_t seq_len = long_rope ? rope_.original_max_position_embeddings + 1 : 0;
  std::lock_guard<std::mutex> lock(rope_mu_);
  if (!table || table->max_positions() < needed) {
    int64_t size = table ? table->max_positions() : 256;
    while (size < needed) size *= 2;
    MHUB_ASSIGN_OR_RETURN(core::RopeTable t, core::RopeTable::Build(rope_, size, seq_len));
    table = std::make_shared<const core::RopeTable>(std::move(t));
  }
  return table;
}

Result<core::Tensor> LlamaModel::Hidden(const DecoderStep& step) const {
  const int64_t B = step.batch, T = step.seq, C = c_.hidden_size, D = c_.head_dim;
  const int64_t Hq = c_.num_attention_heads, Hkv = c_.num_key_value_heads;
  int64_t max_pos = 0;
  for (int64_t p : step.positions) max_pos = std::max(max_pos, p);
  MHUB_ASSIGN_OR_RETURN(std::shared_ptr<const core::RopeTable> rope, Rope(max_pos + 1));

  core::Tensor h = NewF32({B, T, C});  // (B,T,C) residual stream
  MHUB_RETURN_IF_ERROR(core::Embedding(step.ids, embed_tokens_, h));
  core::Tensor x = NewF32({B, T, C});         // (B,T,C) normalised block input
  core::Tensor ctx = NewF32({B, T, Hq * D});  // (B,T,Hq*D) attention output
  core::Tensor q, k, v, gate, up;             // (B,T,Hq*D) (B,T,Hkv*D) x2 (B,T,I) x2
  for (size_t l = 0; l < layers_.size(); ++l) {
    const LlamaLayer& L = layers_[l];
    MHUB_RETURN_IF_ERROR(L.input_layernorm.Apply(h, x));
    MHUB_RETURN_IF_ERROR(L.q_proj.Forward(x, q));
    MHUB_RETURN_IF_ERROR(L.k_proj.Forward(x, k));
    MHUB_RETURN_IF_ERROR(L.v_proj.Forward(x, v));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView qv, core::HeadsView::Of(q, Hq));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView kv, core::HeadsView::Of(k, Hkv));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView vv, core::HeadsView::Of(v, Hkv));
    MHUB_RETURN_IF_ERROR(core::ApplyRope(qv, *rope, step.positions));
    MHUB_RETURN_IF_ERROR(core::ApplyRope(kv, *rope, step.positions));
    MHUB_ASSIGN_OR_RETURN(core::HeadsView out, core::HeadsView::Of(ctx, Hq));
    MHUB_RETURN_IF_ERROR(DecoderAttention(step, l, qv, kv, vv, out, window_[l]));
    MHUB_RETURN_IF_ERROR(L.o_proj.Forward(ctx, h, core::Activation::kNone, /*accumulate=*/true));  // h += attn
    // h += down(silu(gate(x)) * up(x))
    MHUB_RETURN_IF_ERROR(L.post_attention_layernorm.Apply(h, x));
    MHUB_RETURN_IF_ERROR(L.gate_proj.Forward(x, gate));
    MHUB_RETURN_IF_ERROR(L.up_proj.Forward(x, up));
    MHUB_RETURN_IF_ERROR(core::SiluMul(gate, up, gate));
    MHUB_RETURN_IF_ERROR(L.down_proj.Forward(gate, h, core::Activation::kNone, /*accumulate=*/true));
  }
  MHUB_RETURN_IF_ERROR(norm_.Apply(h, h));
  return h;
}

}  // namespace

Result<std::unique_ptr<Model>> BuildLlama(const BuildContext& context) { return LlamaModel::Build(context); }

}  // namespace mhub::models
