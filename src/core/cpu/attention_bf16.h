// Attention with bf16 dot products (AVX512_BF16 vdpbf16ps), for bf16 models: q, k, v and the
// softmax weights are rounded to bf16 (as torch's bf16 attention holds them); every product is
// exact in f32 and the sums accumulate in f32; the softmax itself runs in f32.
//
// Compiled in its own TU with -mavx512bf16 (attention_bf16_avx512.cpp); call only when
// HasAvx512Bf16() and the active ISA is avx512. The driver (core/attention.cpp) packs the keys and
// values of one (batch, kv head) once, then feeds groups of <= 4 query rows.
#pragma once

#include <cstdint>

namespace mhub::core::cpu {

// True when the CPU runs AVX512_BF16 and the active ISA is avx512 (ActiveHasBf16Dot()).
bool HasAvx512Bf16();

// Largest head_dim these kernels take (per-row scratch on the stack); larger heads use f32.
inline constexpr int64_t kMaxHeadDimBf16 = 256;

struct AttentionBf16Keys {
  int64_t keys = 0;       // keys [0, keys) are packed (the largest causal limit of the item)
  int64_t d = 0;          // head_dim
  int64_t cols = 0;       // keys rounded up to 64
  int64_t dpad = 0;       // head_dim rounded up to 16
  const uint16_t* kp;     // ((d+1)/2, cols, 2): kp[(p*cols + j)*2 + e] = bf16(k[j][2p+e]), zeros past d / keys
  const uint16_t* vp;     // ((keys+1)/2, dpad, 2): vp[(p*dpad + c)*2 + e] = bf16(v[2p+e][c]), zeros past keys / d
  const uint8_t* key_ok;  // (keys) 1 = visible, or null
  float scale;
};

// Scratch sizes in uint16 elements for Pack*: keys rounded up to 64 / head_dim to 16 as above.
int64_t PackedKeysSize(int64_t keys, int64_t d);
int64_t PackedValuesSize(int64_t keys, int64_t d);

// Packs rows [0, keys) of k and v (row strides in elements) into kp / vp (sized as above) and fills
// `out` (its kp/vp point at them). F32 rows are rounded to bf16 (nearest even); bf16 rows are copied.
void PackKeysValuesBf16(const float* k, int64_t k_stride, const float* v, int64_t v_stride, int64_t keys, int64_t d,
                        uint16_t* kp, uint16_t* vp, AttentionBf16Keys& out);
void PackKeysValuesBf16(const uint16_t* k, int64_t k_stride, const uint16_t* v, int64_t v_stride, int64_t keys,
                        int64_t d, uint16_t* kp, uint16_t* vp, AttentionBf16Keys& out);

// rows (1..4) query rows q[r] (d floats) against the packed keys: out[r] (d floats) = softmax over
// the visible keys j < limit[r] (limit[r] <= keys) of scale * q.k, times v; zeros when no key is
// visible. scores: scratch of 4 * cols floats; probs: 4 * cols uint16.
void AttentionRowsBf16(const AttentionBf16Keys& kv, const float* const* q, float* const* out, const int64_t* limit,
                       int rows, float* scores, uint16_t* probs);
// The same on bf16 query rows, the output rounded to bf16 (nearest even).
void AttentionRowsBf16(const AttentionBf16Keys& kv, const uint16_t* const* q, uint16_t* const* out,
                       const int64_t* limit, int rows, float* scores, uint16_t* probs);

}  // namespace mhub::core::cpu
