#include "mhub/core/kv_cache.h"

#include <cstring>

#include "core/cpu/parallel.h"

namespace mhub::core {

Result<KvCache> KvCache::Create(int64_t batch, int64_t num_kv_heads, int64_t max_len, int64_t head_dim) {
  if (batch <= 0 || num_kv_heads <= 0 || max_len <= 0 || head_dim <= 0)
    return Status::InvalidArgument("KvCache::Create: every size must be positive");
  KvCache c;
  c.k_ = Tensor::Empty(DType::kF32, {batch, num_kv_heads, max_len, head_dim});
  c.v_ = Tensor::Empty(DType::kF32, {batch, num_kv_heads, max_len, head_dim});
  c.batch_ = batch;
  c.heads_ = num_kv_heads;
  c.max_len_ = max_len;
  c.head_dim_ = head_dim;
  return c;
}

HeadsView KvCache::View(const Tensor& t) const {
  HeadsView v;
  v.data = t.defined() ? t.data<float>() : nullptr;
  v.batch = batch_;
  v.seq = length_;
  v.heads = heads_;
  v.head_dim = head_dim_;
  v.stride_b = heads_ * max_len_ * head_dim_;
  v.stride_t = head_dim_;
  v.stride_h = max_len_ * head_dim_;
  return v;
}

Status KvCache::Append(const HeadsView& k_new, const HeadsView& v_new) {
  for (const HeadsView* x : {&k_new, &v_new}) {
    if (x->batch != batch_ || x->heads != heads_ || x->head_dim != head_dim_ || x->seq != k_new.seq)
      return Status::InvalidArgument(
          "KvCache::Append: new keys/values do not match the cache (B=" + std::to_string(batch_) +
          ", Hkv=" + std::to_string(heads_) + ", D=" + std::to_string(head_dim_) + ")");
  }
  const int64_t tn = k_new.seq;
  if (length_ + tn > max_len_)
    return Status::ResourceExhausted("KvCache::Append: " + std::to_string(length_ + tn) + " tokens exceed max_len " +
                                     std::to_string(max_len_));
  HeadsView kd = View(k_), vd = View(v_);
  const size_t row_bytes = static_cast<size_t>(head_dim_) * sizeof(float);
  cpu::ParallelFor(batch_ * heads_, tn >= 8 ? 1 : batch_ * heads_, [&](int64_t begin, int64_t end) {
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / heads_, h = bh % heads_;
      for (int64_t t = 0; t < tn; ++t) {
        std::memcpy(kd.at(b, length_ + t, h), k_new.at(b, t, h), row_bytes);
        std::memcpy(vd.at(b, length_ + t, h), v_new.at(b, t, h), row_bytes);
      }
    }
  });
  length_ += tn;
  return Status::OK();
}

}  // namespace mhub::core
