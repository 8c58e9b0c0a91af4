// Array <-> Value: GetValue / GetRow / RowToJson (reading) and AppendValue (writing, checked).
#include <cmath>
#include <limits>

#include "datasets/table/half.h"
#include "datasets/table/temporal.h"
#include "mhub/datasets/value.h"

namespace mhub::datasets {

Value GetValue(const Array& a, int64_t i) {
  if (a.IsNull(i)) return Value();
  switch (a.type->id) {
    case TypeId::kNull:
      return Value();
    case TypeId::kBool:
      return Value::Bool(a.values.data[i] != 0);
    case TypeId::kInt8:
      return Value::Int(a.Value<int8_t>(i));
    case TypeId::kInt16:
      return Value::Int(a.Value<int16_t>(i));
    case TypeId::kInt32:
      return Value::Int(a.Value<int32_t>(i));
    case TypeId::kInt64:
      return Value::Int(a.Value<int64_t>(i));
    case TypeId::kUInt8:
      return Value::UInt(a.Value<uint8_t>(i));
    case TypeId::kUInt16:
      return Value::UInt(a.Value<uint16_t>(i));
    case TypeId::kUInt32:
      return Value::UInt(a.Value<uint32_t>(i));
    case TypeId::kUInt64:
      return Value::UInt(a.Value<uint64_t>(i));
    case TypeId::kFloat16:
      return Value::Double(HalfToFloat(a.Value<uint16_t>(i)));
    case TypeId::kFloat32:
      return Value::Double(a.Value<float>(i));
    case TypeId::kFloat64:
      return Value::Double(a.Value<double>(i));
    case TypeId::kString:
      return Value::String(std::string(a.Bytes(i)));
    case TypeId::kBinary:
      return Value::Binary(std::string(a.Bytes(i)));
    case TypeId::kDate32:
      return Value::String(FormatDate32(a.Value<int32_t>(i)));
    case TypeId::kTimestamp:
      return Value::String(FormatTimestamp(a.Value<int64_t>(i), a.type->unit, !a.type->timezone.empty()));
    case TypeId::kDecimal128:
      return Value::String(FormatDecimal128(a.values.data + i * 16, a.type->scale));
    case TypeId::kList: {
      Value::List items;
      const Array& child = *a.children[0];
      int64_t b = a.Offset(i), e = a.Offset(i + 1);
      items.reserve(static_cast<size_t>(e - b));
      for (int64_t j = b; j < e; ++j) items.push_back(GetValue(child, j));
      return Value::MakeList(std::move(items));
    }
    case TypeId::kStruct: {
      Value::Struct fields;
      fields.reserve(a.children.size());
      for (size_t k = 0; k < a.children.size(); ++k)
        fields.emplace_back(a.type->children[k].name, GetValue(*a.children[k], i));
      return Value::MakeStruct(std::move(fields));
    }
  }
  return Value();
}

Value GetRow(const Table& table, int64_t i) {
  Value::Struct fields;
  fields.reserve(table.columns.size());
  for (size_t k = 0; k < table.columns.size(); ++k)
    fields.emplace_back(table.schema.fields[k].name, GetValue(*table.columns[k], i));
  return Value::MakeStruct(std::move(fields));
}

std::string RowToJson(const Table& table, int64_t i) { return GetRow(table, i).ToJson(); }

namespace {

Status Mismatch(const ArrayBuilder& b, const Value& v, const char* why = "") {
  std::string json = v.ToJson();
  if (json.size() > 80) json = json.substr(0, 77) + "...";
  return Status::InvalidArgument("cannot store " + json + " in a " + b.type()->ToString() + " column" + why);
}

bool IsIntegral(const Value& v) {
  if (v.kind() == Value::Kind::kInt || v.kind() == Value::Kind::kUInt) return true;
  if (v.kind() == Value::Kind::kDouble) {
    double d = v.as_double();
    return std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18;
  }
  return false;
}

Status AppendInteger(ArrayBuilder& b, const Value& v) {
  if (!IsIntegral(v)) return Mismatch(b, v);
  bool is_unsigned = v.kind() == Value::Kind::kUInt;
  uint64_t u = v.as_uint();
  int64_t s = v.as_int();
  int64_t lo = 0;
  uint64_t hi = 0;
  switch (b.type()->id) {
    case TypeId::kInt8:
      lo = INT8_MIN, hi = INT8_MAX;
      break;
    case TypeId::kInt16:
      lo = INT16_MIN, hi = INT16_MAX;
      break;
    case TypeId::kInt32:
    case TypeId::kDate32:
      lo = INT32_MIN, hi = INT32_MAX;
      break;
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      lo = INT64_MIN, hi = INT64_MAX;
      break;
    case TypeId::kUInt8:
      hi = UINT8_MAX;
      break;
    case TypeId::kUInt16:
      hi = UINT16_MAX;
      break;
    case TypeId::kUInt32:
      hi = UINT32_MAX;
      break;
    default:
      hi = UINT64_MAX;
      break;
  }
  bool ok = is_unsigned ? u <= hi : (s >= lo && (s < 0 || static_cast<uint64_t>(s) <= hi));
  if (!ok) return Mismatch(b, v, " (out of range)");
  if (is_unsigned)
    b.AppendUInt(u);
  else
    b.AppendInt(s);
  return Status::OK();
}

}  // namespace

Status AppendValue(ArrayBuilder& b, const Value& v) {
  const DataType& t = *b.type();
  if (v.is_null()) {
    b.AppendNull();
    return Status::OK();
  }
  switch (t.id) {
    case TypeId::kNull:
      return Mismatch(b, v);
    case TypeId::kBool:
      if (v.kind() == Value::Kind::kBool) {
        b.AppendBool(v.as_bool());
        return Status::OK();
      }
      if (IsIntegral(v) && (v.as_int() == 0 || v.as_int() == 1)) {
        b.AppendBool(v.as_int() == 1);
        return Status::OK();
      }
      return Mismatch(b, v);
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
      if (v.kind() == Value::Kind::kBool) {
        b.AppendInt(v.as_bool() ? 1 : 0);
        return Status::OK();
      }
      return AppendInteger(b, v);
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      switch (v.kind()) {
        case Value::Kind::kInt:
        case Value::Kind::kUInt:
        case Value::Kind::kDouble:
        case Value::Kind::kBool:
          b.AppendDouble(v.as_double());
          return Status::OK();
        case Value::Kind::kString: {  // the JSON spellings of non-finite numbers (Value::ToJson)
          const std::string& s = v.as_string();
          if (s == "NaN")
            b.AppendDouble(std::numeric_limits<double>::quiet_NaN());
          else if (s == "Infinity")
            b.AppendDouble(std::numeric_limits<double>::infinity());
          else if (s == "-Infinity")
            b.AppendDouble(-std::numeric_limits<double>::infinity());
          else
            return Mismatch(b, v);
          return Status::OK();
        }
        default:
          return Mismatch(b, v);
      }
    case TypeId::kString:
      if (v.kind() != Value::Kind::kString) return Mismatch(b, v);
      b.AppendBytes(v.as_string());
      return Status::OK();
    case TypeId::kBinary:
      if (v.kind() != Value::Kind::kString && v.kind() != Value::Kind::kBinary) return Mismatch(b, v);
      b.AppendBytes(v.as_string());
      return Status::OK();
    case TypeId::kDate32:
      if (v.kind() == Value::Kind::kString) {
        MHUB_ASSIGN_OR_RETURN(int32_t days, ParseDate32(v.as_string()));
        b.AppendInt(days);
        return Status::OK();
      }
      return AppendInteger(b, v);
    case TypeId::kTimestamp:
      if (v.kind() == Value::Kind::kString) {
        MHUB_ASSIGN_OR_RETURN(int64_t ts, ParseTimestamp(v.as_string(), t.unit));
        b.AppendInt(ts);
        return Status::OK();
      }
      return AppendInteger(b, v);
    case TypeId::kDecimal128: {
      std::string text;
      if (v.kind() == Value::Kind::kString)
        text = v.as_string();
      else if (v.kind() == Value::Kind::kInt)
        text = std::to_string(v.as_int());
      else if (v.kind() == Value::Kind::kUInt)
        text = std::to_string(v.as_uint());
      else
        return Mismatch(b, v);
      MHUB_ASSIGN_OR_RETURN(auto le, ParseDecimal128(text, t.precision, t.scale));
      b.AppendDecimal(le.data());
      return Status::OK();
    }
    case TypeId::kList: {
      if (v.kind() != Value::Kind::kList) return Mismatch(b, v);
      // Check every element first so a failure leaves the builder as it was.
      ArrayBuilder probe(t.element());
      for (const Value& e : v.as_list()) MHUB_RETURN_IF_ERROR(AppendValue(probe, e));
      if (!t.children[0].nullable)
        for (const Value& e : v.as_list())
          if (e.is_null()) return Mismatch(b, v, " (null element)");
      b.StartList();
      ArrayPtr items = probe.Finish();
      b.Child(0).AppendRange(*items, 0, items->length);
      return Status::OK();
    }
    case TypeId::kStruct: {
      if (v.kind() != Value::Kind::kStruct) return Mismatch(b, v);
      for (const auto& [name, e] : v.as_struct()) {
        bool known = false;
        for (const Field& f : t.children) known = known || f.name == name;
        if (!known) return Mismatch(b, v, (" (no field '" + name + "')").c_str());
      }
      std::vector<ArrayPtr> parts;
      for (const Field& f : t.children) {
        ArrayBuilder probe(f.type);
        const Value* e = v.Get(f.name);
        MHUB_RETURN_IF_ERROR(AppendValue(probe, e ? *e : Value()).WithContext("field '" + f.name + "'"));
        parts.push_back(probe.Finish());
      }
      b.AppendStructValid();
      for (size_t k = 0; k < parts.size(); ++k) b.Child(static_cast<int>(k)).AppendRange(*parts[k], 0, 1);
      return Status::OK();
    }
  }
  return Mismatch(b, v);
}

}  // namespace mhub::datasets
