#include "models/layers.h"

#include "mhub/core/attention.h"

#include <cmath>
#include <cstring>
#include <string>

namespace mhub::models {
namespace {

Result<core::Tensor> AsF32(const core::Tensor& t) {
  if (t.dtype() == core::DType::kF32) return t;
  return t.To(core::DType::kF32);
}

}  // namespace

Result<LazyLinear> LazyLinear::Load(const VarBuilder& vb, int64_t in, int64_t out, bool bias,
                                    core::WeightLayout layout) {
  core::Shape shape = layout == core::WeightLayout::kOutIn ? core::Shape{out, in} : core::Shape{in, out};
  LazyLinear l;
  l.state_ = std::make_shared<State>();
  l.state_->layout = layout;
  l.state_->int8 = vb.quantize_int8();
  MHUB_ASSIGN_OR_RETURN(l.state_->weight, vb.Get("weight", shape));
  if (bias) {
    MHUB_ASSIGN_OR_RETURN(l.state_->bias, vb.Get("bias", {out}, Init::kZeros));
  }
  l.out_ = out;
  return l;
}

LazyLinear LazyLinear::Of(const core::Tensor& weight, const core::Tensor& bias, bool int8) {
  LazyLinear l;
  l.state_ = std::make_shared<State>();
  l.state_->int8 = int8;
  l.state_->weight = weight;
  l.state_->bias = bias;
  l.out_ = weight.dim(0);
  return l;
}

LazyLinear LazyLinear::Of(const core::Tensor& weight, const core::Tensor& bias, core::WeightLayout layout, bool int8) {
  LazyLinear l = Of(weight, bias, int8);
  l.state_->layout = layout;
  l.out_ = layout == core::WeightLayout::kOutIn ? weight.dim(0) : weight.dim(1);
  return l;
}

Result<LazyLinear> LazyLinear::Fuse(const std::vector<LazyLinear>& parts) {
  if (parts.empty()) return Status::InvalidArgument("LazyLinear::Fuse: no parts");
  LazyLinear l;
  l.state_ = std::make_shared<State>();
  const State& first = *parts.front().state_;
  l.state_->int8 = true;
  for (const LazyLinear& p : parts) {
    l.state_->int8 = l.state_->int8 && p.state_->int8;
    const State& ps = *p.state_;
    if (ps.layout != core::WeightLayout::kOutIn || ps.weight.ndim() != 2 || ps.weight.dim(1) != first.weight.dim(1) ||
        ps.bias.defined() != first.bias.defined()) {
      return Status::InvalidArgument("LazyLinear::Fuse: parts differ in layout, in_features or bias");
    }
    l.state_->parts.push_back(p.state_);
    l.out_ += p.out_;
  }
  return l;
}

bool LazyLinear::bf16() const {
  if (state_->int8) return false;
  if (state_->parts.empty()) return state_->weight.dtype() == core::DType::kBF16;
  for (const auto& p : state_->parts)
    if (p->weight.dtype() != core::DType::kBF16) return false;
  return true;
}

// Rows of the parts' (out,in) weights one after the other (in their dtype when they share one,
// else as F32); biases likewise (as F32).
Status LazyLinear::Concatenate(State& s) {
  core::DType dtype = s.parts.front()->weight.dtype();
  for (const auto& p : s.parts)
    if (p->weight.dtype() != dtype) dtype = core::DType::kF32;
  const int64_t in = s.parts.front()->weight.dim(1);
  int64_t out = 0;
  for (const auto& p : s.parts) out += p->weight.dim(0);
  s.weight = core::Tensor::Empty(dtype, {out, in});
  auto* dst = static_cast<char*>(s.weight.raw_data());
  const bool bias = s.parts.front()->bias.defined();
  if (bias) s.bias = NewF32({out});
  int64_t row = 0;
  for (const auto& p : s.parts) {
    core::Tensor w = p->weight;
    if (w.dtype() != dtype) {
      MHUB_ASSIGN_OR_RETURN(w, w.To(dtype));
    }
    const size_t bytes = w.nbytes();
    std::memcpy(dst, w.raw_data(), bytes);
    dst += bytes;
    if (bias) {
      MHUB_ASSIGN_OR_RETURN(core::Tensor b32, AsF32(p->bias));
      std::memcpy(s.bias.data<float>() + row, b32.data<float>(), sizeof(float) * static_cast<size_t>(b32.numel()));
    }
    row += p->weight.dim(0);
  }
  return Status::OK();
}

Status LazyLinear::Forward(const core::Tensor& x, core::Tensor& y, core::Activation act, bool accumulate) const {
  State& s = *state_;
  std::call_once(s.once, [&s] {
    if (!s.parts.empty()) {
      s.status = Concatenate(s);
      if (!s.status.ok()) return;
    }
    core::LinearOptions options;
    if (s.int8) options.compute = core::DType::kI8;
    Result<core::Linear> made = core::Linear::Create(s.weight, s.bias, s.layout, options);
    if (made.ok()) {
      s.linear = std::move(made).value();
    } else {
      s.status = made.status();
    }
  });
  MHUB_RETURN_IF_ERROR(s.status);
  if (!y.defined()) {
    std::vector<int64_t> dims = x.shape().ToVector();
    dims.back() = out_;
    y = NewF32(core::Shape::FromVector(dims));
  }
  return s.linear.Forward(x, y, act, accumulate);
}

ArenaPool::Lease ArenaPool::Acquire() {
  std::unique_ptr<core::Arena> arena;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      arena = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (!arena) arena = std::make_unique<core::Arena>();
  arena->Reset();
  return Lease(this, std::move(arena));
}

void ArenaPool::Return(std::unique_ptr<core::Arena> arena) {
  if (!arena || arena->capacity() > kMaxKeptBytes) return;
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(std::move(arena));
}

Result<Norm> Norm::LayerNorm(const VarBuilder& vb, int64_t dim, double eps) {
  Norm n;
  n.eps = static_cast<float>(eps);
  MHUB_ASSIGN_OR_RETURN(core::Tensor w, vb.Get("weight", {dim}, Init::kOnes));
  MHUB_ASSIGN_OR_RETURN(core::Tensor b, vb.Get("bias", {dim}, Init::kZeros));
  MHUB_ASSIGN_OR_RETURN(n.weight, AsF32(w));
  MHUB_ASSIGN_OR_RETURN(n.bias, AsF32(b));
  return n;
}

Result<Norm> Norm::RmsNorm(const VarBuilder& vb, int64_t dim, double eps) {
  Norm n;
  n.eps = static_cast<float>(eps);
  n.rms = true;
  MHUB_ASSIGN_OR_RETURN(core::Tensor w, vb.Get("weight", {dim}, Init::kOnes));
  MHUB_ASSIGN_OR_RETURN(n.weight, AsF32(w));
  return n;
}

Status Norm::Apply(const core::Tensor& x, core::Tensor& out) const {
  if (!out.defined()) out = NewF32(x.shape());
  if (rms) return core::RmsNorm(x, weight, eps, out);
  return core::LayerNorm(x, weight, bias, eps, out);
}

Result<core::Tensor> LoadEmbedding(const VarBuilder& vb, int64_t rows, int64_t dim) {
  return vb.Get("weight", {rows, dim});
}

Result<core::Activation> ParseActivation(const std::string& name) {
  if (name == "gelu") return core::Activation::kGeluErf;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return core::Activation::kGeluTanh;
  if (name == "relu") return core::Activation::kRelu;
  if (name == "silu" || name == "swish") return core::Activation::kSilu;
  return Status::Unsupported("activation '" + name +
                             "' is not supported; supported: gelu, gelu_new, "
                             "gelu_pytorch_tanh, gelu_fast, relu, silu");
}

core::Tensor NewF32(const core::Shape& shape) { return core::Tensor::Empty(core::DType::kF32, shape); }

core::Tensor IdsTensor(std::span<const int64_t> values, int64_t batch, int64_t seq) {
  return core::Tensor::FromIds(std::vector<int64_t>(values.begin(), values.end()), {batch, seq});
}

core::Tensor GatherRows(const core::Tensor& x, std::span<const int64_t> index) {
  const int64_t b = x.dim(0), t = x.dim(1), c = x.dim(2);
  core::Tensor out = NewF32({b, c});
  for (int64_t i = 0; i < b; ++i) {
    std::memcpy(out.data<float>() + i * c, x.data<float>() + (i * t + index[i]) * c, sizeof(float) * c);
  }
  return out;
}

void TanhInPlace(core::Tensor& x) {
  float* p = x.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i) p[i] = std::tanh(p[i]);
}

