// Column types of JSON rows, unified over every row as pyarrow's JSON reader does (what `datasets`'
// json builder uses): null widens to any type, int64 and double meet at double, lists unify their
// elements, objects become structs with the union of their keys (first-seen order, missing = null).
// Any other meeting (a number and a string, a list and an object, ...) is an error naming the line
// and the column path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/datasets/array.h"
#include "mhub/datasets/types.h"

namespace mhub::datasets::io {

struct JsonType {
  enum class Kind : uint8_t { kNull, kBool, kInt, kDouble, kString, kList, kStruct };
  Kind kind = Kind::kNull;
  std::vector<std::pair<std::string, JsonType>> children;  // kList: one ("item", element); kStruct: fields

  // Out of line: clang with libstdc++ refuses to instantiate std::pair<std::string, JsonType> (in the
  // implicit members) while JsonType is still incomplete; GCC accepts it.
  JsonType();
  ~JsonType();
  JsonType(const JsonType&);
  JsonType(JsonType&&) noexcept;
  JsonType& operator=(const JsonType&);
  JsonType& operator=(JsonType&&) noexcept;

  DataTypePtr ToDataType() const;
};

const char* JsonKindName(JsonType::Kind kind);

// Widens `type` so it also holds `value`; `path` names the column in errors ("a.b", "tags[]").
Status UnifyJson(JsonType& type, const OrderedJson& value, const std::string& path);
// Appends `value` (null when nullptr) to a builder of the unified type.
Status AppendJson(ArrayBuilder& builder, const OrderedJson* value);

}  // namespace mhub::datasets::io
