// A reader of the Thrift compact protocol (the encoding of every Parquet footer and page header)
// over untrusted bytes. Bounds are checked on every read; the first error sticks (later reads
// answer zero values) and is reported by status(), so decoders read a whole struct and check once.
// Nesting depth and list sizes are bounded so a crafted footer cannot recurse or allocate without
// limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mhub/base/status.h"

namespace mhub::datasets::parquet {

// Compact protocol type nibbles.
enum class ThriftType : uint8_t {
  kStop = 0,
  kTrue = 1,
  kFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

class ThriftCompactReader {
 public:
  ThriftCompactReader(const uint8_t* data, size_t size) : p_(data), begin_(data), end_(data + size) {}

  // Struct framing: BeginStruct pushes a field-id context; ReadFieldHeader answers false at the
  // struct's stop byte (or on error); EndStruct pops.
  void BeginStruct();
  bool ReadFieldHeader(ThriftType* type, int16_t* id);
  void EndStruct();

  // Field values. A bool field's value is in its header type (kTrue/kFalse); ReadBool reads a list
  // element bool.
  bool BoolFromHeader(ThriftType type) const { return type == ThriftType::kTrue; }
  bool ReadBool();
  int8_t ReadByte();
  int16_t ReadI16() { return static_cast<int16_t>(ReadZigZag()); }
  int32_t ReadI32() { return static_cast<int32_t>(ReadZigZag()); }
  int64_t ReadI64() { return ReadZigZag(); }
  double ReadDouble();
  std::string_view ReadBinary();
  std::string ReadString() { return std::string(ReadBinary()); }
  // List/set header: element type and count. The count is checked against the bytes left (each
  // element takes at least one byte, bools in lists included).
  int64_t ReadListHeader(ThriftType* elem_type);

  // Skips one value of `type` (nested containers included, depth bounded).
  void Skip(ThriftType type);

  // Fails the reader with a message (used by decoders for semantic checks, e.g. a wrong field type).
  void Fail(std::string message);
  // The field had an unexpected wire type: fail if it does not match.
  bool Expect(ThriftType got, ThriftType want, const char* what);

  const Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }
  size_t position() const { return static_cast<size_t>(p_ - begin_); }

 private:
  uint64_t ReadVarint();
  int64_t ReadZigZag() {
    uint64_t v = ReadVarint();
    return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }

  static constexpr int kMaxDepth = 64;
  const uint8_t* p_;
  const uint8_t* begin_;
  const uint8_t* end_;
  int16_t last_field_id_[kMaxDepth + 1] = {};
  int depth_ = 0;
  Status status_;
};

}  // namespace mhub::datasets::parquet
