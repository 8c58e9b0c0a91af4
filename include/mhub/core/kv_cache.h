// KvCache: the keys and values of one attention layer for incremental decoding, preallocated as
// (B, Hkv, max_T, D) F32 each, so appending a token moves no earlier data.
//
//   cache.Append(k_new, v_new);   // k_new/v_new: (B, Tn, Hkv, D) views, e.g. FromPacked(qkv, ...)
//   Attention(q, cache.keys(), cache.values(), out, {.causal = true, .q_offset = cache.length() - Tn});
//
// All batch rows share one length (left-pad prompts and pass a key_mask). Not thread-safe.
#pragma once

#include <cstdint>

#include "mhub/base/result.h"
#include "mhub/core/heads_view.h"
#include "mhub/core/tensor.h"

namespace mhub::core {

class KvCache {
 public:
  KvCache() = default;
  static Result<KvCache> Create(int64_t batch, int64_t num_kv_heads, int64_t max_len, int64_t head_dim);

  // Copies Tn new tokens after the current length. ResourceExhausted when length() + Tn > max_len();
  // InvalidArgument on a shape mismatch.
  Status Append(const HeadsView& k_new, const HeadsView& v_new);
  // (B, length(), Hkv, D) views of the cached keys/values.
  HeadsView keys() const { return View(k_); }
  HeadsView values() const { return View(v_); }

  int64_t length() const { return length_; }
  int64_t max_len() const { return max_len_; }
  void Reset() { length_ = 0; }
  // Keeps the first n tokens (n <= length()).
  void Truncate(int64_t n) { length_ = n < length_ ? n : length_; }

 private:
  HeadsView View(const Tensor& t) const;
  Tensor k_, v_;  // (B, Hkv, max_T, D)
  int64_t batch_ = 0, heads_ = 0, max_len_ = 0, head_dim_ = 0, length_ = 0;
};

}  // namespace mhub::core
