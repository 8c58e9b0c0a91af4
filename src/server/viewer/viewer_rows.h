// Row items of the viewer's /rows-shaped answers and the /first-rows answer, read through the
// split cache (split_cache.h).
//
// /first-rows follows the dataset viewer's rules (dataset-viewer libcommon viewer_utils/rows.py,
// truncate_rows.py; web.md §2.1): up to 100 rows; the rows' JSON is held under 1 MB minus the rest
// of the answer by first dropping rows past the tenth, and when the first ten alone are too big,
// by truncating their cells, last row first: a cell whose JSON is longer than 100 bytes becomes
// the string of its first 100 JSON bytes (cut at a UTF-8 character start) and is named in the
// row's "truncated_cells". Image and Audio columns are never truncated. "truncated" is true when
// the split has more than 100 rows or rows were dropped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "server/viewer/split_cache.h"

namespace mhub::server::viewer {

inline constexpr int64_t kFirstRowsMaxNumber = 100;
inline constexpr int64_t kFirstRowsMinNumber = 10;
inline constexpr size_t kFirstRowsMaxBytes = 1000000;
inline constexpr size_t kFirstRowsMinCellBytes = 100;

// {"row_idx", "row", "truncated_cells": []} JSON texts of split rows [begin, end).
Result<std::vector<std::string>> RowItems(SplitCache& cache, const SplitView& view, int64_t begin, int64_t end);
// The same for the given split rows, in the given order.
Result<std::vector<std::string>> RowItemsAt(SplitCache& cache, const SplitView& view, const std::vector<int64_t>& rows);

// The whole /first-rows body. ResourceExhausted when even the answer without rows is over the
// limit (the viewer's TooBigContentError).
Result<std::string> FirstRowsBody(SplitCache& cache, const SplitView& view, const std::string& dataset);

// The viewer's cell truncation: `json` cut to at most `max_bytes`, backing up to a UTF-8 lead byte.
std::string TruncateUtf8(const std::string& json, size_t max_bytes);

}  // namespace mhub::server::viewer
