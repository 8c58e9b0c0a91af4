// Fuzzes model card parsing (front matter split, yaml-cpp, YAML -> JSON, card fields, tags and
// validation): no crash, no exception, and what parses serializes to JSON and back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mhub/base/json.h"
#include "mhub/server/model_card.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace mhub::server;
  auto card = ParseModelCard(input);
  if (card.ok()) {
    const std::string dumped = mhub::DumpJson(card->data.raw);
    auto back = mhub::ParseJson(dumped);
    if (!back.ok()) std::abort();
    (void)DeriveSearchTags(card->data, RepoType::kModel);
    (void)DeriveSearchTags(card->data, RepoType::kDataset);
  }
  const YamlValidation v = ValidateCardYaml(input, RepoType::kModel);
  // A card that parses has no YAML syntax error; one that does not parse is never "ok".
  if (!card.ok() && v.ok()) std::abort();
  (void)ValidateCardYaml(input, RepoType::kDataset);
  (void)YamlToJson(input);
  return 0;
}
