#include "models/gpt2_weights.h"

namespace mhub::models {
namespace {

Result<LinearWeights> DeclareConv1D(const VarBuilder& vb, int64_t in, int64_t out) {
  LinearWeights l;
  MHUB_ASSIGN_OR_RETURN(l.weight, vb.Get("weight", {in, out}));
  MHUB_ASSIGN_OR_RETURN(l.bias, vb.Get("bias", {out}, Init::kZeros));
  return l;
}

}  // namespace

Result<Gpt2Weights> DeclareGpt2Weights(const VarBuilder& vb, const formats::Gpt2Config& c) {
  Gpt2Weights w;
  const int64_t C = c.n_embd, I = c.inner_dim();
  const double eps = c.layer_norm_epsilon;
  MHUB_ASSIGN_OR_RETURN(w.wte, LoadEmbedding(vb.Pp("wte"), c.vocab_size, C));
  MHUB_ASSIGN_OR_RETURN(w.wpe, LoadEmbedding(vb.Pp("wpe"), c.n_positions, C));
  for (int64_t i = 0; i < c.n_layer; ++i) {
    VarBuilder hb = vb.Pp("h").Pp(i);
    Gpt2BlockWeights b;
    MHUB_ASSIGN_OR_RETURN(b.ln_1, Norm::LayerNorm(hb.Pp("ln_1"), C, eps));
    MHUB_ASSIGN_OR_RETURN(b.c_attn, DeclareConv1D(hb.Pp("attn").Pp("c_attn"), C, 3 * C));
    MHUB_ASSIGN_OR_RETURN(b.attn_proj, DeclareConv1D(hb.Pp("attn").Pp("c_proj"), C, C));
    MHUB_ASSIGN_OR_RETURN(b.ln_2, Norm::LayerNorm(hb.Pp("ln_2"), C, eps));
    MHUB_ASSIGN_OR_RETURN(b.c_fc, DeclareConv1D(hb.Pp("mlp").Pp("c_fc"), C, I));
    MHUB_ASSIGN_OR_RETURN(b.mlp_proj, DeclareConv1D(hb.Pp("mlp").Pp("c_proj"), I, C));
    w.blocks.push_back(std::move(b));
  }
  MHUB_ASSIGN_OR_RETURN(w.ln_f, Norm::LayerNorm(vb.Pp("ln_f"), C, eps));
  return w;
}

}  // namespace mhub::models
