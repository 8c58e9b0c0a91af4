#include "server/viewer/filter_pushdown.h"

#include <cmath>
#include <string>
#include <utility>

#include "server/viewer/split_cache.h"

namespace mhub::server::viewer {
namespace {

using datasets::ParquetPredicate;
using datasets::TypeId;
using datasets::Value;

// The literal as a constant that orders every cell of the column as the literal does: integral
// literals exactly; others only where a double holds them to within half a unit of the last place
// without an integer or another double in between (|x| < 2^52).
std::optional<Value> NumberConstant(long double x) {
  if (std::isnan(x) || std::isinf(x)) return std::nullopt;
  if (x == std::floor(x) && x >= -9223372036854775808.0L && x < 9223372036854775808.0L) {
    return Value::Int(static_cast<int64_t>(x));
  }
  if (x == std::floor(x) && x >= 0 && x < 18446744073709551616.0L) return Value::UInt(static_cast<uint64_t>(x));
  if (std::fabs(x) < 4503599627370496.0L) return Value::Double(static_cast<double>(x));
  return std::nullopt;
}

}  // namespace

std::optional<ParquetPredicate> SimplePredicate(const FilterNode& where, const datasets::Schema& schema) {
  ParquetPredicate p;
  if (where.kind == FilterNode::Kind::kIsNull) {
    if (where.lhs.kind != FilterOperand::Kind::kColumn) return std::nullopt;
    const int idx = schema.FieldIndex(where.lhs.text);
    if (idx < 0) return std::nullopt;
    const TypeId t = schema.fields[static_cast<size_t>(idx)].type->id;
    if (t == TypeId::kList || t == TypeId::kStruct) return std::nullopt;
    p.column = where.lhs.text;
    p.op = where.negated ? ParquetPredicate::Op::kIsNotNull : ParquetPredicate::Op::kIsNull;
    return p;
  }
  if (where.kind != FilterNode::Kind::kCompare || where.rhs.size() != 1) return std::nullopt;
  const FilterOperand* column = &where.lhs;
  const FilterOperand* literal = &where.rhs[0];
  CompareOp op = where.op;
  if (column->kind != FilterOperand::Kind::kColumn) {
    // literal (op) column: the same comparison seen from the column.
    std::swap(column, literal);
    if (op == CompareOp::kLt) {
      op = CompareOp::kGt;
    } else if (op == CompareOp::kLe) {
      op = CompareOp::kGe;
    } else if (op == CompareOp::kGt) {
      op = CompareOp::kLt;
    } else if (op == CompareOp::kGe) {
      op = CompareOp::kLe;
    }
  }
  if (column->kind != FilterOperand::Kind::kColumn) return std::nullopt;
  const int idx = schema.FieldIndex(column->text);
  if (idx < 0) return std::nullopt;
  const datasets::DataType& type = *schema.fields[static_cast<size_t>(idx)].type;
  const TypeId t = type.id;
  switch (op) {
    case CompareOp::kEq:
      p.op = ParquetPredicate::Op::kEq;
      break;
    case CompareOp::kLt:
      p.op = ParquetPredicate::Op::kLt;
      break;
    case CompareOp::kLe:
      p.op = ParquetPredicate::Op::kLe;
      break;
    case CompareOp::kGt:
      p.op = ParquetPredicate::Op::kGt;
      break;
    case CompareOp::kGe:
      p.op = ParquetPredicate::Op::kGe;
      break;
    default:
      return std::nullopt;  // <>: min/max rules out almost nothing
  }
  p.column = column->text;
  if (literal->kind == FilterOperand::Kind::kNumber) {
    const bool is_float = t == TypeId::kFloat32 || t == TypeId::kFloat64;
    if (!type.IsInteger() && !is_float) return std::nullopt;
    // NaN sorts above every number here (DuckDB's order) but page statistics leave it out: only
    // comparisons that NaN never satisfies may skip by them.
    if (is_float && op != CompareOp::kEq && op != CompareOp::kLt && op != CompareOp::kLe) return std::nullopt;
    std::optional<Value> v = NumberConstant(literal->number);
    if (!v) return std::nullopt;
    p.value = std::move(*v);
    return p;
  }
  if (literal->kind == FilterOperand::Kind::kString && t == TypeId::kString) {
    p.value = Value::String(literal->text);
    return p;
  }
  return std::nullopt;
}

Result<std::vector<int64_t>> FilterWithSkipping(const SplitView& view, const ParquetPredicate& predicate,
                                                const BoundFilter& bound, datasets::ParquetSkipCounters* counters) {
  std::vector<int64_t> matches;
  for (size_t s = 0; s < view.files.size(); ++s) {
    const datasets::ParquetFile& file = *view.files[s];
    MHUB_ASSIGN_OR_RETURN(std::vector<datasets::ParquetRowRange> ranges, file.CandidateRows(predicate, counters));
    for (const datasets::ParquetRowRange& r : ranges) {
      datasets::ParquetReadOptions o;
      o.columns = {predicate.column};
      o.row_begin = r.begin;
      o.row_end = r.end;
      MHUB_ASSIGN_OR_RETURN(std::unique_ptr<datasets::TableReader> reader, file.Stream(o));
      int64_t at = view.shard_first[s] + r.begin;
      while (true) {
        MHUB_ASSIGN_OR_RETURN(std::optional<datasets::Table> batch, reader->Next());
        if (!batch) break;
        for (int64_t i = 0; i < batch->num_rows; ++i) {
          if (bound.Matches(*batch, i)) matches.push_back(at + i);
        }
        at += batch->num_rows;
        if (counters) counters->rows_read += batch->num_rows;
      }
    }
  }
  return matches;
}

}  // namespace mhub::server::viewer
