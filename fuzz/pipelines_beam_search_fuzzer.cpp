// generate()'s request parameters (untrusted: any Inference API request carries them) through
// BeamSearchOptionsFromJson, then a beam or greedy search over a tiny deterministic "model" whose
// logits depend on each row's ids: no crash, and the output has the promised shape.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mhub/base/json.h"
#include "mhub/pipelines/beam_search.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mhub;
  using namespace mhub::pipelines;
  Result<Json> params = ParseJson(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!params.ok()) return 0;
  BeamSearchOptions base;
  base.eos_token_ids = {1};
  base.pad_token_id = 0;
  base.forced_eos_token_id = 1;
  Result<BeamSearchOptions> o = BeamSearchOptionsFromJson(*params, base, 1);
  if (!o.ok() || o->max_length > 40) return 0;  // bounded work per input
  constexpr int64_t kV = 7;
  auto step = [](int, std::span<const int64_t>, const std::vector<std::vector<int64_t>>& seqs) {
    std::vector<float> logits;
    for (const auto& row : seqs) {
      uint64_t h = 1469598103934665603ull;
      for (int64_t t : row) h = (h ^ static_cast<uint64_t>(t)) * 1099511628211ull;
      for (int64_t v = 0; v < kV; ++v) logits.push_back(static_cast<float>((h >> (v * 5)) % 97) / 10.0f);
    }
    return Result<std::vector<float>>(std::move(logits));
  };
  Result<BeamSearchOutput> out = BeamSearch({{0}, {3}}, *o, step);
  if (!out.ok()) return 0;
  if (out->sequences.size() != 2 * static_cast<size_t>(o->num_return_sequences)) std::abort();
  for (const auto& row : out->sequences) {
    if (row.size() != out->sequences[0].size() || row.size() > static_cast<size_t>(o->max_length)) std::abort();
  }
  return 0;
}
