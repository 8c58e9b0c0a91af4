// DataCollator wrappers over the collator functions (collators.h), for the Trainer.
#include "mhub/train/trainer.h"

namespace mhub::train {
namespace {

template <typename F>
class FnCollator final : public DataCollator {
 public:
  explicit FnCollator(F f) : f_(std::move(f)) {}
  Result<models::TrainBatch> Collate(std::span<const Feature> features) override { return f_(features); }

 private:
  F f_;
};

template <typename F>
std::unique_ptr<DataCollator> Wrap(F f) {
  return std::make_unique<FnCollator<F>>(std::move(f));
}

class MlmDataCollator final : public DataCollator {
 public:
  explicit MlmDataCollator(MlmCollator c) : c_(std::move(c)) {}
  Result<models::TrainBatch> Collate(std::span<const Feature> features) override { return c_(features); }
  std::string SaveState() const override { return c_.SaveState(); }
  Status LoadState(const std::string& state) override { return c_.LoadState(state); }

 private:
  MlmCollator c_;
};

}  // namespace

std::unique_ptr<DataCollator> PaddingCollator(PaddingOptions o) {
  return Wrap([o](std::span<const Feature> f) { return CollateWithPadding(f, o); });
}
std::unique_ptr<DataCollator> TokenClassificationCollator(PaddingOptions o) {
  return Wrap([o](std::span<const Feature> f) { return CollateForTokenClassification(f, o); });
}
std::unique_ptr<DataCollator> CausalLMCollator(PaddingOptions o) {
  return Wrap([o](std::span<const Feature> f) { return CollateForCausalLM(f, o); });
}
Result<std::unique_ptr<DataCollator>> MaskedLMCollator(MlmOptions mlm, PaddingOptions o) {
  MHUB_ASSIGN_OR_RETURN(MlmCollator c, MlmCollator::Create(mlm, o));
  return std::unique_ptr<DataCollator>(new MlmDataCollator(std::move(c)));
}

}  // namespace mhub::train
