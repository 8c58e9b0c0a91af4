// Element types of safetensors files, spelled as in the format ("F32", "BF16", ...).
//
// The enumerators are declared in the reference's "increasing alignment order"
// (huggingface/safetensors `tensor.rs` enum `Dtype`); the writer sorts tensors by this order
// (descending), so comparing two Dtype values with < is meaningful.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "mhub/base/result.h"

namespace mhub::formats {

enum class Dtype : uint8_t {
  kBool,        // "BOOL", 8 bits, 0 or 1
  kF4,          // "F4", 4 bits (MXFP4 E2M1), two per byte
  kF6E2M3,      // "F6_E2M3", 6 bits (MX)
  kF6E3M2,      // "F6_E3M2", 6 bits (MX)
  kU8,          // "U8"
  kI8,          // "I8"
  kF8E5M2,      // "F8_E5M2"
  kF8E4M3,      // "F8_E4M3"
  kF8E8M0,      // "F8_E8M0" (MX scale)
  kF8E4M3Fnuz,  // "F8_E4M3FNUZ"
  kF8E5M2Fnuz,  // "F8_E5M2FNUZ"
  kI16,         // "I16"
  kU16,         // "U16"
  kF16,         // "F16" (IEEE half)
  kBF16,        // "BF16"
  kI32,         // "I32"
  kU32,         // "U32"
  kF32,         // "F32"
  kC64,         // "C64" (complex, two F32 parts)
  kF64,         // "F64"
  kI64,         // "I64"
  kU64,         // "U64"
};

// Every dtype, in declaration order (for tests and listings).
std::span<const Dtype> AllDtypes();

// The format's spelling, e.g. "BF16", "F8_E4M3".
std::string_view DtypeName(Dtype dtype);

// Inverse of DtypeName (exact, case-sensitive, as the reference reader).
// InvalidArgument naming the string when it is not a safetensors dtype.
Result<Dtype> ParseDtype(std::string_view name);

// Bits per element: 4 for F4, 6 for F6_*, else 8/16/32/64.
size_t DtypeSizeBits(Dtype dtype);

// Whole bytes per element; 0 for the sub-byte dtypes (F4, F6_E2M3, F6_E3M2), whose byte sizes
// must be computed from bits (see TensorByteSize in safetensors.h).
size_t DtypeSizeBytes(Dtype dtype);

// The alignment a typed pointer to one element needs: DtypeSizeBytes, at least 1.
size_t DtypeAlignment(Dtype dtype);

}  // namespace mhub::formats
