// Dataset: a table of rows stored column by column in memory-mapped files under a cache folder (so a
// dataset larger than RAM works), with `datasets`-style Features and the transforms of
// datasets.arrow_dataset (select, filter, map, shuffle, train_test_split, sort, unique, rename,
// remove, cast, concatenate). A Dataset value is cheap to copy (shared, immutable storage plus an
// optional indices mapping, as `datasets` keeps one after select/filter/shuffle).
//
// Caching: a transform's output is stored under the cache folder by a fingerprint of (the input's
// fingerprint, the transform and its arguments, the function's `fingerprint` string); running the
// same transform again reads it back instead of recomputing (`datasets`' map cache).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/datasets/array.h"
#include "mhub/datasets/features.h"
#include "mhub/datasets/value.h"

namespace mhub::datasets {

// Where datasets keep their column files: $MHUB_DATASETS_CACHE, else $HF_DATASETS_CACHE, else
// $HF_HOME/datasets, else ~/.cache/huggingface/datasets (datasets' default).
std::string DefaultDatasetsCache();

class Dataset {
 public:
  Dataset();
  ~Dataset();
  Dataset(const Dataset&);
  Dataset& operator=(const Dataset&);
  Dataset(Dataset&&) noexcept;
  Dataset& operator=(Dataset&&) noexcept;

  // Writes the stream's batches into column files under `cache_dir` (DefaultDatasetsCache() when
  // empty) and maps them. `features` default to Features::FromSchema. `fingerprint` identifies the
  // source (e.g. file sha256s + options) so loading the same source again reuses the files.
  static Result<Dataset> FromReader(TableReader& reader, std::optional<Features> features = std::nullopt,
                                    std::string fingerprint = "", std::string cache_dir = "");
  static Result<Dataset> FromTable(const Table& table, std::optional<Features> features = std::nullopt,
                                   std::string cache_dir = "");

  int64_t num_rows() const;
  const Features& features() const;
  const Schema& schema() const;
  std::vector<std::string> column_names() const;
  const std::string& fingerprint() const;

  // Rows [begin, end) materialized (through the indices mapping).
  Result<Table> Slice(int64_t begin, int64_t end) const;
  Result<Value> Row(int64_t i) const;
  // Iteration in batches of `batch_size` rows.
  Status ForEachBatch(int64_t batch_size, const std::function<Status(const Table&)>& fn) const;

  // --- transforms (datasets' names and defaults) ---
  // Rows in the given order (repeats allowed, negative = from the end); an indices mapping, no copy.
  Result<Dataset> Select(std::vector<int64_t> indices) const;
  struct MapOptions {
    bool batched = false;
    int64_t batch_size = 1000;
    std::vector<std::string> remove_columns;  // removed after the function ran
    int num_threads = 1;                      // num_proc: batches in parallel (fn must be thread-safe), output in order
    std::string fingerprint;                  // identifies the function; empty = no caching
    bool load_from_cache_file = true;
  };
  // fn gets a batch (batched) or a one-row table, returns the columns to add/overwrite (a batched fn
  // may change the row count; then every kept input column must be removed).
  Result<Dataset> Map(const std::function<Result<Table>(const Table&)>& fn, const MapOptions& options) const;
  // Rows for which `keep` answers true (an indices mapping); with a fingerprint the kept rows are
  // cached like map's output.
  Result<Dataset> Filter(const std::function<Result<bool>(const Value& row)>& keep, std::string fingerprint = "") const;
  // numpy default_rng(seed).permutation(n), bit-exact (PCG64 + SeedSequence).
  Result<Dataset> Shuffle(uint64_t seed) const;
  // Stable in both directions; NaN then null last (pyarrow's sort_indices, null_placement="at_end").
  // Numbers, strings, binary, bool, dates and timestamps; lists and structs are InvalidArgument.
  Result<Dataset> Sort(const std::string& column, bool reverse = false) const;
  // Distinct values in order of first appearance (null once, when present).
  Result<std::vector<Value>> Unique(const std::string& column) const;
  Result<Dataset> RenameColumn(const std::string& from, const std::string& to) const;
  Result<Dataset> RemoveColumns(const std::vector<std::string>& columns) const;
  Result<Dataset> SelectColumns(const std::vector<std::string>& columns) const;
  // Same column names required. String -> ClassLabel through str2int, ClassLabel -> string through
  // the names (datasets' own cast would give the digits), integer widths range-checked, a float
  // becomes an integer only when integral. Errors name the row.
  Result<Dataset> Cast(const Features& features) const;
  Result<Dataset> CastColumn(const std::string& column, const Feature& feature) const;
  static Result<Dataset> Concatenate(const std::vector<Dataset>& parts);

  // --- export ---
  Status ToParquet(const std::string& path) const;
  Status ToJsonl(const std::string& path) const;
  Status ToCsv(const std::string& path) const;

  // Internal to src/datasets/dataset/: the shared, immutable state behind a Dataset.
  struct Impl;
  explicit Dataset(std::shared_ptr<const Impl> impl);
  const Impl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const Impl> impl_;
};

struct TrainTestSplitOptions {
  std::optional<double> test_size;  // float in (0,1) = fraction, >= 1 = count (datasets' rules)
  std::optional<double> train_size;
  bool shuffle = true;
  std::optional<uint64_t> seed;
  std::string stratify_by_column;
};

// A split name -> Dataset map, in insertion order (train, validation, test, then others).
class DatasetDict {
 public:
  std::vector<std::pair<std::string, Dataset>> splits;
  const Dataset* Find(const std::string& split) const;
  Result<DatasetDict> Map(const std::function<Result<Table>(const Table&)>& fn,
                          const Dataset::MapOptions& options) const;
};

Result<DatasetDict> TrainTestSplit(const Dataset& dataset, const TrainTestSplitOptions& options);

}  // namespace mhub::datasets
