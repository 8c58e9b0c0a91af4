// Trainable BERT (transformers modeling_bert.py in train mode): the weights bert.cpp declares
// (bert_weights.h), a forward that keeps what the backward needs, and an explicit backward per
// layer, llm.c style. Dropout follows the config (hidden_dropout_prob after the embeddings, the
// attention output and the FFN output; attention_probs_dropout_prob on the probabilities;
// classifier_dropout or hidden_dropout_prob before the classification heads).
//
// Kept per layer l (B,T,H hidden, I intermediate): x_l (input), qkv (B,T,3H), lse (B,nh,T), ctx,
// r1 = x + drop(attn_out(ctx)) with its LN mean/rstd, h1 = LN(r1), u = intermediate(h1) (B,T,I),
// r2 = h1 + drop(output(act(u))) with its LN mean/rstd. act(u) is recomputed in the backward.
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "mhub/core/grad.h"
#include "models/bert_weights.h"
#include "models/model_common.h"
#include "models/train_params.h"

namespace mhub::models {
namespace {

namespace g = core::grad;
constexpr core::WeightLayout kOutIn = core::WeightLayout::kOutIn;

struct LayerParams {
  LinearParams q, k, v, attn_out, inter, out;
  NormParams norm1, norm2;
  // query|key|value as one (3H, H) linear for one GEMM each way; refreshed from q, k, v every step
  // (the optimizer updates those), its gradient split back into theirs.
  std::vector<float> wqkv, bqkv;
};

struct LayerActs {
  std::vector<float> x, qkv, lse, ctx, r1, mean1, rstd1, h1, u, r2, mean2, rstd2;
};

void Fit(std::vector<float>& v, int64_t n) {
  if (static_cast<int64_t>(v.size()) != n) v.resize(static_cast<size_t>(n));
}

class BertTrainable final : public TrainableModel {
 public:
  static Result<std::unique_ptr<TrainableModel>> Build(const formats::ModelConfig& config, Task task,
                                                       std::shared_ptr<TrainParamStore> store);

