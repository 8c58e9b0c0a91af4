#include "tokenizers/json_numbers.h"

#include <string>

namespace mhub::tokenizers {
namespace {

std::string Where(std::string_view path, std::string_view key) { return std::string(path) + "." + std::string(key); }

const Json* Field(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(std::string(key));
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

}  // namespace

Result<uint64_t> JsonToCount(const Json& value, std::string_view where, uint64_t max) {
  // Integers come unsigned or signed (nlohmann keeps non-negative ones unsigned, the simdjson
  // reader of tokenizer.json gives int64 where it fits); anything with a fraction or an exponent
  // ("1.0", "1e3") is a float, which serde refuses for integer fields.
  const bool non_negative = value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0);
  if (!non_negative) {
    return Status::InvalidArgument(std::string(where) + ": expected a non-negative integer, got " +
                                   JsonTypeName(value) + " " + DumpJson(value).substr(0, 40));
  }
  const uint64_t v = value.is_number_unsigned() ? value.get<uint64_t>() : static_cast<uint64_t>(value.get<int64_t>());
  if (v > max) {
    return Status::InvalidArgument(std::string(where) + ": " + std::to_string(v) + " is out of range (at most " +
                                   std::to_string(max) + ")");
  }
  return v;
}

Result<uint32_t> JsonToU32(const Json& value, std::string_view where) {
  MHUB_ASSIGN_OR_RETURN(uint64_t v, JsonToCount(value, where, UINT32_MAX));
  return static_cast<uint32_t>(v);
}

Result<uint32_t> JsonU32(const Json& obj, std::string_view key, std::string_view path) {
  const Json* v = Field(obj, key);
  if (v == nullptr) return Status::InvalidArgument(Where(path, key) + ": missing required integer");
  return JsonToU32(*v, Where(path, key));
}

Result<uint32_t> JsonU32Or(const Json& obj, std::string_view key, std::string_view path, uint32_t fallback) {
  const Json* v = Field(obj, key);
  if (v == nullptr) return fallback;
  return JsonToU32(*v, Where(path, key));
}

Result<uint64_t> JsonCountField(const Json& obj, std::string_view key, std::string_view path, uint64_t max) {
  const Json* v = Field(obj, key);
  if (v == nullptr) return Status::InvalidArgument(Where(path, key) + ": missing required integer");
  return JsonToCount(*v, Where(path, key), max);
}

Result<uint64_t> JsonCountOr(const Json& obj, std::string_view key, std::string_view path, uint64_t max,
                             uint64_t fallback) {
  const Json* v = Field(obj, key);
  if (v == nullptr) return fallback;
  return JsonToCount(*v, Where(path, key), max);
}

}  // namespace mhub::tokenizers
