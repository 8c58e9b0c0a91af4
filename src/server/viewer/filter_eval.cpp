// Binding a parsed `where` to a schema and evaluating it row by row, and `orderby` sorting. Cells are
// read straight from the Arrays (numbers as long double, which holds every int64/uint64 exactly;
// strings as views); dates, timestamps and decimals compare through their ISO/decimal text.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "mhub/datasets/value.h"
#include "server/viewer/filter_expr.h"

namespace mhub::server::viewer {

using datasets::Array;
using datasets::DataType;
using datasets::Table;
using datasets::TypeId;

namespace {

enum class CellKind : uint8_t { kNumber, kString, kBool, kText, kOther };  // kText: temporal/decimal as text

CellKind KindOf(const DataType& t) {
  if (t.IsNumeric() && t.id != TypeId::kFloat16) return CellKind::kNumber;
  if (t.id == TypeId::kFloat16) return CellKind::kNumber;
  if (t.id == TypeId::kString) return CellKind::kString;
  if (t.id == TypeId::kBool) return CellKind::kBool;
  if (t.id == TypeId::kDate32 || t.id == TypeId::kTimestamp || t.id == TypeId::kDecimal128) return CellKind::kText;
  return CellKind::kOther;
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 31, mant = h & 1023;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    v = mant ? NAN : INFINITY;
  } else {
    v = std::ldexp(static_cast<float>(mant | 1024), static_cast<int>(exp) - 25);
  }
  return sign ? -v : v;
}

long double NumberAt(const Array& a, int64_t i) {
  switch (a.type->id) {
    case TypeId::kInt8:
      return a.Value<int8_t>(i);
    case TypeId::kInt16:
      return a.Value<int16_t>(i);
    case TypeId::kInt32:
      return a.Value<int32_t>(i);
    case TypeId::kInt64:
      return static_cast<long double>(a.Value<int64_t>(i));
    case TypeId::kUInt8:
      return a.Value<uint8_t>(i);
    case TypeId::kUInt16:
      return a.Value<uint16_t>(i);
    case TypeId::kUInt32:
      return a.Value<uint32_t>(i);
    case TypeId::kUInt64:
      return static_cast<long double>(a.Value<uint64_t>(i));
    case TypeId::kFloat16:
      return HalfToFloat(a.Value<uint16_t>(i));
    case TypeId::kFloat32:
      return a.Value<float>(i);
    case TypeId::kFloat64:
      return a.Value<double>(i);
    default:
      return 0;
  }
}

// One side of a bound comparison: a column or a constant already converted to the column's kind.
struct Side {
  int column = -1;  // >= 0: a column of the table
  CellKind kind = CellKind::kOther;
  bool is_null = false;  // a NULL literal
  long double number = 0;
  std::string text;
  bool boolean = false;
};

struct Cell {
  bool null = true;
  long double number = 0;
  std::string_view text;
  std::string owned;  // temporal/decimal text
  bool boolean = false;
};

void ReadCell(const Table& table, const Side& s, int64_t row, Cell& out) {
  if (s.column < 0) {
    out.null = s.is_null;
    out.number = s.number;
    out.text = s.text;
    out.boolean = s.boolean;
    return;
  }
  const Array& a = *table.columns[static_cast<size_t>(s.column)];
  out.null = a.IsNull(row);
  if (out.null) return;
  switch (s.kind) {
    case CellKind::kNumber:
      out.number = NumberAt(a, row);
      break;
    case CellKind::kString:
      out.text = a.Bytes(row);
      break;
    case CellKind::kBool:
      out.boolean = a.Value<uint8_t>(row) != 0;
      break;
    case CellKind::kText:
      out.owned = datasets::GetValue(a, row).as_string();
      out.text = out.owned;
      break;
    case CellKind::kOther:
      break;
  }
}

// -1 / 0 / 1, or 2 when unordered (NaN).
int CompareCells(CellKind kind, const Cell& a, const Cell& b) {
  switch (kind) {
    case CellKind::kNumber:
      if (std::isnan(a.number) || std::isnan(b.number)) {
        // DuckDB orders NaN above every number and equal to itself.
        if (std::isnan(a.number) && std::isnan(b.number)) return 0;
        return std::isnan(a.number) ? 1 : -1;
      }
      return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
    case CellKind::kBool:
      return a.boolean == b.boolean ? 0 : (a.boolean ? 1 : -1);
    case CellKind::kString:
    case CellKind::kText: {
      int c = a.text.compare(b.text);
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    default:
      return 0;
  }
}

// SQL LIKE: '%' any run, '_' one UTF-8 character; no escape character.
bool LikeMatch(std::string_view s, std::string_view p, bool fold) {
  auto lower = [fold](char c) { return fold && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  auto char_len = [](std::string_view v, size_t i) -> size_t {
    unsigned char c = static_cast<unsigned char>(v[i]);
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    return std::min(n, v.size() - i);
  };
  size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star_p = ++pi;
      star_s = si;
    } else if (pi < p.size() && p[pi] == '_') {
      si += char_len(s, si);
      ++pi;
    } else if (pi < p.size() && lower(p[pi]) == lower(s[si])) {
      ++si;
      ++pi;
    } else if (star_p != std::string_view::npos) {
      star_s += char_len(s, star_s);
      si = star_s;
      pi = star_p;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

enum class Tri : uint8_t { kFalse, kTrue, kUnknown };

struct BoundNode {
  FilterNode::Kind kind = FilterNode::Kind::kCompare;
  CompareOp op = CompareOp::kEq;
  bool negated = false;
  bool fold = false;
  CellKind kind_of_compare = CellKind::kOther;
  Side lhs;
  std::vector<Side> rhs;
  std::vector<BoundNode> children;
};

Status BindError(const std::string& what) { return Status::InvalidArgument(what); }

Result<Side> BindOperand(const FilterOperand& op, const datasets::Schema& schema) {
  Side s;
  switch (op.kind) {
    case FilterOperand::Kind::kColumn: {
      s.column = schema.FieldIndex(op.text);
      if (s.column < 0) return BindError("no column named \"" + op.text + "\"");
      s.kind = KindOf(*schema.fields[static_cast<size_t>(s.column)].type);
      break;
    }
    case FilterOperand::Kind::kString:
      s.kind = CellKind::kString;
      s.text = op.text;
      break;
    case FilterOperand::Kind::kNumber:
      s.kind = CellKind::kNumber;
      s.number = op.number;
      s.text = op.text;
      break;
    case FilterOperand::Kind::kBool:
      s.kind = CellKind::kBool;
      s.boolean = op.boolean;
      break;
    case FilterOperand::Kind::kNull:
      s.is_null = true;
      break;
  }
  return s;
}

std::string KindName(CellKind k) {
  switch (k) {
    case CellKind::kNumber:
      return "a number";
    case CellKind::kString:
      return "a string";
    case CellKind::kBool:
      return "a boolean";
    case CellKind::kText:
      return "a date/time/decimal";
    default:
      return "a nested or binary value";
  }
}

// Converts a constant to `want` (what the column it meets holds), as SQL casts a literal to the
// column's type; InvalidArgument when it cannot.
Status CoerceConstant(Side& c, CellKind want) {
  if (c.column >= 0 || c.is_null || c.kind == want) {
    if (c.column < 0 && !c.is_null) c.kind = want;
    return Status::OK();
  }
  if (want == CellKind::kNumber && c.kind == CellKind::kString) {
    char* end = nullptr;
    const char* b = c.text.c_str();
    long double v = std::strtold(b, &end);
    while (end && *end == ' ') ++end;
    if (c.text.empty() || end == b || *end != '\0') {
      return BindError("'" + c.text + "' is not a number");
    }
    c.number = v;
    c.kind = want;
    return Status::OK();
  }
  if (want == CellKind::kBool && c.kind == CellKind::kNumber && (c.number == 0 || c.number == 1)) {
    c.boolean = c.number == 1;
    c.kind = want;
    return Status::OK();
  }
  if (want == CellKind::kBool && c.kind == CellKind::kString) {
    std::string v = c.text;
    for (char& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (v == "true" || v == "t" || v == "1" || v == "false" || v == "f" || v == "0") {
      c.boolean = v == "true" || v == "t" || v == "1";
      c.kind = want;
      return Status::OK();
    }
  }
  if (want == CellKind::kText && c.kind == CellKind::kString) {
    c.kind = want;
    return Status::OK();
  }
  return BindError("cannot compare " + KindName(want) + " with " + KindName(c.kind));
}

// Gives both sides one comparison kind.
Result<CellKind> Unify(Side& a, Side& b) {
  if (a.is_null || b.is_null) return a.is_null ? b.kind : a.kind;
  if (a.column >= 0 && b.column >= 0) {
    if (a.kind != b.kind) return BindError("cannot compare " + KindName(a.kind) + " with " + KindName(b.kind));
    return a.kind;
  }
  Side& col = a.column >= 0 ? a : b;
  Side& other = a.column >= 0 ? b : a;
  if (col.column < 0) {  // two constants: numbers win over strings
    if (a.kind == b.kind) return a.kind;
    CellKind want = (a.kind == CellKind::kNumber || b.kind == CellKind::kNumber) ? CellKind::kNumber : a.kind;
    MHUB_RETURN_IF_ERROR(CoerceConstant(a, want));
    MHUB_RETURN_IF_ERROR(CoerceConstant(b, want));
    return want;
  }
  if (col.kind == CellKind::kOther) return BindError("a nested or binary column can only be tested with IS NULL");
  MHUB_RETURN_IF_ERROR(CoerceConstant(other, col.kind));
  return col.kind;
}

Result<BoundNode> BindNode(const FilterNode& n, const datasets::Schema& schema) {
  BoundNode b;
  b.kind = n.kind;
  b.op = n.op;
  b.negated = n.negated;
  b.fold = n.case_insensitive;
  switch (n.kind) {
    case FilterNode::Kind::kOr:
    case FilterNode::Kind::kAnd:
    case FilterNode::Kind::kNot:
      for (const auto& c : n.children) {
        MHUB_ASSIGN_OR_RETURN(BoundNode child, BindNode(*c, schema));
        b.children.push_back(std::move(child));
      }
      return b;
    case FilterNode::Kind::kIsNull: {
      MHUB_ASSIGN_OR_RETURN(b.lhs, BindOperand(n.lhs, schema));
      return b;
    }
    case FilterNode::Kind::kLike: {
      MHUB_ASSIGN_OR_RETURN(b.lhs, BindOperand(n.lhs, schema));
      if (!b.lhs.is_null && b.lhs.kind != CellKind::kString && b.lhs.kind != CellKind::kText) {
        return BindError("LIKE needs a string, not " + KindName(b.lhs.kind));
      }
      MHUB_ASSIGN_OR_RETURN(Side pattern, BindOperand(n.rhs.at(0), schema));
      b.rhs.push_back(std::move(pattern));
      b.kind_of_compare = CellKind::kString;
      return b;
    }
    case FilterNode::Kind::kCompare:
    case FilterNode::Kind::kIn: {
      MHUB_ASSIGN_OR_RETURN(b.lhs, BindOperand(n.lhs, schema));
      for (const auto& r : n.rhs) {
        MHUB_ASSIGN_OR_RETURN(Side side, BindOperand(r, schema));
        MHUB_ASSIGN_OR_RETURN(b.kind_of_compare, Unify(b.lhs, side));
        b.rhs.push_back(std::move(side));
      }
      return b;
    }
  }
  return BindError("unknown expression");
}

Tri Not(Tri t) { return t == Tri::kUnknown ? t : (t == Tri::kTrue ? Tri::kFalse : Tri::kTrue); }

bool Holds(CompareOp op, int c) {
  if (c == 2) return op == CompareOp::kNe;
  switch (op) {
    case CompareOp::kEq:
      return c == 0;
    case CompareOp::kNe:
      return c != 0;
    case CompareOp::kLt:
      return c < 0;
    case CompareOp::kLe:
      return c <= 0;
    case CompareOp::kGt:
      return c > 0;
    case CompareOp::kGe:
      return c >= 0;
  }
  return false;
}

Tri Eval(const BoundNode& n, const Table& t, int64_t row) {
  switch (n.kind) {
    case FilterNode::Kind::kOr: {
      Tri out = Tri::kFalse;
      for (const auto& c : n.children) {
        Tri v = Eval(c, t, row);
        if (v == Tri::kTrue) return v;
        if (v == Tri::kUnknown) out = v;
      }
      return out;
    }
    case FilterNode::Kind::kAnd: {
      Tri out = Tri::kTrue;
      for (const auto& c : n.children) {
        Tri v = Eval(c, t, row);
        if (v == Tri::kFalse) return v;
        if (v == Tri::kUnknown) out = v;
      }
      return out;
    }
    case FilterNode::Kind::kNot:
      return Not(Eval(n.children[0], t, row));
    case FilterNode::Kind::kIsNull: {
      bool null = n.lhs.column >= 0 ? t.columns[static_cast<size_t>(n.lhs.column)]->IsNull(row) : n.lhs.is_null;
      return (null != n.negated) ? Tri::kTrue : Tri::kFalse;
    }
    case FilterNode::Kind::kLike: {
      Cell a, p;
      ReadCell(t, n.lhs, row, a);
      ReadCell(t, n.rhs[0], row, p);
      if (a.null || p.null) return Tri::kUnknown;
      bool m = LikeMatch(a.text, p.text, n.fold);
      return (m != n.negated) ? Tri::kTrue : Tri::kFalse;
    }
    case FilterNode::Kind::kCompare: {
      Cell a, b;
      ReadCell(t, n.lhs, row, a);
      ReadCell(t, n.rhs[0], row, b);
      if (a.null || b.null) return Tri::kUnknown;
      return Holds(n.op, CompareCells(n.kind_of_compare, a, b)) ? Tri::kTrue : Tri::kFalse;
    }
    case FilterNode::Kind::kIn: {
      Cell a;
      ReadCell(t, n.lhs, row, a);
      if (a.null) return Tri::kUnknown;
      Tri out = Tri::kFalse;
      for (const auto& r : n.rhs) {
        Cell b;
        ReadCell(t, r, row, b);
        if (b.null) {
          out = Tri::kUnknown;
          continue;
        }
        if (CompareCells(n.kind_of_compare, a, b) == 0) {
          out = Tri::kTrue;
          break;
        }
      }
      return n.negated ? Not(out) : out;
    }
  }
  return Tri::kUnknown;
}

}  // namespace

struct BoundFilter::Impl {
  BoundNode root;
};

BoundFilter::BoundFilter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BoundFilter::BoundFilter(BoundFilter&&) noexcept = default;
BoundFilter& BoundFilter::operator=(BoundFilter&&) noexcept = default;
BoundFilter::~BoundFilter() = default;

Result<BoundFilter> BoundFilter::Bind(const FilterNode& root, const datasets::Schema& schema) {
  auto impl = std::make_unique<Impl>();
  MHUB_ASSIGN_OR_RETURN(impl->root, BindNode(root, schema));
  return BoundFilter(std::move(impl));
}

bool BoundFilter::Matches(const Table& table, int64_t row) const { return Eval(impl_->root, table, row) == Tri::kTrue; }

Status SortRows(const Table& table, const std::vector<OrderKey>& keys, std::vector<int64_t>& rows) {
  struct Key {
    Side side;
    bool desc;
  };
  std::vector<Key> bound;
  for (const auto& k : keys) {
    Side s;
    s.column = table.schema.FieldIndex(k.column);
    if (s.column < 0) return Status::InvalidArgument("no column named \"" + k.column + "\"");
    s.kind = KindOf(*table.schema.fields[static_cast<size_t>(s.column)].type);
    if (s.kind == CellKind::kOther)
      return Status::InvalidArgument("cannot order by the nested or binary column \"" + k.column + "\"");
    bound.push_back({std::move(s), k.descending});
  }
  std::stable_sort(rows.begin(), rows.end(), [&](int64_t x, int64_t y) {
    for (const auto& k : bound) {
      Cell a, b;
      ReadCell(table, k.side, x, a);
      ReadCell(table, k.side, y, b);
      if (a.null || b.null) {
        if (a.null && b.null) continue;
        return b.null;  // NULLs last in both directions
      }
      int c = CompareCells(k.side.kind, a, b);
      if (c == 0) continue;
      return k.desc ? c > 0 : c < 0;
    }
    return false;
  });
  return Status::OK();
}

}  // namespace mhub::server::viewer
