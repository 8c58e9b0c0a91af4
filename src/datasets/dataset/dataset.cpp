// Dataset basics: construction from readers/tables into the column store, row access through the
// indices mapping, batches.
#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "datasets/dataset/cast.h"
#include "datasets/dataset/dataset_impl.h"

namespace mhub::datasets {

std::string DefaultDatasetsCache() {
  if (const char* v = std::getenv("MHUB_DATASETS_CACHE"); v && *v) return v;
  if (const char* v = std::getenv("HF_DATASETS_CACHE"); v && *v) return v;
  if (const char* v = std::getenv("HF_HOME"); v && *v) return std::string(v) + "/datasets";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.cache/huggingface/datasets";
}

std::string StoreRoot(const std::string& cache_dir) {
  return (cache_dir.empty() ? DefaultDatasetsCache() : cache_dir) + "/mhub-column-store";
}

Dataset::Dataset() : impl_(std::make_shared<Impl>()) {}
Dataset::~Dataset() = default;
Dataset::Dataset(const Dataset&) = default;
Dataset& Dataset::operator=(const Dataset&) = default;
Dataset::Dataset(Dataset&&) noexcept = default;
Dataset& Dataset::operator=(Dataset&&) noexcept = default;

Dataset::Dataset(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Dataset MakeDataset(ColumnStorePtr store, const std::string& cache_dir) {
  auto impl = std::make_shared<Dataset::Impl>();
  impl->features = store->features;
  impl->schema = store->schema;
  for (size_t k = 0; k < store->features.columns.size(); ++k) impl->columns.push_back(static_cast<int>(k));
  impl->num_rows = store->num_rows();
  impl->fingerprint = std::filesystem::path(store->dir).filename().string();
  impl->cache_dir = cache_dir;
  impl->store = std::move(store);
  return Dataset(std::move(impl));
}

Dataset WithIndices(const Dataset::Impl& base, Buffer indices, int64_t n, std::string fingerprint) {
  auto impl = std::make_shared<Dataset::Impl>(base);
  impl->indices_buffer = std::move(indices);
  impl->num_rows = n;
  impl->fingerprint = std::move(fingerprint);
  return Dataset(std::move(impl));
}

Dataset WithColumns(const Dataset::Impl& base, std::vector<int> columns, Features features, std::string fingerprint) {
  auto impl = std::make_shared<Dataset::Impl>(base);
  impl->columns = std::move(columns);
  impl->features = std::move(features);
  impl->schema = impl->features.ToSchema();
  impl->fingerprint = std::move(fingerprint);
  return Dataset(std::move(impl));
}

Result<Dataset> Dataset::FromReader(TableReader& reader, std::optional<Features> features, std::string fingerprint,
                                    std::string cache_dir) {
  std::string root = StoreRoot(cache_dir);
  if (!fingerprint.empty() && std::filesystem::exists(root + "/" + fingerprint)) {
    MHUB_ASSIGN_OR_RETURN(ColumnStorePtr store, LoadColumnStore(root + "/" + fingerprint));
    return MakeDataset(std::move(store), cache_dir);
  }
  Features source = Features::FromSchema(reader.schema());
  Features target = features ? *features : source;
  // The reader's columns in the target's order (by name).
  std::vector<int> from;
  for (const auto& [name, f] : target.columns) {
    int k = reader.schema().FieldIndex(name);
    if (k < 0) return Status::InvalidArgument("features name a column '" + name + "' the data does not have");
    from.push_back(k);
  }
  if (target.columns.size() != reader.schema().fields.size())
    return Status::InvalidArgument("the features have " + std::to_string(target.columns.size()) +
                                   " columns, the data " + std::to_string(reader.schema().fields.size()));
  MHUB_ASSIGN_OR_RETURN(auto writer, ColumnStoreWriter::Create(root, target));
  int64_t row = 0;
  while (true) {
    MHUB_ASSIGN_OR_RETURN(std::optional<Table> batch, reader.Next());
    if (!batch) break;
    Table out;
    out.num_rows = batch->num_rows;
    for (size_t k = 0; k < from.size(); ++k) {
      const std::string& name = target.columns[k].first;
      const Feature& src_feature = *source.Find(name);
      MHUB_ASSIGN_OR_RETURN(ArrayPtr a, CastColumnArray(batch->columns[static_cast<size_t>(from[k])], src_feature,
                                                        target.columns[k].second));
      out.columns.push_back(std::move(a));
    }
    MHUB_RETURN_IF_ERROR(writer->Write(out).WithContext("rows from " + std::to_string(row)));
    row += batch->num_rows;
  }
  MHUB_ASSIGN_OR_RETURN(ColumnStorePtr store, writer->Finish(fingerprint));
  return MakeDataset(std::move(store), cache_dir);
}

namespace {
class OneTableReader : public TableReader {
 public:
  explicit OneTableReader(const Table& t) : t_(t) {}
  const Schema& schema() const override { return t_.schema; }
  Result<std::optional<Table>> Next() override {
    if (done_) return std::optional<Table>();
    done_ = true;
    return std::optional<Table>(t_);
  }

 private:
  const Table& t_;
  bool done_ = false;
};
}  // namespace

Result<Dataset> Dataset::FromTable(const Table& table, std::optional<Features> features, std::string cache_dir) {
  MHUB_RETURN_IF_ERROR(table.Validate());
  OneTableReader reader(table);
  return FromReader(reader, std::move(features), "", std::move(cache_dir));
}

int64_t Dataset::num_rows() const { return impl_->num_rows; }
const Features& Dataset::features() const { return impl_->features; }
const Schema& Dataset::schema() const { return impl_->schema; }
const std::string& Dataset::fingerprint() const { return impl_->fingerprint; }
std::vector<std::string> Dataset::column_names() const {
  std::vector<std::string> out;
  for (const auto& [name, f] : impl_->features.columns) out.push_back(name);
  return out;
}

Result<Table> Dataset::Slice(int64_t begin, int64_t end) const {
  const Impl& m = *impl_;
  begin = std::clamp<int64_t>(begin, 0, m.num_rows);
  end = std::clamp<int64_t>(end, begin, m.num_rows);
  Table out;
  out.schema = m.schema;
  out.num_rows = end - begin;
  if (!m.store) return out;
  const auto& starts = m.store->starts;
  auto batch_of = [&](int64_t row) {
    return static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), row) - starts.begin() - 1);
  };
  // Zero copy when the range is exactly one stored batch and there is no mapping.
  if (!m.has_indices() && begin < end) {
    size_t b = batch_of(begin);
    if (starts[b] == begin && starts[b + 1] == end) {
      for (size_t k = 0; k < m.columns.size(); ++k)
        out.columns.push_back(
            RelabelArray(m.store->batches[b].columns[static_cast<size_t>(m.columns[k])], m.schema.fields[k].type));
      return out;
    }
  }
  std::vector<ArrayBuilder> builders;
  for (const Field& f : m.schema.fields) {
    builders.emplace_back(f.type);
    builders.back().Reserve(end - begin);
  }
  // Runs of consecutive store rows inside one batch are copied as ranges.
  int64_t i = begin;
  while (i < end) {
    int64_t r = m.StoreRow(i);
    if (r < 0 || r >= m.store->num_rows()) return Status::Corruption("indices mapping names row " + std::to_string(r));
    size_t b = batch_of(r);
    int64_t run = 1;
    while (i + run < end && m.StoreRow(i + run) == r + run && r + run < starts[b + 1]) ++run;
    const Table& batch = m.store->batches[b];
    for (size_t k = 0; k < m.columns.size(); ++k)
      builders[k].AppendRange(*batch.columns[static_cast<size_t>(m.columns[k])], r - starts[b], r - starts[b] + run);
    i += run;
  }
  for (ArrayBuilder& bld : builders) out.columns.push_back(bld.Finish());
  return out;
}

Result<Value> Dataset::Row(int64_t i) const {
  if (i < 0 || i >= num_rows())
    return Status::InvalidArgument("row " + std::to_string(i) + " out of range for a dataset of " +
                                   std::to_string(num_rows()) + " rows");
  MHUB_ASSIGN_OR_RETURN(Table t, Slice(i, i + 1));
  return GetRow(t, 0);
}

Status Dataset::ForEachBatch(int64_t batch_size, const std::function<Status(const Table&)>& fn) const {
  if (batch_size <= 0) batch_size = std::max<int64_t>(num_rows(), 1);
  for (int64_t b = 0; b < num_rows(); b += batch_size) {
    MHUB_ASSIGN_OR_RETURN(Table t, Slice(b, std::min(num_rows(), b + batch_size)));
    MHUB_RETURN_IF_ERROR(fn(t));
  }
  return Status::OK();
}

}  // namespace mhub::datasets
