// /search: the public viewer runs DuckDB full-text search (lowercased, accent-stripped words, any
// query word matching, rows in row order; web.md §2.1). Here: the query and each string cell are
// split into words (runs of letters and digits, non-ASCII bytes counted as letters), ASCII-lowercased;
// a row matches when any query word equals a word of any of its string cells. No stemming (the
// viewer's Porter stemmer would also match "runs" to "running").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/datasets/array.h"

namespace mhub::server::viewer {

// The lowercased words of `text`.
std::vector<std::string> SearchWords(std::string_view text);

// Rows (ascending) of `num_rows` whose string `columns` hold any word of `query`.
std::vector<int64_t> SearchRows(const std::vector<datasets::ArrayPtr>& columns, int64_t num_rows,
                                std::string_view query);

}  // namespace mhub::server::viewer
