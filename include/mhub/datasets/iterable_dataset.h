// Streaming datasets: what `datasets`' load_dataset(..., streaming=True) returns. An IterableDataset
// is a recipe, not data: each iteration opens the split's files again and reads them batch by batch
// (Parquet page by page, text formats by buffered chunks), so memory stays about one batch plus the
// readers' buffers whatever the split's size, and nothing is written to disk. Take/Skip/Filter/Map
// are lazy, as IterableDataset.take/skip/filter/map are: they apply while iterating.
//
// Thread safety: an IterableDataset is immutable; each Iter() is an independent stream.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/datasets/array.h"
#include "mhub/datasets/load.h"
#include "mhub/datasets/value.h"

namespace mhub::datasets {

class IterableDataset {
 public:
  // Opens a fresh stream of the source's batches (called once per iteration).
  using Opener = std::function<Result<std::unique_ptr<TableReader>>()>;
  IterableDataset(std::string split, Opener opener);

  const std::string& split() const { return split_; }

  // A stream of batches of at most batch_rows rows (fewer where the source's batches end).
  Result<std::unique_ptr<TableReader>> Iter(int64_t batch_rows = 1000) const;
  // Every row in order as a struct Value (column -> value); stops at the first error fn returns.
  Status ForEachRow(const std::function<Status(const Value& row)>& fn) const;

  IterableDataset Take(int64_t n) const;  // the first n rows
  IterableDataset Skip(int64_t n) const;  // all but the first n rows
  // Rows for which keep(batch, row) is true.
  IterableDataset Filter(std::function<bool(const Table& batch, int64_t row)> keep) const;
  // Batched map: fn gets each source batch and returns the batch that replaces it (any number of
  // rows, any columns).
  IterableDataset Map(std::function<Result<Table>(const Table& batch)> fn) const;

  struct Step;  // one lazy step (src/datasets/load/iterable_dataset.cpp)

 private:
  std::string split_;
  Opener opener_;
  std::vector<std::shared_ptr<const Step>> steps_;
};

struct IterableDatasetDict {
  std::vector<std::pair<std::string, IterableDataset>> splits;
  const IterableDataset* Find(const std::string& split) const;
};

// load_dataset(path_or_repo, streaming=True): the config (and split) as LoadDataset resolves them,
// each split an IterableDataset over its files (hub files are fetched into the HF cache when an
// iteration reaches them). options.streaming is implied.
Result<IterableDatasetDict> LoadIterableDataset(const std::string& path_or_repo, const LoadOptions& options = {});

}  // namespace mhub::datasets
