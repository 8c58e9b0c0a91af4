#include "datasets/io/json_infer.h"

namespace mhub::datasets::io {
namespace {

JsonType::Kind KindOf(const OrderedJson& v) {
  switch (v.type()) {
    case OrderedJson::value_t::null:
      return JsonType::Kind::kNull;
    case OrderedJson::value_t::boolean:
      return JsonType::Kind::kBool;
    case OrderedJson::value_t::number_integer:
      return JsonType::Kind::kInt;
    case OrderedJson::value_t::number_unsigned:
      // Past int64: pyarrow would fail; a double keeps the magnitude.
      return v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX) ? JsonType::Kind::kDouble : JsonType::Kind::kInt;
    case OrderedJson::value_t::number_float:
      return JsonType::Kind::kDouble;
    case OrderedJson::value_t::string:
      return JsonType::Kind::kString;
    case OrderedJson::value_t::array:
      return JsonType::Kind::kList;
    case OrderedJson::value_t::object:
      return JsonType::Kind::kStruct;
    default:
      return JsonType::Kind::kString;  // binary values cannot come from text
  }
}

bool IsNumber(JsonType::Kind k) { return k == JsonType::Kind::kInt || k == JsonType::Kind::kDouble; }

}  // namespace

const char* JsonKindName(JsonType::Kind kind) {
  switch (kind) {
    case JsonType::Kind::kNull:
      return "null";
    case JsonType::Kind::kBool:
      return "boolean";
    case JsonType::Kind::kInt:
      return "integer";
    case JsonType::Kind::kDouble:
      return "number";
    case JsonType::Kind::kString:
      return "string";
    case JsonType::Kind::kList:
      return "list";
    case JsonType::Kind::kStruct:
      return "object";
  }
  return "?";
}

JsonType::JsonType() = default;
JsonType::~JsonType() = default;
JsonType::JsonType(const JsonType&) = default;
JsonType::JsonType(JsonType&&) noexcept = default;
JsonType& JsonType::operator=(const JsonType&) = default;
JsonType& JsonType::operator=(JsonType&&) noexcept = default;

DataTypePtr JsonType::ToDataType() const {
  switch (kind) {
    case Kind::kNull:
      return Null();
    case Kind::kBool:
      return Bool();
    case Kind::kInt:
      return Int64();
    case Kind::kDouble:
      return Float64();
    case Kind::kString:
      return String();
    case Kind::kList:
      return List(children.at(0).second.ToDataType());
    case Kind::kStruct: {
      std::vector<Field> fields;
      for (const auto& [name, t] : children) fields.push_back({name, t.ToDataType(), true});
      return Struct(std::move(fields));
    }
  }
  return Null();
}

Status UnifyJson(JsonType& type, const OrderedJson& value, const std::string& path) {
  JsonType::Kind k = KindOf(value);
  if (k == JsonType::Kind::kNull) return Status::OK();
  if (type.kind == JsonType::Kind::kNull) {
    type.kind = k;
    if (k == JsonType::Kind::kList) type.children = {{"item", JsonType{}}};
  } else if (IsNumber(type.kind) && IsNumber(k)) {
    if (k == JsonType::Kind::kDouble) type.kind = JsonType::Kind::kDouble;
    return Status::OK();
  } else if (type.kind != k) {
    return Status::InvalidArgument("column '" + path + "' changed from " + JsonKindName(type.kind) + " to " +
                                   JsonKindName(k));
  }
  if (k == JsonType::Kind::kList) {
    for (const auto& e : value) MHUB_RETURN_IF_ERROR(UnifyJson(type.children[0].second, e, path + "[]"));
  } else if (k == JsonType::Kind::kStruct) {
    for (const auto& [key, v] : value.items()) {
      JsonType* child = nullptr;
      for (auto& [name, t] : type.children)
        if (name == key) child = &t;
      if (!child) {
        type.children.emplace_back(key, JsonType{});
        child = &type.children.back().second;
      }
      MHUB_RETURN_IF_ERROR(UnifyJson(*child, v, path.empty() ? key : path + "." + key));
    }
  }
  return Status::OK();
}

Status AppendJson(ArrayBuilder& b, const OrderedJson* v) {
  if (v == nullptr || v->is_null() || b.type()->id == TypeId::kNull) {
    b.AppendNull();
    return Status::OK();
  }
  switch (b.type()->id) {
    case TypeId::kBool:
      if (!v->is_boolean()) break;
      b.AppendBool(v->get<bool>());
      return Status::OK();
    case TypeId::kInt64:
      if (!v->is_number_integer()) break;
      b.AppendInt(v->get<int64_t>());
      return Status::OK();
    case TypeId::kFloat64:
      if (!v->is_number()) break;
      b.AppendDouble(v->get<double>());
      return Status::OK();
    case TypeId::kString:
      if (!v->is_string()) break;
      b.AppendBytes(v->get_ref<const std::string&>());
      return Status::OK();
    case TypeId::kList:
      if (!v->is_array()) break;
      b.StartList();
      for (const auto& e : *v) MHUB_RETURN_IF_ERROR(AppendJson(b.Child(0), &e));
      return Status::OK();
    case TypeId::kStruct: {
      if (!v->is_object()) break;
      b.AppendStructValid();
      const auto& fields = b.type()->children;
      for (size_t k = 0; k < fields.size(); ++k) {
        auto it = v->find(fields[k].name);
        MHUB_RETURN_IF_ERROR(AppendJson(b.Child(static_cast<int>(k)), it == v->end() ? nullptr : &*it));
      }
      return Status::OK();
    }
    default:
      break;
  }
  return Status::InvalidArgument(std::string("a JSON ") + v->type_name() + " does not fit type " +
                                 b.type()->ToString());
}

}  // namespace mhub::datasets::io
