#include "mhub/core/tensor.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "core/cpu/kernel_table.h"

namespace mhub::core {

// ---- Shape ----

Shape::Shape(std::initializer_list<int64_t> dims) {
  assert(dims.size() <= static_cast<size_t>(kMaxDims));
  for (int64_t d : dims) dims_[ndim_++] = d;
}

Shape Shape::FromVector(const std::vector<int64_t>& dims) {
  Shape s;
  assert(dims.size() <= static_cast<size_t>(kMaxDims));
  for (int64_t d : dims) s.dims_[s.ndim_++] = d;
  return s;
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int i = 0; i < ndim_; ++i) n *= dims_[i];
  return n;
}

int64_t Shape::rows() const {
  int64_t n = 1;
  for (int i = 0; i + 1 < ndim_; ++i) n *= dims_[i];
  return n;
}

std::string Shape::ToString() const {
  std::string s = "(";
  for (int i = 0; i < ndim_; ++i) {
    if (i) s += ", ";
    s += std::to_string(dims_[i]);
  }
  return s + ")";
}

bool Shape::operator==(const Shape& o) const {
  if (ndim_ != o.ndim_) return false;
  for (int i = 0; i < ndim_; ++i)
    if (dims_[i] != o.dims_[i]) return false;
  return true;
}

// ---- Tensor ----

namespace {

std::shared_ptr<void> AllocateAligned(size_t bytes) {
  size_t rounded = (bytes + 63) / 64 * 64;
  if (rounded == 0) rounded = 64;
  void* p = std::aligned_alloc(64, rounded);
  if (!p) throw std::bad_alloc();
  return std::shared_ptr<void>(p, [](void* q) { std::free(q); });
}

}  // namespace

Tensor Tensor::Empty(DType dtype, const Shape& shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = shape;
  std::shared_ptr<void> mem = AllocateAligned(t.nbytes());
  t.data_ = mem.get();
  t.owner_ = std::move(mem);
  return t;
}

Tensor Tensor::Zeros(DType dtype, const Shape& shape) {
  Tensor t = Empty(dtype, shape);
  std::memset(t.data_, 0, t.nbytes());
  return t;
}

Tensor Tensor::FromVector(const std::vector<float>& values, const Shape& shape) {
  assert(static_cast<int64_t>(values.size()) == shape.numel());
  Tensor t = Empty(DType::kF32, shape);
  std::memcpy(t.data_, values.data(), values.size() * sizeof(float));
  return t;
}

Tensor Tensor::FromIds(const std::vector<int64_t>& ids, const Shape& shape, DType dtype) {
  assert(static_cast<int64_t>(ids.size()) == shape.numel());
  assert(dtype == DType::kI32 || dtype == DType::kI64);
  Tensor t = Empty(dtype, shape);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (dtype == DType::kI64)
      static_cast<int64_t*>(t.data_)[i] = ids[i];
    else
      static_cast<int32_t*>(t.data_)[i] = static_cast<int32_t>(ids[i]);
  }
  return t;
}

Tensor Tensor::FromExternal(DType dtype, const Shape& shape, void* data, std::shared_ptr<const void> keepalive) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = shape;
  t.data_ = data;
  t.owner_ = std::move(keepalive);
  return t;
}

Tensor Tensor::QuantizedI8(const Tensor& values_i8, const Tensor& scales_f32) {
  assert(values_i8.dtype() == DType::kI8 && scales_f32.dtype() == DType::kF32);
  assert(scales_f32.numel() == values_i8.shape().rows());
  Tensor t = values_i8;
  t.row_scales_ = scales_f32.data<float>();
  // Keep both storages alive through one owner.
  auto both = std::make_shared<std::pair<std::shared_ptr<const void>, std::shared_ptr<const void>>>(values_i8.owner_,
                                                                                                    scales_f32.owner_);
  t.owner_ = std::shared_ptr<const void>(both, both.get());
  return t;
}

Tensor Tensor::Slice(int64_t i) const {
  assert(ndim() >= 1 && i >= 0 && i < dim(0));
  Tensor t = *this;
  std::vector<int64_t> dims = shape_.ToVector();
  dims.erase(dims.begin());
  t.shape_ = Shape::FromVector(dims);
  const int64_t inner = t.shape_.numel();
  t.data_ = static_cast<char*>(data_) + i * inner * static_cast<int64_t>(DTypeSize(dtype_));
  if (row_scales_) t.row_scales_ = row_scales_ + i * (dims.empty() ? 1 : t.shape_.rows());
  return t;
}

Tensor Tensor::Narrow0(int64_t start, int64_t len) const {
  assert(ndim() >= 1 && start >= 0 && len >= 0 && start + len <= dim(0));
  Tensor t = *this;
  std::vector<int64_t> dims = shape_.ToVector();
  const int64_t inner = shape_.numel() / (dims[0] == 0 ? 1 : dims[0]);
  dims[0] = len;
  t.shape_ = Shape::FromVector(dims);
  t.data_ = static_cast<char*>(data_) + start * inner * static_cast<int64_t>(DTypeSize(dtype_));
  if (row_scales_) t.row_scales_ = row_scales_ + start * (inner / (dims.size() > 1 ? shape_[-1] : 1));
  return t;
}

