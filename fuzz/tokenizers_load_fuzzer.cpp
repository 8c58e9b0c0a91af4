// Fuzzes tokenizer.json loading: any bytes must give a Tokenizer or a Status, never a crash.
// A loaded tokenizer is also exercised once (encode, decode, save) since loading builds tables
// that encoding trusts.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mhub/tokenizers/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto tok = mhub::tokenizers::Tokenizer::FromJson(text);
  if (!tok.ok()) return 0;
  auto enc = tok->Encode("Hello world! héllo 😀 <s> [CLS] 123", true);
  if (enc.ok()) (void)tok->Decode(enc->ids, false);
  (void)tok->EncodePair("a b", "c d", true);
  (void)tok->ToJsonString(false);
  return 0;
}
