#include "datasets/dataset/cast.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "datasets/dataset/column_store.h"
#include "mhub/datasets/value.h"

namespace mhub::datasets {
namespace {

bool IsIntegerDtype(const Feature& f) {
  if (f.kind == Feature::Kind::kClassLabel) return true;
  if (f.kind != Feature::Kind::kValue) return false;
  DataTypePtr t = f.StorageType();
  return t->IsInteger();
}

Result<Value> ParseNumber(const std::string& s, const DataType& to) {
  const char* p = s.c_str();
  char* end = nullptr;
  errno = 0;
  if (to.IsInteger()) {
    if (to.id == TypeId::kUInt64 && !s.empty() && s[0] != '-') {
      unsigned long long v = std::strtoull(p, &end, 10);
      if (end != p && *end == '\0' && errno == 0) return Value::UInt(v);
    } else {
      long long v = std::strtoll(p, &end, 10);
      if (end != p && *end == '\0' && errno == 0) return Value::Int(v);
    }
  } else {
    double v = std::strtod(p, &end);
    if (end != p && *end == '\0') return Value::Double(v);
  }
  return Status::InvalidArgument("cannot cast '" + s + "' to " + to.ToString());
}

Result<Value> Convert(const Value& v, const Feature& from, const Feature& to) {
  if (v.is_null()) return v;
  if (to.kind == Feature::Kind::kClassLabel) {
    if (v.kind() == Value::Kind::kString) {
      MHUB_ASSIGN_OR_RETURN(int64_t id, to.Str2Int(v.as_string()));
      return Value::Int(id);
    }
    if (v.kind() == Value::Kind::kInt || v.kind() == Value::Kind::kUInt) {
      int64_t id = v.as_int();
      if (v.kind() == Value::Kind::kUInt && v.as_uint() > INT64_MAX) id = INT64_MAX;
      if (id < -1 || id >= static_cast<int64_t>(to.names.size()))
        return Status::InvalidArgument("Class label " + std::to_string(id) + " greater than configured num_classes " +
                                       std::to_string(to.names.size()));
      return Value::Int(id);
    }
    return Status::InvalidArgument("cannot cast " + v.ToJson() + " to a ClassLabel");
  }
  if (from.kind == Feature::Kind::kClassLabel && to.kind == Feature::Kind::kValue &&
      to.StorageType()->id == TypeId::kString) {
    if (v.as_int() == -1) return Value();
    MHUB_ASSIGN_OR_RETURN(std::string name, from.Int2Str(v.as_int()));
    return Value::String(name);
  }
  if (to.kind == Feature::Kind::kList) {
    if (v.kind() != Value::Kind::kList) return Status::InvalidArgument("cannot cast " + v.ToJson() + " to a list");
    const Feature& from_elem = from.kind == Feature::Kind::kList ? from.element() : from;
    Value::List items;
    for (const Value& e : v.as_list()) {
      MHUB_ASSIGN_OR_RETURN(Value c, Convert(e, from_elem, to.element()));
      items.push_back(std::move(c));
    }
    if (to.length >= 0 && static_cast<int64_t>(items.size()) != to.length)
      return Status::InvalidArgument("a list of " + std::to_string(items.size()) + " values for a List of length " +
                                     std::to_string(to.length));
    return Value::MakeList(std::move(items));
  }
  if (to.kind == Feature::Kind::kStruct || to.kind == Feature::Kind::kImage || to.kind == Feature::Kind::kAudio) {
    if (v.kind() != Value::Kind::kStruct) return Status::InvalidArgument("cannot cast " + v.ToJson() + " to a struct");
    Value::Struct fields;
    Feature target = to;
    if (to.kind != Feature::Kind::kStruct) target = Feature::FromType(*to.StorageType());
    for (const auto& [name, tf] : target.fields) {
      const Value* e = v.Get(name);
      const Feature* ff = nullptr;
      for (const auto& [fname, f] : from.fields)
        if (fname == name) ff = f.get();
      if (!e || !ff) {
        fields.emplace_back(name, Value());
        continue;
      }
      MHUB_ASSIGN_OR_RETURN(Value c, Convert(*e, *ff, *tf));
      fields.emplace_back(name, std::move(c));
    }
    return Value::MakeStruct(std::move(fields));
  }
  // Value -> Value.
  DataTypePtr t = to.StorageType();
  if (t->id == TypeId::kString && v.kind() != Value::Kind::kString) {
    switch (v.kind()) {
      case Value::Kind::kInt:
        return Value::String(std::to_string(v.as_int()));
      case Value::Kind::kUInt:
        return Value::String(std::to_string(v.as_uint()));
      case Value::Kind::kDouble:
        return Value::String(FormatDouble(v.as_double()));
      case Value::Kind::kBool:
        return Value::String(v.as_bool() ? "true" : "false");
      case Value::Kind::kBinary:
        return Value::String(v.as_string());
      default:
        return Status::InvalidArgument("cannot cast " + v.ToJson() + " to string");
    }
  }
  if (t->IsNumeric() && v.kind() == Value::Kind::kString && IsIntegerDtype(to) == t->IsInteger())
    return ParseNumber(v.as_string(), *t);
  return v;  // AppendValue checks ranges and kinds
}

}  // namespace

Result<ArrayPtr> CastColumnArray(const ArrayPtr& array, const Feature& from, const Feature& to) {
  DataTypePtr target = to.StorageType();
  bool needs_values = to.kind == Feature::Kind::kClassLabel && !(from == to);
  needs_values = needs_values || (from.kind == Feature::Kind::kClassLabel && to.kind == Feature::Kind::kValue &&
                                  target->id == TypeId::kString);
  if (!needs_values && !(to.kind == Feature::Kind::kList && to.length >= 0 && !(from == to))) {
    if (ArrayPtr same = RelabelArray(array, target)) return same;
  }
  ArrayBuilder b(target);
  b.Reserve(array->length);
  for (int64_t i = 0; i < array->length; ++i) {
    Value v = GetValue(*array, i);
    auto c = Convert(v, from, to);
    if (!c.ok()) return c.status().WithContext("row " + std::to_string(i));
    MHUB_RETURN_IF_ERROR(AppendValue(b, *c).WithContext("row " + std::to_string(i)));
  }
  return b.Finish();
}

}  // namespace mhub::datasets
