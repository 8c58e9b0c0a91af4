// Splitting README.md into YAML front matter and Markdown body, the way huggingface_hub's
// repocard.py does (optional leading whitespace, a "---" line, the YAML, a "---" line).
#pragma once

#include <string_view>

namespace mhub::server {

struct FrontMatterSplit {
  bool found = false;
  std::string_view yaml;  // between the fences (no fences)
  std::string_view body;  // after the closing fence's line (the whole text when !found)
};

FrontMatterSplit SplitFrontMatter(std::string_view readme);

}  // namespace mhub::server
