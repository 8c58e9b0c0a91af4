#include "mhub/core/heads_view.h"

#include <string>
#include <type_traits>

namespace mhub::core {
namespace {

// Shape checks shared by both views; `what` names the caller in messages.
Status CheckPacked(const Tensor& x, int64_t head_offset, int64_t heads, int64_t head_dim, DType dtype,
                   const char* what) {
  if (x.dtype() != dtype)
    return Status::InvalidArgument(std::string(what) + " needs a tensor of dtype " + std::string(DTypeName(dtype)));
  if (x.ndim() != 3)
    return Status::InvalidArgument(std::string(what) + "::FromPacked expects (B,T,X), got " + x.shape().ToString());
  if (head_offset < 0 || heads <= 0 || head_dim <= 0 || (head_offset + heads) * head_dim > x.dim(2))
    return Status::InvalidArgument(std::string(what) + "::FromPacked: heads [" + std::to_string(head_offset) + ", " +
                                   std::to_string(head_offset + heads) + ") of size " + std::to_string(head_dim) +
                                   " do not fit in " + x.shape().ToString());
  return Status::OK();
}

// (B,T,H,D) -> (B,T,H*D) with its head_dim, or (B,T,H*D) as is.
Status SplitHeads(const Tensor& x, int64_t heads, DType dtype, const char* what, Tensor& packed, int64_t& head_dim) {
  if (x.dtype() != dtype)
    return Status::InvalidArgument(std::string(what) + " needs a tensor of dtype " + std::string(DTypeName(dtype)));
  if (heads <= 0) return Status::InvalidArgument(std::string(what) + ": heads must be positive");
  if (x.ndim() == 4) {
    if (x.dim(2) != heads)
      return Status::InvalidArgument(std::string(what) + ": tensor " + x.shape().ToString() + " does not have " +
                                     std::to_string(heads) + " heads");
    MHUB_ASSIGN_OR_RETURN(packed, x.Reshape({x.dim(0), x.dim(1), x.dim(2) * x.dim(3)}));
    head_dim = x.dim(3);
    return Status::OK();
  }
  if (x.ndim() != 3 || x.dim(2) % heads != 0)
    return Status::InvalidArgument(std::string(what) + ": expected (B,T,H,D) or (B,T,H*D), got " +
                                   x.shape().ToString());
  packed = x;
  head_dim = x.dim(2) / heads;
  return Status::OK();
}

// The view's dtype and its name in messages.
template <typename T>
constexpr DType kViewDType = std::is_same_v<T, float> ? DType::kF32 : DType::kBF16;
template <typename T>
constexpr const char* kViewName = std::is_same_v<T, float> ? "HeadsView" : "HeadsViewBf16";

}  // namespace

template <typename T>
Result<HeadsViewOf<T>> HeadsViewOf<T>::Of(const Tensor& x, int64_t heads) {
  Tensor packed;
  int64_t head_dim = 0;
  MHUB_RETURN_IF_ERROR(SplitHeads(x, heads, kViewDType<T>, kViewName<T>, packed, head_dim));
  return FromPacked(packed, 0, heads, head_dim);
}

template <typename T>
Result<HeadsViewOf<T>> HeadsViewOf<T>::FromPacked(const Tensor& x, int64_t head_offset, int64_t heads,
                                                  int64_t head_dim) {
  MHUB_RETURN_IF_ERROR(CheckPacked(x, head_offset, heads, head_dim, kViewDType<T>, kViewName<T>));
  HeadsViewOf v;
  v.data = x.data<T>() + head_offset * head_dim;
  v.batch = x.dim(0);
  v.seq = x.dim(1);
  v.heads = heads;
  v.head_dim = head_dim;
  v.stride_b = x.dim(1) * x.dim(2);
  v.stride_t = x.dim(2);
  v.stride_h = head_dim;
  return v;
}

template struct HeadsViewOf<float>;
template struct HeadsViewOf<uint16_t>;

}  // namespace mhub::core
