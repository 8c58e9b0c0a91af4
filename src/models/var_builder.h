// Weight lookup by HF checkpoint name, candle-style: a model declares each parameter with its
// checkpoint name and shape (`vb.Pp("attention").Pp("self").Get("query.weight", {H, H})`), and the
// builder either finds it in a checkpoint or creates it randomly (FromConfig). Every parameter is
// recorded under its canonical HF name so SavePretrained writes what transformers reads.
//
// Names inside the base model (BertModel, GPT2Model, LlamaModel, ...) are declared without the
// base prefix ("bert.", "roberta.", "distilbert.", "transformer.", "model."); the checkpoint
// lookup tries the name with and without it, and LayerNorm gamma/beta for weight/bias.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/core/tensor.h"
#include "mhub/formats/safetensors.h"

namespace mhub::models {

// How FromConfig initialises a parameter (transformers' _init_weights).
enum class Init { kNormal, kZeros, kOnes };

struct NamedParam {
  std::string name;  // canonical HF name as saved (base prefix included for head models)
  core::Tensor tensor;
};

// Where parameters come from: a checkpoint, or random numbers.
class WeightSource {
 public:
  virtual ~WeightSource() = default;
  // `name` is without the base prefix when `in_base`. Returns an undefined tensor when `optional`
  // and absent; NotFound naming the tensor when required and absent; InvalidArgument on a shape
  // mismatch.
  virtual Result<core::Tensor> Fetch(const std::string& name, bool in_base, const core::Shape& shape, Init init,
                                     bool optional) = 0;
  // Whether optional parameters absent from the source exist (true for random init).
  virtual bool CreatesMissing() const = 0;

  // Linear layers declared over this source compute in int8 (LoadOptions::quantize).
  bool quantize_int8() const { return quantize_int8_; }
  void set_quantize_int8(bool on) { quantize_int8_ = on; }

 private:
  bool quantize_int8_ = false;
};

// Views tensors of a (possibly sharded) safetensors checkpoint in place. F32 and BF16 are used
// as stored (zero-copy); F16 is widened to F32 once, here; other dtypes are Unsupported.
class CheckpointSource : public WeightSource {
 public:
  CheckpointSource(std::shared_ptr<const formats::ShardedCheckpoint> checkpoint, std::string base_prefix);
  Result<core::Tensor> Fetch(const std::string& name, bool in_base, const core::Shape& shape, Init init,
                             bool optional) override;
  bool CreatesMissing() const override { return false; }

 private:
  const formats::TensorView* Lookup(const std::string& name, bool in_base) const;
  std::shared_ptr<const formats::ShardedCheckpoint> checkpoint_;
  std::string base_prefix_;
};

// Random parameters: normal(0, std) / zeros / ones in `dtype` (F32 or BF16), deterministic in seed.
class RandomSource : public WeightSource {
 public:
  RandomSource(uint64_t seed, float std, core::DType dtype);
  Result<core::Tensor> Fetch(const std::string& name, bool in_base, const core::Shape& shape, Init init,
                             bool optional) override;
  bool CreatesMissing() const override { return true; }

 private:
  std::mt19937_64 rng_;
  float std_;
  core::DType dtype_;
};

// Every parameter a model holds, in declaration order, for SavePretrained and WeightNames.
struct ParamRegistry {
  std::vector<NamedParam> params;
};

class VarBuilder {
 public:
  // `save_prefix` is prepended to base-model names when saving ("bert." for BertFor*, "" for
  // BertModel).
  VarBuilder(std::shared_ptr<WeightSource> source, ParamRegistry* registry, std::string save_prefix);

  // A builder for a sub-module: names below it get `part.` prepended.
  VarBuilder Pp(std::string_view part) const;
  VarBuilder Pp(int64_t index) const { return Pp(std::to_string(index)); }
  // The same position, outside the base model (head weights: "classifier", "lm_head", "cls", ...).
  VarBuilder Head() const;

  Result<core::Tensor> Get(std::string_view name, const core::Shape& shape, Init init = Init::kNormal) const;
  // Undefined tensor when the checkpoint lacks it (random init creates it).
  Result<core::Tensor> GetOptional(std::string_view name, const core::Shape& shape, Init init = Init::kNormal) const;
  bool creates_missing() const { return source_->CreatesMissing(); }
  bool quantize_int8() const { return source_->quantize_int8(); }

 private:
  Result<core::Tensor> Fetch(std::string_view name, const core::Shape& shape, Init init, bool optional) const;
  std::shared_ptr<WeightSource> source_;
  ParamRegistry* registry_;
  std::string save_prefix_;
  std::string path_;  // "encoder.layer.3." etc.
  bool in_base_ = true;
};

}  // namespace mhub::models
