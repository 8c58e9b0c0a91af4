// Fuzzes the CSV reader (tokenizer, pandas-style type inference, batch building) on arbitrary
// bytes. The first byte picks the options (delimiter, header, batch size); every batch must be a
// valid table of the reader's schema, and a file is read whole or refused with an error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "datasets/io/readers.h"

using namespace mhub::datasets;  // NOLINT

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  TextReadOptions o;
  o.delimiter = "\0,;\t|"[data[0] % 5];
  o.header = (data[0] & 0x10) == 0;
  o.batch_rows = 1 + (data[0] >> 5);
  io::TextSource src = io::BorrowText(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), "fuzz.csv");
  if (!io::CheckUtf8(src).ok()) return 0;
  auto reader = io::OpenCsv(src, o);
  if (!reader.ok()) return 0;
  const Schema schema = (*reader)->schema();
  for (;;) {
    auto batch = (*reader)->Next();
    if (!batch.ok() || !*batch) break;
    if (!(*batch)->Validate().ok() || !(*batch)->schema.Equals(schema)) __builtin_trap();
  }
  return 0;
}
