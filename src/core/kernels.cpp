// Tensor-level element-wise, normalisation and gather ops: check shapes, split rows over threads,
// run the row kernels of the active ISA (core/cpu/kernels_impl.inc).
#include "mhub/core/kernels.h"

#include <cstring>
#include <string>

#include "core/cpu/kernel_table.h"
#include "core/cpu/parallel.h"

namespace mhub::core {
namespace {

constexpr int64_t kMinElemsPerThread = 16384;

Status CheckF32(const Tensor& t, const char* what, const char* op) {
  if (!t.defined()) return Status::InvalidArgument(std::string(op) + ": " + what + " is undefined");
  if (t.dtype() != DType::kF32)
    return Status::InvalidArgument(std::string(op) + ": " + what + " must be F32, got " +
                                   std::string(DTypeName(t.dtype())));
  return Status::OK();
}

Status CheckSameShape(const Tensor& a, const Tensor& b, const char* op) {
  if (!(a.shape() == b.shape()))
    return Status::InvalidArgument(std::string(op) + ": shape " + a.shape().ToString() + " vs " + b.shape().ToString());
  return Status::OK();
}

Status CheckVector(const Tensor& v, int64_t c, const char* what, const char* op) {
  MHUB_RETURN_IF_ERROR(CheckF32(v, what, op));
  if (v.numel() != c)
    return Status::InvalidArgument(std::string(op) + ": " + what + " has " + std::to_string(v.numel()) +
                                   " elements, expected " + std::to_string(c));
  return Status::OK();
}

// Runs fn(row) for every row of a (rows, c) problem, rows split over threads.
template <typename Fn>
void ForRows(int64_t rows, int64_t c, const Fn& fn) {
  const int64_t min_rows = c > 0 ? (kMinElemsPerThread + c - 1) / c : rows;
  cpu::ParallelFor(rows, min_rows, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) fn(r);
  });
}

// Element-wise over n values in chunks.
template <typename Fn>
void ForChunks(int64_t n, const Fn& fn) {
  cpu::ParallelFor(n, kMinElemsPerThread, [&](int64_t b, int64_t e) { fn(b, e - b); });
}

}  // namespace

Status Embedding(const Tensor& ids, const Tensor& table, Tensor& out, bool accumulate) {
  const char* op = "Embedding";
  if (ids.dtype() != DType::kI32 && ids.dtype() != DType::kI64)
    return Status::InvalidArgument("Embedding: ids must be I32 or I64");
  if (table.ndim() != 2 ||
      (table.dtype() != DType::kF32 && table.dtype() != DType::kBF16 && table.dtype() != DType::kF16))
    return Status::InvalidArgument("Embedding: table must be (V,C) F32/BF16/F16, got " + table.shape().ToString());
  MHUB_RETURN_IF_ERROR(CheckF32(out, "out", op));
  const int64_t n = ids.numel(), v = table.dim(0), c = table.dim(1);
  if (out.numel() != n * c || out.shape()[-1] != c)
    return Status::InvalidArgument("Embedding: out " + out.shape().ToString() + " does not hold " + std::to_string(n) +
                                   " rows of " + std::to_string(c));
  auto id_at = [&](int64_t i) -> int64_t {
    return ids.dtype() == DType::kI64 ? ids.data<int64_t>()[i] : ids.data<int32_t>()[i];
  };
  for (int64_t i = 0; i < n; ++i) {
    const int64_t id = id_at(i);
    if (id < 0 || id >= v)
      return Status::InvalidArgument("Embedding: id " + std::to_string(id) + " at position " + std::to_string(i) +
                                     " is outside the vocabulary of " + std::to_string(v));
  }
  const auto& k = cpu::Kernels();
  float* o = out.data<float>();
  ForRows(n, c, [&](int64_t i) {
    const int64_t id = id_at(i);
    float* dst = o + i * c;
    switch (table.dtype()) {
      case DType::kF32: {
        const float* src = table.data<float>() + id * c;
        if (accumulate)
          k.add(dst, src, dst, c);
        else
          std::memcpy(dst, src, static_cast<size_t>(c) * sizeof(float));
        break;
      }
      case DType::kBF16:
        k.bf16_to_f32(table.data<uint16_t>() + id * c, dst, c, accumulate);
        break;
      default: {
        const uint16_t* src = table.data<uint16_t>() + id * c;
        for (int64_t j = 0; j < c; ++j) dst[j] = (accumulate ? dst[j] : 0.0f) + F16ToF32(src[j]);
      }
    }
  });
  return Status::OK();
}

