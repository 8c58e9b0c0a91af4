#include "datasets/parquet/thrift_compact_writer.h"

namespace mhub::datasets::parquet {

void ThriftCompactWriter::EndStruct() {
  out_->push_back(0);
  last_ids_.pop_back();
}

void ThriftCompactWriter::FieldHeader(int16_t id, ThriftType type) {
  int16_t& last = last_ids_.back();
  int delta = id - last;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<int>(type)));
  } else {  // long form: the type nibble alone, then the id as a zigzag i16
    out_->push_back(static_cast<char>(type));
    ZigZag(id);
  }
  last = id;
}

void ThriftCompactWriter::FieldBool(int16_t id, bool v) { FieldHeader(id, v ? ThriftType::kTrue : ThriftType::kFalse); }

void ThriftCompactWriter::FieldByte(int16_t id, int8_t v) {
  FieldHeader(id, ThriftType::kByte);
  out_->push_back(static_cast<char>(v));
}

void ThriftCompactWriter::FieldI16(int16_t id, int16_t v) {
  FieldHeader(id, ThriftType::kI16);
  ZigZag(v);
}

void ThriftCompactWriter::FieldI32(int16_t id, int32_t v) {
  FieldHeader(id, ThriftType::kI32);
  ZigZag(v);
}

void ThriftCompactWriter::FieldI64(int16_t id, int64_t v) {
  FieldHeader(id, ThriftType::kI64);
  ZigZag(v);
}

void ThriftCompactWriter::FieldBinary(int16_t id, std::string_view v) {
  FieldHeader(id, ThriftType::kBinary);
  ListBinary(v);
}

void ThriftCompactWriter::FieldList(int16_t id, ThriftType elem_type, int64_t size) {
  FieldHeader(id, ThriftType::kList);
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | static_cast<int>(elem_type)));
  } else {
    out_->push_back(static_cast<char>(0xF0 | static_cast<int>(elem_type)));
    Varint(static_cast<uint64_t>(size));
  }
}

void ThriftCompactWriter::ListBinary(std::string_view v) {
  Varint(v.size());
  out_->append(v);
}

void ThriftCompactWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

}  // namespace mhub::datasets::parquet
