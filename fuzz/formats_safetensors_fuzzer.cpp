// Fuzzes the safetensors header parser and file view on arbitrary bytes (a whole "file").
#include <cstddef>
#include <cstdint>
#include <string>

#include "mhub/formats/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto header = mhub::formats::ParseSafetensorsHeader({data, size}, size);
  auto file = mhub::formats::SafetensorsFile::FromBytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  if (header.ok() != file.ok()) __builtin_trap();  // both entry points must agree
  if (file.ok()) {
    // Touch every byte of every view: out-of-bounds views would trip ASan.
    uint64_t sum = 0;
    for (const auto& t : (*file)->tensors()) {
      for (size_t i = 0; i < t.nbytes; ++i) sum += t.data[i];
      if ((*file)->Find(t.name) == nullptr) __builtin_trap();
    }
    // A valid file re-serialises and parses again.
    auto bytes = mhub::formats::SerializeSafetensors((*file)->tensors(), (*file)->metadata());
    if (!bytes.ok() || !mhub::formats::SafetensorsFile::FromBytes(*bytes).ok()) __builtin_trap();
    (void)sum;
  }
  return 0;
}
