#include "datasets/parquet/thrift_compact_reader.h"

#include <cstring>

namespace mhub::datasets::parquet {

void ThriftCompactReader::Fail(std::string message) {
  if (!status_.ok()) return;
  status_ = Status::Corruption("thrift at byte " + std::to_string(position()) + ": " + message);
  p_ = end_;  // every later read fails fast
}

bool ThriftCompactReader::Expect(ThriftType got, ThriftType want, const char* what) {
  if (got == want) return true;
  // A bool field carries its value in the type nibble: both nibbles mean "bool".
  if (want == ThriftType::kTrue && (got == ThriftType::kTrue || got == ThriftType::kFalse)) return true;
  Fail(std::string("field ") + what + " has wire type " + std::to_string(static_cast<int>(got)));
  return false;
}

uint64_t ThriftCompactReader::ReadVarint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (p_ >= end_) {
      Fail("varint past the end");
      return 0;
    }
    uint8_t b = *p_++;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  Fail("varint longer than 10 bytes");
  return 0;
}

void ThriftCompactReader::BeginStruct() {
  if (depth_ >= kMaxDepth) {
    Fail("structs nested deeper than 64");
    return;
  }
  ++depth_;
  last_field_id_[depth_] = 0;
}

void ThriftCompactReader::EndStruct() {
  if (depth_ > 0) --depth_;
}

bool ThriftCompactReader::ReadFieldHeader(ThriftType* type, int16_t* id) {
  if (!ok()) return false;
  if (p_ >= end_) {
    Fail("struct runs past the end");
    return false;
  }
  uint8_t b = *p_++;
  if (b == 0) return false;  // stop
  uint8_t t = b & 0x0f;
  if (t > static_cast<uint8_t>(ThriftType::kStruct)) {
    Fail("unknown field type " + std::to_string(t));
    return false;
  }
  int delta = b >> 4;
  int16_t field_id = delta != 0 ? static_cast<int16_t>(last_field_id_[depth_] + delta) : ReadI16();
  last_field_id_[depth_] = field_id;
  *type = static_cast<ThriftType>(t);
  *id = field_id;
  return ok();
}

bool ThriftCompactReader::ReadBool() {
  int8_t b = ReadByte();
  return b == 1;
}

int8_t ThriftCompactReader::ReadByte() {
  if (p_ >= end_) {
    Fail("byte past the end");
    return 0;
  }
  return static_cast<int8_t>(*p_++);
}

double ThriftCompactReader::ReadDouble() {
  if (end_ - p_ < 8) {
    Fail("double past the end");
    return 0;
  }
  double d;
  std::memcpy(&d, p_, 8);
  p_ += 8;
  return d;
}

std::string_view ThriftCompactReader::ReadBinary() {
  uint64_t n = ReadVarint();
  if (!ok()) return {};
  if (n > static_cast<uint64_t>(end_ - p_)) {
    Fail("binary of " + std::to_string(n) + " bytes past the end");
    return {};
  }
  std::string_view s(reinterpret_cast<const char*>(p_), n);
  p_ += n;
  return s;
}

int64_t ThriftCompactReader::ReadListHeader(ThriftType* elem_type) {
  if (p_ >= end_) {
    Fail("list header past the end");
    return 0;
  }
  uint8_t b = *p_++;
  uint64_t n = b >> 4;
  if (n == 15) n = ReadVarint();
  uint8_t t = b & 0x0f;
  // An empty list may carry element type 0 (hyparquet-writer writes its empty row_groups so).
  if (n == 0 && t == 0) t = static_cast<uint8_t>(ThriftType::kStruct);
  if (t > static_cast<uint8_t>(ThriftType::kStruct) || t == 0) {
    Fail("unknown list element type " + std::to_string(t));
    return 0;
  }
  // Every element takes at least one byte; this bounds any allocation by the input size.
  if (n > static_cast<uint64_t>(end_ - p_)) {
    Fail("list of " + std::to_string(n) + " elements past the end");
    return 0;
  }
  *elem_type = static_cast<ThriftType>(t);
  return static_cast<int64_t>(n);
}

void ThriftCompactReader::Skip(ThriftType type) {
  if (!ok()) return;
  switch (type) {
    case ThriftType::kTrue:
    case ThriftType::kFalse:
      return;  // value in the header
    case ThriftType::kByte:
      ReadByte();
      return;
    case ThriftType::kI16:
    case ThriftType::kI32:
    case ThriftType::kI64:
      ReadVarint();
      return;
    case ThriftType::kDouble:
      ReadDouble();
      return;
    case ThriftType::kBinary:
      ReadBinary();
      return;
    case ThriftType::kList:
    case ThriftType::kSet: {
      ThriftType et;
      int64_t n = ReadListHeader(&et);
      if (depth_ >= kMaxDepth) return Fail("containers nested deeper than 64");
      ++depth_;
      for (int64_t i = 0; i < n && ok(); ++i) {
        if (et == ThriftType::kTrue || et == ThriftType::kFalse) {
          ReadByte();  // list bools are one byte each
        } else {
          Skip(et);
        }
      }
      --depth_;
      return;
    }
    case ThriftType::kMap: {
      uint64_t n = ReadVarint();
      if (n == 0) return;
      if (p_ >= end_) return Fail("map header past the end");
      uint8_t kv = *p_++;
      if (n > static_cast<uint64_t>(end_ - p_)) return Fail("map past the end");
      ThriftType kt = static_cast<ThriftType>(kv >> 4), vt = static_cast<ThriftType>(kv & 0x0f);
      if ((kv >> 4) > 12 || (kv & 0x0f) > 12) return Fail("unknown map element type");
      if (depth_ >= kMaxDepth) return Fail("containers nested deeper than 64");
      ++depth_;
      for (uint64_t i = 0; i < n && ok(); ++i) {
        if (kt == ThriftType::kTrue || kt == ThriftType::kFalse)
          ReadByte();
        else
          Skip(kt);
        if (vt == ThriftType::kTrue || vt == ThriftType::kFalse)
          ReadByte();
        else
          Skip(vt);
      }
      --depth_;
      return;
    }
    case ThriftType::kStruct: {
      BeginStruct();
      ThriftType ft;
      int16_t id;
      while (ReadFieldHeader(&ft, &id)) Skip(ft);
      EndStruct();
      return;
    }
    case ThriftType::kStop:
      return Fail("unexpected stop");
  }
}

}  // namespace mhub::datasets::parquet
