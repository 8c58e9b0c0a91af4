// Min/max skipping (ParquetFile::CandidateRows / FilterRows, include/mhub/datasets/parquet.h): a
// row group is dropped when its column chunk's statistics rule the predicate out, a page when the
// column index does; the rows left are decoded and tested one by one.
//
// Which statistics are trusted: min_value/max_value (and the column index, which always follows
// the column order) for every comparable type; the deprecated min/max only where their signed
// order is the type's order (signed integers, floats, booleans), never for unsigned integers or
// bytes. A float min or max that is NaN is not used. INT96 timestamps, decimals and float16 skip
// nothing by value.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "datasets/parquet/metadata_decode.h"
#include "datasets/parquet/parquet_file_impl.h"

namespace mhub::datasets {

using namespace parquet;  // NOLINT: bridges the public and the internal namespace, as parquet_file.cpp

namespace {

using Op = ParquetPredicate::Op;

enum class Domain : uint8_t { kNumber, kBytes, kNullOnly };  // kNullOnly: IS [NOT] NULL only

// The predicate bound to a leaf column.
struct Bound {
  Op op = Op::kEq;
  Domain domain = Domain::kNumber;
  int top = -1, leaf = -1;
  const LeafColumn* column = nullptr;
  bool is_unsigned = false;
  long double lo = 0, hi = 0;  // kNumber constants
  std::string lo_bytes, hi_bytes;
  bool never = false;  // a NaN constant: no comparison holds
};

bool IsUnsigned(TypeId t) {
  return t == TypeId::kUInt8 || t == TypeId::kUInt16 || t == TypeId::kUInt32 || t == TypeId::kUInt64;
}

Domain DomainOf(const LeafColumn& c) {
  switch (c.type->id) {
    case TypeId::kBool:
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
    case TypeId::kFloat32:
    case TypeId::kFloat64:
    case TypeId::kDate32:
      return Domain::kNumber;
    case TypeId::kTimestamp:
      return c.physical == PhysicalType::kInt64 ? Domain::kNumber : Domain::kNullOnly;
    case TypeId::kString:
    case TypeId::kBinary:
      return Domain::kBytes;
    default:
      return Domain::kNullOnly;
  }
}

Status ConstantOf(const Value& v, Domain d, long double* num, std::string* bytes, bool* nan) {
  if (d == Domain::kNumber) {
    switch (v.kind()) {
      case Value::Kind::kInt:
        *num = static_cast<long double>(v.as_int());
        return Status::OK();
      case Value::Kind::kUInt:
        *num = static_cast<long double>(v.as_uint());
        return Status::OK();
      case Value::Kind::kDouble:
        *num = v.as_double();
        if (std::isnan(v.as_double())) *nan = true;
        return Status::OK();
      case Value::Kind::kBool:
        *num = v.as_bool() ? 1 : 0;
        return Status::OK();
      default:
        return Status::InvalidArgument("a numeric column compares with a number");
    }
  }
  if (v.kind() != Value::Kind::kString && v.kind() != Value::Kind::kBinary) {
    return Status::InvalidArgument("a string or binary column compares with a string");
  }
  *bytes = v.as_string();
  return Status::OK();
}

Result<Bound> Bind(const ParquetFile::Impl& f, const ParquetPredicate& p) {
  Bound b;
  b.op = p.op;
  b.top = f.schema.arrow.FieldIndex(p.column);
  if (b.top < 0) return Status::NotFound(f.name + ": no column '" + p.column + "'");
  const ArrowNode& node = f.schema.top[static_cast<size_t>(b.top)];
  if (node.kind != ArrowNode::kLeaf) {
    return Status::InvalidArgument(f.name + ": column '" + p.column + "' is nested; min/max filters take flat columns");
  }
  b.leaf = node.leaf;
  b.column = &f.schema.leaves[static_cast<size_t>(b.leaf)];
  b.domain = DomainOf(*b.column);
  b.is_unsigned = IsUnsigned(b.column->type->id);
  if (p.op == Op::kIsNull || p.op == Op::kIsNotNull) return b;
  if (b.domain == Domain::kNullOnly) {
    return Status::InvalidArgument(f.name + ": column '" + p.column + "' (" + b.column->type->ToString() +
                                   ") takes only IS NULL / IS NOT NULL filters");
  }
  Status st = ConstantOf(p.value, b.domain, &b.lo, &b.lo_bytes, &b.never);
  if (st.ok() && p.op == Op::kBetween) st = ConstantOf(p.value2, b.domain, &b.hi, &b.hi_bytes, &b.never);
  if (!st.ok()) return Status::InvalidArgument(f.name + ": column '" + p.column + "': " + st.message());
  return b;
}

// A statistics value (PLAIN bytes) as a number; nullopt when it cannot be used.
std::optional<long double> StatNumber(const Bound& b, const std::string& s) {
  switch (b.column->physical) {
    case PhysicalType::kBoolean:
      if (s.size() != 1) return std::nullopt;
      return static_cast<long double>(s[0] != 0);
    case PhysicalType::kInt32: {
      if (s.size() != 4) return std::nullopt;
      int32_t v;
      std::memcpy(&v, s.data(), 4);
      if (b.is_unsigned) return static_cast<long double>(static_cast<uint32_t>(v));
      return static_cast<long double>(v);
    }
    case PhysicalType::kInt64: {
      if (s.size() != 8) return std::nullopt;
      int64_t v;
      std::memcpy(&v, s.data(), 8);
      if (b.is_unsigned) return static_cast<long double>(static_cast<uint64_t>(v));
      return static_cast<long double>(v);
    }
    case PhysicalType::kFloat: {
      if (s.size() != 4) return std::nullopt;
      float v;
      std::memcpy(&v, s.data(), 4);
      if (std::isnan(v)) return std::nullopt;
      return static_cast<long double>(v);
    }
    case PhysicalType::kDouble: {
      if (s.size() != 8) return std::nullopt;
      double v;
      std::memcpy(&v, s.data(), 8);
      if (std::isnan(v)) return std::nullopt;
      return static_cast<long double>(v);
    }
    default:
      return std::nullopt;
  }
}

// True when no value in [mn, mx] can satisfy the comparison.
template <typename T>
bool RangeExcludes(Op op, const T& mn, const T& mx, const T& lo, const T& hi) {
  switch (op) {
    case Op::kEq:
      return lo < mn || mx < lo;
    case Op::kLt:
      return !(mn < lo);
    case Op::kLe:
      return lo < mn;
    case Op::kGt:
      return !(lo < mx);
    case Op::kGe:
      return mx < lo;
    case Op::kBetween:
      return hi < lo || mx < lo || hi < mn;
    default:
      return false;
  }
}

// Whether min/max (possibly absent) rule the comparison out.
bool MinMaxExcludes(const Bound& b, const std::optional<std::string>& mn, const std::optional<std::string>& mx) {
  if (b.never) return true;
  if (!mn || !mx) return false;
  if (b.domain == Domain::kBytes) return RangeExcludes(b.op, *mn, *mx, b.lo_bytes, b.hi_bytes);
  std::optional<long double> a = StatNumber(b, *mn), z = StatNumber(b, *mx);
  if (!a || !z) return false;
  return RangeExcludes(b.op, *a, *z, b.lo, b.hi);
}

bool IsComparison(Op op) { return op != Op::kIsNull && op != Op::kIsNotNull; }

// Row group g by its column chunk statistics.
bool ChunkExcludes(const Bound& b, const RowGroup& g) {
  const ColumnChunk& cc = g.columns[static_cast<size_t>(b.leaf)];
  if (b.op == Op::kIsNull && b.column->max_def == 0) return true;  // a required column holds no null
  if (!cc.meta_data || !cc.meta_data->statistics) return false;
  const Statistics& st = *cc.meta_data->statistics;
  const bool all_null = st.null_count && *st.null_count >= g.num_rows && g.num_rows > 0;
  switch (b.op) {
    case Op::kIsNull:
      return st.null_count && *st.null_count == 0;
    case Op::kIsNotNull:
      return all_null;
    default:
      break;
  }
  if (all_null) return true;
  if (st.min_value && st.max_value) return MinMaxExcludes(b, st.min_value, st.max_value);
  // The deprecated fields sort signed: right for signed numbers, wrong for unsigned and bytes.
  if (b.domain != Domain::kNumber || b.is_unsigned) return false;
  return MinMaxExcludes(b, st.min, st.max);
}

// Whether page i of a column index rules the predicate out.
bool PageExcludes(const Bound& b, const ColumnIndex& ci, size_t i) {
  const bool null_page = i < ci.null_pages.size() && ci.null_pages[i];
  switch (b.op) {
    case Op::kIsNull:
      if (b.column->max_def == 0) return true;
      return i < ci.null_counts.size() && ci.null_counts[i] == 0;
    case Op::kIsNotNull:
      return null_page;
    default:
      break;
  }
  if (null_page) return true;
  if (i >= ci.min_values.size() || i >= ci.max_values.size()) return false;
  return MinMaxExcludes(b, ci.min_values[i], ci.max_values[i]);
}

void AddRange(std::vector<ParquetRowRange>* out, int64_t begin, int64_t end) {
  if (end <= begin) return;
  if (!out->empty() && out->back().end == begin) {
    out->back().end = end;
  } else {
    out->push_back({begin, end});
  }
}

// Candidate rows of row group g (file rows), page by page when the file has a page index.
Status GroupCandidates(const ParquetFile::Impl& f, const Bound& b, int g, ParquetSkipCounters* c,
                       std::vector<ParquetRowRange>* out) {
  const RowGroup& rg = f.meta.row_groups[static_cast<size_t>(g)];
  const ColumnChunk& cc = rg.columns[static_cast<size_t>(b.leaf)];
  const int64_t first = f.first_row[static_cast<size_t>(g)];
  auto readable = [&](const std::optional<int64_t>& off, const std::optional<int32_t>& len) {
    return off && len && *off >= 4 && *len > 0 &&
           static_cast<uint64_t>(*off) + static_cast<uint64_t>(*len) <= f.data_end;
  };
  if (!readable(cc.column_index_offset, cc.column_index_length) ||
      !readable(cc.offset_index_offset, cc.offset_index_length)) {
    AddRange(out, first, first + rg.num_rows);
    return Status::OK();
  }
  Result<ColumnIndex> ci = DecodeColumnIndex(f.bytes.data + *cc.column_index_offset, *cc.column_index_length);
  if (!ci.ok()) return f.Error(g, b.column->dotted, ci.status());
  Result<OffsetIndex> oi = DecodeOffsetIndex(f.bytes.data + *cc.offset_index_offset, *cc.offset_index_length);
  if (!oi.ok()) return f.Error(g, b.column->dotted, oi.status());
  const auto& locs = oi->page_locations;
  // Indexes that disagree, or page rows out of order, skip nothing.
  bool sane = !locs.empty() && ci->null_pages.size() == locs.size() && locs.front().first_row_index == 0;
  for (size_t i = 1; sane && i < locs.size(); ++i) {
    sane = locs[i].first_row_index >= locs[i - 1].first_row_index && locs[i].first_row_index <= rg.num_rows;
  }
  if (!sane) {
    AddRange(out, first, first + rg.num_rows);
    return Status::OK();
  }
  for (size_t i = 0; i < locs.size(); ++i) {
    const int64_t begin = locs[i].first_row_index;
    const int64_t end = i + 1 < locs.size() ? locs[i + 1].first_row_index : rg.num_rows;
    ++c->pages;
    if (PageExcludes(b, *ci, i)) {
      ++c->pages_skipped;
      continue;
    }
    AddRange(out, first + begin, first + end);
  }
  return Status::OK();
}

// Whether row i of `a` (the predicate's column) matches.
bool RowMatches(const Bound& b, const Array& a, int64_t i) {
  const bool null = a.IsNull(i);
  if (b.op == Op::kIsNull) return null;
  if (b.op == Op::kIsNotNull) return !null;
  if (null || b.never) return false;
  if (b.domain == Domain::kBytes) {
    std::string_view v = a.Bytes(i);
    std::string_view lo = b.lo_bytes, hi = b.hi_bytes;
    switch (b.op) {
      case Op::kEq:
        return v == lo;
      case Op::kLt:
        return v < lo;
      case Op::kLe:
        return v <= lo;
      case Op::kGt:
        return v > lo;
      case Op::kGe:
        return v >= lo;
      case Op::kBetween:
        return lo <= v && v <= hi;
      default:
        return false;
    }
  }
  long double v = 0;
  switch (a.type->id) {
    case TypeId::kBool:
    case TypeId::kUInt8:
      v = a.Value<uint8_t>(i);
      break;
    case TypeId::kInt8:
      v = a.Value<int8_t>(i);
      break;
    case TypeId::kInt16:
      v = a.Value<int16_t>(i);
      break;
    case TypeId::kUInt16:
      v = a.Value<uint16_t>(i);
      break;
    case TypeId::kInt32:
    case TypeId::kDate32:
      v = a.Value<int32_t>(i);
      break;
    case TypeId::kUInt32:
      v = a.Value<uint32_t>(i);
      break;
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      v = static_cast<long double>(a.Value<int64_t>(i));
      break;
    case TypeId::kUInt64:
      v = static_cast<long double>(a.Value<uint64_t>(i));
      break;
    case TypeId::kFloat32:
      v = a.Value<float>(i);
      break;
    case TypeId::kFloat64:
      v = a.Value<double>(i);
      break;
    default:
      return false;
  }
  // NaN fails every comparison below, as IEEE says.
  switch (b.op) {
    case Op::kEq:
      return v == b.lo;
    case Op::kLt:
      return v < b.lo;
    case Op::kLe:
      return v <= b.lo;
    case Op::kGt:
      return v > b.lo;
    case Op::kGe:
      return v >= b.lo;
    case Op::kBetween:
      return b.lo <= v && v <= b.hi;
    default:
      return false;
  }
}

}  // namespace

Result<std::vector<ParquetRowRange>> ParquetFile::CandidateRows(const ParquetPredicate& predicate,
                                                                ParquetSkipCounters* counters) const {
  ParquetSkipCounters local;
  ParquetSkipCounters* c = counters ? counters : &local;
  MHUB_ASSIGN_OR_RETURN(Bound b, Bind(*impl_, predicate));
  std::vector<ParquetRowRange> out;
  for (size_t g = 0; g < impl_->meta.row_groups.size(); ++g) {
    const RowGroup& rg = impl_->meta.row_groups[g];
    ++c->row_groups;
    if (rg.num_rows == 0) continue;
    if ((IsComparison(b.op) && b.never) || ChunkExcludes(b, rg)) {
      ++c->row_groups_skipped;
      continue;
    }
    MHUB_RETURN_IF_ERROR(GroupCandidates(*impl_, b, static_cast<int>(g), c, &out));
  }
  return out;
}

Result<std::vector<int64_t>> ParquetFile::FilterRows(const ParquetPredicate& predicate,
                                                     ParquetSkipCounters* counters) const {
  ParquetSkipCounters local;
  ParquetSkipCounters* c = counters ? counters : &local;
  MHUB_ASSIGN_OR_RETURN(Bound b, Bind(*impl_, predicate));
  MHUB_ASSIGN_OR_RETURN(std::vector<ParquetRowRange> ranges, CandidateRows(predicate, c));
  std::vector<int64_t> rows;
  for (const ParquetRowRange& r : ranges) {
    ParquetReadOptions o;
    o.columns = {predicate.column};
    o.row_begin = r.begin;
    o.row_end = r.end;
    MHUB_ASSIGN_OR_RETURN(std::unique_ptr<TableReader> reader, Stream(o));
    int64_t at = r.begin;
    while (true) {
      MHUB_ASSIGN_OR_RETURN(std::optional<Table> batch, reader->Next());
      if (!batch) break;
      const Array& a = *batch->columns[0];
      for (int64_t i = 0; i < batch->num_rows; ++i) {
        if (RowMatches(b, a, i)) rows.push_back(at + i);
      }
      at += batch->num_rows;
      c->rows_read += batch->num_rows;
    }
  }
  return rows;
}

}  // namespace mhub::datasets
