// Tensor::FromSafetensors: zero-copy views of mhub_formats tensor views.
#include "mhub/core/tensor.h"
#include "mhub/formats/safetensors.h"

#include <cstring>

namespace mhub::core {

Result<Tensor> Tensor::FromSafetensors(const formats::TensorView& view, std::shared_ptr<const void> keepalive) {
  DType dtype;
  switch (view.dtype) {
    case formats::Dtype::kF32:
      dtype = DType::kF32;
      break;
    case formats::Dtype::kBF16:
      dtype = DType::kBF16;
      break;
    case formats::Dtype::kF16:
      dtype = DType::kF16;
      break;
    case formats::Dtype::kI8:
      dtype = DType::kI8;
      break;
    case formats::Dtype::kI32:
      dtype = DType::kI32;
      break;
    case formats::Dtype::kI64:
      dtype = DType::kI64;
      break;
    default:
      return Status::Unsupported("tensor '" + view.name + "' has dtype " + std::string(formats::DtypeName(view.dtype)) +
                                 ", which mhub_core cannot compute with");
  }
  if (view.shape.size() > static_cast<size_t>(kMaxDims))
    return Status::Unsupported("tensor '" + view.name + "' has " + std::to_string(view.shape.size()) +
                               " dims; at most " + std::to_string(kMaxDims) + " are supported");
  const Shape shape = Shape::FromVector(view.shape);
  if (static_cast<size_t>(shape.numel()) * DTypeSize(dtype) != view.nbytes)
    return Status::Corruption("tensor '" + view.name + "': " + std::to_string(view.nbytes) + " bytes for shape " +
                              shape.ToString());
  void* data = const_cast<uint8_t*>(view.data);
  if (reinterpret_cast<uintptr_t>(data) % DTypeSize(dtype) != 0) {  // misaligned: own a copy
    Tensor t = Empty(dtype, shape);
    std::memcpy(t.raw_data(), view.data, view.nbytes);
    return t;
  }
  return FromExternal(dtype, shape, data, std::move(keepalive));
}

}  // namespace mhub::core
