// Element types of mhub_core tensors and the scalar conversions between them.
//
// Activations are F32 throughout the runtime; BF16/F16 appear as stored weights (converted or
// consumed directly by matmul/embedding), I8 as quantised weights, I32/I64 as token ids and masks.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mhub::core {

enum class DType : uint8_t {
  kF32,
  kBF16,  // stored as uint16_t (upper half of an IEEE f32)
  kF16,   // stored as uint16_t (IEEE half)
  kI8,    // int8_t; weights carry per-row f32 scales (Tensor::row_scales)
  kI32,
  kI64,
};

// Bytes per element.
size_t DTypeSize(DType dtype);
// "F32", "BF16", "F16", "I8", "I32", "I64" (the safetensors spellings).
std::string_view DTypeName(DType dtype);

// bf16 -> f32 is exact.
inline float BF16ToF32(uint16_t h) { return std::bit_cast<float>(static_cast<uint32_t>(h) << 16); }

// f32 -> bf16 rounding to nearest even, as torch's .to(torch.bfloat16); NaN stays a (quiet) NaN.
inline uint16_t F32ToBF16(float f) {
  uint32_t u = std::bit_cast<uint32_t>(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

// IEEE half <-> f32 (round to nearest even, subnormals, inf and NaN handled).
float F16ToF32(uint16_t h);
uint16_t F32ToF16(float f);

// Bulk conversions (SIMD where the CPU allows). n elements; buffers must not overlap.
void ConvertBF16ToF32(const uint16_t* src, float* dst, size_t n);
void ConvertF32ToBF16(const float* src, uint16_t* dst, size_t n);
void ConvertF16ToF32(const uint16_t* src, float* dst, size_t n);
void ConvertF32ToF16(const float* src, uint16_t* dst, size_t n);

}  // namespace mhub::core
