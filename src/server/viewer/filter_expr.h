// The dataset viewer's `where` and `orderby` parameters (DV filter.md; web.md §2.1), parsed by us into
// an AST and evaluated by us over columns: the text never reaches an SQL engine.
//
// where   := or_expr
// or_expr := and_expr (OR and_expr)*          and_expr := not_expr (AND not_expr)*
// not_expr := NOT not_expr | predicate         predicate := '(' or_expr ')' | operand tail
// tail    := ('=' | '<>' | '!=' | '<' | '<=' | '>' | '>=') operand
//          | IS [NOT] NULL | [NOT] (LIKE | ILIKE) 'pattern' | [NOT] IN '(' operand (',' operand)* ')'
// operand := "quoted column" | bare_column | 'string' | number | TRUE | FALSE | NULL
// orderby := column [ASC | DESC] (',' column [ASC | DESC])*
// Keywords are case-insensitive; '' escapes a quote in a string literal, "" in a quoted column.
// Comparisons follow SQL's three-valued logic: a comparison with NULL is unknown, and a row is kept
// only when the whole expression is true.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/datasets/array.h"

namespace mhub::server::viewer {

struct FilterOperand {
  enum class Kind : uint8_t { kColumn, kString, kNumber, kBool, kNull };
  Kind kind = Kind::kNull;
  std::string text;        // kColumn: the column name; kString: the value; kNumber: the literal as written
  long double number = 0;  // kNumber
  bool boolean = false;    // kBool
};

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

struct FilterNode {
  enum class Kind : uint8_t { kOr, kAnd, kNot, kCompare, kIsNull, kLike, kIn };
  Kind kind = Kind::kCompare;
  CompareOp op = CompareOp::kEq;                      // kCompare
  bool negated = false;                               // kIsNull: IS NOT NULL; kLike / kIn: NOT LIKE / NOT IN
  bool case_insensitive = false;                      // kLike: ILIKE
  FilterOperand lhs;                                  // kCompare, kIsNull, kLike, kIn
  std::vector<FilterOperand> rhs;                     // kCompare, kLike: one; kIn: the list
  std::vector<std::unique_ptr<FilterNode>> children;  // kOr, kAnd: two or more; kNot: one
};

// Limits that keep a hostile parameter cheap: text length and nesting depth.
inline constexpr size_t kMaxFilterTextBytes = 8192;
inline constexpr int kMaxFilterDepth = 64;

// Syntax only (column names are checked by Bind). InvalidArgument naming the offset on bad input.
Result<std::unique_ptr<FilterNode>> ParseWhere(std::string_view text);

struct OrderKey {
  std::string column;
  bool descending = false;
};
Result<std::vector<OrderKey>> ParseOrderBy(std::string_view text);

// The column names an expression reads, each once, in first-use order.
std::vector<std::string> ReferencedColumns(const FilterNode& node);

// True when `text` holds what the public viewer refuses before parsing (";", "--", "/*", "*/").
bool HasForbiddenSqlSymbols(std::string_view text);

// An expression checked against a schema: every column exists and every comparison is between
// comparable kinds (a number column with a number, or a string literal that reads as one; strings
// with strings; booleans with booleans or 0/1; dates and timestamps with ISO strings; nested and
// binary columns only with IS [NOT] NULL). Evaluate on tables of exactly that schema.
class BoundFilter {
 public:
  static Result<BoundFilter> Bind(const FilterNode& root, const datasets::Schema& schema);
  BoundFilter(BoundFilter&&) noexcept;
  BoundFilter& operator=(BoundFilter&&) noexcept;
  ~BoundFilter();

  // Whether row `row` of `table` (of the bound schema) satisfies the expression.
  bool Matches(const datasets::Table& table, int64_t row) const;

 private:
  struct Impl;
  explicit BoundFilter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Sorts `rows` (row indices into `table`) by `keys` (columns of `table`); NULLs last in either
// direction (DuckDB's default), ties kept in row order. InvalidArgument for an unknown or
// unorderable (nested, binary) column.
Status SortRows(const datasets::Table& table, const std::vector<OrderKey>& keys, std::vector<int64_t>& rows);

}  // namespace mhub::server::viewer
