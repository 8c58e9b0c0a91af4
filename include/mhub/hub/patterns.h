// allow/ignore glob filters for uploads and snapshot downloads, with huggingface_hub's semantics
// (fnmatch, where '*' also matches '/'; a pattern ending in '/' means everything under that folder).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mhub::hub {

// True when `path` matches the glob `pattern`.
bool GlobMatch(std::string_view pattern, std::string_view path);

// True when `path` passes: it matches one of `allow` (or `allow` is empty) and none of `ignore`.
bool PathPassesFilters(std::string_view path, const std::vector<std::string>& allow,
                       const std::vector<std::string>& ignore);

}  // namespace mhub::hub
