// Fuzzes the zip archives of imagefolder/audiofolder splits (datasets/load/zip_archive.h over
// Debian's libzip): listing members and reading them must fail cleanly or give exactly the
// declared bytes.
#include <cstddef>
#include <cstdint>

#include "datasets/load/zip_archive.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto z = mhub::datasets::load::ZipArchive::OpenBytes(data, size, "fuzz.zip");
  if (!z.ok()) return 0;
  int n = 0;
  for (const auto& m : (*z)->members()) {
    if (n++ >= 64) break;
    auto bytes = (*z)->Read(m, uint64_t{1} << 20);
    if (bytes.ok() && bytes->size() != m.size) __builtin_trap();
  }
  return 0;
}