Array ToArray(const core::Tensor& x) { return Array{x.shape().ToVector(), x.ToFloatVector()}; }

void SplitQaLogits(const core::Tensor& logits, ModelOutputs& out) {
  const int64_t b = logits.dim(0), t = logits.dim(1);
  Array start{{b, t}, std::vector<float>(b * t)}, end{{b, t}, std::vector<float>(b * t)};
  const float* p = logits.data<float>();
  for (int64_t i = 0; i < b * t; ++i) {
    start.values[i] = p[2 * i];
    end.values[i] = p[2 * i + 1];
  }
  out["start_logits"] = std::move(start);
  out["end_logits"] = std::move(end);
}

Status ValidateInputs(const ModelInputs& in, int64_t vocab_size, int64_t max_positions) {
  if (in.batch <= 0 || in.seq_len <= 0) {
    return Status::InvalidArgument("batch and seq_len must be positive, got " + std::to_string(in.batch) + "x" +
                                   std::to_string(in.seq_len));
  }
  const size_t n = static_cast<size_t>(in.batch * in.seq_len);
  if (in.input_ids.size() != n) {
    return Status::InvalidArgument("input_ids has " + std::to_string(in.input_ids.size()) + " values, expected " +
                                   std::to_string(n) + " (batch x seq_len)");
  }
  auto check_size = [n](const std::vector<int64_t>& v, const char* what) {
    if (!v.empty() && v.size() != n) {
      return Status::InvalidArgument(std::string(what) + " has " + std::to_string(v.size()) + " values, expected " +
                                     std::to_string(n));
    }
    return Status::OK();
  };
  MHUB_RETURN_IF_ERROR(check_size(in.attention_mask, "attention_mask"));
  MHUB_RETURN_IF_ERROR(check_size(in.token_type_ids, "token_type_ids"));
  MHUB_RETURN_IF_ERROR(check_size(in.position_ids, "position_ids"));
  for (int64_t id : in.input_ids) {
    if (id < 0 || id >= vocab_size) {
      return Status::InvalidArgument("token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                                     std::to_string(vocab_size) + ")");
    }
  }
  if (max_positions > 0 && in.position_ids.empty() && in.seq_len > max_positions) {
    return Status::InvalidArgument("sequence length " + std::to_string(in.seq_len) +
                                   " exceeds the model's max_position_embeddings " + std::to_string(max_positions));
  }
  for (int64_t p : in.position_ids) {
    if (p < 0 || (max_positions > 0 && p >= max_positions)) {
      return Status::InvalidArgument("position id " + std::to_string(p) + " is outside [0, " +
                                     std::to_string(max_positions) + ")");
    }
  }
  return Status::OK();
}

