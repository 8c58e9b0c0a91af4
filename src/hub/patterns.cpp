#include "mhub/hub/patterns.h"

#include <fnmatch.h>

namespace mhub::hub {

bool GlobMatch(std::string_view pattern, std::string_view path) {
  std::string p(pattern);
  // huggingface_hub: "data/" means "data/*".
  if (!p.empty() && p.back() == '/') p += '*';
  // Without FNM_PATHNAME, '*' crosses '/', as Python's fnmatch does.
  return ::fnmatch(p.c_str(), std::string(path).c_str(), 0) == 0;
}

bool PathPassesFilters(std::string_view path, const std::vector<std::string>& allow,
                       const std::vector<std::string>& ignore) {
  if (!allow.empty()) {
    bool any = false;
    for (const auto& a : allow) {
      if (GlobMatch(a, path)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  for (const auto& i : ignore)
    if (GlobMatch(i, path)) return false;
  return true;
}

}  // namespace mhub::hub