Result<Tensor> Tensor::Reshape(std::initializer_list<int64_t> dims) const { return Reshape(Shape(dims)); }

Result<Tensor> Tensor::Reshape(const Shape& shape) const {
  std::vector<int64_t> dims = shape.ToVector();
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (infer >= 0) return Status::InvalidArgument("reshape to " + shape.ToString() + ": more than one -1");
      infer = static_cast<int>(i);
    } else {
      known *= dims[i];
    }
  }
  if (infer >= 0 && known > 0) dims[infer] = numel() / known;
  Shape target = Shape::FromVector(dims);
  if (target.numel() != numel())
    return Status::InvalidArgument("cannot reshape " + shape_.ToString() + " to " + shape.ToString());
  if (row_scales_ && target[-1] != shape_[-1])
    return Status::InvalidArgument("reshape of an I8 tensor must keep its rows");
  Tensor t = *this;
  t.shape_ = target;
  return t;
}

Status Tensor::CopyFrom(const Tensor& src) {
  if (src.numel() != numel())
    return Status::InvalidArgument("CopyFrom " + src.shape().ToString() + " into " + shape_.ToString());
  const int64_t n = numel();
  if (src.dtype_ == dtype_ && !src.row_scales_) {
    std::memmove(data_, src.data_, nbytes());
    return Status::OK();
  }
  const auto& k = cpu::Kernels();
  switch (dtype_) {
    case DType::kF32: {
      float* out = static_cast<float*>(data_);
      if (src.dtype_ == DType::kBF16) {
        k.bf16_to_f32(src.data<uint16_t>(), out, n, false);
      } else if (src.dtype_ == DType::kF16) {
        ConvertF16ToF32(src.data<uint16_t>(), out, static_cast<size_t>(n));
      } else if (src.dtype_ == DType::kI8 && src.row_scales_) {
        const int64_t c = src.shape()[-1];
        const int8_t* q = src.data<int8_t>();
        for (int64_t i = 0; i < n; ++i) out[i] = src.row_scales_[i / c] * static_cast<float>(q[i]);
      } else {
        break;
      }
      return Status::OK();
    }
    case DType::kBF16:
      if (src.dtype_ == DType::kF32) {
        k.f32_to_bf16(src.data<float>(), static_cast<uint16_t*>(data_), n);
        return Status::OK();
      }
      if (src.dtype_ == DType::kF16) {
        uint16_t* out = static_cast<uint16_t*>(data_);
        const uint16_t* in = src.data<uint16_t>();
        for (int64_t i = 0; i < n; ++i) out[i] = F32ToBF16(F16ToF32(in[i]));
        return Status::OK();
      }
      break;
    case DType::kF16: {
      uint16_t* out = static_cast<uint16_t*>(data_);
      if (src.dtype_ == DType::kF32) {
        ConvertF32ToF16(src.data<float>(), out, static_cast<size_t>(n));
        return Status::OK();
      }
      if (src.dtype_ == DType::kBF16) {
        const uint16_t* in = src.data<uint16_t>();
        for (int64_t i = 0; i < n; ++i) out[i] = F32ToF16(BF16ToF32(in[i]));
        return Status::OK();
      }
      break;
    }
    case DType::kI32:
      if (src.dtype_ == DType::kI64) {
        for (int64_t i = 0; i < n; ++i) static_cast<int32_t*>(data_)[i] = static_cast<int32_t>(src.data<int64_t>()[i]);
        return Status::OK();
      }
      break;
    case DType::kI64:
      if (src.dtype_ == DType::kI32) {
        for (int64_t i = 0; i < n; ++i) static_cast<int64_t*>(data_)[i] = src.data<int32_t>()[i];
        return Status::OK();
      }
      break;
    case DType::kI8:
      break;
  }
  return Status::Unsupported("no conversion from " + std::string(DTypeName(src.dtype_)) + " to " +
                             std::string(DTypeName(dtype_)));
}

Result<Tensor> Tensor::To(DType dtype) const {
  Tensor t = Empty(dtype, shape_);
  MHUB_RETURN_IF_ERROR(t.CopyFrom(*this));
  return t;
}

Tensor Tensor::Clone() const {
  Tensor t = Empty(dtype_, shape_);
  std::memcpy(t.data_, data_, nbytes());
  if (row_scales_) {
    const int64_t rows = shape_.rows();
    Tensor s = Empty(DType::kF32, {rows});
    std::memcpy(s.data_, row_scales_, static_cast<size_t>(rows) * sizeof(float));
    return QuantizedI8(t, s);
  }
  return t;
}

std::vector<float> Tensor::ToFloatVector() const {
  std::vector<float> v(static_cast<size_t>(numel()));
  if (dtype_ == DType::kI32 || dtype_ == DType::kI64) {
    for (int64_t i = 0; i < numel(); ++i)
      v[i] = dtype_ == DType::kI32 ? static_cast<float>(data<int32_t>()[i]) : static_cast<float>(data<int64_t>()[i]);
    return v;
  }
  Tensor view = FromExternal(DType::kF32, shape_, v.data(), nullptr);
  Status st = view.CopyFrom(*this);
  (void)st;  // every non-integer dtype converts to F32
  return v;
}

}  // namespace mhub::core
