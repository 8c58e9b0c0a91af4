// A line diff for the commit page: common prefix and suffix trimmed, then a longest-common-
// subsequence table over the rest. Bounded: when the changed middle exceeds `max_cells` table
// cells the diff is reported as too large (the page then links the raw files instead).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mhub::server::web {

struct DiffLine {
  char op = ' ';  // ' ' kept, '-' removed, '+' added
  std::string_view text;
};

// Lines of `text` without their '\n' (a final newline does not make an empty last line).
std::vector<std::string_view> SplitLines(std::string_view text);

// The edit script from `a` to `b`; nullopt when it would need more than `max_cells`.
std::optional<std::vector<DiffLine>> DiffLines(const std::vector<std::string_view>& a,
                                               const std::vector<std::string_view>& b, size_t max_cells = 4'000'000);

}  // namespace mhub::server::web
