// train_test_split with datasets' size rules, random split through numpy's permutation, and the
// stratified split datasets borrows from scikit-learn (StratifiedShuffleSplit's _approximate_mode).
#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "datasets/dataset/dataset_impl.h"
#include "datasets/dataset/numpy_random.h"

namespace mhub::datasets {

const Dataset* DatasetDict::Find(const std::string& split) const {
  for (const auto& [name, d] : splits)
    if (name == split) return &d;
  return nullptr;
}

Result<DatasetDict> DatasetDict::Map(const std::function<Result<Table>(const Table&)>& fn,
                                     const Dataset::MapOptions& options) const {
  DatasetDict out;
  for (const auto& [name, d] : splits) {
    auto r = d.Map(fn, options);
    if (!r.ok()) return r.status().WithContext("split '" + name + "'");
    out.splits.emplace_back(name, std::move(*r));
  }
  return out;
}

Result<DatasetDict> TrainTestSplit(const Dataset& dataset, const TrainTestSplitOptions& o) {
  const int64_t n = dataset.num_rows();
  auto is_int = [](double v) { return v >= 1 && v == std::floor(v); };
  if (o.test_size) {
    double t = *o.test_size;
    if ((is_int(t) && t >= static_cast<double>(n)) || (!is_int(t) && (t <= 0 || t >= 1)))
      return Status::InvalidArgument("test_size=" + FormatDouble(t) +
                                     " should be either positive and smaller than the number of samples " +
                                     std::to_string(n) + " or a float in the (0, 1) range");
  }
  if (o.train_size) {
    double t = *o.train_size;
    if ((is_int(t) && t >= static_cast<double>(n)) || (!is_int(t) && (t <= 0 || t >= 1)))
      return Status::InvalidArgument("train_size=" + FormatDouble(t) +
                                     " should be either positive and smaller than the number of samples " +
                                     std::to_string(n) + " or a float in the (0, 1) range");
  }
  if (o.test_size && o.train_size && !is_int(*o.test_size) && !is_int(*o.train_size) &&
      *o.test_size + *o.train_size > 1)
    return Status::InvalidArgument(
        "The sum of test_size and train_size = " + FormatDouble(*o.test_size + *o.train_size) +
        ", should be in the (0, 1) range. Reduce test_size and/or train_size.");
  double test = o.test_size ? *o.test_size : (o.train_size ? -1 : 0.25);
  int64_t n_test = 0, n_train = 0;
  if (test >= 0)
    n_test = is_int(test) ? static_cast<int64_t>(test) : static_cast<int64_t>(std::ceil(test * static_cast<double>(n)));
  if (o.train_size)
    n_train = is_int(*o.train_size) ? static_cast<int64_t>(*o.train_size)
                                    : static_cast<int64_t>(std::floor(*o.train_size * static_cast<double>(n)));
  if (!o.train_size)
    n_train = n - n_test;
  else if (test < 0)
    n_test = n - n_train;
  if (n_train + n_test > n)
    return Status::InvalidArgument("The sum of train_size and test_size = " + std::to_string(n_train + n_test) +
                                   ", should be smaller than the number of samples " + std::to_string(n) +
                                   ". Reduce test_size and/or train_size.");
  if (n_train == 0)
    return Status::InvalidArgument(
        "With n_samples=" + std::to_string(n) + ", test_size=" + (o.test_size ? FormatDouble(*o.test_size) : "None") +
        " and train_size=" + (o.train_size ? FormatDouble(*o.train_size) : "None") +
        ", the resulting train set will be empty. Adjust any of the aforementioned parameters.");

  // No seed: a fresh one (datasets draws it from numpy's global state).
  uint64_t seed = o.seed ? *o.seed : (static_cast<uint64_t>(std::random_device{}()) << 32 | std::random_device{}());
  std::vector<int64_t> train, test_rows;
  if (!o.shuffle) {
    if (!o.stratify_by_column.empty())
      return Status::InvalidArgument("Stratified train/test split is not implemented for `shuffle=False`");
    for (int64_t i = 0; i < n_train; ++i) train.push_back(i);
    for (int64_t i = n_train; i < n_train + n_test; ++i) test_rows.push_back(i);
  } else if (o.stratify_by_column.empty()) {
    std::vector<int64_t> perm = NumpyPermutation(seed, n);
    test_rows.assign(perm.begin(), perm.begin() + n_test);
    train.assign(perm.begin() + n_test, perm.begin() + n_test + n_train);
  } else {
    const Feature* f = dataset.features().Find(o.stratify_by_column);
    if (!f) return Status::InvalidArgument("Key " + o.stratify_by_column + " not found in the dataset features.");
    if (f->kind != Feature::Kind::kClassLabel)
      return Status::InvalidArgument("Stratifying by column is only supported for ClassLabel column, and column " +
                                     o.stratify_by_column + " is " +
                                     (f->kind == Feature::Kind::kValue ? "Value" : "not one") + ".");
    MHUB_ASSIGN_OR_RETURN(Dataset col, dataset.SelectColumns({o.stratify_by_column}));
    std::vector<int64_t> labels;
    MHUB_RETURN_IF_ERROR(col.ForEachBatch(65536, [&](const Table& t) {
      for (int64_t i = 0; i < t.num_rows; ++i)
        labels.push_back(t.columns[0]->IsNull(i) ? -1 : t.columns[0]->Value<int64_t>(i));
      return Status::OK();
    }));
    auto parts = StratifiedSplit(labels, n_train, n_test, seed);
    if (!parts.ok()) return parts.status().WithContext("stratify_by_column '" + o.stratify_by_column + "'");
    train = std::move(parts->train);
    test_rows = std::move(parts->test);
  }
  MHUB_ASSIGN_OR_RETURN(Dataset tr, dataset.Select(std::move(train)));
  MHUB_ASSIGN_OR_RETURN(Dataset te, dataset.Select(std::move(test_rows)));
  DatasetDict out;
  out.splits.emplace_back("train", std::move(tr));
  out.splits.emplace_back("test", std::move(te));
  return out;
}

}  // namespace mhub::datasets