  const ModelInfo& info() const override { return info_; }
  Task task() const override { return task_; }
  bool accepts_loss_kwargs() const override { return task_ == Task::kMaskedLM || task_ == Task::kTokenClassification; }
  std::vector<Parameter> Parameters() override { return store_->Parameters(params_); }
  void ZeroGrad() override { store_->ZeroGrad(); }
  Result<StepResult> Step(const TrainBatch& batch, const StepOptions& options) override;
  Status SavePretrained(const std::string& dir) const override {
    return SaveModel(config_, info_.architecture, params_, dir, 5'000'000'000);
  }

 private:
  LinearParams Lin(const LinearWeights& l) {
    LinearParams p;
    p.w = l.weight.data<float>();
    p.dw = store_->Grad(l.weight);
    if (l.bias.defined()) {
      p.b = l.bias.data<float>();
      p.db = store_->Grad(l.bias);
    }
    return p;
  }
  NormParams NormOf(const Norm& n) {
    return NormParams{n.weight.data<float>(), n.bias.data<float>(), store_->Grad(n.weight), store_->Grad(n.bias),
                      n.eps};
  }
  Status Validate(const TrainBatch& batch) const;
  void Allocate(int64_t B, int64_t T);
  void LayerForward(size_t l, const TrainBatch& batch, const StepOptions& o);
  // dh_ holds d(x_{l+1}) on entry and d(x_l) on return.
  void LayerBackward(size_t l, const TrainBatch& batch, const StepOptions& o);
  // Loss of the head over hidden = xs_[L]; fills dh_ with d(loss_sum * grad_scale)/d(hidden) when
  // backward. InvalidArgument never happens here (Validate ran).
  void Head(const TrainBatch& batch, const StepOptions& o, StepResult& result);

  float HiddenDropout(const StepOptions& o) const {
    return o.training ? static_cast<float>(c_.hidden_dropout_prob) : 0.f;
  }
  float AttentionDropout(const StepOptions& o) const {
    return o.training ? static_cast<float>(c_.attention_probs_dropout_prob) : 0.f;
  }
  g::AttentionShape AttnShape(size_t l, const TrainBatch& batch, const StepOptions& o) const {
    g::AttentionShape s;
    s.batch = B_;
    s.seq = T_;
    s.heads = c_.num_attention_heads;
    s.head_dim = c_.hidden_size / c_.num_attention_heads;
    s.ld_qkv = 3 * c_.hidden_size;
    s.ld_out = c_.hidden_size;
    s.key_mask = batch.attention_mask.empty() ? nullptr : batch.attention_mask.data();
    s.dropout = AttentionDropout(o);
    s.seed = o.seed;
    s.stream = (static_cast<uint64_t>(l) + 1) << 32;
    return s;
  }
  static uint64_t Site(size_t l, int k) { return 16 + static_cast<uint64_t>(l) * 4 + static_cast<uint64_t>(k); }
  static constexpr uint64_t kEmbeddingSite = 1, kHeadSite = 2;

  formats::ModelConfig config_;
  formats::BertConfig c_;
  Task task_ = Task::kBase;
  ModelInfo info_;
  core::Activation act_ = core::Activation::kGeluErf;
  int64_t pad_id_ = 0;
  std::shared_ptr<TrainParamStore> store_;
  ParamRegistry params_;
  BertWeights w_;
  std::vector<LayerParams> layers_;
  NormParams emb_norm_, mlm_norm_;
  LinearParams pooler_, classifier_, mlm_dense_;

  // Activations (resized when the batch shape changes, reused otherwise).
  int64_t B_ = 0, T_ = 0;
  std::vector<int64_t> positions_;
  std::vector<float> emb_, emb_mean_, emb_rstd_;
  std::vector<LayerActs> acts_;
  std::vector<float> out_;  // (B,T,H) encoder output x_L
  std::vector<float> dh_, dr2_, dtmp_, dctx_, dqkv_, gbuf_, dg_, dwqkv_, dbqkv_;
  // heads
  std::vector<float> first_, pooled_, pooled_drop_, hidden_drop_, logits_, dlogits_, dsmall_, dsmall2_;
  std::vector<float> mlm_u_, mlm_a_, mlm_n_, mlm_mean_, mlm_rstd_;
};

Result<std::unique_ptr<TrainableModel>> BertTrainable::Build(const formats::ModelConfig& config, Task task,
                                                             std::shared_ptr<TrainParamStore> store) {
  if (!config.bert) return Status::InvalidArgument("config is not a BERT-family config");
  if (config.model_type != "bert") {
    return Status::Unsupported("training model_type '" + config.model_type +
                               "' is not supported; supported: bert, gpt2");
  }
  if (task == Task::kCausalLM || task == Task::kBase) {
    return UnsupportedTask(
        config.model_type + " (training)", task,
        {Task::kSequenceClassification, Task::kTokenClassification, Task::kMaskedLM, Task::kQuestionAnswering});
  }
  auto m = std::make_unique<BertTrainable>();
  m->config_ = config;
  m->c_ = *config.bert;
  m->task_ = task;
  m->store_ = std::move(store);
  m->pad_id_ = config.pad_token_id.value_or(0);
  const formats::BertConfig& c = m->c_;
  if (c.position_embedding_type != "absolute") {
    return Status::Unsupported("position_embedding_type '" + c.position_embedding_type + "' is not supported");
  }
  if (c.hidden_size % c.num_attention_heads != 0) {
    return Status::InvalidArgument("hidden_size is not divisible by num_attention_heads");
  }
  MHUB_ASSIGN_OR_RETURN(m->act_, ParseActivation(c.hidden_act));
  m->info_ = MakeModelInfo(config, ArchitectureName("Bert", task), task);
  VarBuilder vb(m->store_, &m->params_, BasePrefix(config.model_type));
  MHUB_ASSIGN_OR_RETURN(m->w_, DeclareBertWeights(vb, c, task, false, config.num_labels()));
  m->emb_norm_ = m->NormOf(m->w_.embeddings_norm);
  for (const BertLayerWeights& lw : m->w_.layers) {
    LayerParams p;
    p.q = m->Lin(lw.query);
    p.k = m->Lin(lw.key);
    p.v = m->Lin(lw.value);
    p.attn_out = m->Lin(lw.attn_out);
    p.inter = m->Lin(lw.intermediate);
    p.out = m->Lin(lw.output);
    p.norm1 = m->NormOf(lw.attn_norm);
    p.norm2 = m->NormOf(lw.output_norm);
    p.wqkv.resize(static_cast<size_t>(3 * c.hidden_size * c.hidden_size));
    p.bqkv.resize(static_cast<size_t>(3 * c.hidden_size));
    m->layers_.push_back(std::move(p));
  }
  if (m->w_.pooler.defined()) m->pooler_ = m->Lin(m->w_.pooler);
  if (m->w_.classifier.defined()) m->classifier_ = m->Lin(m->w_.classifier);
  if (m->w_.mlm_dense.defined()) {
    m->mlm_dense_ = m->Lin(m->w_.mlm_dense);
    m->mlm_norm_ = m->NormOf(m->w_.mlm_norm);
  }
  return std::unique_ptr<TrainableModel>(std::move(m));
}

Status BertTrainable::Validate(const TrainBatch& batch) const {
  const int64_t B = batch.batch, T = batch.seq_len;
  if (B <= 0 || T <= 0) return Status::InvalidArgument("empty batch");
  const auto n = static_cast<size_t>(B * T);
  if (batch.input_ids.size() != n) return Status::InvalidArgument("input_ids must hold batch * seq_len ids");
  if (T > c_.max_position_embeddings) {
    return Status::InvalidArgument("seq_len " + std::to_string(T) + " exceeds max_position_embeddings " +
                                   std::to_string(c_.max_position_embeddings));
  }
  for (int64_t id : batch.input_ids) {
    if (id < 0 || id >= c_.vocab_size) {
      return Status::InvalidArgument("input id " + std::to_string(id) + " is outside the vocabulary");
    }
  }
  if (!batch.attention_mask.empty() && batch.attention_mask.size() != n) {
    return Status::InvalidArgument("attention_mask must match input_ids");
  }
  if (!batch.token_type_ids.empty()) {
    if (batch.token_type_ids.size() != n) return Status::InvalidArgument("token_type_ids must match input_ids");
    for (int64_t t : batch.token_type_ids) {
      if (t < 0 || t >= c_.type_vocab_size)
        return Status::InvalidArgument("token_type_id outside [0, type_vocab_size)");
    }
  }
  auto check_labels = [&](size_t count, int64_t classes) -> Status {
    if (batch.labels.size() != count) {
      return Status::InvalidArgument("labels must hold " + std::to_string(count) + " values, got " +
                                     std::to_string(batch.labels.size()));
    }
    for (int64_t y : batch.labels) {
      if (y != -100 && (y < 0 || y >= classes)) {
        return Status::InvalidArgument("label " + std::to_string(y) + " is outside [0, " + std::to_string(classes) +
                                       ") (and is not -100)");
      }
    }
    return Status::OK();
  };
  const int64_t L = config_.num_labels();
  switch (task_) {
    case Task::kSequenceClassification: {
      const std::string type = ProblemType(config_, batch);
      if (type == "single_label_classification") return check_labels(static_cast<size_t>(B), L);
      const size_t want = static_cast<size_t>(B * L);
      if (batch.float_labels.size() == want) return Status::OK();
      if (type == "regression" && L == 1 && batch.labels.size() == static_cast<size_t>(B)) return Status::OK();
      return Status::InvalidArgument(type + " needs float_labels of batch * num_labels = " + std::to_string(want) +
                                     " values");
    }
    case Task::kTokenClassification:
      return check_labels(n, L);
    case Task::kMaskedLM:
      return check_labels(n, c_.vocab_size);
    case Task::kQuestionAnswering:
      if (batch.start_positions.size() != static_cast<size_t>(B) ||
          batch.end_positions.size() != static_cast<size_t>(B)) {
        return Status::InvalidArgument("question answering needs start_positions and end_positions (one per row)");
      }
      return Status::OK();
    default:
      return Status::Unsupported("no training head");
  }
}

void BertTrainable::Allocate(int64_t B, int64_t T) {
  B_ = B;
  T_ = T;
  const int64_t H = c_.hidden_size, I = c_.intermediate_size, BT = B * T, nh = c_.num_attention_heads;
  Fit(emb_, BT * H);
  Fit(emb_mean_, BT);
  Fit(emb_rstd_, BT);
  acts_.resize(layers_.size());
  for (LayerActs& a : acts_) {
    Fit(a.x, BT * H);
    Fit(a.qkv, BT * 3 * H);
    Fit(a.lse, B * nh * T);
    Fit(a.ctx, BT * H);
    Fit(a.r1, BT * H);
    Fit(a.mean1, BT);
    Fit(a.rstd1, BT);
    Fit(a.h1, BT * H);
    Fit(a.u, BT * I);
    Fit(a.r2, BT * H);
    Fit(a.mean2, BT);
    Fit(a.rstd2, BT);
  }
  Fit(out_, BT * H);
  Fit(dh_, BT * H);
  Fit(dr2_, BT * H);
  Fit(dtmp_, BT * H);
  Fit(dctx_, BT * H);
  Fit(dqkv_, BT * 3 * H);
  Fit(dwqkv_, 3 * H * H);
  Fit(dbqkv_, 3 * H);
  Fit(gbuf_, BT * I);
  Fit(dg_, BT * I);
}

float* NextInput(std::vector<LayerActs>& acts, std::vector<float>& out, size_t l) {
  return l + 1 < acts.size() ? acts[l + 1].x.data() : out.data();
}

void BertTrainable::LayerForward(size_t l, const TrainBatch& batch, const StepOptions& o) {
  const int64_t H = c_.hidden_size, I = c_.intermediate_size, BT = B_ * T_;
  LayerParams& p = layers_[l];
  LayerActs& a = acts_[l];
  const size_t hh = static_cast<size_t>(H * H);
  for (int part = 0; part < 3; ++part) {
    const LinearParams& src = part == 0 ? p.q : part == 1 ? p.k : p.v;
    std::memcpy(&p.wqkv[part * hh], src.w, sizeof(float) * hh);
    std::memcpy(&p.bqkv[static_cast<size_t>(part * H)], src.b, sizeof(float) * static_cast<size_t>(H));
  }
  float* qkv = a.qkv.data();
  g::LinearForward(a.x.data(), H, BT, H, 3 * H, p.wqkv.data(), kOutIn, p.bqkv.data(), qkv, 3 * H);
  const g::AttentionShape s = AttnShape(l, batch, o);
  g::AttentionForward(s, qkv, qkv + H, qkv + 2 * H, a.ctx.data(), a.lse.data());
  // r1 = x + dropout(attn_out(ctx)); h1 = LN(r1)
  g::LinearForward(a.ctx.data(), H, BT, H, H, p.attn_out.w, kOutIn, p.attn_out.b, a.r1.data(), H);
  g::Dropout(a.r1.data(), BT * H, HiddenDropout(o), o.seed, Site(l, 0));
  for (int64_t i = 0; i < BT * H; ++i) a.r1[i] += a.x[i];
  g::LayerNormForward(a.r1.data(), BT, H, p.norm1.w, p.norm1.b, p.norm1.eps, a.h1.data(), a.mean1.data(),
                      a.rstd1.data());
  // r2 = h1 + dropout(output(act(intermediate(h1)))); x_{l+1} = LN(r2)
  g::LinearForward(a.h1.data(), H, BT, H, I, p.inter.w, kOutIn, p.inter.b, a.u.data(), I);
  g::ActivationForward(act_, a.u.data(), BT * I, gbuf_.data());
  g::LinearForward(gbuf_.data(), I, BT, I, H, p.out.w, kOutIn, p.out.b, a.r2.data(), H);
  g::Dropout(a.r2.data(), BT * H, HiddenDropout(o), o.seed, Site(l, 1));
  for (int64_t i = 0; i < BT * H; ++i) a.r2[i] += a.h1[i];
  g::LayerNormForward(a.r2.data(), BT, H, p.norm2.w, p.norm2.b, p.norm2.eps, NextInput(acts_, out_, l), a.mean2.data(),
                      a.rstd2.data());
}

void BertTrainable::LayerBackward(size_t l, const TrainBatch& batch, const StepOptions& o) {
  const int64_t H = c_.hidden_size, I = c_.intermediate_size, BT = B_ * T_;
  const LayerParams& p = layers_[l];
  LayerActs& a = acts_[l];
  // LN2: dr2 from d(x_{l+1})
  g::LayerNormBackward(dh_.data(), a.r2.data(), BT, H, p.norm2.w, a.mean2.data(), a.rstd2.data(), dr2_.data(), false,
                       p.norm2.dw, p.norm2.db);
  // FFN branch: d(output) = dropout(dr2)
  std::memcpy(dtmp_.data(), dr2_.data(), sizeof(float) * static_cast<size_t>(BT * H));
  g::Dropout(dtmp_.data(), BT * H, HiddenDropout(o), o.seed, Site(l, 1));
  g::ActivationForward(act_, a.u.data(), BT * I, gbuf_.data());  // recompute act(u)
  g::LinearBackward(gbuf_.data(), I, dtmp_.data(), H, BT, I, H, p.out.w, kOutIn, dg_.data(), false, p.out.dw, p.out.db);
  g::ActivationBackward(act_, a.u.data(), dg_.data(), BT * I, dg_.data());
  // dh1 = dr2 (residual) + intermediate's dx
  g::LinearBackward(a.h1.data(), H, dg_.data(), I, BT, H, I, p.inter.w, kOutIn, dr2_.data(), true, p.inter.dw,
                    p.inter.db);
  // LN1: dr1 into dtmp
  g::LayerNormBackward(dr2_.data(), a.r1.data(), BT, H, p.norm1.w, a.mean1.data(), a.rstd1.data(), dtmp_.data(), false,
                       p.norm1.dw, p.norm1.db);
  // d(x_l) = dr1 (residual) + the attention path's dx
  std::memcpy(dh_.data(), dtmp_.data(), sizeof(float) * static_cast<size_t>(BT * H));
  g::Dropout(dtmp_.data(), BT * H, HiddenDropout(o), o.seed, Site(l, 0));
  g::LinearBackward(a.ctx.data(), H, dtmp_.data(), H, BT, H, H, p.attn_out.w, kOutIn, dctx_.data(), false,
                    p.attn_out.dw, p.attn_out.db);
  const g::AttentionShape s = AttnShape(l, batch, o);
  const float* qkv = a.qkv.data();
  float* dqkv = dqkv_.data();
  g::AttentionBackward(s, qkv, qkv + H, qkv + 2 * H, a.ctx.data(), dctx_.data(), a.lse.data(), dqkv, dqkv + H,
                       dqkv + 2 * H);
  std::fill(dwqkv_.begin(), dwqkv_.end(), 0.f);
  std::fill(dbqkv_.begin(), dbqkv_.end(), 0.f);
  g::LinearBackward(a.x.data(), H, dqkv, 3 * H, BT, H, 3 * H, p.wqkv.data(), kOutIn, dh_.data(), true, dwqkv_.data(),
                    dbqkv_.data());
  const int64_t hh = H * H;
  for (int part = 0; part < 3; ++part) {
    const LinearParams& dst = part == 0 ? p.q : part == 1 ? p.k : p.v;
    for (int64_t i = 0; i < hh; ++i) dst.dw[i] += dwqkv_[part * hh + i];
    for (int64_t i = 0; i < H; ++i) dst.db[i] += dbqkv_[part * H + i];
  }
}

Array ToOutput(const std::vector<float>& values, std::vector<int64_t> shape) {
  Array a;
  a.shape = std::move(shape);
  a.values = values;
  return a;
}

void BertTrainable::Head(const TrainBatch& batch, const StepOptions& o, StepResult& result) {
  const int64_t B = B_, T = T_, H = c_.hidden_size, BT = B * T, L = config_.num_labels();
  const bool backward = o.backward;
  const float scale = o.grad_scale;
  const float head_drop = o.training ? static_cast<float>(c_.classifier_dropout.value_or(c_.hidden_dropout_prob)) : 0.f;
  if (backward) std::fill(dh_.begin(), dh_.end(), 0.f);
  switch (task_) {
    case Task::kSequenceClassification: {
      // logits (B,L) = classifier(dropout(tanh(pooler(h[:, 0]))))
      Fit(first_, B * H);
      Fit(pooled_, B * H);
      Fit(pooled_drop_, B * H);
      Fit(logits_, B * L);
      Fit(dlogits_, B * L);
      for (int64_t b = 0; b < B; ++b) std::memcpy(&first_[b * H], &out_[b * T * H], sizeof(float) * H);
      g::LinearForward(first_.data(), H, B, H, H, pooler_.w, kOutIn, pooler_.b, pooled_.data(), H);
      for (float& v : pooled_) v = std::tanh(v);
      pooled_drop_ = pooled_;
      g::Dropout(pooled_drop_.data(), B * H, head_drop, o.seed, kHeadSite);
      g::LinearForward(pooled_drop_.data(), H, B, H, L, classifier_.w, kOutIn, classifier_.b, logits_.data(), L);
      if (o.keep_outputs) result.outputs["logits"] = ToOutput(logits_, {B, L});
      const std::string type = ProblemType(config_, batch);
      // transformers sets config.problem_type on the first forward with labels and saves it
      if (config_.problem_type.empty()) config_.problem_type = type;
      float* dl = backward ? dlogits_.data() : nullptr;
      result.num_items = B;
      if (type == "single_label_classification") {
        int64_t count = 0;
        // mean over counted rows, reported as B * mean (the Trainer divides by the B items)
        double sum =
            g::CrossEntropy(logits_.data(), B, L, batch.labels.data(), -100, o.label_smoothing, 1.f, dl, &count);
        const double factor = count > 0 ? static_cast<double>(B) / static_cast<double>(count) : 0.0;
        result.loss_sum = sum * factor;
        if (dl != nullptr) {
          for (float& v : dlogits_) v *= static_cast<float>(factor * scale);
        }
      } else {
        std::vector<float> targets = batch.float_labels;
        if (targets.empty()) targets.assign(batch.labels.begin(), batch.labels.end());
        // MSE / BCE are means over B*L elements: loss_sum = B * mean = sum / L
        const float per = scale / static_cast<float>(L);
        const double sum = type == "regression" ? g::SquaredError(logits_.data(), targets.data(), B * L, per, dl)
                                                : g::BceWithLogits(logits_.data(), targets.data(), B * L, per, dl);
        result.loss_sum = sum / static_cast<double>(L);
      }
      if (!backward) return;
      Fit(dsmall_, B * H);
      Fit(dsmall2_, B * H);
      g::LinearBackward(pooled_drop_.data(), H, dlogits_.data(), L, B, H, L, classifier_.w, kOutIn, dsmall_.data(),
                        false, classifier_.dw, classifier_.db);
      g::Dropout(dsmall_.data(), B * H, head_drop, o.seed, kHeadSite);
      g::TanhBackward(pooled_.data(), dsmall_.data(), B * H, dsmall_.data());
      g::LinearBackward(first_.data(), H, dsmall_.data(), H, B, H, H, pooler_.w, kOutIn, dsmall2_.data(), false,
                        pooler_.dw, pooler_.db);
      for (int64_t b = 0; b < B; ++b) std::memcpy(&dh_[b * T * H], &dsmall2_[b * H], sizeof(float) * H);
      return;
    }
    case Task::kTokenClassification: {
      Fit(hidden_drop_, BT * H);
      Fit(logits_, BT * L);
      Fit(dlogits_, BT * L);
      hidden_drop_ = out_;
      g::Dropout(hidden_drop_.data(), BT * H, head_drop, o.seed, kHeadSite);
      g::LinearForward(hidden_drop_.data(), H, BT, H, L, classifier_.w, kOutIn, classifier_.b, logits_.data(), L);
      if (o.keep_outputs) result.outputs["logits"] = ToOutput(logits_, {B, T, L});
      int64_t count = 0;
      result.loss_sum = g::CrossEntropy(logits_.data(), BT, L, batch.labels.data(), -100, o.label_smoothing, scale,
                                        backward ? dlogits_.data() : nullptr, &count);
      result.num_items = count;
      if (!backward) return;
      g::LinearBackward(hidden_drop_.data(), H, dlogits_.data(), L, BT, H, L, classifier_.w, kOutIn, dh_.data(), false,
                        classifier_.dw, classifier_.db);
      g::Dropout(dh_.data(), BT * H, head_drop, o.seed, kHeadSite);
      return;
    }
    case Task::kQuestionAnswering: {
      Fit(logits_, BT * 2);
      Fit(dlogits_, BT * 2);
      g::LinearForward(out_.data(), H, BT, H, 2, classifier_.w, kOutIn, classifier_.b, logits_.data(), 2);
      std::vector<float> start(static_cast<size_t>(BT)), end(static_cast<size_t>(BT));
      for (int64_t i = 0; i < BT; ++i) {
        start[i] = logits_[2 * i];
        end[i] = logits_[2 * i + 1];
      }
      if (o.keep_outputs) {
        result.outputs["start_logits"] = ToOutput(start, {B, T});
        result.outputs["end_logits"] = ToOutput(end, {B, T});
      }
      // positions clamped to [0, T]; T is the ignore index (transformers' ForQuestionAnsweringLoss)
      std::vector<int64_t> sp(static_cast<size_t>(B)), ep(static_cast<size_t>(B));
      for (int64_t b = 0; b < B; ++b) {
        sp[b] = std::clamp<int64_t>(batch.start_positions[b], 0, T);
        ep[b] = std::clamp<int64_t>(batch.end_positions[b], 0, T);
      }
      std::vector<float> ds(static_cast<size_t>(BT)), de(static_cast<size_t>(BT));
      int64_t ns = 0, ne = 0;
      const double ls = g::CrossEntropy(start.data(), B, T, sp.data(), T, 0.f, 1.f, ds.data(), &ns);
      const double le = g::CrossEntropy(end.data(), B, T, ep.data(), T, 0.f, 1.f, de.data(), &ne);
      // loss = (mean_start + mean_end) / 2, reported as B * loss over B items
      const double fs = ns > 0 ? 0.5 * static_cast<double>(B) / static_cast<double>(ns) : 0.0;
      const double fe = ne > 0 ? 0.5 * static_cast<double>(B) / static_cast<double>(ne) : 0.0;
      result.loss_sum = ls * fs + le * fe;
      result.num_items = B;
      if (!backward) return;
      for (int64_t i = 0; i < BT; ++i) {
        dlogits_[2 * i] = static_cast<float>(ds[i] * fs * scale);
        dlogits_[2 * i + 1] = static_cast<float>(de[i] * fe * scale);
      }
      g::LinearBackward(out_.data(), H, dlogits_.data(), 2, BT, H, 2, classifier_.w, kOutIn, dh_.data(), false,
                        classifier_.dw, classifier_.db);
      return;
    }
    case Task::kMaskedLM: {
      // logits (B,T,V) = LN(act(dense(h))) E^T + bias, E the word embeddings (tied)
      const int64_t V = c_.vocab_size;
      Fit(mlm_u_, BT * H);
      Fit(mlm_a_, BT * H);
      Fit(mlm_n_, BT * H);
      Fit(mlm_mean_, BT);
      Fit(mlm_rstd_, BT);
      Fit(logits_, BT * V);
      Fit(dlogits_, BT * V);
      g::LinearForward(out_.data(), H, BT, H, H, mlm_dense_.w, kOutIn, mlm_dense_.b, mlm_u_.data(), H);
      g::ActivationForward(act_, mlm_u_.data(), BT * H, mlm_a_.data());
      g::LayerNormForward(mlm_a_.data(), BT, H, mlm_norm_.w, mlm_norm_.b, mlm_norm_.eps, mlm_n_.data(),
                          mlm_mean_.data(), mlm_rstd_.data());
      const float* E = w_.word.data<float>();
      g::LinearForward(mlm_n_.data(), H, BT, H, V, E, kOutIn, w_.mlm_bias.data<float>(), logits_.data(), V);
      if (o.keep_outputs) result.outputs["logits"] = ToOutput(logits_, {B, T, V});
      int64_t count = 0;
      result.loss_sum = g::CrossEntropy(logits_.data(), BT, V, batch.labels.data(), -100, o.label_smoothing, scale,
                                        backward ? dlogits_.data() : nullptr, &count);
      result.num_items = count;
      if (!backward) return;
      g::LinearBackward(mlm_n_.data(), H, dlogits_.data(), V, BT, H, V, E, kOutIn, dtmp_.data(), false,
                        store_->Grad(w_.word), store_->Grad(w_.mlm_bias));
      g::LayerNormBackward(dtmp_.data(), mlm_a_.data(), BT, H, mlm_norm_.w, mlm_mean_.data(), mlm_rstd_.data(),
                           dr2_.data(), false, mlm_norm_.dw, mlm_norm_.db);
      g::ActivationBackward(act_, mlm_u_.data(), dr2_.data(), BT * H, dr2_.data());
      g::LinearBackward(out_.data(), H, dr2_.data(), H, BT, H, H, mlm_dense_.w, kOutIn, dh_.data(), false,
                        mlm_dense_.dw, mlm_dense_.db);
      return;
    }
    default:
      return;
  }
}

Result<StepResult> BertTrainable::Step(const TrainBatch& batch, const StepOptions& o) {
  if (o.bf16) return Status::Unsupported("bf16 mixed precision training is not implemented yet; train in fp32");
  MHUB_RETURN_IF_ERROR(Validate(batch));
  const int64_t B = batch.batch, T = batch.seq_len, H = c_.hidden_size, BT = B * T;
  Allocate(B, T);
  positions_.resize(static_cast<size_t>(BT));
  for (int64_t i = 0; i < BT; ++i) positions_[i] = i % T;
  // embeddings: dropout(LN(word + position + token_type))
  const float* word = w_.word.data<float>();
  const float* pos = w_.position.data<float>();
  const float* type = w_.token_type.data<float>();
  for (int64_t i = 0; i < BT; ++i) {
    const int64_t tt = batch.token_type_ids.empty() ? 0 : batch.token_type_ids[i];
    const float* a = word + batch.input_ids[i] * H;
    const float* p = pos + positions_[i] * H;
    const float* t = type + tt * H;
    float* e = &emb_[i * H];
    for (int64_t j = 0; j < H; ++j) e[j] = a[j] + p[j] + t[j];
  }
  float* x0 = layers_.empty() ? out_.data() : acts_[0].x.data();
  g::LayerNormForward(emb_.data(), BT, H, emb_norm_.w, emb_norm_.b, emb_norm_.eps, x0, emb_mean_.data(),
                      emb_rstd_.data());
  g::Dropout(x0, BT * H, HiddenDropout(o), o.seed, kEmbeddingSite);
  for (size_t l = 0; l < layers_.size(); ++l) LayerForward(l, batch, o);

  StepResult result;
  Head(batch, o, result);
  if (!o.backward) return result;
  for (size_t l = layers_.size(); l-- > 0;) LayerBackward(l, batch, o);
  g::Dropout(dh_.data(), BT * H, HiddenDropout(o), o.seed, kEmbeddingSite);
  g::LayerNormBackward(dh_.data(), emb_.data(), BT, H, emb_norm_.w, emb_mean_.data(), emb_rstd_.data(), dtmp_.data(),
                       false, emb_norm_.dw, emb_norm_.db);
  // nn.Embedding(padding_idx=pad_token_id): the padding row of the word embeddings gets no gradient
  g::EmbeddingBackward(batch.input_ids.data(), BT, dtmp_.data(), H, store_->Grad(w_.word), pad_id_);
  g::EmbeddingBackward(positions_.data(), BT, dtmp_.data(), H, store_->Grad(w_.position));
  if (batch.token_type_ids.empty()) {
    std::vector<int64_t> zeros(static_cast<size_t>(BT), 0);
    g::EmbeddingBackward(zeros.data(), BT, dtmp_.data(), H, store_->Grad(w_.token_type));
  } else {
    g::EmbeddingBackward(batch.token_type_ids.data(), BT, dtmp_.data(), H, store_->Grad(w_.token_type));
  }
  return result;
}

}  // namespace

Result<std::unique_ptr<TrainableModel>> BuildBertTrainable(const formats::ModelConfig& config, Task task,
                                                           std::shared_ptr<TrainParamStore> store) {
  return BertTrainable::Build(config, task, std::move(store));
}

}  // namespace mhub::models
