// Dataset's inside, shared by the files that implement its operations: a column store, the visible
// columns (projection and renames, without copying), and an optional indices mapping (select,
// filter, shuffle, sort), as datasets keeps an indices table beside the Arrow data.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "datasets/dataset/column_store.h"
#include "mhub/datasets/dataset.h"

namespace mhub::datasets {

struct Dataset::Impl {
  ColumnStorePtr store;
  std::vector<int> columns;  // visible column k = store column columns[k]
  Features features;         // of the visible columns (renamed)
  Schema schema;             // features.ToSchema()
  // Row i of the dataset is store row indices[i]; empty `indices_buffer` = no mapping.
  Buffer indices_buffer;  // int64 values (mapped file or owned vector)
  int64_t num_rows = 0;
  std::string fingerprint;
  std::string cache_dir;

  bool has_indices() const { return indices_buffer.data != nullptr; }
  int64_t StoreRow(int64_t i) const {
    return has_indices() ? reinterpret_cast<const int64_t*>(indices_buffer.data)[i] : i;
  }
};

// Fingerprint of a transform: sha256 over the parent's fingerprint and the transform's arguments.
std::string DeriveFingerprint(const std::string& parent, const std::string& transform, const std::string& args);

// A Dataset over `store` (all columns, no mapping).
Dataset MakeDataset(ColumnStorePtr store, const std::string& cache_dir);
// The same columns/store as `base` with a new indices mapping (store rows, already composed).
Dataset WithIndices(const Dataset::Impl& base, Buffer indices, int64_t n, std::string fingerprint);
// The same store and mapping as `base` showing other store columns under (renamed) features.
Dataset WithColumns(const Dataset::Impl& base, std::vector<int> columns, Features features, std::string fingerprint);
// `<cache_dir or DefaultDatasetsCache()>/mhub-column-store`: where column stores and indices live.
std::string StoreRoot(const std::string& cache_dir);

// Writes int64 indices to a file in the cache (named by `fingerprint`, or unlinked after mapping
// when it is empty) and maps it; streaming, so a mapping over millions of rows is not held twice.
class IndicesWriter {
 public:
  static Result<std::unique_ptr<IndicesWriter>> Create(const std::string& cache_dir);
  ~IndicesWriter();
  Status Append(int64_t store_row);
  Status AppendMany(const int64_t* rows, size_t n);
  int64_t size() const { return count_; }
  // The mapped indices; stored as `<cache_dir>/<fingerprint>.indices` when a fingerprint is given.
  Result<Buffer> Finish(const std::string& fingerprint);

 private:
  IndicesWriter() = default;
  Status Flush();
  std::string cache_dir_, tmp_path_;
  int fd_ = -1;
  std::vector<int64_t> pending_;
  int64_t count_ = 0;
  bool done_ = false;
};
// Maps `<cache_dir>/<fingerprint>.indices` when it exists (a cached select/filter/shuffle).
Result<Buffer> LoadCachedIndices(const std::string& cache_dir, const std::string& fingerprint);

}  // namespace mhub::datasets
