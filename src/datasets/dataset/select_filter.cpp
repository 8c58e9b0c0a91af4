// Transforms that only make an indices mapping: select, filter, shuffle (numpy-exact), sort.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_set>

#include "datasets/dataset/dataset_impl.h"
#include "datasets/dataset/numpy_random.h"
#include "mhub/base/sha256.h"

namespace mhub::datasets {
namespace {

// Maps the composed store rows of `positions` (dataset rows) into a new Dataset.
Result<Dataset> Reindex(const Dataset::Impl& m, const std::vector<int64_t>& positions, const std::string& fingerprint,
                        bool cache) {
  std::string root = StoreRoot(m.cache_dir);
  MHUB_ASSIGN_OR_RETURN(auto w, IndicesWriter::Create(root));
  for (int64_t p : positions) MHUB_RETURN_IF_ERROR(w->Append(m.StoreRow(p)));
  MHUB_ASSIGN_OR_RETURN(Buffer b, w->Finish(cache ? fingerprint : ""));
  return WithIndices(m, std::move(b), static_cast<int64_t>(positions.size()), fingerprint);
}

}  // namespace

Result<Dataset> Dataset::Select(std::vector<int64_t> indices) const {
  const Impl& m = impl();
  Sha256 h;
  for (int64_t& i : indices) {
    if (i < 0) i += m.num_rows;  // Python-style negative index, as select accepts
    if (i < 0 || i >= m.num_rows)
      return Status::InvalidArgument("select: index " + std::to_string(i) + " out of range for a dataset of " +
                                     std::to_string(m.num_rows) + " rows");
  }
  h.Update(indices.data(), indices.size() * sizeof(int64_t));
  std::string fp = DeriveFingerprint(m.fingerprint, "select", h.FinishHex());
  return Reindex(m, indices, fp, false);
}

Result<Dataset> Dataset::Shuffle(uint64_t seed) const {
  const Impl& m = impl();
  std::string fp = DeriveFingerprint(m.fingerprint, "shuffle", std::to_string(seed));
  if (auto cached = LoadCachedIndices(StoreRoot(m.cache_dir), fp); cached.ok())
    return WithIndices(m, std::move(*cached), m.num_rows, fp);
  return Reindex(m, NumpyPermutation(seed, m.num_rows), fp, true);
}

Result<Dataset> Dataset::Filter(const std::function<Result<bool>(const Value& row)>& keep,
                                std::string fingerprint) const {
  const Impl& m = impl();
  std::string fp = fingerprint.empty() ? "" : DeriveFingerprint(m.fingerprint, "filter", fingerprint);
  std::string root = StoreRoot(m.cache_dir);
  if (!fp.empty()) {
    if (auto cached = LoadCachedIndices(root, fp); cached.ok()) {
      int64_t n = static_cast<int64_t>(cached->size / sizeof(int64_t));
      return WithIndices(m, std::move(*cached), n, fp);
    }
  }
  MHUB_ASSIGN_OR_RETURN(auto w, IndicesWriter::Create(root));
  int64_t row = 0;
  MHUB_RETURN_IF_ERROR(ForEachBatch(1000, [&](const Table& t) -> Status {
    for (int64_t i = 0; i < t.num_rows; ++i, ++row) {
      auto k = keep(GetRow(t, i));
      if (!k.ok()) return k.status().WithContext("filter, row " + std::to_string(row));
      if (*k) MHUB_RETURN_IF_ERROR(w->Append(m.StoreRow(row)));
    }
    return Status::OK();
  }));
  int64_t n = w->size();
  MHUB_ASSIGN_OR_RETURN(Buffer b, w->Finish(fp));
  if (fp.empty())
    fp = DeriveFingerprint(m.fingerprint, "filter-rows", Sha256Hex({reinterpret_cast<const char*>(b.data), b.size}));
  return WithIndices(m, std::move(b), n, fp);
}

namespace {

// Sort keys of one column: numbers (as double, or exact int64/uint64), bytes; nulls and NaN apart.
struct SortKeys {
  enum { kInt, kUInt, kDouble, kBytes } kind = kInt;
  std::vector<int64_t> i;
  std::vector<uint64_t> u;
  std::vector<double> d;
  std::vector<std::string> s;
  std::vector<uint8_t> rank;  // 0 = value, 1 = NaN, 2 = null (placed last in either order)
};

Status AppendKeys(const Array& a, SortKeys& k) {
  for (int64_t r = 0; r < a.length; ++r) {
    bool null = a.IsNull(r);
    k.rank.push_back(null ? 2 : 0);
    switch (a.type->id) {
      case TypeId::kBool:
      case TypeId::kInt8:
      case TypeId::kInt16:
      case TypeId::kInt32:
      case TypeId::kInt64:
      case TypeId::kDate32:
      case TypeId::kTimestamp: {
        int64_t v = 0;
        if (!null) {
          switch (a.type->id) {
            case TypeId::kBool:
              v = a.values.data[r];
              break;
            case TypeId::kInt8:
              v = a.Value<int8_t>(r);
              break;
            case TypeId::kInt16:
              v = a.Value<int16_t>(r);
              break;
            case TypeId::kInt32:
            case TypeId::kDate32:
              v = a.Value<int32_t>(r);
              break;
            default:
              v = a.Value<int64_t>(r);
              break;
          }
        }
        k.kind = SortKeys::kInt;
        k.i.push_back(v);
        break;
      }
      case TypeId::kUInt8:
      case TypeId::kUInt16:
      case TypeId::kUInt32:
      case TypeId::kUInt64: {
        uint64_t v = 0;
        if (!null) {
          switch (a.type->id) {
            case TypeId::kUInt8:
              v = a.Value<uint8_t>(r);
              break;
            case TypeId::kUInt16:
              v = a.Value<uint16_t>(r);
              break;
            case TypeId::kUInt32:
              v = a.Value<uint32_t>(r);
              break;
            default:
              v = a.Value<uint64_t>(r);
              break;
          }
        }
        k.kind = SortKeys::kUInt;
        k.u.push_back(v);
        break;
      }
      case TypeId::kFloat16:
      case TypeId::kFloat32:
      case TypeId::kFloat64:
      case TypeId::kDecimal128: {
        double v = null ? 0
                   : GetValue(a, r).kind() == Value::Kind::kDouble
                       ? GetValue(a, r).as_double()
                       : std::strtod(GetValue(a, r).as_string().c_str(), nullptr);
        if (!null && std::isnan(v)) k.rank.back() = 1;
        k.kind = SortKeys::kDouble;
        k.d.push_back(v);
        break;
      }
      case TypeId::kString:
      case TypeId::kBinary:
        k.kind = SortKeys::kBytes;
        k.s.emplace_back(null ? std::string_view() : a.Bytes(r));
        break;
      default:
        return Status::InvalidArgument("sort: a " + a.type->ToString() + " column cannot be sorted");
    }
  }
  return Status::OK();
}

}  // namespace

Result<Dataset> Dataset::Sort(const std::string& column, bool reverse) const {
  const Impl& m = impl();
  if (m.schema.FieldIndex(column) < 0)
    return Status::InvalidArgument("Column '" + column + "' not found in the dataset");
  std::string fp = DeriveFingerprint(m.fingerprint, "sort", column + (reverse ? "\1" : "\0"));
  if (auto cached = LoadCachedIndices(StoreRoot(m.cache_dir), fp); cached.ok())
    return WithIndices(m, std::move(*cached), m.num_rows, fp);
  MHUB_ASSIGN_OR_RETURN(Dataset only, SelectColumns({column}));
  SortKeys keys;
  MHUB_RETURN_IF_ERROR(only.ForEachBatch(65536, [&](const Table& t) { return AppendKeys(*t.columns[0], keys); }));
  std::vector<int64_t> order(static_cast<size_t>(m.num_rows));
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  // Stable: equal keys keep their order in both directions (pyarrow's sort_indices); NaN then
  // null last in both directions (null_placement="at_end").
  auto less = [&](int64_t x, int64_t y) {
    size_t a = static_cast<size_t>(x), b = static_cast<size_t>(y);
    if (keys.rank[a] != keys.rank[b]) return keys.rank[a] < keys.rank[b];
    if (keys.rank[a] != 0) return false;
    auto cmp = [&](size_t p, size_t q) {
      switch (keys.kind) {
        case SortKeys::kInt:
          return keys.i[p] < keys.i[q];
        case SortKeys::kUInt:
          return keys.u[p] < keys.u[q];
        case SortKeys::kDouble:
          return keys.d[p] < keys.d[q];
        case SortKeys::kBytes:
          return keys.s[p] < keys.s[q];
      }
      return false;
    };
    return reverse ? cmp(b, a) : cmp(a, b);
  };
  std::stable_sort(order.begin(), order.end(), less);
  std::string root = StoreRoot(m.cache_dir);
  MHUB_ASSIGN_OR_RETURN(auto w, IndicesWriter::Create(root));
  for (int64_t p : order) MHUB_RETURN_IF_ERROR(w->Append(m.StoreRow(p)));
  MHUB_ASSIGN_OR_RETURN(Buffer b, w->Finish(fp));
  return WithIndices(m, std::move(b), m.num_rows, fp);
}

Result<std::vector<Value>> Dataset::Unique(const std::string& column) const {
  if (schema().FieldIndex(column) < 0)
    return Status::InvalidArgument("Column '" + column + "' not found in the dataset");
  MHUB_ASSIGN_OR_RETURN(Dataset only, SelectColumns({column}));
  std::vector<Value> out;
  std::unordered_set<std::string> seen;
  MHUB_RETURN_IF_ERROR(only.ForEachBatch(65536, [&](const Table& t) {
    for (int64_t i = 0; i < t.num_rows; ++i) {
      Value v = GetValue(*t.columns[0], i);
      // The JSON text tells values apart (a string "1" from a number 1); binary gets its own tag.
      std::string key = (v.kind() == Value::Kind::kBinary ? "b" : "v") + v.ToJson();
      if (seen.insert(key).second) out.push_back(std::move(v));
    }
    return Status::OK();
  }));
  return out;
}

}  // namespace mhub::datasets
