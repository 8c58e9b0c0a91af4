// Trainable GPT-2 causal LM (transformers GPT2LMHeadModel in train mode, llm.c train_gpt2.c): the
// weights gpt2.cpp declares (gpt2_weights.h), lm_head tied to wte, an explicit backward per block.
// Dropout: embd_pdrop after the embeddings, attn_pdrop on the probabilities, resid_pdrop after
// each projection back into the residual stream.
//
// Kept per block l (B,T,C): x_l (residual input), a = ln_1(x) with mean/rstd, qkv (B,T,3C), lse,
// ctx, x1 = x + drop(c_proj(ctx)), b = ln_2(x1) with mean/rstd, u = c_fc(b) (B,T,I); act(u) is
// recomputed in the backward.
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "mhub/core/grad.h"
#include "models/gpt2_weights.h"
#include "models/model_common.h"
#include "models/train_params.h"

namespace mhub::models {
namespace {

namespace g = core::grad;
constexpr core::WeightLayout kConv1D = core::WeightLayout::kInOut;

struct BlockParams {
  NormParams ln_1, ln_2;
  LinearParams c_attn, attn_proj, c_fc, mlp_proj;
};

struct BlockActs {
  std::vector<float> x, a, mean1, rstd1, qkv, lse, ctx, x1, b, mean2, rstd2, u;
};

void Fit(std::vector<float>& v, int64_t n) {
  if (static_cast<int64_t>(v.size()) != n) v.resize(static_cast<size_t>(n));
}

class Gpt2Trainable final : public TrainableModel {
 public:
  static Result<std::unique_ptr<TrainableModel>> Build(const formats::ModelConfig& config, Task task,
                                                       std::shared_ptr<TrainParamStore> store);