std::vector<int64_t> MaskOrOnes(const ModelInputs& in) {
  if (!in.attention_mask.empty()) return in.attention_mask;
  return std::vector<int64_t>(static_cast<size_t>(in.batch * in.seq_len), 1);
}

Result<PackedQkvViews> SplitPackedQkv(const core::Tensor& qkv, int64_t heads) {
  const int64_t head_dim = qkv.shape()[-1] / (3 * heads);
  MHUB_ASSIGN_OR_RETURN(core::HeadsView q, core::HeadsView::FromPacked(qkv, 0, heads, head_dim));
  MHUB_ASSIGN_OR_RETURN(core::HeadsView k, core::HeadsView::FromPacked(qkv, heads, heads, head_dim));
  MHUB_ASSIGN_OR_RETURN(core::HeadsView v, core::HeadsView::FromPacked(qkv, 2 * heads, heads, head_dim));
  return PackedQkvViews{q, k, v};
}

namespace {

Status RunPostLnEncoderBf16(std::span<const PostLnLayer> layers, const Norm& embeddings_norm, int64_t heads,
                            int64_t ffn_dim, core::Activation act, const core::Tensor& mask, core::Tensor& h,
                            core::Arena& arena) {
  const int64_t B = h.dim(0), T = h.dim(1), H = h.dim(2), D = H / heads;
  core::Tensor hb = arena.NewTensor(core::DType::kBF16, {B, T, H});       // h rounded: the QKV / FFN input
  core::Tensor qkv = arena.NewTensor(core::DType::kBF16, {B, T, 3 * H});  // query|key|value
  core::Tensor ctx = arena.NewTensor(core::DType::kBF16, {B, T, H});      // attention context
  core::Tensor inner = arena.NewTensor(core::DType::kBF16, {B, T, ffn_dim});
  MHUB_ASSIGN_OR_RETURN(core::HeadsViewBf16 qv, core::HeadsViewBf16::FromPacked(qkv, 0, heads, D));
  MHUB_ASSIGN_OR_RETURN(core::HeadsViewBf16 kv, core::HeadsViewBf16::FromPacked(qkv, heads, heads, D));
  MHUB_ASSIGN_OR_RETURN(core::HeadsViewBf16 vv, core::HeadsViewBf16::FromPacked(qkv, 2 * heads, heads, D));
  MHUB_ASSIGN_OR_RETURN(core::HeadsViewBf16 cv, core::HeadsViewBf16::Of(ctx, heads));
  core::AttentionOptions opts;
  opts.key_mask = &mask;
  opts.bf16 = true;
  auto norm = [&](const Norm& n, bool last) {  // h = LN(h), and its BF16 copy when a layer reads it
    if (last) return core::LayerNorm(h, n.weight, n.bias, n.eps, h);
    return core::LayerNormWithBf16Copy(h, n.weight, n.bias, n.eps, h, hb);
  };
  MHUB_RETURN_IF_ERROR(norm(embeddings_norm, layers.empty()));
  for (size_t i = 0; i < layers.size(); ++i) {
    const PostLnLayer& l = layers[i];
    MHUB_RETURN_IF_ERROR(l.qkv->Forward(hb, qkv));
    MHUB_RETURN_IF_ERROR(core::Attention(qv, kv, vv, cv, opts));
    MHUB_RETURN_IF_ERROR(l.attn_out->Forward(ctx, h, core::Activation::kNone, /*accumulate=*/true));
    MHUB_RETURN_IF_ERROR(norm(*l.attn_norm, false));
    MHUB_RETURN_IF_ERROR(l.ffn_in->Forward(hb, inner, act));
    MHUB_RETURN_IF_ERROR(l.ffn_out->Forward(inner, h, core::Activation::kNone, /*accumulate=*/true));
    MHUB_RETURN_IF_ERROR(norm(*l.ffn_norm, i + 1 == layers.size()));
  }
  return Status::OK();
}

}  // namespace

