#include "tiny_model.h"

#include <cmath>
#include <random>

#include "mhub/base/env.h"
#include "mhub/base/json.h"
#include "mhub/formats/safetensors.h"

namespace mhub::train::testing {

TinyModel::TinyModel(int64_t vocab, int64_t hidden, int64_t classes, bool token_mode, uint64_t seed)
    : V_(vocab), H_(hidden), C_(classes), token_(token_mode) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> nd(0.f, 0.5f);
  auto init = [&](std::vector<float>& v, std::vector<float>& g, int64_t n) {
    v.resize(n);
    g.assign(n, 0.f);
    for (auto& x : v) x = nd(rng);
  };
  init(E_, gE_, V_ * H_);
  init(W1_, gW1_, H_ * H_);
  init(b1_, gb1_, H_);
  init(Wc_, gWc_, C_ * H_);
  init(bc_, gbc_, C_);
  info_.model_type = "tiny";
  info_.architecture = token_ ? "TinyForTokenClassification" : "TinyForSequenceClassification";
  info_.vocab_size = V_;
  info_.hidden_size = H_;
  info_.num_labels = C_;
}

std::vector<models::Parameter> TinyModel::Parameters() {
  return {{"embeddings.weight", {V_, H_}, E_, gE_},
          {"encoder.dense.weight", {H_, H_}, W1_, gW1_},
          {"encoder.dense.bias", {H_}, b1_, gb1_},
          {"classifier.weight", {C_, H_}, Wc_, gWc_},
          {"classifier.bias", {C_}, bc_, gbc_}};
}

void TinyModel::ZeroGrad() {
  for (auto* g : {&gE_, &gW1_, &gb1_, &gWc_, &gbc_}) std::fill(g->begin(), g->end(), 0.f);
}

std::vector<float> TinyModel::Flat() const {
  std::vector<float> out;
  for (const auto* v : {&E_, &W1_, &b1_, &Wc_, &bc_}) out.insert(out.end(), v->begin(), v->end());
  return out;
}

Result<models::StepResult> TinyModel::Step(const models::TrainBatch& b, const models::StepOptions& o) {
  const int64_t B = b.batch, T = b.seq_len;
  for (int64_t id : b.input_ids)
    if (id < 0 || id >= V_) return Status::InvalidArgument("input id out of range");
  auto mask = [&](int64_t i) { return b.attention_mask.empty() ? 1.0 : double(b.attention_mask[i]); };
  const bool tok = token_;
  if (tok ? int64_t(b.labels.size()) != B * T : int64_t(b.labels.size()) != B)
    return Status::InvalidArgument("labels missing or of the wrong shape");
  for (int64_t l : b.labels)
    if (l != -100 && (l < 0 || l >= C_))
      return Status::InvalidArgument("label " + std::to_string(l) + " outside num_labels");
  // Forward in double (the oracle runs float64 too), stored per position.
  std::vector<double> h(B * T * H_);
  for (int64_t i = 0; i < B * T; ++i) {
    const float* e = &E_[b.input_ids[i] * H_];
    for (int64_t j = 0; j < H_; ++j) {
      double s = b1_[j];
      for (int64_t k = 0; k < H_; ++k) s += double(W1_[j * H_ + k]) * e[k];
      h[i * H_ + j] = std::tanh(s);
    }
  }
  models::StepResult r;
  std::vector<double> dh(B * T * H_, 0.0);
  auto head = [&](const double* x, int64_t label, double* dx, std::vector<float>* keep) {
    std::vector<double> z(C_);
    double mx = -1e300;
    for (int64_t c = 0; c < C_; ++c) {
      double s = bc_[c];
      for (int64_t j = 0; j < H_; ++j) s += double(Wc_[c * H_ + j]) * x[j];
      z[c] = s;
      mx = std::max(mx, s);
      if (keep) keep->push_back(float(s));
    }
    if (label == -100) return;
    double se = 0;
    for (double v : z) se += std::exp(v - mx);
    r.loss_sum += -(z[label] - mx - std::log(se));
    r.num_items += 1;
    if (!o.backward) return;
    for (int64_t c = 0; c < C_; ++c) {
      const double dz = (std::exp(z[c] - mx) / se - (c == label)) * o.grad_scale;
      gbc_[c] += float(dz);
      for (int64_t j = 0; j < H_; ++j) {
        gWc_[c * H_ + j] += float(dz * x[j]);
        dx[j] += dz * Wc_[c * H_ + j];
      }
    }
  };
  std::vector<float> logits;
  std::vector<float>* keep = o.keep_outputs ? &logits : nullptr;
  if (tok) {
    for (int64_t i = 0; i < B * T; ++i) head(&h[i * H_], b.labels[i], &dh[i * H_], keep);
  } else {
    for (int64_t n = 0; n < B; ++n) {
      std::vector<double> pooled(H_, 0.0), dp(H_, 0.0);
      double m = 0;
      for (int64_t t = 0; t < T; ++t) m += mask(n * T + t);
      for (int64_t t = 0; t < T; ++t)
        for (int64_t j = 0; j < H_; ++j) pooled[j] += mask(n * T + t) * h[(n * T + t) * H_ + j] / m;
      head(pooled.data(), b.labels[n], dp.data(), keep);
      for (int64_t t = 0; t < T; ++t)
        for (int64_t j = 0; j < H_; ++j) dh[(n * T + t) * H_ + j] += dp[j] * mask(n * T + t) / m;
    }
  }
  if (o.keep_outputs) {
    r.outputs["logits"].shape = tok ? std::vector<int64_t>{B, T, C_} : std::vector<int64_t>{B, C_};
    r.outputs["logits"].values = std::move(logits);
  }
  if (!o.backward) return r;
  for (int64_t i = 0; i < B * T; ++i) {
    const int64_t id = b.input_ids[i];
    for (int64_t j = 0; j < H_; ++j) {
      const double ds = dh[i * H_ + j] * (1.0 - h[i * H_ + j] * h[i * H_ + j]);
      if (ds == 0) continue;
      gb1_[j] += float(ds);
      for (int64_t k = 0; k < H_; ++k) {
        gW1_[j * H_ + k] += float(ds * E_[id * H_ + k]);
        gE_[id * H_ + k] += float(ds * W1_[j * H_ + k]);
      }
    }
  }
  return r;
}

Status TinyModel::SavePretrained(const std::string& dir) const {
  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(dir));
  auto* self = const_cast<TinyModel*>(this);
  std::vector<formats::TensorView> views;
  for (auto& p : self->Parameters())
    views.push_back({p.name, formats::Dtype::kF32, p.shape, reinterpret_cast<const uint8_t*>(p.value.data()),
                     p.value.size() * sizeof(float)});
  MHUB_RETURN_IF_ERROR(formats::WriteSafetensors(dir + "/model.safetensors", views));
  Json config = {{"model_type", "tiny"},
                 {"architectures", {info_.architecture}},
                 {"vocab_size", V_},
                 {"hidden_size", H_},
                 {"num_labels", C_}};
  return WriteFileAtomic(dir + "/config.json", DumpJson(config, 2) + "\n");
}

}  // namespace mhub::train::testing
