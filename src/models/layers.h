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
#include "mhub/core/arena.h"
#include "mhub/core/heads_view.h"
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
  // Over existing tensors (tied lm_head: the word embeddings, (V, H)); `int8` computes in int8 (the
  // output projection of a model loaded with LoadOptions::quantize, as torch's quantize_dynamic does).
  static LazyLinear Of(const core::Tensor& weight, const core::Tensor& bias, bool int8 = false);
  // The same for a weight in `layout` ((in,out) for GPT-2's Conv1D).
  static LazyLinear Of(const core::Tensor& weight, const core::Tensor& bias, core::WeightLayout layout, bool int8);
  // One linear computing the parts side by side (fused QKV): y = [x W0^T + b0, x W1^T + b1, ...].
  // The parts must be (out,in) layout with the same in_features, all with or all without bias;
  // their weights (as F32 when their dtypes differ) and biases are concatenated on the first
  // Forward (loading stays copy-free).
  static Result<LazyLinear> Fuse(const std::vector<LazyLinear>& parts);

  int64_t out_features() const { return out_; }
  // True when the weights (all parts' for a fused one) are BF16 and the layer is not int8: Forward
  // then computes in BF16 and accepts BF16 x / y.
  bool bf16() const;
  // Int8 compute (declared over a source with quantize_int8; a fused layer when all parts are).
  bool int8() const { return state_->int8; }
  // y (..., out) = act(x W^T + b), or y += that when `accumulate`. y is created when undefined.
  Status Forward(const core::Tensor& x, core::Tensor& y, core::Activation act = core::Activation::kNone,
                 bool accumulate = false) const;

 private:
  struct State {
    core::Tensor weight, bias;
    core::WeightLayout layout = core::WeightLayout::kOutIn;
    bool int8 = false;                          // core::Linear with I8 compute
    std::vector<std::shared_ptr<State>> parts;  // Fuse: weight/bias are built from these
    std::once_flag once;
    core::Linear linear;
    Status status;
  };
  static Status Concatenate(State& s);

  std::shared_ptr<State> state_;
  int64_t out_ = 0;
};

// Arenas for the activations of forward passes, kept between calls so a pass of a shape seen
// before allocates (and page-faults) nothing. Thread-safe: each concurrent Forward leases its own
// arena; one that grew past kMaxKeptBytes is dropped when returned instead of kept.
class ArenaPool {
 public:
  static constexpr size_t kMaxKeptBytes = size_t{1} << 30;

  class Lease {
   public:
    Lease(ArenaPool* pool, std::unique_ptr<core::Arena> arena) : pool_(pool), arena_(std::move(arena)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_->Return(std::move(arena_)); }
    core::Arena& arena() { return *arena_; }

   private:
    ArenaPool* pool_;
    std::unique_ptr<core::Arena> arena_;
  };

  // An arena, Reset, for one pass; returned to the pool when the lease ends.
  Lease Acquire();

 private:
  void Return(std::unique_ptr<core::Arena> arena);

  std::mutex mu_;
  std::vector<std::unique_ptr<core::Arena>> free_;
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

// The query, key and value heads inside the output of a fused q|k|v projection (B,T,3*hidden).
struct PackedQkvViews {
  core::HeadsView q, k, v;
};
Result<PackedQkvViews> SplitPackedQkv(const core::Tensor& qkv, int64_t heads);

// One post-LN encoder layer (BERT, RoBERTa, DistilBERT), pointing into the model's own layer:
// h = attn_norm(h + attn_out(attention(qkv(h)))); h = ffn_norm(h + ffn_out(act(ffn_in(h)))).
struct PostLnLayer {
  const LazyLinear* qkv;
  const LazyLinear* attn_out;
  const Norm* attn_norm;
  const LazyLinear* ffn_in;
  const LazyLinear* ffn_out;
  const Norm* ffn_norm;
};

// The encoder stack over `h` (B,T,H) F32 holding the summed embeddings, in place: the embedding
// layer norm, then every layer (keys masked by `mask` (B,T)). Activations come from `arena`.
// When every linear is bf16, every matmul input is rounded to bf16 once, where it is produced, as
// torch's bf16 layers compute: the layer norms write a bf16 copy beside their F32 output (the
// residual stream stays F32), the fused QKV projection writes bf16 q|k|v, the attention writes its
// context in bf16 (7 parallel regions per layer). Otherwise activations are F32, with the FFN's
// inner activation in bf16 when both FFN linears are bf16.
Status RunPostLnEncoder(std::span<const PostLnLayer> layers, const Norm& embeddings_norm, int64_t heads,
                        int64_t ffn_dim, core::Activation act, const core::Tensor& mask, core::Tensor& h,
                        core::Arena& arena);

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
