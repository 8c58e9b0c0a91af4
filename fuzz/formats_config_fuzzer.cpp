// Fuzzes config.json and generation_config.json parsing on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mhub/formats/generation_config.h"
#include "mhub/formats/model_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto json = mhub::ParseJson(text);
  if (!json.ok()) return 0;
  auto config = mhub::formats::ParseModelConfig(*json);
  if (config.ok()) {
    // What we save must load again.
    mhub::Json saved = config->ToJson();
    auto again = mhub::formats::ParseModelConfig(saved);
    if (!again.ok()) __builtin_trap();
    (void)config->hidden_size();
    (void)mhub::formats::GenerationConfigFromModelConfig(*config);
  }
  auto generation = mhub::formats::ParseGenerationConfig(*json);
  if (generation.ok()) {
    auto again = mhub::formats::ParseGenerationConfig(generation->ToJson());
    if (!again.ok()) __builtin_trap();
    (void)generation->MaxNewTokensFor(7);
  }
  return 0;
}
