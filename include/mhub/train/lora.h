// LoRA (Hu et al. 2021) in PEFT's layout: adapters on chosen linear layers, trained by the Trainer
// like any TrainableModel, saved and loaded as adapter_config.json + adapter_model.safetensors with
// PEFT's tensor names ("base_model.model.<module path>.lora_A.weight" (r, in) / ".lora_B.weight"
// (out, r); modules_to_save as "base_model.model.<param name>"), merged into the base on request.
//
// Design: the base model keeps one weight per target, W = W0 + s * B A (s = lora_alpha / r, or
// lora_alpha / sqrt(r) with use_rslora), rewritten from W0 before every Step. The base's backward
// already computes the full dL/dW; the adapter gradients are its projections
//   dB = s * dW A^T,   dA = s * B^T dW
// which is exact for lora_dropout = 0 (dropout on the adapter input is refused, not approximated).
// GPT-2's Conv1D weights are (in, out): fan_in_fan_out transposes the delta, as PEFT does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/models/trainable.h"

namespace mhub::train {

struct LoraConfig {
  int64_t r = 8;
  double lora_alpha = 8;
  double lora_dropout = 0;  // > 0 is refused (InvalidArgument): the projection needs no dropout
  // Module names or name suffixes ("query", "attention.self.value", "c_attn"); PEFT's rule: a
  // module matches when its path equals the entry or ends with "." + entry.
  std::vector<std::string> target_modules;
  // Modules trained in full and saved with the adapter (PEFT adds the head for SEQ_CLS/TOKEN_CLS:
  // "classifier", "score"; QUESTION_ANS: "qa_outputs", when left empty).
  std::vector<std::string> modules_to_save;
  std::string bias = "none";    // only "none"
  bool fan_in_fan_out = false;  // set automatically for gpt2 (Conv1D)
  bool use_rslora = false;
  // true: A ~ kaiming_uniform(a=sqrt(5)) (U(-1/sqrt(in), 1/sqrt(in))), B = 0 (the adapter starts as
  // a no-op); false: B random as well (tests).
  bool init_lora_weights = true;
  std::string base_model_name_or_path;
  std::string task_type;  // SEQ_CLS, TOKEN_CLS, CAUSAL_LM, QUESTION_ANS, FEATURE_EXTRACTION, ""

  double scaling() const;
};

// adapter_config.json as PEFT writes it (peft_type LORA and the fields above, PEFT's defaults for
// the rest) and back. InvalidArgument for another peft_type, r <= 0, a missing target_modules.
Json LoraConfigToJson(const LoraConfig& config);
Result<LoraConfig> LoraConfigFromJson(const Json& json);
// The PEFT task_type of a head.
std::string PeftTaskType(models::Task task);

class LoraModel : public models::TrainableModel {
 public:
  // Adapters on `base` (not owned; must outlive this). NotFound when a target matches no 2-D
  // weight; Unsupported for embeddings, bias != "none"; InvalidArgument for dropout > 0, r <= 0.
  static Result<std::unique_ptr<LoraModel>> Create(models::TrainableModel* base, LoraConfig config, uint64_t seed = 0);
  // The adapter folder's config and weights onto `base` (to train further or to merge).
  static Result<std::unique_ptr<LoraModel>> Load(models::TrainableModel* base, const std::string& adapter_dir);
  ~LoraModel() override;

  const models::ModelInfo& info() const override;
  models::Task task() const override;
  bool accepts_loss_kwargs() const override;
  int64_t CountItems(const models::TrainBatch& batch) const override;  // the base's rule
  // lora_A / lora_B of every target (PEFT names), then the modules_to_save parameters.
  std::vector<models::Parameter> Parameters() override;
  void ZeroGrad() override;
  Result<models::StepResult> Step(const models::TrainBatch& batch, const models::StepOptions& options) override;
  // adapter_config.json + adapter_model.safetensors (PEFT's save_pretrained).
  Status SavePretrained(const std::string& dir) const override;

  const LoraConfig& config() const;
  // merge_and_unload: W0 + s B A written into the base for good and the base's own SavePretrained
  // into `dir` (a plain model folder, no adapter needed to load it).
  Status SaveMerged(const std::string& dir);

 private:
  struct Impl;
  explicit LoraModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A merged model folder without the model runtime: `base_dir`'s config.json + f32 safetensors
// weights with each adapter delta added, into `out_dir` (other files of base_dir copied: tokenizer,
// generation config). What `mhub run` does with an adapter folder. Unsupported for non-f32 weights.
Status MergeAdapterIntoFolder(const std::string& base_dir, const std::string& adapter_dir, const std::string& out_dir);

}  // namespace mhub::train
