// /filter through Parquet min/max skipping: a `where` that is one comparison of a column with a
// literal (or IS [NOT] NULL) reads only the row groups and pages of the split's shards whose
// statistics allow a match (datasets::ParquetFile::CandidateRows); the rows left are tested by the
// same BoundFilter as the full scan, so the answer is the full scan's.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/datasets/parquet.h"
#include "server/viewer/filter_expr.h"

namespace mhub::server::viewer {

struct SplitView;

// The predicate when `where` has a shape whose skipping is exact under the viewer's rules (numbers
// as long double with NaN above every number, strings bytewise): column (op) number literal on an
// integer column, or on a float column with =, <, <= (NaN never holds those); column (op) string
// literal on a string column; IS [NOT] NULL on a flat column. `<>` and anything else: nullopt.
std::optional<datasets::ParquetPredicate> SimplePredicate(const FilterNode& where, const datasets::Schema& schema);

// Split rows (ascending) that match `bound` (bound to a schema holding only predicate.column),
// reading only candidate ranges of each shard.
Result<std::vector<int64_t>> FilterWithSkipping(const SplitView& view, const datasets::ParquetPredicate& predicate,
                                                const BoundFilter& bound, datasets::ParquetSkipCounters* counters);

}  // namespace mhub::server::viewer
