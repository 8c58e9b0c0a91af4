#include "mhub/datasets/types.h"

#include <utility>

namespace mhub::datasets {
namespace {

DataTypePtr Make(TypeId id) {
  auto t = std::make_shared<DataType>();
  t->id = id;
  return t;
}

const char* UnitName(TimeUnit u) {
  switch (u) {
    case TimeUnit::kSecond:
      return "s";
    case TimeUnit::kMilli:
      return "ms";
    case TimeUnit::kMicro:
      return "us";
    case TimeUnit::kNano:
      return "ns";
  }
  return "?";
}

}  // namespace

int DataType::FixedWidth() const {
  switch (id) {
    case TypeId::kBool:
    case TypeId::kInt8:
    case TypeId::kUInt8:
      return 1;
    case TypeId::kInt16:
    case TypeId::kUInt16:
    case TypeId::kFloat16:
      return 2;
    case TypeId::kInt32:
    case TypeId::kUInt32:
    case TypeId::kFloat32:
    case TypeId::kDate32:
      return 4;
    case TypeId::kInt64:
    case TypeId::kUInt64:
    case TypeId::kFloat64:
    case TypeId::kTimestamp:
      return 8;
    case TypeId::kDecimal128:
      return 16;
    default:
      return 0;
  }
}

bool DataType::IsInteger() const {
  switch (id) {
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
      return true;
    default:
      return false;
  }
}

bool DataType::IsFloating() const { return id == TypeId::kFloat16 || id == TypeId::kFloat32 || id == TypeId::kFloat64; }

bool DataType::Equals(const DataType& o) const {
  if (id != o.id) return false;
  if (id == TypeId::kTimestamp && (unit != o.unit || timezone != o.timezone)) return false;
  if (id == TypeId::kDecimal128 && (precision != o.precision || scale != o.scale)) return false;
  if (children.size() != o.children.size()) return false;
  for (size_t i = 0; i < children.size(); ++i) {
    const Field& a = children[i];
    const Field& b = o.children[i];
    // List element names differ between writers ("item", "element"); only struct names matter.
    if (id == TypeId::kStruct && a.name != b.name) return false;
    if (a.nullable != b.nullable || !a.type->Equals(*b.type)) return false;
  }
  return true;
}

std::string DataType::ToString() const {
  switch (id) {
    case TypeId::kNull:
      return "null";
    case TypeId::kBool:
      return "bool";
    case TypeId::kInt8:
      return "int8";
    case TypeId::kInt16:
      return "int16";
    case TypeId::kInt32:
      return "int32";
    case TypeId::kInt64:
      return "int64";
    case TypeId::kUInt8:
      return "uint8";
    case TypeId::kUInt16:
      return "uint16";
    case TypeId::kUInt32:
      return "uint32";
    case TypeId::kUInt64:
      return "uint64";
    case TypeId::kFloat16:
      return "halffloat";
    case TypeId::kFloat32:
      return "float";
    case TypeId::kFloat64:
      return "double";
    case TypeId::kString:
      return "string";
    case TypeId::kBinary:
      return "binary";
    case TypeId::kDate32:
      return "date32[day]";
    case TypeId::kTimestamp:
      return std::string("timestamp[") + UnitName(unit) + (timezone.empty() ? "" : ", tz=" + timezone) + "]";
    case TypeId::kDecimal128:
      return "decimal128(" + std::to_string(precision) + ", " + std::to_string(scale) + ")";
    case TypeId::kList:
      return "list<item: " + children.at(0).type->ToString() + ">";
    case TypeId::kStruct: {
      std::string s = "struct<";
      for (size_t i = 0; i < children.size(); ++i) {
        if (i) s += ", ";
        s += children[i].name + ": " + children[i].type->ToString();
      }
      return s + ">";
    }
  }
  return "?";
}

#define MHUB_SHARED_TYPE(fn, tid)           \
  DataTypePtr fn() {                        \
    static const DataTypePtr t = Make(tid); \
    return t;                               \
  }
MHUB_SHARED_TYPE(Null, TypeId::kNull)
MHUB_SHARED_TYPE(Bool, TypeId::kBool)
MHUB_SHARED_TYPE(Int8, TypeId::kInt8)
MHUB_SHARED_TYPE(Int16, TypeId::kInt16)
MHUB_SHARED_TYPE(Int32, TypeId::kInt32)
MHUB_SHARED_TYPE(Int64, TypeId::kInt64)
MHUB_SHARED_TYPE(UInt8, TypeId::kUInt8)
MHUB_SHARED_TYPE(UInt16, TypeId::kUInt16)
MHUB_SHARED_TYPE(UInt32, TypeId::kUInt32)
MHUB_SHARED_TYPE(UInt64, TypeId::kUInt64)
MHUB_SHARED_TYPE(Float16, TypeId::kFloat16)
MHUB_SHARED_TYPE(Float32, TypeId::kFloat32)
MHUB_SHARED_TYPE(Float64, TypeId::kFloat64)
MHUB_SHARED_TYPE(String, TypeId::kString)
MHUB_SHARED_TYPE(Binary, TypeId::kBinary)
MHUB_SHARED_TYPE(Date32, TypeId::kDate32)
#undef MHUB_SHARED_TYPE

DataTypePtr Timestamp(TimeUnit unit, std::string timezone) {
  auto t = std::make_shared<DataType>();
  t->id = TypeId::kTimestamp;
  t->unit = unit;
  t->timezone = std::move(timezone);
  return t;
}

DataTypePtr Decimal128(int32_t precision, int32_t scale) {
  auto t = std::make_shared<DataType>();
  t->id = TypeId::kDecimal128;
  t->precision = precision;
  t->scale = scale;
  return t;
}

DataTypePtr List(DataTypePtr element, bool element_nullable) {
  auto t = std::make_shared<DataType>();
  t->id = TypeId::kList;
  t->children.push_back(Field{"item", std::move(element), element_nullable});
  return t;
}

DataTypePtr Struct(std::vector<Field> fields) {
  auto t = std::make_shared<DataType>();
  t->id = TypeId::kStruct;
  t->children = std::move(fields);
  return t;
}

int Schema::FieldIndex(const std::string& name) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == name) return static_cast<int>(i);
  return -1;
}

bool Schema::Equals(const Schema& o) const {
  if (fields.size() != o.fields.size()) return false;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name != o.fields[i].name || fields[i].nullable != o.fields[i].nullable ||
        !fields[i].type->Equals(*o.fields[i].type))
      return false;
  }
  return true;
}

std::string Schema::ToString() const {
  std::string s;
  for (const Field& f : fields) s += f.name + ": " + f.type->ToString() + "\n";
  return s;
}

}  // namespace mhub::datasets
