// Building blocks shared by the architectures: linear layers whose oneDNN preparation happens on
// first use (so from_pretrained costs only the mmap), norms with f32 parameters, small tensor
// helpers. Model files read like the math; these hide the plumbing.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/core/kernels.h"
#include "mhub/core/linear.h"
#include "mhub/core/tensor.h"
#include "mhub/models/model.h"
#include "models/var_builder.h"

namespace mhub::models {

// nn.Linear (weight (out,in)) or GPT-2 Conv1D (weight (in,out)); core::Linear::Create runs on the
// first Forward, once, thread-safely.
class LazyLinear {
 public:
  LazyLinear() = default;
  // Declares `<vb>.weight` and, when `bias`, `<vb>.bias` (zeros at random init).
  static Result<LazyLinear> Load(const VarBuilder& vb, int64_t in, int64_t out, bool bias,
                                 core::WeightLayout layout = core::WeightLayout::kOutIn);
  // Over existing tensors (tied lm_head: the word embeddings, (V, H)).
  static LazyLinear Of(const core::Tensor& weight, const core::Tensor& bias);

  int64_t out_features() const { return out_; }
  // y (..., out) = act(x W^T + b), or y += that when `accumulate`. y is created when undefined.
  Status Forward(const core::Tensor& x, core::Tensor& y, core::Activation act = core::Activation::kNone,
                 bool accumulate = false) const;

 private:
  struct State {
    core::Tensor weight, bias;
    core::WeightLayout layout = core::WeightLayout::kOutIn;
    std::once_flag once;
    core::Linear linear;
    Status status;
  };
  std::shared_ptr<State> state_;
  int64_t out_ = 0;
};

// LayerNorm (weight + bias) or RMSNorm (weight only); parameters held as F32.
struct Norm {
  core::Tensor weight, bias;
  float eps = 1e-5f;
  bool rms = false;

  static Result<Norm> LayerNorm(const VarBuilder& vb, int64_t dim, double eps);
  static Result<Norm> RmsNorm(const VarBuilder& vb, int64_t dim, double eps);
  // out may alias x.
  Status Apply(const core::Tensor& x, core::Tensor& out) const;
};

// Declares an embedding table `<vb>.weight` (rows, dim).
Result<core::Tensor> LoadEmbedding(const VarBuilder& vb, int64_t rows, int64_t dim);

// Parses config activations ("gelu", "gelu_new", "relu", "silu", ...). Unsupported otherwise.
Result<core::Activation> ParseActivation(const std::string& name);

core::Tensor NewF32(const core::Shape& shape);
// (B,T) I64 tensor of the values.
core::Tensor IdsTensor(std::span<const int64_t> values, int64_t batch, int64_t seq);
// out (B,C) = x[b, index[b], :] for x (B,T,C).
core::Tensor GatherRows(const core::Tensor& x, std::span<const int64_t> index);
// x = tanh(x), in place (BERT pooler, RoBERTa classifier).
void TanhInPlace(core::Tensor& x);
Array ToArray(const core::Tensor& x);
// (B,T,2) -> "start_logits", "end_logits" (B,T).
void SplitQaLogits(const core::Tensor& logits, ModelOutputs& out);

// Checks input shapes: input_ids B*T, optional masks the same, ids in [0, vocab).
Status ValidateInputs(const ModelInputs& inputs, int64_t vocab_size, int64_t max_positions);
// attention_mask, or ones.
std::vector<int64_t> MaskOrOnes(const ModelInputs& inputs);

}  // namespace mhub::models
