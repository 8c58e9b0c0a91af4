// The on-disk form of a Dataset's rows: one data file of buffers (each 64-byte aligned) written batch
// by batch, and a JSON manifest naming every buffer of every batch, in a folder
// `<cache>/<fingerprint>/` that appears atomically (written as a temp folder, fsynced, renamed).
// Loading maps the data file: arrays point into the mapping, so a dataset larger than RAM is read
// page by page by the OS.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/base/sha256.h"
#include "mhub/datasets/array.h"
#include "mhub/datasets/features.h"

namespace mhub::datasets {

// Batches of rows over one mapping, with the first row of each batch (for row -> batch lookups).
struct ColumnStore {
  Features features;
  Schema schema;                // features.ToSchema()
  std::vector<Table> batches;   // each batch's columns point into the mapping
  std::vector<int64_t> starts;  // starts[b] = first row of batch b; starts.back() = num_rows
  int64_t num_rows() const { return starts.empty() ? 0 : starts.back(); }
  std::string dir;  // where it lives ("" when it was written without a fingerprint and unlinked)
};
using ColumnStorePtr = std::shared_ptr<const ColumnStore>;

class ColumnStoreWriter {
 public:
  // Writes into a fresh temp folder under `cache_dir`.
  static Result<std::unique_ptr<ColumnStoreWriter>> Create(const std::string& cache_dir, Features features);
  ~ColumnStoreWriter();  // removes the temp folder unless Finish() succeeded

  // Appends a batch; its columns must have the features' storage types (nullability aside).
  Status Write(const Table& batch);
  int64_t rows_written() const { return rows_; }
  // Moves the folder to `<cache_dir>/<fingerprint>` and loads it. With an empty fingerprint the
  // content's own hash names it. When that folder already exists (another run made it), it is used.
  Result<ColumnStorePtr> Finish(const std::string& fingerprint);

 private:
  ColumnStoreWriter() = default;
  Status WriteBuffer(const Buffer& b, OrderedJson& out);
  Status WriteArray(const Array& a, OrderedJson& out);

  std::string cache_dir_, tmp_dir_;
  Features features_;
  int fd_ = -1;
  int64_t offset_ = 0, rows_ = 0;
  OrderedJson batches_ = OrderedJson::array();
  std::unique_ptr<Sha256> hash_;
  bool done_ = false;
};

// Loads `<dir>` (manifest + data file), checking every buffer against the file and every batch with
// Array::Validate (a damaged cache file is Corruption, never a crash).
Result<ColumnStorePtr> LoadColumnStore(const std::string& dir);

// Relabels `array` with `type` when they differ only in nullability / list item names (shares the
// buffers); nullptr when the storage layouts differ.
ArrayPtr RelabelArray(const ArrayPtr& array, const DataTypePtr& type);

}  // namespace mhub::datasets
