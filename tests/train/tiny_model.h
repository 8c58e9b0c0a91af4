// A small TrainableModel with a hand-written backward, mirrored exactly by
// tests/train/oracle/tiny_model.py (PyTorch autograd), to test the Trainer loop until the
// architectures' trainable models are in:
//   h_t = tanh(W1 E[x_t] + b1)                                  (B,T,H)
//   sequence mode: logits = Wc (masked mean_t h_t) + bc          (B,C)   CE mean, no loss kwargs
//   token mode:    logits_t = Wc h_t + bc                        (B,T,C) CE sum / items, loss kwargs
#pragma once

#include <cstdint>
#include <vector>

#include "mhub/models/trainable.h"

namespace mhub::train::testing {

class TinyModel final : public models::TrainableModel {
 public:
  TinyModel(int64_t vocab, int64_t hidden, int64_t classes, bool token_mode, uint64_t seed);

  const models::ModelInfo& info() const override { return info_; }
  models::Task task() const override {
    return token_ ? models::Task::kTokenClassification : models::Task::kSequenceClassification;
  }
  bool accepts_loss_kwargs() const override { return token_; }
  std::vector<models::Parameter> Parameters() override;
  void ZeroGrad() override;
  Result<models::StepResult> Step(const models::TrainBatch& batch, const models::StepOptions& options) override;
  Status SavePretrained(const std::string& dir) const override;

  // All weights concatenated in Parameters() order (for the oracle).
  std::vector<float> Flat() const;

 private:
  int64_t V_, H_, C_;
  bool token_;
  models::ModelInfo info_;
  std::vector<float> E_, W1_, b1_, Wc_, bc_;
  std::vector<float> gE_, gW1_, gb1_, gWc_, gbc_;
};

}  // namespace mhub::train::testing
