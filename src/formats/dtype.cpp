#include "mhub/formats/dtype.h"

#include <array>
#include <string>

namespace mhub::formats {

namespace {

struct DtypeEntry {
  Dtype dtype;
  std::string_view name;
  size_t bits;
};

// Declaration order of the enum (the reference's alignment order).
constexpr std::array<DtypeEntry, 22> kDtypes = {{
    {Dtype::kBool, "BOOL", 8},
    {Dtype::kF4, "F4", 4},
    {Dtype::kF6E2M3, "F6_E2M3", 6},
    {Dtype::kF6E3M2, "F6_E3M2", 6},
    {Dtype::kU8, "U8", 8},
    {Dtype::kI8, "I8", 8},
    {Dtype::kF8E5M2, "F8_E5M2", 8},
    {Dtype::kF8E4M3, "F8_E4M3", 8},
    {Dtype::kF8E8M0, "F8_E8M0", 8},
    {Dtype::kF8E4M3Fnuz, "F8_E4M3FNUZ", 8},
    {Dtype::kF8E5M2Fnuz, "F8_E5M2FNUZ", 8},
    {Dtype::kI16, "I16", 16},
    {Dtype::kU16, "U16", 16},
    {Dtype::kF16, "F16", 16},
    {Dtype::kBF16, "BF16", 16},
    {Dtype::kI32, "I32", 32},
    {Dtype::kU32, "U32", 32},
    {Dtype::kF32, "F32", 32},
    {Dtype::kC64, "C64", 64},
    {Dtype::kF64, "F64", 64},
    {Dtype::kI64, "I64", 64},
    {Dtype::kU64, "U64", 64},
}};

constexpr std::array<Dtype, kDtypes.size()> MakeAll() {
  std::array<Dtype, kDtypes.size()> all{};
  for (size_t i = 0; i < kDtypes.size(); ++i) all[i] = kDtypes[i].dtype;
  return all;
}
constexpr std::array<Dtype, kDtypes.size()> kAll = MakeAll();

const DtypeEntry& EntryOf(Dtype dtype) {
  size_t i = static_cast<size_t>(dtype);
  return i < kDtypes.size() ? kDtypes[i] : kDtypes[0];
}

}  // namespace

std::span<const Dtype> AllDtypes() { return kAll; }

std::string_view DtypeName(Dtype dtype) { return EntryOf(dtype).name; }

Result<Dtype> ParseDtype(std::string_view name) {
  for (const auto& e : kDtypes) {
    if (e.name == name) return e.dtype;
  }
  return Status::InvalidArgument("unknown safetensors dtype '" + std::string(name) + "'");
}

size_t DtypeSizeBits(Dtype dtype) { return EntryOf(dtype).bits; }

size_t DtypeSizeBytes(Dtype dtype) { return EntryOf(dtype).bits % 8 == 0 ? EntryOf(dtype).bits / 8 : 0; }

size_t DtypeAlignment(Dtype dtype) {
  size_t bytes = DtypeSizeBytes(dtype);
  return bytes == 0 ? 1 : bytes;
}

}  // namespace mhub::formats
