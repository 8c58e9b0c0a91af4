// Tensor: a dense, contiguous, row-major n-d array (up to kMaxDims dims) of one DType.
//
// Storage is one of
//   - owned on the heap (Tensor::Empty / Zeros / FromVector), 64-byte aligned, freed with the last copy;
//   - borrowed from an Arena (Arena::NewTensor): valid until the arena's next Reset(), never freed here;
//   - a zero-copy view over external memory (FromExternal / FromSafetensors) whose owner is kept alive
//     by a shared_ptr "keepalive" (e.g. the mmap of a .safetensors file). Views over read-only file
//     mappings must not be written.
// Copying a Tensor copies the handle, not the data (like torch.Tensor). Views (Slice, Narrow0, Reshape)
// share the storage and keep it alive. Not thread-safe to mutate one handle from two threads; reading
// the same data from many threads is fine.
//
// Shapes are written in comments llm.c-style: `// (B,T,C)`.
#pragma once

#include <array>
#include <cassert>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/core/dtype.h"

namespace mhub::formats {
struct TensorView;  // mhub/formats/safetensors.h
}

namespace mhub::core {

inline constexpr int kMaxDims = 5;

// Dimensions of a tensor; at most kMaxDims. Shape{} is a scalar (numel 1).
class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);
  static Shape FromVector(const std::vector<int64_t>& dims);  // precondition: size() <= kMaxDims

  int ndim() const { return ndim_; }
  // dim(i) for 0 <= i < ndim(); negative i counts from the end (dim(-1) is the last).
  int64_t operator[](int i) const { return dims_[i < 0 ? i + ndim_ : i]; }
  int64_t numel() const;
  // Product of all dims but the last: the number of rows of a 2-D view.
  int64_t rows() const;
  std::vector<int64_t> ToVector() const { return {dims_.begin(), dims_.begin() + ndim_}; }
  std::string ToString() const;  // "(2, 3, 4)"
  bool operator==(const Shape& o) const;

 private:
  std::array<int64_t, kMaxDims> dims_{};
  int ndim_ = 0;
};

class Tensor {
 public:
  Tensor() = default;  // undefined: defined() is false

  // Heap tensors, 64-byte aligned. Empty leaves the bytes uninitialised.
  static Tensor Empty(DType dtype, const Shape& shape);
  static Tensor Zeros(DType dtype, const Shape& shape);
  // F32 tensor holding a copy of `values`; precondition: values.size() == shape.numel().
  static Tensor FromVector(const std::vector<float>& values, const Shape& shape);
  // Copies `values` (I32 or I64 ids).
  static Tensor FromIds(const std::vector<int64_t>& ids, const Shape& shape, DType dtype = DType::kI64);

  // A view over `data` (not copied). `keepalive` (may be null) is held for the view's lifetime.
  static Tensor FromExternal(DType dtype, const Shape& shape, void* data, std::shared_ptr<const void> keepalive);

  // A zero-copy view of a safetensors tensor when its dtype is one of ours (F32, BF16, F16, I8, I32,
  // I64) and the data is aligned for it; otherwise (misaligned) an owned copy. `keepalive` must own
  // the mapping the view points into. Unsupported for other dtypes or more than kMaxDims dims.
  static Result<Tensor> FromSafetensors(const formats::TensorView& view, std::shared_ptr<const void> keepalive);

  bool defined() const { return data_ != nullptr || shape_.numel() == 0; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int ndim() const { return shape_.ndim(); }
  int64_t dim(int i) const { return shape_[i]; }
  int64_t numel() const { return shape_.numel(); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * DTypeSize(dtype_); }

  // Typed access; T must match dtype() (float for F32, uint16_t for BF16/F16, int8_t, int32_t, int64_t).
  template <typename T>
  T* data() const {
    assert(MatchesType<T>() && "Tensor::data<T>() with the wrong T");
    return static_cast<T*>(data_);
  }
  void* raw_data() const { return data_; }

  // I8 weights: one f32 scale per row (rows() of them): w_real[r, c] = scale[r] * w_i8[r, c].
  // Null for other dtypes.
  const float* row_scales() const { return row_scales_; }

  // x[i]: drops the leading dim (a view). Precondition: ndim() >= 1, 0 <= i < dim(0).
  Tensor Slice(int64_t i) const;
  // x[start : start+len] along dim 0 (a view, contiguous). Precondition: in range.
  Tensor Narrow0(int64_t start, int64_t len) const;
  // Same data, new shape (numel must match; one dim may be -1 to infer it). A view.
  Result<Tensor> Reshape(std::initializer_list<int64_t> dims) const;
  Result<Tensor> Reshape(const Shape& shape) const;

  // A new heap tensor holding this one converted to `dtype` (F32 <-> BF16 <-> F16, I32 <-> I64;
  // I8 -> F32 applies row_scales). Unsupported for other pairs.
  Result<Tensor> To(DType dtype) const;
  // Copies `src` into this tensor's storage, converting dtype as To() does. Shapes must have the same numel.
  Status CopyFrom(const Tensor& src);
  // Heap copy with the same dtype and shape.
  Tensor Clone() const;
  // F32 values as a vector (converting BF16/F16/I8); for tests and small outputs.
  std::vector<float> ToFloatVector() const;

  // Attaches per-row scales to an I8 tensor (the scales' storage is kept alive with the tensor).
  static Tensor QuantizedI8(const Tensor& values_i8, const Tensor& scales_f32);

 private:
  template <typename T>
  bool MatchesType() const {
    if constexpr (std::is_same_v<T, float>) return dtype_ == DType::kF32;
    if constexpr (std::is_same_v<T, uint16_t>) return dtype_ == DType::kBF16 || dtype_ == DType::kF16;
    if constexpr (std::is_same_v<T, int8_t>) return dtype_ == DType::kI8;
    if constexpr (std::is_same_v<T, int32_t>) return dtype_ == DType::kI32;
    if constexpr (std::is_same_v<T, int64_t>) return dtype_ == DType::kI64;
    return true;  // void / unsigned char: raw bytes
  }
  friend class Arena;

  DType dtype_ = DType::kF32;
  Shape shape_;
  void* data_ = nullptr;
  const float* row_scales_ = nullptr;
  std::shared_ptr<const void> owner_;  // heap buffer, file mapping, or null (arena)
};

}  // namespace mhub::core
