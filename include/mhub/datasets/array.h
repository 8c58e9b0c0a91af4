// In-memory columns. An Array is one column of `length` values of one DataType, laid out like
// Apache Arrow (validity bitmap, offsets, values, children) so readers and writers move whole
// buffers instead of values. Differences from Arrow, on purpose: bool takes one byte per value (0/1);
// offsets are always int64 (Arrow's large_string / large_list); arrays have no slice offset (a
// sliced array is a copy, or a Dataset's indices mapping).
//
// Buffers are shared and immutable once built. A Buffer may point into a memory-mapped cache file
// (the Dataset's columns) or into an owned vector; `owner` keeps either alive.
//
// Layout per type (i = 0..length-1):
//   validity  bitmap, LSB first, bit i = 1 when value i is non-null; empty = no nulls.
//   fixed     values: length * FixedWidth() bytes, little-endian (bool: one byte 0/1; a null slot
//             holds zero bytes).
//   string/binary  offsets: length+1 int64 (offsets[0] = 0), values: the bytes.
//   list      offsets: length+1 int64 into children[0]; a null list has offsets[i] == offsets[i+1].
//   struct    children: one Array per field, each `length` long; a null struct's children hold
//             nulls (or anything) at i.
//   null      no buffers; every value null, null_count == length.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/datasets/types.h"

namespace mhub::datasets {

struct Buffer {
  std::shared_ptr<const void> owner;  // keeps `data` alive (a vector, a mapping, ...)
  const uint8_t* data = nullptr;
  size_t size = 0;

  static Buffer FromVector(std::vector<uint8_t> bytes);
  template <typename T>
  std::span<const T> As() const {
    return {reinterpret_cast<const T*>(data), size / sizeof(T)};
  }
  bool empty() const { return size == 0; }
};

struct Array;
using ArrayPtr = std::shared_ptr<const Array>;

struct Array {
  DataTypePtr type;
  int64_t length = 0;
  int64_t null_count = 0;
  Buffer validity;
  Buffer offsets;
  Buffer values;
  std::vector<ArrayPtr> children;

  bool IsNull(int64_t i) const {
    if (type->id == TypeId::kNull) return true;
    return !validity.empty() && ((validity.data[i >> 3] >> (i & 7)) & 1) == 0;
  }
  bool IsValid(int64_t i) const { return !IsNull(i); }
  // Typed access; the caller checks the type. Value(i) of a fixed-width column.
  template <typename T>
  T Value(int64_t i) const {
    T v;
    std::memcpy(&v, values.data + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
    return v;
  }
  int64_t Offset(int64_t i) const { return reinterpret_cast<const int64_t*>(offsets.data)[i]; }
  // kString / kBinary.
  std::string_view Bytes(int64_t i) const {
    int64_t b = Offset(i), e = Offset(i + 1);
    return {reinterpret_cast<const char*>(values.data) + b, static_cast<size_t>(e - b)};
  }

  // Checks every invariant above (buffer sizes, monotone offsets within the child/values, child
  // lengths, null_count equal to the bitmap's zeros, UTF-8 of strings). Corruption naming the rule.
  Status Validate() const;
};

// Builds one Array value by value; nested builders through Child(). Append exactly one value (or
// null) per row to a struct builder's children for each struct value appended.
class ArrayBuilder {
 public:
  explicit ArrayBuilder(DataTypePtr type);
  ~ArrayBuilder();
  ArrayBuilder(ArrayBuilder&&) noexcept;
  ArrayBuilder& operator=(ArrayBuilder&&) noexcept;

  const DataTypePtr& type() const;
  int64_t length() const;
  void Reserve(int64_t n);

  void AppendNull();  // a struct builder appends a null to each child too
  void AppendBool(bool v);
  void AppendInt(int64_t v);             // any signed/unsigned integer type, Date32, Timestamp (no range check)
  void AppendUInt(uint64_t v);           // unsigned types
  void AppendDouble(double v);           // Float32/Float64 (Float16: rounded to nearest even)
  void AppendBytes(std::string_view v);  // String, Binary
  void AppendDecimal(const uint8_t le16[16]);
  void AppendFixedRaw(const void* bytes);  // FixedWidth() bytes, for any fixed-width type
  // List: StartList() then append the elements to Child(0), then nothing else (the list ends at the
  // next StartList/AppendNull/Finish). Struct: AppendStructValid() then one value per Child(k).
  void StartList();
  void AppendStructValid();
  ArrayBuilder& Child(int k);

  // Appends row `i` of `src` (same type), nulls included.
  void AppendFrom(const Array& src, int64_t i);
  // Appends rows [begin, end) of `src` (same type), buffer by buffer (Slice/Concatenate).
  void AppendRange(const Array& src, int64_t begin, int64_t end);

  // The built array; the builder is empty (same type) afterwards.
  ArrayPtr Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A batch of rows: columns of equal length. Readers stream Tables; a Dataset is built from them.
struct Table {
  Schema schema;
  std::vector<ArrayPtr> columns;
  int64_t num_rows = 0;

  int ColumnIndex(const std::string& name) const { return schema.FieldIndex(name); }
  Status Validate() const;
  // Concatenates tables of one schema (copies).
  static Result<Table> Concatenate(std::span<const Table> parts);
  // Rows [begin, end) as a copy.
  Table Slice(int64_t begin, int64_t end) const;
  // Rows in the given order (copies); an index out of range gives a null row.
  Table Take(std::span<const int64_t> indices) const;
};

// A stream of Tables (a file read in batches). Next() answers std::nullopt at the end.
class TableReader {
 public:
  virtual ~TableReader() = default;
  virtual const Schema& schema() const = 0;
  virtual Result<std::optional<Table>> Next() = 0;
};

// Rows [begin, end) of `src` (clamped to its length) / rows in the given order, as new arrays.
// TakeArray: an index outside [0, length) gives a null row.
ArrayPtr SliceArray(const Array& src, int64_t begin, int64_t end);
ArrayPtr TakeArray(const Array& src, std::span<const int64_t> indices);

}  // namespace mhub::datasets