namespace {

// AddLayerNorm, plus the bf16 copy of out when out_bf16 is defined.
Status LayerNormRows(const Tensor& x, const Tensor& residual, const Tensor& weight, const Tensor& bias, float eps,
                     Tensor& sum_out, Tensor& out, Tensor& out_bf16) {
  const char* op = out_bf16.defined() ? (residual.defined() ? "AddLayerNormWithBf16Copy" : "LayerNormWithBf16Copy")
                                      : (residual.defined() ? "AddLayerNorm" : "LayerNorm");
  if (out_bf16.defined()) {
    if (out_bf16.dtype() != DType::kBF16)
      return Status::InvalidArgument(std::string(op) + ": out_bf16 must be BF16, got " +
                                     std::string(DTypeName(out_bf16.dtype())));
    MHUB_RETURN_IF_ERROR(CheckSameShape(x, out_bf16, op));
  }
  MHUB_RETURN_IF_ERROR(CheckF32(x, "x", op));
  MHUB_RETURN_IF_ERROR(CheckF32(out, "out", op));
  MHUB_RETURN_IF_ERROR(CheckSameShape(x, out, op));
  const int64_t c = x.shape()[-1], rows = x.shape().rows();
  MHUB_RETURN_IF_ERROR(CheckVector(weight, c, "weight", op));
  if (bias.defined()) MHUB_RETURN_IF_ERROR(CheckVector(bias, c, "bias", op));
  if (residual.defined()) {
    MHUB_RETURN_IF_ERROR(CheckF32(residual, "residual", op));
    MHUB_RETURN_IF_ERROR(CheckSameShape(x, residual, op));
  }
  if (sum_out.defined()) {
    MHUB_RETURN_IF_ERROR(CheckF32(sum_out, "sum_out", op));
    MHUB_RETURN_IF_ERROR(CheckSameShape(x, sum_out, op));
  }
  const auto& k = cpu::Kernels();
  const float* xp = x.data<float>();
  const float* rp = residual.defined() ? residual.data<float>() : nullptr;
  float* sp = sum_out.defined() ? sum_out.data<float>() : nullptr;
  const float* w = weight.data<float>();
  const float* b = bias.defined() ? bias.data<float>() : nullptr;
  float* o = out.data<float>();
  uint16_t* ob = out_bf16.defined() ? out_bf16.data<uint16_t>() : nullptr;
  auto row = [&](int64_t r) {
    const float* rr = rp ? rp + r * c : nullptr;
    float* sr = sp ? sp + r * c : nullptr;
    if (ob)
      k.layernorm_bf16(xp + r * c, rr, sr, w, b, eps, o + r * c, ob + r * c, c);
    else
      k.layernorm(xp + r * c, rr, sr, w, b, eps, o + r * c, c);
  };
  ForRows(rows, c, row);
  return Status::OK();
}

}  // namespace

Status LayerNorm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps, Tensor& out) {
  Tensor none;
  return LayerNormRows(x, none, weight, bias, eps, none, out, none);
}

Status AddLayerNorm(const Tensor& x, const Tensor& residual, const Tensor& weight, const Tensor& bias, float eps,
                    Tensor& sum_out, Tensor& out) {
  Tensor none;
  return LayerNormRows(x, residual, weight, bias, eps, sum_out, out, none);
}

Status LayerNormWithBf16Copy(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps, Tensor& out,
                             Tensor& out_bf16) {
  Tensor none;
  if (!out_bf16.defined()) return Status::InvalidArgument("LayerNormWithBf16Copy: out_bf16 is undefined");
  return LayerNormRows(x, none, weight, bias, eps, none, out, out_bf16);
}

Status AddLayerNormWithBf16Copy(const Tensor& x, const Tensor& residual, const Tensor& weight, const Tensor& bias,
                                float eps, Tensor& sum_out, Tensor& out, Tensor& out_bf16) {
  if (!out_bf16.defined()) return Status::InvalidArgument("AddLayerNormWithBf16Copy: out_bf16 is undefined");
  return LayerNormRows(x, residual, weight, bias, eps, sum_out, out, out_bf16);
}

Status RmsNorm(const Tensor& x, const Tensor& weight, float eps, Tensor& out) {
  const char* op = "RmsNorm";
  MHUB_RETURN_IF_ERROR(CheckF32(x, "x", op));
  MHUB_RETURN_IF_ERROR(CheckF32(out, "out", op));
  MHUB_RETURN_IF_ERROR(CheckSameShape(x, out, op));
  const int64_t c = x.shape()[-1];
  MHUB_RETURN_IF_ERROR(CheckVector(weight, c, "weight", op));
  const auto& k = cpu::Kernels();
  const float* xp = x.data<float>();
  const float* w = weight.data<float>();
  float* o = out.data<float>();
  ForRows(x.shape().rows(), c, [&](int64_t r) { k.rmsnorm(xp + r * c, w, eps, o + r * c, c); });
  return Status::OK();
}

