// Column types of the columnar layer: a small subset of Apache Arrow's type system, enough for
// what Parquet, CSV/JSON and the `datasets` Features produce. DataType is an immutable tree shared
// through DataTypePtr; compare with Equals, print with ToString ("list<struct<a: int64, b: string>>").
//
// The HF-level meaning of a column (ClassLabel names, Image, Audio) lives in features.h, not here:
// a ClassLabel column is an int64 column here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mhub::datasets {

enum class TypeId : uint8_t {
  kNull,  // every value is null (a JSON column that only ever held null)
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat16,  // IEEE half, stored as its 16 bits
  kFloat32,
  kFloat64,
  kString,  // UTF-8
  kBinary,
  kDate32,      // days since 1970-01-01
  kTimestamp,   // int64 in `unit` since the epoch; `timezone` empty = naive (not UTC-adjusted)
  kDecimal128,  // 16-byte little-endian two's complement unscaled value; precision, scale
  kList,        // one child: the element type
  kStruct,      // children: the fields, in order
};

enum class TimeUnit : uint8_t { kSecond, kMilli, kMicro, kNano };

struct DataType;
using DataTypePtr = std::shared_ptr<const DataType>;

struct Field {
  std::string name;
  DataTypePtr type;
  bool nullable = true;
};

struct DataType {
  TypeId id = TypeId::kNull;
  TimeUnit unit = TimeUnit::kMicro;  // kTimestamp
  std::string timezone;              // kTimestamp: "UTC" for isAdjustedToUTC, else empty
  int32_t precision = 0;             // kDecimal128
  int32_t scale = 0;                 // kDecimal128
  std::vector<Field> children;       // kList: one ("item"); kStruct: the fields

  // Bytes per value in the values buffer for fixed-width types (bool is one byte per value), 0 for
  // variable-width and nested types.
  int FixedWidth() const;
  bool IsInteger() const;
  bool IsFloating() const;
  bool IsNumeric() const { return IsInteger() || IsFloating(); }
  bool IsVariableWidth() const { return id == TypeId::kString || id == TypeId::kBinary; }
  bool IsNested() const { return id == TypeId::kList || id == TypeId::kStruct; }
  const DataTypePtr& element() const { return children.at(0).type; }  // kList only

  bool Equals(const DataType& other) const;
  // Arrow-style: "int64", "string", "timestamp[us, tz=UTC]", "decimal128(10, 2)",
  // "list<item: string>", "struct<a: int64, b: list<item: double>>".
  std::string ToString() const;
};

// Shared instances of the parameterless types, and constructors for the others.
DataTypePtr Null();
DataTypePtr Bool();
DataTypePtr Int8();
DataTypePtr Int16();
DataTypePtr Int32();
DataTypePtr Int64();
DataTypePtr UInt8();
DataTypePtr UInt16();
DataTypePtr UInt32();
DataTypePtr UInt64();
DataTypePtr Float16();
DataTypePtr Float32();
DataTypePtr Float64();
DataTypePtr String();
DataTypePtr Binary();
DataTypePtr Date32();
DataTypePtr Timestamp(TimeUnit unit, std::string timezone = "");
DataTypePtr Decimal128(int32_t precision, int32_t scale);
DataTypePtr List(DataTypePtr element, bool element_nullable = true);
DataTypePtr Struct(std::vector<Field> fields);

// The top-level columns of a table, in order, with the file-level key/value metadata (Parquet's
// key_value_metadata; `huggingface` holds the Features JSON as `datasets` writes it).
struct Schema {
  std::vector<Field> fields;
  std::vector<std::pair<std::string, std::string>> metadata;

  int FieldIndex(const std::string& name) const;  // -1 when absent
  bool Equals(const Schema& other) const;         // fields only, metadata ignored
  std::string ToString() const;                   // one "name: type" per line
};

}  // namespace mhub::datasets
