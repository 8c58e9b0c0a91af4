// The contract between a model that can learn and the Trainer (mhub_train): the model owns its fp32
// master weights and their gradients; the Trainer owns the loop, the optimizer state and the
// schedule. One definition per architecture: a TrainableModel of BERT is the same weights and the
// same forward math as models::Model's BERT, with the activations kept for a backward pass.
//
// Loss normalisation follows transformers since its 2024 gradient-accumulation fix: Step returns the
// SUM of per-item losses and the number of items it summed over; the Trainer decides the divisor
// (num_items_in_batch over the whole accumulated update, or the micro-batch mean divided by the
// accumulation steps for heads whose loss does not take loss kwargs) and passes it back as
// `grad_scale`, so gradients are exactly those of the loss the Trainer logs.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/models/model.h"

namespace mhub::models {

// One trainable tensor. `value` and `grad` point into storage the model owns and keeps for its
// lifetime; both have `numel` f32 elements, row-major in `shape`.
struct Parameter {
  std::string name;  // HF checkpoint name, e.g. "bert.encoder.layer.0.attention.self.query.weight"
  std::vector<int64_t> shape;
  std::span<float> value;  // fp32 master weights (bf16 mixed precision rounds copies of these)
  std::span<float> grad;   // accumulated by Step(backward), cleared by ZeroGrad
};

// One collated batch, row-major (batch, seq_len). Which label fields are set depends on the head.
struct TrainBatch {
  int64_t batch = 0;
  int64_t seq_len = 0;
  std::vector<int64_t> input_ids;       // (B,T) required
  std::vector<int64_t> attention_mask;  // (B,T) empty = all ones
  std::vector<int64_t> token_type_ids;  // (B,T) empty = zeros
  // Sequence classification single-label: (B) class ids. Token classification, masked LM and causal
  // LM: (B,T) with -100 ignored (causal LM labels are the input ids; the model shifts them).
  std::vector<int64_t> labels;
  // Sequence classification regression (B*num_labels) or multi-label (B*num_labels, 0/1 targets).
  std::vector<float> float_labels;
  std::vector<int64_t> start_positions, end_positions;  // question answering (B)
};

struct StepOptions {
  bool backward = true;       // false: forward + loss only (evaluation)
  bool training = true;       // dropout active (model.train() vs model.eval())
  float grad_scale = 1.f;     // grads += grad_scale * d(loss_sum)/d(param)
  bool bf16 = false;          // bf16 mixed precision: matmul inputs rounded to bf16, fp32 master weights
  bool keep_outputs = false;  // return logits in StepResult::outputs (for compute_metrics)
  uint64_t seed = 0;          // dropout masks are a function of (seed, site, position): the Trainer
                              // passes a different seed per step (e.g. hash of args.seed and step)
  // transformers' label_smoothing_factor (LabelSmoother), for the cross-entropy heads: per item
  // (1-eps) * nll + eps/C * sum_c -log p_c; 0 = plain cross-entropy.
  float label_smoothing = 0.f;
};

struct StepResult {
  double loss_sum = 0;    // sum over items of the per-item loss (label smoothing included)
  int64_t num_items = 0;  // items summed over: non-ignored label tokens, or examples
  ModelOutputs outputs;   // "logits" / "start_logits" / "end_logits" when keep_outputs
};

class TrainableModel {
 public:
  virtual ~TrainableModel() = default;

  virtual const ModelInfo& info() const = 0;
  virtual Task task() const = 0;
  // True when transformers' model of this head takes num_items_in_batch (loss kwargs): causal and
  // masked LM, token classification heads of the newer models. The Trainer then divides the summed
  // loss by the items of the whole update instead of averaging per micro-batch.
  virtual bool accepts_loss_kwargs() const = 0;

  // Every parameter once (tied weights once, under their first HF name), in a stable order.
  virtual std::vector<Parameter> Parameters() = 0;
  virtual void ZeroGrad() = 0;

  // Forward (and backward when options.backward) over one micro-batch. InvalidArgument for a
  // missing or out-of-range label; gradients are left untouched on error. Not thread-safe: the
  // model keeps the activations of the step (reused by the next step of the same shape).
  // Items (StepResult::num_items): for heads whose transformers loss is a mean over examples
  // (sequence classification, QA) the number of examples, with loss_sum = examples * that mean; for
  // token-level heads (token classification, masked and causal LM) the non-ignored tokens.
  virtual Result<StepResult> Step(const TrainBatch& batch, const StepOptions& options) = 0;

  // The items Step will count for `batch` (its StepResult::num_items), known before the forward: the
  // Trainer sums it over the micro-batches of an update for num_items_in_batch. Default: labels that
  // are not -100. Causal LM heads count the shifted labels (labels[..., 1:]: position 0 is never a
  // target), as transformers' Trainer does since huggingface/transformers#46204; counting every
  // label there divides the loss by one item too many per row.
  virtual int64_t CountItems(const TrainBatch& batch) const;

  // Writes config.json + model.safetensors exactly as models::Model::SavePretrained does, from the
  // current fp32 weights (so from_pretrained and transformers load it).
  virtual Status SavePretrained(const std::string& dir) const = 0;
};

// A trainable model of the checkpoint at `path_or_repo_id` (a folder, or a hub repo id resolved as
// LoadModel does) with head `task`: weights copied to fp32 (bf16/f16 checkpoints widened), heads the
// checkpoint lacks initialised as transformers' _init_weights. Supported: bert (every head but
// causal-lm), gpt2 (causal-lm). Unsupported names what is.
Result<std::unique_ptr<TrainableModel>> LoadTrainable(const std::string& path_or_repo_id, Task task,
                                                      const std::string& revision = "main");

// A trainable model with random weights from a config.json object: normal(0, initializer_range)
// for linear and embedding weights, zero biases, ones/zeros for layer norms (deterministic in seed).
Result<std::unique_ptr<TrainableModel>> NewTrainable(const Json& config, Task task, uint64_t seed = 0);

}  // namespace mhub::models
