// Column-level transforms: rename / remove / select (projections over the same store), cast
// (a new store), concatenate (a new store).
#include <filesystem>
#include <set>

#include "datasets/dataset/cast.h"
#include "datasets/dataset/dataset_impl.h"

namespace mhub::datasets {
namespace {

std::string ColumnList(const Features& f) {  // Python's list repr, as datasets' messages print it
  std::string s = "[";
  for (size_t i = 0; i < f.columns.size(); ++i) s += (i ? ", '" : "'") + f.columns[i].first + "'";
  return s + "]";
}

// Streams every row of `parts` (their visible columns, cast to `features` by name) into a new store.
Result<Dataset> Rewrite(const std::vector<const Dataset*>& parts, const Features& features, const std::string& fp,
                        const std::string& cache_dir) {
  std::string root = StoreRoot(cache_dir);
  if (std::filesystem::exists(root + "/" + fp)) {
    MHUB_ASSIGN_OR_RETURN(ColumnStorePtr store, LoadColumnStore(root + "/" + fp));
    return MakeDataset(std::move(store), cache_dir);
  }
  MHUB_ASSIGN_OR_RETURN(auto writer, ColumnStoreWriter::Create(root, features));
  int64_t at = 0;
  for (const Dataset* part : parts) {
    const Features& from = part->features();
    MHUB_RETURN_IF_ERROR(part->ForEachBatch(10000, [&](const Table& t) -> Status {
      Table out;
      out.num_rows = t.num_rows;
      for (const auto& [name, to] : features.columns) {
        int k = t.ColumnIndex(name);
        auto a = CastColumnArray(t.columns[static_cast<size_t>(k)], from.columns[static_cast<size_t>(k)].second, to);
        if (!a.ok()) return a.status().WithContext("column '" + name + "', rows from " + std::to_string(at));
        out.columns.push_back(std::move(*a));
      }
      at += t.num_rows;
      return writer->Write(out);
    }));
  }
  MHUB_ASSIGN_OR_RETURN(ColumnStorePtr store, writer->Finish(fp));
  return MakeDataset(std::move(store), cache_dir);
}

}  // namespace

Result<Dataset> Dataset::RenameColumn(const std::string& from, const std::string& to) const {
  const Impl& m = impl();
  int k = m.schema.FieldIndex(from);
  if (k < 0)
    return Status::InvalidArgument("Original column name " + from +
                                   " not in the dataset. Current columns in the dataset: " + ColumnList(m.features));
  if (m.schema.FieldIndex(to) >= 0)
    return Status::InvalidArgument("New column name " + to +
                                   " already in the dataset. Please choose a column name which is not already in the "
                                   "dataset. Current columns in the dataset: " +
                                   ColumnList(m.features));
  if (to.empty()) return Status::InvalidArgument("New column name is empty.");
  Features f = m.features;
  f.columns[static_cast<size_t>(k)].first = to;
  return WithColumns(m, m.columns, std::move(f), DeriveFingerprint(m.fingerprint, "rename", from + "\n" + to));
}

Result<Dataset> Dataset::RemoveColumns(const std::vector<std::string>& columns) const {
  const Impl& m = impl();
  std::set<std::string> gone;
  for (const std::string& c : columns) {
    if (m.schema.FieldIndex(c) < 0)
      return Status::InvalidArgument(
          "Column name ['" + c + "'] not in the dataset. Current columns in the dataset: " + ColumnList(m.features));
    gone.insert(c);
  }
  std::vector<int> keep;
  Features f;
  std::string args;
  for (size_t k = 0; k < m.columns.size(); ++k) {
    if (gone.count(m.features.columns[k].first)) continue;
    keep.push_back(m.columns[k]);
    f.columns.push_back(m.features.columns[k]);
  }
  for (const std::string& c : gone) args += c + "\n";
  return WithColumns(m, std::move(keep), std::move(f), DeriveFingerprint(m.fingerprint, "remove_columns", args));
}

Result<Dataset> Dataset::SelectColumns(const std::vector<std::string>& columns) const {
  const Impl& m = impl();
  std::vector<int> keep;
  Features f;
  std::string args;
  std::set<std::string> seen;
  for (const std::string& c : columns) {
    int k = m.schema.FieldIndex(c);
    if (k < 0)
      return Status::InvalidArgument(
          "Column name ['" + c + "'] not in the dataset. Current columns in the dataset: " + ColumnList(m.features));
    if (!seen.insert(c).second) return Status::InvalidArgument("Column name '" + c + "' selected twice");
    keep.push_back(m.columns[static_cast<size_t>(k)]);
    f.columns.push_back(m.features.columns[static_cast<size_t>(k)]);
    args += c + "\n";
  }
  return WithColumns(m, std::move(keep), std::move(f), DeriveFingerprint(m.fingerprint, "select_columns", args));
}

Result<Dataset> Dataset::Cast(const Features& features) const {
  const Impl& m = impl();
  std::set<std::string> have, want;
  for (const auto& [n, f] : m.features.columns) have.insert(n);
  for (const auto& [n, f] : features.columns) want.insert(n);
  if (have != want || features.columns.size() != m.features.columns.size())
    return Status::InvalidArgument("The columns in features (" + ColumnList(features) +
                                   ") must be identical as the columns in the dataset: " + ColumnList(m.features));
  // Keep the dataset's column order (datasets reorders the features to the table's columns).
  Features ordered;
  for (const auto& [n, f] : m.features.columns) ordered.columns.emplace_back(n, *features.Find(n));
  if (ordered == m.features) return Dataset(*this);
  std::string fp = DeriveFingerprint(m.fingerprint, "cast", ordered.ToJson());
  return Rewrite({this}, ordered, fp, m.cache_dir);
}

Result<Dataset> Dataset::CastColumn(const std::string& column, const Feature& feature) const {
  const Impl& m = impl();
  if (m.schema.FieldIndex(column) < 0)
    return Status::InvalidArgument("Column " + column +
                                   " not in the dataset. Current columns in the dataset: " + ColumnList(m.features));
  Features f = m.features;
  for (auto& [n, feat] : f.columns)
    if (n == column) feat = feature;
  return Cast(f);
}

Result<Dataset> Dataset::Concatenate(const std::vector<Dataset>& parts) {
  if (parts.empty()) return Status::InvalidArgument("Unable to concatenate an empty list of datasets.");
  const Features& first = parts[0].features();
  std::vector<const Dataset*> ptrs;
  std::string args;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Features& f = parts[i].features();
    std::set<std::string> a, b;
    for (const auto& [n, x] : first.columns) a.insert(n);
    for (const auto& [n, x] : f.columns) b.insert(n);
    if (a != b || f.columns.size() != first.columns.size())
      return Status::InvalidArgument("concatenate: dataset " + std::to_string(i) + " has columns " + ColumnList(f) +
                                     ", dataset 0 has " + ColumnList(first));
    for (const auto& [n, x] : first.columns)
      if (!(*f.Find(n) == x))
        return Status::InvalidArgument("concatenate: column '" + n + "' of dataset " + std::to_string(i) +
                                       " has other features than in dataset 0; cast it first");
    ptrs.push_back(&parts[i]);
    args += parts[i].fingerprint() + "\n";
  }
  std::string fp = DeriveFingerprint("", "concatenate", args);
  return Rewrite(ptrs, first, fp, parts[0].impl().cache_dir);
}

}  // namespace mhub::datasets