  const ModelInfo& info() const override { return info_; }
  Task task() const override { return Task::kCausalLM; }
  bool accepts_loss_kwargs() const override { return true; }
  std::vector<Parameter> Parameters() override { return store_->Parameters(params_); }
  void ZeroGrad() override { store_->ZeroGrad(); }
  Result<StepResult> Step(const TrainBatch& batch, const StepOptions& options) override;
  int64_t CountItems(const TrainBatch& batch) const override {
    // the shifted labels: label t of a row is a target for t >= 1 only
    int64_t n = 0;
    const int64_t T = batch.seq_len;
    for (size_t i = 0; i < batch.labels.size(); ++i)
      n += (T > 0 && static_cast<int64_t>(i) % T != 0 && batch.labels[i] != -100);
    return n;
  }
  Status SavePretrained(const std::string& dir) const override {
    return SaveModel(config_, info_.architecture, params_, dir, 5'000'000'000);
  }

 private:
  LinearParams Lin(const LinearWeights& l) {
    return LinearParams{l.weight.data<float>(), l.bias.data<float>(), store_->Grad(l.weight), store_->Grad(l.bias)};
  }
  NormParams NormOf(const Norm& n) {
    return NormParams{n.weight.data<float>(), n.bias.data<float>(), store_->Grad(n.weight), store_->Grad(n.bias),
                      n.eps};
  }
  Status Validate(const TrainBatch& batch) const;
  void Allocate(int64_t B, int64_t T);
  void BlockForward(size_t l, const TrainBatch& batch, const StepOptions& o);
  void BlockBackward(size_t l, const TrainBatch& batch, const StepOptions& o);  // dh_: d(x_{l+1}) -> d(x_l)
  float Resid(const StepOptions& o) const { return o.training ? static_cast<float>(c_.resid_pdrop) : 0.f; }
  g::AttentionShape AttnShape(size_t l, const TrainBatch& batch, const StepOptions& o) const {
    g::AttentionShape s;
    s.batch = B_;
    s.seq = T_;
    s.heads = c_.n_head;
    s.head_dim = c_.n_embd / c_.n_head;
    s.ld_qkv = 3 * c_.n_embd;
    s.ld_out = c_.n_embd;
    s.causal = true;
    s.key_mask = batch.attention_mask.empty() ? nullptr : batch.attention_mask.data();
    s.dropout = o.training ? static_cast<float>(c_.attn_pdrop) : 0.f;
    s.seed = o.seed;
    s.stream = (static_cast<uint64_t>(l) + 1) << 32;
    return s;
  }
  static uint64_t Site(size_t l, int k) { return 16 + static_cast<uint64_t>(l) * 4 + static_cast<uint64_t>(k); }
  static constexpr uint64_t kEmbeddingSite = 1;
  static constexpr int64_t kLmChunkRows = 256;

  formats::ModelConfig config_;
  formats::Gpt2Config c_;
  ModelInfo info_;
  core::Activation act_ = core::Activation::kGeluTanh;
  std::shared_ptr<TrainParamStore> store_;
  ParamRegistry params_;
  Gpt2Weights w_;
  std::vector<BlockParams> blocks_;
  NormParams ln_f_;

  int64_t B_ = 0, T_ = 0;
  std::vector<int64_t> positions_, shifted_;
  std::vector<BlockActs> acts_;
  std::vector<float> xl_, hf_, mean_f_, rstd_f_, logits_;  // logits_: one chunk of rows
  std::vector<float> dwte_t_;                              // (C,V) the LM head's share of d(wte), transposed
  std::vector<float> dh_, dtmp_, dtmp2_, dctx_, dqkv_, gbuf_, dg_;
};

Result<std::unique_ptr<TrainableModel>> Gpt2Trainable::Build(const formats::ModelConfig& config, Task task,
                                                             std::shared_ptr<TrainParamStore> store) {
  if (!config.gpt2) return Status::InvalidArgument("config is not a GPT-2 config");
  if (task != Task::kCausalLM) return UnsupportedTask("gpt2 (training)", task, {Task::kCausalLM});
  auto m = std::make_unique<Gpt2Trainable>();
  m->config_ = config;
  m->c_ = *config.gpt2;
  m->store_ = std::move(store);
  const formats::Gpt2Config& c = m->c_;
  if (!c.scale_attn_weights || c.scale_attn_by_inverse_layer_idx || c.reorder_and_upcast_attn) {
    return Status::Unsupported("GPT-2 attention variants other than 1/sqrt(head_dim) scaling are not supported");
  }
  if (c.n_embd % c.n_head != 0) return Status::InvalidArgument("n_embd is not divisible by n_head");
  MHUB_ASSIGN_OR_RETURN(m->act_, ParseActivation(c.activation_function));
  m->info_ = MakeModelInfo(config, ArchitectureName("GPT2", task), task);
  VarBuilder vb(m->store_, &m->params_, BasePrefix("gpt2"));
  MHUB_ASSIGN_OR_RETURN(m->w_, DeclareGpt2Weights(vb, c));
  for (const Gpt2BlockWeights& bw : m->w_.blocks) {
    BlockParams p;
    p.ln_1 = m->NormOf(bw.ln_1);
    p.ln_2 = m->NormOf(bw.ln_2);
    p.c_attn = m->Lin(bw.c_attn);
    p.attn_proj = m->Lin(bw.attn_proj);
    p.c_fc = m->Lin(bw.c_fc);
    p.mlp_proj = m->Lin(bw.mlp_proj);
    m->blocks_.push_back(p);
  }
  m->ln_f_ = m->NormOf(m->w_.ln_f);
  return std::unique_ptr<TrainableModel>(std::move(m));
}

Status Gpt2Trainable::Validate(const TrainBatch& batch) const {
  const int64_t B = batch.batch, T = batch.seq_len;
  if (B <= 0 || T <= 0) return Status::InvalidArgument("empty batch");
  const auto n = static_cast<size_t>(B * T);
  if (batch.input_ids.size() != n) return Status::InvalidArgument("input_ids must hold batch * seq_len ids");
  if (T > c_.n_positions) {
    return Status::InvalidArgument("seq_len " + std::to_string(T) + " exceeds n_positions " +
                                   std::to_string(c_.n_positions));
  }
  for (int64_t id : batch.input_ids) {
    if (id < 0 || id >= c_.vocab_size) {
      return Status::InvalidArgument("input id " + std::to_string(id) + " is outside the vocabulary");
    }
  }
  if (!batch.attention_mask.empty() && batch.attention_mask.size() != n) {
    return Status::InvalidArgument("attention_mask must match input_ids");
  }
  if (batch.labels.size() != n) return Status::InvalidArgument("causal-lm labels must hold batch * seq_len ids");
  for (int64_t y : batch.labels) {
    if (y != -100 && (y < 0 || y >= c_.vocab_size)) {
      return Status::InvalidArgument("label " + std::to_string(y) + " is outside the vocabulary (and is not -100)");
    }
  }
  return Status::OK();
}

void Gpt2Trainable::Allocate(int64_t B, int64_t T) {
  B_ = B;
  T_ = T;
  const int64_t C = c_.n_embd, I = c_.inner_dim(), BT = B * T;
  acts_.resize(blocks_.size());
  for (BlockActs& a : acts_) {
    Fit(a.x, BT * C);
    Fit(a.a, BT * C);
    Fit(a.mean1, BT);
    Fit(a.rstd1, BT);
    Fit(a.qkv, BT * 3 * C);
    Fit(a.lse, B * c_.n_head * T);
    Fit(a.ctx, BT * C);
    Fit(a.x1, BT * C);
    Fit(a.b, BT * C);
    Fit(a.mean2, BT);
    Fit(a.rstd2, BT);
    Fit(a.u, BT * I);
  }
  Fit(xl_, BT * C);
  Fit(hf_, BT * C);
  Fit(mean_f_, BT);
  Fit(rstd_f_, BT);
  Fit(dh_, BT * C);
  Fit(dtmp_, BT * C);
  Fit(dtmp2_, BT * C);
  Fit(dctx_, BT * C);
  Fit(dqkv_, BT * 3 * C);
  Fit(gbuf_, BT * I);
  Fit(dg_, BT * I);
}

void Gpt2Trainable::BlockForward(size_t l, const TrainBatch& batch, const StepOptions& o) {
  const int64_t C = c_.n_embd, I = c_.inner_dim(), BT = B_ * T_;
  const BlockParams& p = blocks_[l];
  BlockActs& a = acts_[l];
  g::LayerNormForward(a.x.data(), BT, C, p.ln_1.w, p.ln_1.b, p.ln_1.eps, a.a.data(), a.mean1.data(), a.rstd1.data());
  g::LinearForward(a.a.data(), C, BT, C, 3 * C, p.c_attn.w, kConv1D, p.c_attn.b, a.qkv.data(), 3 * C);
  const g::AttentionShape s = AttnShape(l, batch, o);
  const float* qkv = a.qkv.data();
  g::AttentionForward(s, qkv, qkv + C, qkv + 2 * C, a.ctx.data(), a.lse.data());
  // x1 = x + dropout(c_proj(ctx))
  g::LinearForward(a.ctx.data(), C, BT, C, C, p.attn_proj.w, kConv1D, p.attn_proj.b, a.x1.data(), C);
  g::Dropout(a.x1.data(), BT * C, Resid(o), o.seed, Site(l, 0));
  for (int64_t i = 0; i < BT * C; ++i) a.x1[i] += a.x[i];
  // x_{l+1} = x1 + dropout(mlp_proj(act(c_fc(ln_2(x1)))))
  g::LayerNormForward(a.x1.data(), BT, C, p.ln_2.w, p.ln_2.b, p.ln_2.eps, a.b.data(), a.mean2.data(), a.rstd2.data());
  g::LinearForward(a.b.data(), C, BT, C, I, p.c_fc.w, kConv1D, p.c_fc.b, a.u.data(), I);
  g::ActivationForward(act_, a.u.data(), BT * I, gbuf_.data());
  float* next = l + 1 < acts_.size() ? acts_[l + 1].x.data() : xl_.data();
  g::LinearForward(gbuf_.data(), I, BT, I, C, p.mlp_proj.w, kConv1D, p.mlp_proj.b, next, C);
  g::Dropout(next, BT * C, Resid(o), o.seed, Site(l, 1));
  for (int64_t i = 0; i < BT * C; ++i) next[i] += a.x1[i];
}

void Gpt2Trainable::BlockBackward(size_t l, const TrainBatch& batch, const StepOptions& o) {
  const int64_t C = c_.n_embd, I = c_.inner_dim(), BT = B_ * T_;
  const size_t bytes = sizeof(float) * static_cast<size_t>(BT * C);
  const BlockParams& p = blocks_[l];
  BlockActs& a = acts_[l];
  // MLP branch; dh_ already holds the residual part of d(x1)
  std::memcpy(dtmp_.data(), dh_.data(), bytes);
  g::Dropout(dtmp_.data(), BT * C, Resid(o), o.seed, Site(l, 1));
  g::ActivationForward(act_, a.u.data(), BT * I, gbuf_.data());
  g::LinearBackward(gbuf_.data(), I, dtmp_.data(), C, BT, I, C, p.mlp_proj.w, kConv1D, dg_.data(), false, p.mlp_proj.dw,
                    p.mlp_proj.db);
  g::ActivationBackward(act_, a.u.data(), dg_.data(), BT * I, dg_.data());
  g::LinearBackward(a.b.data(), C, dg_.data(), I, BT, C, I, p.c_fc.w, kConv1D, dtmp2_.data(), false, p.c_fc.dw,
                    p.c_fc.db);
  g::LayerNormBackward(dtmp2_.data(), a.x1.data(), BT, C, p.ln_2.w, a.mean2.data(), a.rstd2.data(), dh_.data(), true,
                       p.ln_2.dw, p.ln_2.db);
  // attention branch; dh_ = d(x1) = residual part of d(x)
  std::memcpy(dtmp_.data(), dh_.data(), bytes);
  g::Dropout(dtmp_.data(), BT * C, Resid(o), o.seed, Site(l, 0));
  g::LinearBackward(a.ctx.data(), C, dtmp_.data(), C, BT, C, C, p.attn_proj.w, kConv1D, dctx_.data(), false,
                    p.attn_proj.dw, p.attn_proj.db);
  const g::AttentionShape s = AttnShape(l, batch, o);
  const float* qkv = a.qkv.data();
  float* dqkv = dqkv_.data();
  g::AttentionBackward(s, qkv, qkv + C, qkv + 2 * C, a.ctx.data(), dctx_.data(), a.lse.data(), dqkv, dqkv + C,
                       dqkv + 2 * C);
  g::LinearBackward(a.a.data(), C, dqkv, 3 * C, BT, C, 3 * C, p.c_attn.w, kConv1D, dtmp2_.data(), false, p.c_attn.dw,
                    p.c_attn.db);
  g::LayerNormBackward(dtmp2_.data(), a.x.data(), BT, C, p.ln_1.w, a.mean1.data(), a.rstd1.data(), dh_.data(), true,
                       p.ln_1.dw, p.ln_1.db);
}

Result<StepResult> Gpt2Trainable::Step(const TrainBatch& batch, const StepOptions& o) {
  if (o.bf16) return Status::Unsupported("bf16 mixed precision training is not implemented yet; train in fp32");
  MHUB_RETURN_IF_ERROR(Validate(batch));
  const int64_t B = batch.batch, T = batch.seq_len, C = c_.n_embd, V = c_.vocab_size, BT = B * T;
  Allocate(B, T);
  positions_.resize(static_cast<size_t>(BT));
  shifted_.resize(static_cast<size_t>(BT));
  for (int64_t i = 0; i < BT; ++i) {
    positions_[i] = i % T;
    // logits at t predict labels[t+1]; the last position predicts nothing
    shifted_[i] = (i % T == T - 1) ? -100 : batch.labels[i + 1];
  }
  const float* wte = w_.wte.data<float>();
  const float* wpe = w_.wpe.data<float>();
  float* x0 = blocks_.empty() ? xl_.data() : acts_[0].x.data();
  for (int64_t i = 0; i < BT; ++i) {
    const float* e = wte + batch.input_ids[i] * C;
    const float* p = wpe + positions_[i] * C;
    for (int64_t j = 0; j < C; ++j) x0[i * C + j] = e[j] + p[j];
  }
  const float embd_drop = o.training ? static_cast<float>(c_.embd_pdrop) : 0.f;
  g::Dropout(x0, BT * C, embd_drop, o.seed, kEmbeddingSite);
  for (size_t l = 0; l < blocks_.size(); ++l) BlockForward(l, batch, o);
  g::LayerNormForward(xl_.data(), BT, C, ln_f_.w, ln_f_.b, ln_f_.eps, hf_.data(), mean_f_.data(), rstd_f_.data());

  // The LM head (tied to wte) over chunks of rows: logits, loss and their gradient for kLmChunkRows
  // rows at a time (the gradient written over the logits), so no (B*T, V) buffer is held unless the
  // caller asks for the logits back.
  StepResult result;
  const int64_t chunk = o.keep_outputs ? BT : std::min<int64_t>(BT, kLmChunkRows);
  Fit(logits_, chunk * V);
  if (o.keep_outputs) {
    result.outputs["logits"].shape = {B, T, V};
    result.outputs["logits"].values.resize(static_cast<size_t>(BT * V));
  }
  float* dwte = o.backward ? store_->Grad(w_.wte) : nullptr;
  if (o.backward) dwte_t_.assign(static_cast<size_t>(C * V), 0.f);
  constexpr core::WeightLayout kOutIn = core::WeightLayout::kOutIn;
  for (int64_t r0 = 0; r0 < BT; r0 += chunk) {
    const int64_t rows = std::min(chunk, BT - r0);
    g::LinearForward(hf_.data() + r0 * C, C, rows, C, V, wte, kOutIn, nullptr, logits_.data(), V);
    if (o.keep_outputs) {
      std::memcpy(result.outputs["logits"].values.data() + r0 * V, logits_.data(),
                  sizeof(float) * static_cast<size_t>(rows * V));
    }
    int64_t count = 0;
    result.loss_sum += g::CrossEntropy(logits_.data(), rows, V, shifted_.data() + r0, -100, o.label_smoothing,
                                       o.grad_scale, o.backward ? logits_.data() : nullptr, &count);
    result.num_items += count;
    if (o.backward) {
      // d(hf) for these rows; d(wte)^T (C,V) += hf^T dlogits (the chunk's logits gradient is used where
      // it lies instead of transposed: one transpose of (C,V) at the end instead of one per chunk)
      g::LinearBackward(hf_.data() + r0 * C, C, logits_.data(), V, rows, C, V, wte, kOutIn, dtmp_.data() + r0 * C,
                        false, nullptr, nullptr);
      g::Gemm(true, false, C, V, rows, 1.f, hf_.data() + r0 * C, C, logits_.data(), V, 1.f, dwte_t_.data(), V);
    }
  }
  if (!o.backward) return result;
  for (int64_t v = 0; v < V; ++v) {
    float* row = dwte + v * C;
    for (int64_t c = 0; c < C; ++c) row[c] += dwte_t_[c * V + v];
  }
  g::LayerNormBackward(dtmp_.data(), xl_.data(), BT, C, ln_f_.w, mean_f_.data(), rstd_f_.data(), dh_.data(), false,
                       ln_f_.dw, ln_f_.db);
  for (size_t l = blocks_.size(); l-- > 0;) BlockBackward(l, batch, o);
  g::Dropout(dh_.data(), BT * C, embd_drop, o.seed, kEmbeddingSite);
  g::EmbeddingBackward(batch.input_ids.data(), BT, dh_.data(), C, dwte);
  g::EmbeddingBackward(positions_.data(), BT, dh_.data(), C, store_->Grad(w_.wpe));
  return result;
}

}  // namespace

Result<std::unique_ptr<TrainableModel>> BuildGpt2Trainable(const formats::ModelConfig& config, Task task,
                                                           std::shared_ptr<TrainParamStore> store) {
  return Gpt2Trainable::Build(config, task, std::move(store));
}

}  // namespace mhub::models
