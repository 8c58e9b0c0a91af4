// A writer of the Thrift compact protocol (Parquet footers and page headers). Appends to a byte
// string; the caller writes fields in increasing id order inside BeginStruct/EndStruct, as the
// encoders in metadata_encode.cpp do. Field ids are delta-encoded against the previous field of the
// same struct, so each struct level keeps its own last id.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "datasets/parquet/thrift_compact_reader.h"  // ThriftType

namespace mhub::datasets::parquet {

class ThriftCompactWriter {
 public:
  explicit ThriftCompactWriter(std::string* out) : out_(out) {}

  // A struct value (the top level one, a list element or a field's value after FieldHeader).
  void BeginStruct() { last_ids_.push_back(0); }
  void EndStruct();  // writes the stop byte

  // Fields: header + value.
  void FieldBool(int16_t id, bool v);
  void FieldByte(int16_t id, int8_t v);
  void FieldI16(int16_t id, int16_t v);
  void FieldI32(int16_t id, int32_t v);
  void FieldI64(int16_t id, int64_t v);
  void FieldBinary(int16_t id, std::string_view v);
  // A struct field: its header; follow with BeginStruct ... EndStruct.
  void FieldStruct(int16_t id) { FieldHeader(id, ThriftType::kStruct); }
  // A list field: its header and the list header; then `size` elements (List* / BeginStruct).
  void FieldList(int16_t id, ThriftType elem_type, int64_t size);

  // List elements.
  void ListI32(int32_t v) { ZigZag(v); }
  void ListI64(int64_t v) { ZigZag(v); }
  void ListBinary(std::string_view v);
  void ListBool(bool v) { out_->push_back(static_cast<char>(v ? 1 : 2)); }

 private:
  void FieldHeader(int16_t id, ThriftType type);
  void Varint(uint64_t v);
  void ZigZag(int64_t v) { Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }

  std::string* out_;
  std::vector<int16_t> last_ids_;  // last field id per open struct
};

}  // namespace mhub::datasets::parquet
