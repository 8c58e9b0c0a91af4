// Fuzzes the JSON reader (JSON Lines, JSON documents, type unification over rows, batch building)
// on arbitrary bytes. The first byte picks `field` and the batch size; every batch must be a valid
// table of the reader's schema.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "datasets/io/readers.h"

using namespace mhub::datasets;  // NOLINT

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  TextReadOptions o;
  o.field = (data[0] & 1) ? "data" : "";
  o.batch_rows = 1 + (data[0] >> 4);
  io::TextSource src =
      io::BorrowText(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), "fuzz.jsonl");
  auto reader = io::OpenJson(src, o);
  if (!reader.ok()) return 0;
  const Schema schema = (*reader)->schema();
  for (;;) {
    auto batch = (*reader)->Next();
    if (!batch.ok() || !*batch) break;
    if (!(*batch)->Validate().ok() || !(*batch)->schema.Equals(schema)) __builtin_trap();
  }
  return 0;
}