namespace {

Status Unary(const Tensor& x, Tensor& out, const char* op, void (*fn)(const float*, float*, int64_t)) {
  MHUB_RETURN_IF_ERROR(CheckF32(x, "x", op));
  MHUB_RETURN_IF_ERROR(CheckF32(out, "out", op));
  MHUB_RETURN_IF_ERROR(CheckSameShape(x, out, op));
  const float* xp = x.data<float>();
  float* o = out.data<float>();
  ForChunks(x.numel(), [&](int64_t b, int64_t n) { fn(xp + b, o + b, n); });
  return Status::OK();
}

Status Binary(const Tensor& a, const Tensor& b, Tensor& out, const char* op,
              void (*fn)(const float*, const float*, float*, int64_t)) {
  MHUB_RETURN_IF_ERROR(CheckF32(a, "a", op));
  MHUB_RETURN_IF_ERROR(CheckF32(b, "b", op));
  MHUB_RETURN_IF_ERROR(CheckF32(out, "out", op));
  MHUB_RETURN_IF_ERROR(CheckSameShape(a, b, op));
  MHUB_RETURN_IF_ERROR(CheckSameShape(a, out, op));
  const float* ap = a.data<float>();
  const float* bp = b.data<float>();
  float* o = out.data<float>();
  ForChunks(a.numel(), [&](int64_t s, int64_t n) { fn(ap + s, bp + s, o + s, n); });
  return Status::OK();
}

}  // namespace

Status Gelu(const Tensor& x, Tensor& out, GeluKind kind) {
  const auto& k = cpu::Kernels();
  return Unary(x, out, "Gelu", kind == GeluKind::kErf ? k.gelu_erf : k.gelu_tanh);
}
Status Silu(const Tensor& x, Tensor& out) { return Unary(x, out, "Silu", cpu::Kernels().silu); }
Status Relu(const Tensor& x, Tensor& out) { return Unary(x, out, "Relu", cpu::Kernels().relu); }
Status SiluMul(const Tensor& gate, const Tensor& up, Tensor& out) {
  return Binary(gate, up, out, "SiluMul", cpu::Kernels().silu_mul);
}
Status Add(const Tensor& a, const Tensor& b, Tensor& out) { return Binary(a, b, out, "Add", cpu::Kernels().add); }
Status Mul(const Tensor& a, const Tensor& b, Tensor& out) { return Binary(a, b, out, "Mul", cpu::Kernels().mul); }

Status Softmax(const Tensor& x, Tensor& out) {
  const char* op = "Softmax";
  MHUB_RETURN_IF_ERROR(CheckF32(x, "x", op));
  MHUB_RETURN_IF_ERROR(CheckF32(out, "out", op));
  MHUB_RETURN_IF_ERROR(CheckSameShape(x, out, op));
  const int64_t c = x.shape()[-1];
  const auto& k = cpu::Kernels();
  const float* xp = x.data<float>();
  float* o = out.data<float>();
  ForRows(x.shape().rows(), c, [&](int64_t r) { k.softmax(xp + r * c, o + r * c, c); });
  return Status::OK();
}

Status AddBias(Tensor& x, const Tensor& bias) {
  const char* op = "AddBias";
  MHUB_RETURN_IF_ERROR(CheckF32(x, "x", op));
  const int64_t c = x.shape()[-1];
  MHUB_RETURN_IF_ERROR(CheckVector(bias, c, "bias", op));
  const auto& k = cpu::Kernels();
  float* xp = x.data<float>();
  const float* b = bias.data<float>();
  ForRows(x.shape().rows(), c, [&](int64_t r) { k.add(xp + r * c, b, xp + r * c, c); });
  return Status::OK();
}

Status Scale(Tensor& x, float s) {
  MHUB_RETURN_IF_ERROR(CheckF32(x, "x", "Scale"));
  const auto& k = cpu::Kernels();
  float* xp = x.data<float>();
  ForChunks(x.numel(), [&](int64_t b, int64_t n) { k.scale(xp + b, s, n); });
  return Status::OK();
}

Status ArgmaxRows(const Tensor& x, Tensor& out) {
  MHUB_RETURN_IF_ERROR(CheckF32(x, "x", "ArgmaxRows"));
  const int64_t rows = x.shape().rows(), c = x.shape()[-1];
  if (out.dtype() != DType::kI64 || out.numel() != rows)
    return Status::InvalidArgument("ArgmaxRows: out must be I64 with " + std::to_string(rows) + " elements");
  const auto& k = cpu::Kernels();
  const float* xp = x.data<float>();
  int64_t* o = out.data<int64_t>();
  ForRows(rows, c, [&](int64_t r) { o[r] = k.argmax(xp + r * c, c); });
  return Status::OK();
}

}  // namespace mhub::core
