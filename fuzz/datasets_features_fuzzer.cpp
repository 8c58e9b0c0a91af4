// Fuzzes the Features readers on arbitrary bytes: the `huggingface` Parquet metadata JSON and a
// dataset card's dataset_info.features YAML both come from files anyone can push. The first byte
// picks the form. Whatever parses must survive the round trips (JSON -> features -> JSON, and
// features -> YAML -> features) unchanged, and ClassLabel str2int must answer without crashing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mhub/datasets/features.h"

using namespace mhub::datasets;  // NOLINT

namespace {
void Probe(const Feature& f, const std::string& text) {
  (void)f.StorageType();
  if (f.kind == Feature::Kind::kClassLabel) {
    (void)f.Str2Int(text.substr(0, 16));
    (void)f.Int2Str(static_cast<int64_t>(text.size()) - 2);
  }
  for (const auto& [name, c] : f.fields)
    if (c) Probe(*c, text);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto parsed = (data[0] & 1) ? Features::FromYaml(text) : Features::FromJson(text);
  if (!parsed.ok()) return 0;
  for (const auto& [name, f] : parsed->columns) Probe(f, text);
  (void)parsed->ToSchema();
  auto again = Features::FromJson(parsed->ToJson());
  if (!again.ok() || !(*again == *parsed)) __builtin_trap();
  auto from_yaml = Features::FromYaml(parsed->ToYaml(0));
  if (!from_yaml.ok() || !(*from_yaml == *parsed)) __builtin_trap();
  return 0;
}
