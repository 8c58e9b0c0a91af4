// Dataset::Map: a function over batches (or rows) whose output columns are added to / overwrite the
// input's, streamed into a new column store; cached by fingerprint as datasets' map is.
#include <algorithm>
#include <filesystem>
#include <future>

#include "datasets/dataset/column_store.h"
#include "datasets/dataset/dataset_impl.h"
#include "mhub/base/thread_pool.h"

namespace mhub::datasets {
namespace {

// A column of nulls as a column of `type` (a row function that first returned null).
ArrayPtr NullsAs(const DataTypePtr& type, int64_t n) {
  ArrayBuilder b(type);
  for (int64_t i = 0; i < n; ++i) b.AppendNull();
  return b.Finish();
}

// Concatenates one-row outputs, promoting all-null columns to the type the others have.
Result<Table> ConcatRows(std::vector<Table>& rows) {
  if (rows.empty()) return Table{};
  Schema& s = rows[0].schema;
  for (size_t k = 0; k < s.fields.size(); ++k) {
    DataTypePtr t = s.fields[k].type;
    for (const Table& r : rows)
      if (k < r.schema.fields.size() && r.schema.fields[k].type->id != TypeId::kNull) t = r.schema.fields[k].type;
    for (Table& r : rows) {
      if (k >= r.columns.size()) continue;
      if (r.schema.fields[k].type->id == TypeId::kNull && t->id != TypeId::kNull) {
        r.columns[k] = NullsAs(t, r.num_rows);
        r.schema.fields[k].type = t;
      }
    }
  }
  return Table::Concatenate(rows);
}

struct Plan {
  std::vector<std::string> names;  // output columns, in order
  std::vector<int> from_input;     // >= 0: input column index kept; -1: from the function's output
  Features features;
  bool fixed = false;
};

}  // namespace

Result<Dataset> Dataset::Map(const std::function<Result<Table>(const Table&)>& fn, const MapOptions& options) const {
  const Impl& m = impl();
  for (const std::string& c : options.remove_columns)
    if (m.schema.FieldIndex(c) < 0)
      return Status::InvalidArgument("Column to remove ['" + c +
                                     "'] not in the dataset. Current columns in the dataset: " + m.schema.ToString());
  std::string fp;
  if (!options.fingerprint.empty()) {
    std::string args =
        options.fingerprint + "\n" + (options.batched ? "batched " + std::to_string(options.batch_size) : "rows");
    for (const std::string& c : options.remove_columns) args += "\nremove " + c;
    fp = DeriveFingerprint(m.fingerprint, "map", args);
    std::string dir = StoreRoot(m.cache_dir) + "/" + fp;
    if (options.load_from_cache_file && std::filesystem::exists(dir)) {
      MHUB_ASSIGN_OR_RETURN(ColumnStorePtr store, LoadColumnStore(dir));
      return MakeDataset(std::move(store), m.cache_dir);
    }
  }

  // One unit of work: input rows [b, e) -> output table (input columns merged).
  struct Unit {
    Table in, produced;
  };
  auto run = [&](int64_t b, int64_t e) -> Result<Unit> {
    MHUB_ASSIGN_OR_RETURN(Table in, Slice(b, e));
    Table produced;
    if (options.batched) {
      MHUB_ASSIGN_OR_RETURN(produced, fn(in));
    } else {
      std::vector<Table> rows;
      for (int64_t i = 0; i < in.num_rows; ++i) {
        auto r = fn(in.Slice(i, i + 1));
        if (!r.ok()) return r.status().WithContext("map, row " + std::to_string(b + i));
        if (r->num_rows != 1)
          return Status::InvalidArgument("map: a row function returned " + std::to_string(r->num_rows) +
                                         " rows for row " + std::to_string(b + i));
        rows.push_back(std::move(*r));
      }
      if (!rows.empty()) {
        MHUB_ASSIGN_OR_RETURN(produced, ConcatRows(rows));
      }
    }
    MHUB_RETURN_IF_ERROR(produced.Validate().WithContext("map: the function's output"));
    return Unit{std::move(in), std::move(produced)};
  };

  Plan plan;
  auto merge = [&](const Table& in, const Table& produced, int64_t at) -> Result<Table> {
    auto removed = [&](const std::string& n) {
      for (const std::string& c : options.remove_columns)
        if (c == n) return true;
      return false;
    };
    if (!plan.fixed) {
      // datasets: inputs.update(outputs) keeps an input column's place; new columns come last.
      for (size_t k = 0; k < m.schema.fields.size(); ++k) {
        const std::string& n = m.schema.fields[k].name;
        int out_k = produced.ColumnIndex(n);
        if (out_k < 0 && removed(n)) continue;
        plan.names.push_back(n);
        plan.from_input.push_back(out_k >= 0 ? -1 : static_cast<int>(k));
        const Feature& old = m.features.columns[k].second;
        if (out_k < 0)
          plan.features.columns.emplace_back(n, old);
        else if (old.StorageType()->Equals(*produced.schema.fields[static_cast<size_t>(out_k)].type))
          plan.features.columns.emplace_back(n, old);  // same storage: keep the feature (a ClassLabel stays one)
        else
          plan.features.columns.emplace_back(
              n, Feature::FromType(*produced.schema.fields[static_cast<size_t>(out_k)].type));
      }
      for (const Field& f : produced.schema.fields) {
        if (m.schema.FieldIndex(f.name) >= 0) continue;
        plan.names.push_back(f.name);
        plan.from_input.push_back(-1);
        plan.features.columns.emplace_back(f.name, Feature::FromType(*f.type));
      }
      plan.fixed = true;
    }
    Table out;
    out.num_rows = produced.num_rows;
    bool any_input = false;
    for (size_t k = 0; k < plan.names.size(); ++k) {
      if (plan.from_input[k] >= 0) {
        any_input = true;
        out.columns.push_back(in.columns[static_cast<size_t>(plan.from_input[k])]);
        continue;
      }
      int out_k = produced.ColumnIndex(plan.names[k]);
      if (out_k < 0)
        return Status::InvalidArgument("map: the function returned no column '" + plan.names[k] + "' for rows from " +
                                       std::to_string(at) + " (it did for the first batch)");
      out.columns.push_back(produced.columns[static_cast<size_t>(out_k)]);
    }
    if (any_input && produced.num_rows != in.num_rows && !produced.schema.fields.empty())
      return Status::InvalidArgument("map: Column lengths mismatch: the function returned " +
                                     std::to_string(produced.num_rows) + " rows for a batch of " +
                                     std::to_string(in.num_rows) + "; remove the input columns it does not return");
    if (produced.schema.fields.empty()) out.num_rows = in.num_rows;
    for (const Field& f : produced.schema.fields)
      if (std::find(plan.names.begin(), plan.names.end(), f.name) == plan.names.end() &&
          m.schema.FieldIndex(f.name) < 0)
        return Status::InvalidArgument("map: the function returned a new column '" + f.name + "' for rows from " +
                                       std::to_string(at) + " (not in the first batch)");
    return out;
  };

  int64_t step =
      options.batched ? (options.batch_size > 0 ? options.batch_size : std::max<int64_t>(m.num_rows, 1)) : 1000;
  int threads = std::max(1, options.num_threads);
  std::unique_ptr<ThreadPool> pool;
  if (threads > 1) pool = std::make_unique<ThreadPool>(static_cast<size_t>(threads));
  std::unique_ptr<ColumnStoreWriter> writer;
  std::string root = StoreRoot(m.cache_dir);
  auto write = [&](const Table& in, const Table& produced, int64_t at) -> Status {
    MHUB_ASSIGN_OR_RETURN(Table out, merge(in, produced, at));
    if (!writer) {
      MHUB_ASSIGN_OR_RETURN(writer, ColumnStoreWriter::Create(root, plan.features));
    }
    return writer->Write(out).WithContext("map: rows from " + std::to_string(at));
  };
  // Waves of `threads` units run in parallel; their outputs are written in order.
  for (int64_t wave = 0; wave < m.num_rows; wave += step * threads) {
    std::vector<int64_t> begins;
    for (int64_t b = wave; b < m.num_rows && b < wave + step * threads; b += step) begins.push_back(b);
    std::vector<Result<Unit>> results(begins.size(), Status::Internal("not run"));
    if (pool) {
      std::vector<std::future<void>> done;
      for (size_t u = 0; u < begins.size(); ++u)
        done.push_back(pool->Submit([&, u] { results[u] = run(begins[u], std::min(m.num_rows, begins[u] + step)); }));
      for (auto& f : done) f.get();
    } else {
      for (size_t u = 0; u < begins.size(); ++u) results[u] = run(begins[u], std::min(m.num_rows, begins[u] + step));
    }
    for (size_t u = 0; u < begins.size(); ++u) {
      if (!results[u].ok()) return results[u].status();
      MHUB_RETURN_IF_ERROR(write(results[u]->in, results[u]->produced, begins[u]));
    }
  }
  if (!writer) {  // an empty dataset: the output has the input's columns minus the removed ones
    Features f;
    for (const auto& [n, feat] : m.features.columns) {
      bool gone = false;
      for (const std::string& c : options.remove_columns) gone = gone || c == n;
      if (!gone) f.columns.emplace_back(n, feat);
    }
    MHUB_ASSIGN_OR_RETURN(writer, ColumnStoreWriter::Create(root, f));
  }
  MHUB_ASSIGN_OR_RETURN(ColumnStorePtr store, writer->Finish(fp));
  return MakeDataset(std::move(store), m.cache_dir);
}

}  // namespace mhub::datasets