Status RunPostLnEncoder(std::span<const PostLnLayer> layers, const Norm& embeddings_norm, int64_t heads,
                        int64_t ffn_dim, core::Activation act, const core::Tensor& mask, core::Tensor& h,
                        core::Arena& arena) {
  bool bf16_inner = true, bf16_acts = true;
  for (const PostLnLayer& l : layers) {
    bf16_inner = bf16_inner && l.ffn_in->bf16() && l.ffn_out->bf16();
    bf16_acts = bf16_acts && l.qkv->bf16() && l.attn_out->bf16();
  }
  bf16_acts = bf16_acts && bf16_inner;
  if (bf16_acts) return RunPostLnEncoderBf16(layers, embeddings_norm, heads, ffn_dim, act, mask, h, arena);

  MHUB_RETURN_IF_ERROR(embeddings_norm.Apply(h, h));
  const int64_t B = h.dim(0), T = h.dim(1), H = h.dim(2);
  core::Tensor qkv = arena.NewTensor(core::DType::kF32, {B, T, 3 * H});  // query|key|value
  core::Tensor ctx = arena.NewTensor(core::DType::kF32, {B, T, H});      // attention context
  core::Tensor inner = arena.NewTensor(bf16_inner ? core::DType::kBF16 : core::DType::kF32, {B, T, ffn_dim});
  MHUB_ASSIGN_OR_RETURN(PackedQkvViews qkv_heads, SplitPackedQkv(qkv, heads));
  MHUB_ASSIGN_OR_RETURN(core::HeadsView cv, core::HeadsView::Of(ctx, heads));
  core::AttentionOptions opts;
  opts.key_mask = &mask;
  for (const PostLnLayer& l : layers) {
    opts.bf16 = l.qkv->bf16();  // bf16 models: bf16 q.k and p.v products, as torch's bf16 attention
    MHUB_RETURN_IF_ERROR(l.qkv->Forward(h, qkv));
    MHUB_RETURN_IF_ERROR(core::Attention(qkv_heads.q, qkv_heads.k, qkv_heads.v, cv, opts));
    MHUB_RETURN_IF_ERROR(l.attn_out->Forward(ctx, h, core::Activation::kNone, /*accumulate=*/true));
    MHUB_RETURN_IF_ERROR(l.attn_norm->Apply(h, h));
    MHUB_RETURN_IF_ERROR(l.ffn_in->Forward(h, inner, act));
    MHUB_RETURN_IF_ERROR(l.ffn_out->Forward(inner, h, core::Activation::kNone, /*accumulate=*/true));
    MHUB_RETURN_IF_ERROR(l.ffn_norm->Apply(h, h));
  }
  return Status::OK();
}

}  // namespace mhub::models
