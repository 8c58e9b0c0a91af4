#include "mhub/base/json.h"

#include "mhub/base/env.h"

namespace mhub {

namespace {

std::string Where(std::string_view path, std::string_view key) {
  std::string out(path);
  if (!out.empty()) out += ".";
  out += key;
  return out;
}

template <typename J>
Result<J> ParseAny(std::string_view text, std::string_view what) {
  J j = J::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Re-parse with exceptions only to get the position for the message.
    try {
      J probe = J::parse(text.begin(), text.end());
      (void)probe;
    } catch (const std::exception& e) {
      return Status::InvalidArgument(std::string(what) + " is not valid JSON: " + e.what());
    }
    return Status::InvalidArgument(std::string(what) + " is not valid JSON");
  }
  return j;
}

const Json* Find(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Status TypeError(std::string_view path, std::string_view key, std::string_view want, const Json& got) {
  return Status::InvalidArgument(Where(path, key) + ": expected " + std::string(want) + ", got " + JsonTypeName(got));
}

}  // namespace

Result<Json> ParseJson(std::string_view text, std::string_view what) { return ParseAny<Json>(text, what); }
Result<OrderedJson> ParseOrderedJson(std::string_view text, std::string_view what) {
  return ParseAny<OrderedJson>(text, what);
}

Result<Json> ReadJsonFile(const std::string& path) {
  MHUB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseJson(text, path);
}

std::string JsonTypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "object";
    case Json::value_t::array:
      return "array";
    case Json::value_t::string:
      return "string";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "integer";
    case Json::value_t::number_float:
      return "number";
    case Json::value_t::binary:
      return "binary";
    case Json::value_t::discarded:
      return "discarded";
  }
  return "unknown";
}

Result<std::string> JsonString(const Json& obj, std::string_view key, std::string_view path) {
  const Json* v = Find(obj, key);
  if (!v) return Status::InvalidArgument(Where(path, key) + ": missing required string");
  if (!v->is_string()) return TypeError(path, key, "string", *v);
  return v->get<std::string>();
}

Result<int64_t> JsonInt(const Json& obj, std::string_view key, std::string_view path) {
  const Json* v = Find(obj, key);
  if (!v) return Status::InvalidArgument(Where(path, key) + ": missing required integer");
  if (!v->is_number_integer()) return TypeError(path, key, "integer", *v);
  return v->get<int64_t>();
}

Result<double> JsonNumber(const Json& obj, std::string_view key, std::string_view path) {
  const Json* v = Find(obj, key);
  if (!v) return Status::InvalidArgument(Where(path, key) + ": missing required number");
  if (!v->is_number()) return TypeError(path, key, "number", *v);
  return v->get<double>();
}

Result<bool> JsonBool(const Json& obj, std::string_view key, std::string_view path) {
  const Json* v = Find(obj, key);
  if (!v) return Status::InvalidArgument(Where(path, key) + ": missing required boolean");
  if (!v->is_boolean()) return TypeError(path, key, "boolean", *v);
  return v->get<bool>();
}

Result<std::string> JsonStringOr(const Json& obj, std::string_view key, std::string_view path, std::string fallback) {
  if (!Find(obj, key)) return fallback;
  return JsonString(obj, key, path);
}
Result<int64_t> JsonIntOr(const Json& obj, std::string_view key, std::string_view path, int64_t fallback) {
  if (!Find(obj, key)) return fallback;
  return JsonInt(obj, key, path);
}
Result<double> JsonNumberOr(const Json& obj, std::string_view key, std::string_view path, double fallback) {
  if (!Find(obj, key)) return fallback;
  return JsonNumber(obj, key, path);
}
Result<bool> JsonBoolOr(const Json& obj, std::string_view key, std::string_view path, bool fallback) {
  if (!Find(obj, key)) return fallback;
  return JsonBool(obj, key, path);
}

std::string DumpJson(const Json& value, int indent) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}
std::string DumpJson(const OrderedJson& value, int indent) {
  return value.dump(indent, ' ', false, OrderedJson::error_handler_t::replace);
}

}  // namespace mhub
