#include "mhub/core/heads_view.h"

namespace mhub::core {

Result<HeadsView> HeadsView::Of(const Tensor& x, int64_t heads) {
  if (x.dtype() != DType::kF32) return Status::InvalidArgument("HeadsView needs an F32 tensor");
  if (heads <= 0) return Status::InvalidArgument("HeadsView: heads must be positive");
  if (x.ndim() == 4) {
    if (x.dim(2) != heads)
      return Status::InvalidArgument("HeadsView: tensor " + x.shape().ToString() + " does not have " +
                                     std::to_string(heads) + " heads");
    return FromPacked(x.Reshape({x.dim(0), x.dim(1), x.dim(2) * x.dim(3)}).value(), 0, heads, x.dim(3));
  }
  if (x.ndim() != 3 || x.dim(2) % heads != 0)
    return Status::InvalidArgument("HeadsView: expected (B,T,H,D) or (B,T,H*D), got " + x.shape().ToString());
  return FromPacked(x, 0, heads, x.dim(2) / heads);
}

Result<HeadsView> HeadsView::FromPacked(const Tensor& x, int64_t head_offset, int64_t heads, int64_t head_dim) {
  if (x.dtype() != DType::kF32) return Status::InvalidArgument("HeadsView needs an F32 tensor");
  if (x.ndim() != 3)
    return Status::InvalidArgument("HeadsView::FromPacked expects (B,T,X), got " + x.shape().ToString());
  if (head_offset < 0 || heads <= 0 || head_dim <= 0 || (head_offset + heads) * head_dim > x.dim(2))
    return Status::InvalidArgument("HeadsView::FromPacked: heads [" + std::to_string(head_offset) + ", " +
                                   std::to_string(head_offset + heads) + ") of size " + std::to_string(head_dim) +
                                   " do not fit in " + x.shape().ToString());
  HeadsView v;
  v.data = x.data<float>() + head_offset * head_dim;
  v.batch = x.dim(0);
  v.seq = x.dim(1);
  v.heads = heads;
  v.head_dim = head_dim;
  v.stride_b = x.dim(1) * x.dim(2);
  v.stride_t = x.dim(2);
  v.stride_h = head_dim;
  return v;
}

}  // namespace mhub::core
