// "Did you mean" for typos in subcommands, options and task names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mhub::cli {

// The candidate closest to `typed` by edit distance when it is close enough to be a likely typo
// (at most a third of its length, and at least one edit allowed), else "".
std::string ClosestMatch(std::string_view typed, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "".
std::string DidYouMean(std::string_view typed, const std::vector<std::string>& candidates);

}  // namespace mhub::cli
