// Fuzzes what a train user hands mhub from outside: an adapter_config.json (LoraConfigFromJson; what
// it accepts must round-trip through LoraConfigToJson) and answer strings scored by the SQuAD
// metrics (normalisation over arbitrary bytes, invalid UTF-8 included).
#include <cstddef>
#include <cstdint>
#include <string>

#include "mhub/base/json.h"
#include "mhub/train/lora.h"
#include "mhub/train/question_answering.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (auto json = mhub::ParseJson(text); json.ok()) {
    auto config = mhub::train::LoraConfigFromJson(*json);
    if (config.ok()) {
      auto again = mhub::train::LoraConfigFromJson(mhub::train::LoraConfigToJson(*config));
      if (!again.ok() || again->r != config->r || again->target_modules != config->target_modules) __builtin_trap();
      (void)config->scaling();
    }
  }
  // The input as a prediction and as a reference: a text matches itself exactly.
  const std::string norm = mhub::train::NormalizeSquadAnswer(text);
  for (bool v2 : {false, true}) {
    auto m = mhub::train::SquadMetric({{"q", text}}, {{"q", {text, "the answer"}}}, v2);
    if (!m.ok()) __builtin_trap();
    // (squad_v2 drops references that normalise to nothing, as its script does.)
    if ((!v2 || !norm.empty()) && (*m)[v2 ? "exact" : "exact_match"] != 100.0) __builtin_trap();
  }
  return 0;
}
