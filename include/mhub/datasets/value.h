// One value of a row, for row-at-a-time code (filter/map functions over rows, the viewer's JSON,
// `mhub datasets rows`). Columnar code should use Array directly; Value is the slow path.
//
// JSON form (ToJson), as the dataset viewer and `mhub datasets rows` print values: numbers, strings,
// booleans, null, arrays for lists, objects for structs, base64 strings for binary; Date32 as
// "YYYY-MM-DD"; Timestamp as ISO 8601 ("2024-01-02T03:04:05.123456" plus "Z" when UTC-adjusted);
// Decimal128 as a decimal string; float NaN/Infinity as the strings "NaN", "Infinity", "-Infinity"
// (JSON has no literal for them); Float16 widened to a number.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "mhub/datasets/array.h"

namespace mhub::datasets {

class Value {
 public:
  enum class Kind : uint8_t { kNull, kBool, kInt, kUInt, kDouble, kString, kBinary, kList, kStruct };
  using List = std::vector<Value>;
  using Struct = std::vector<std::pair<std::string, Value>>;

  Value() = default;  // null
  static Value Bool(bool v);
  static Value Int(int64_t v);
  static Value UInt(uint64_t v);
  static Value Double(double v);
  static Value String(std::string v);
  static Value Binary(std::string v);
  static Value MakeList(List v);
  static Value MakeStruct(Struct v);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool as_bool() const;
  int64_t as_int() const;                // kInt, kUInt (wraps), kBool
  uint64_t as_uint() const;              // kUInt, kInt (wraps)
  double as_double() const;              // any numeric kind
  const std::string& as_string() const;  // kString, kBinary
  const List& as_list() const;
  const Struct& as_struct() const;
  const Value* Get(const std::string& field) const;  // kStruct: nullptr when absent

  std::string ToJson() const;
  bool operator==(const Value& other) const;

 private:
  Kind kind_ = Kind::kNull;
  std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string, std::shared_ptr<List>,
               std::shared_ptr<Struct>>
      v_;
};

// A double as Python's repr() spells it (shortest round trip; "1.0", "1e-05", "1e+16", "nan", "inf"):
// the spelling `datasets`' JSON and CSV exports use.
std::string FormatDouble(double d);
// The same layout with the shortest digits that round-trip a float32 (numpy's str(np.float32(x))).
std::string FormatFloat32(float f);

// Row i of `array` as a Value (temporal/decimal types converted as in the JSON form above:
// Date32/Timestamp/Decimal128 become kString, Float16 kDouble).
Value GetValue(const Array& array, int64_t i);
// Row i of a table as a struct Value (column name -> value).
Value GetRow(const Table& table, int64_t i);
// One JSON object for row i, keys in column order.
std::string RowToJson(const Table& table, int64_t i);
// Appends a Value to a builder of a compatible type (InvalidArgument when it does not fit: a string
// into an int column, an out-of-range integer, ...).
Status AppendValue(ArrayBuilder& builder, const Value& v);

}  // namespace mhub::datasets
