// The "Safetensors" panel of a model page: parameters per dtype summed over the root
// *.safetensors files, read from each file's header (u64 little-endian length, then JSON), as
// the Hub's `safetensors` field (web.md 1.3). Cached per (repo, commit): a commit never changes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "server/http/hub_context.h"

namespace mhub::server::web {

struct SafetensorsSummary {
  std::map<std::string, uint64_t> parameters;  // dtype ("F32", "BF16", ...) -> parameter count
  uint64_t total = 0;
  int files = 0;
};

// nullopt when the commit has no readable safetensors file at the root.
std::optional<SafetensorsSummary> SummarizeSafetensors(HubContext& ctx, const RepoKey& key, const std::string& commit);

// Parses one header's JSON text into `out` (exposed for the fuzz target and tests). False when it
// is not a safetensors header.
bool AddSafetensorsHeader(std::string_view header_json, SafetensorsSummary* out);

}  // namespace mhub::server::web
