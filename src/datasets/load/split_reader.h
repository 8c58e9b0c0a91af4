// The files of one split read one after the other as a single stream of batches, each file opened
// when the stream reaches it. The first file's columns are the schema; later files are cast to it as
// `datasets`' ArrowWriter casts tables to its first schema (table_cast): int64 <-> double (a double
// with a fraction does not fit an int64 column), null -> anything; other differences are an error
// naming both files.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "datasets/load/data_source.h"
#include "mhub/datasets/array.h"

namespace mhub::datasets::load {

// TextReadOptions for a config's builder and kwargs (sep/delimiter, field, ...).
TextReadOptions ReadOptionsFor(const DatasetConfig& config);

// Opens the stream over `files` (repo-relative, fetched through `source`); the first file is opened
// now so schema() is known.
Result<std::unique_ptr<TableReader>> OpenSplitFiles(const DataSource& source, const DatasetConfig& config,
                                                    const std::vector<std::string>& files);

// Casts a batch to `target` (same column names in the same order); InvalidArgument when a column
// cannot be converted.
Result<Table> CastBatchTo(const Table& batch, const Schema& target);

}  // namespace mhub::datasets::load
