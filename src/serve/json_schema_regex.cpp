#include "serve/json_schema_regex.h"

#include <algorithm>
#include <cstdio>

namespace mhub::serve {
namespace {

constexpr int kMaxDepth = 8;
const char* const kChar = R"((?:[^"\\\x00-\x1f]|\\["\\/bfnrt]))";
const char* const kInteger = "-?(?:0|[1-9][0-9]{0,15})";
const char* const kFraction = R"((?:\.[0-9]{1,15})?(?:[eE][+-]?[0-9]{1,2})?)";

std::string String() { return std::string("\"") + kChar + "*\""; }
std::string Number() { return std::string(kInteger) + kFraction; }

// `text` matched literally.
std::string Literal(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::string_view(R"(\.^$|?*+()[]{}-)").find(static_cast<char>(c)) != std::string_view::npos) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Alternatives(const std::vector<std::string>& parts) {
  std::string out = "(?:";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "|" : "") + parts[i];
  return out + ")";
}

// [item(, item){min-1,max-1}] ; max < 0: unbounded.
std::string List(const std::string& open, const std::string& item, const std::string& close, int64_t min, int64_t max) {
  const std::string rest = "(?:, ?" + item + ")";
  std::string body;
  if (max == 0) return Literal(open) + Literal(close);
  const int64_t lo = std::max<int64_t>(min, 1) - 1;
  body = item + rest + "{" + std::to_string(lo) + "," + (max < 0 ? "" : std::to_string(max - 1)) + "}";
  if (min <= 0) body = "(?:" + body + ")?";
  return Literal(open) + body + Literal(close);
}

std::string AnyValue(int depth) {
  std::vector<std::string> parts = {String(), Number(), "true", "false", "null"};
  if (depth > 0) {
    const std::string inner = AnyValue(depth - 1);
    parts.push_back(List("[", inner, "]", 0, -1));
    parts.push_back(List("{", String() + ": ?" + inner, "}", 0, -1));
  }
  return Alternatives(parts);
}

Result<int64_t> Count(const Json& s, const char* key, int64_t fallback) {
  if (!s.contains(key)) return fallback;
  if (!s[key].is_number_integer() || s[key].get<int64_t>() < 0 || s[key].get<int64_t>() > 1000)
    return Status::InvalidArgument(std::string("json schema: `") + key + "` must be an integer in [0, 1000]");
  return s[key].get<int64_t>();
}

Result<std::string> Value(const Json& s, int depth);

Result<std::string> OfType(const Json& s, const std::string& type, int depth) {
  if (type == "string") {
    if (s.contains("pattern")) return Status::InvalidArgument("json schema: `pattern` is not supported");
    MHUB_ASSIGN_OR_RETURN(int64_t min, Count(s, "minLength", 0));
    MHUB_ASSIGN_OR_RETURN(int64_t max, Count(s, "maxLength", -1));
    return std::string("\"") + kChar + "{" + std::to_string(min) + "," + (max < 0 ? "" : std::to_string(max)) + "}\"";
  }
  if (type == "integer") return std::string(kInteger);
  if (type == "number") return Number();
  if (type == "boolean") return std::string("(?:true|false)");
  if (type == "null") return std::string("null");
  if (type == "array") {
    std::string item = AnyValue(1);
    if (s.contains("items")) {
      MHUB_ASSIGN_OR_RETURN(item, Value(s["items"], depth + 1));
    }
    MHUB_ASSIGN_OR_RETURN(int64_t min, Count(s, "minItems", 0));
    MHUB_ASSIGN_OR_RETURN(int64_t max, Count(s, "maxItems", -1));
    if (max >= 0 && max < min) return Status::InvalidArgument("json schema: maxItems < minItems");
    return List("[", "(?:" + item + ")", "]", min, max);
  }
  if (type == "object") {
    if (s.contains("patternProperties"))
      return Status::InvalidArgument("json schema: `patternProperties` is not supported");
    if (!s.contains("properties")) return List("{", String() + ": ?" + AnyValue(1), "}", 0, -1);
    if (!s["properties"].is_object()) return Status::InvalidArgument("json schema: `properties` must be an object");
    std::string out = Literal("{");
    bool first = true;
    for (auto it = s["properties"].begin(); it != s["properties"].end(); ++it) {
      MHUB_ASSIGN_OR_RETURN(std::string v, Value(it.value(), depth + 1));
      out += (first ? "" : ", ?") + Literal(DumpJson(Json(it.key()))) + ": ?(?:" + v + ")";
      first = false;
    }
    return out + Literal("}");
  }
  return Status::InvalidArgument("json schema: unknown type '" + type + "'");
}

Result<std::string> Value(const Json& s, int depth) {
  if (depth > kMaxDepth) return Status::InvalidArgument("json schema: nested deeper than 8 levels");
  if (s.is_boolean() && s.get<bool>()) return AnyValue(2);
  if (!s.is_object()) return Status::InvalidArgument("json schema: a schema must be an object or true");
  if (s.contains("$ref")) return Status::InvalidArgument("json schema: `$ref` is not supported");
  if (s.contains("const")) return Literal(DumpJson(s["const"]));
  if (s.contains("enum")) {
    if (!s["enum"].is_array() || s["enum"].empty())
      return Status::InvalidArgument("json schema: `enum` must be a non-empty array");
    std::vector<std::string> parts;
    for (const Json& v : s["enum"]) parts.push_back(Literal(DumpJson(v)));
    return Alternatives(parts);
  }
  for (const char* key : {"anyOf", "oneOf"}) {
    if (!s.contains(key)) continue;
    if (!s[key].is_array() || s[key].empty())
      return Status::InvalidArgument(std::string("json schema: `") + key + "` must be a non-empty array");
    std::vector<std::string> parts;
    for (const Json& sub : s[key]) {
      MHUB_ASSIGN_OR_RETURN(std::string p, Value(sub, depth + 1));
      parts.push_back(p);
    }
    return Alternatives(parts);
  }
  if (!s.contains("type")) return s.contains("properties") ? OfType(s, "object", depth) : AnyValue(2);
  if (s["type"].is_string()) return OfType(s, s["type"].get<std::string>(), depth);
  if (s["type"].is_array() && !s["type"].empty()) {
    std::vector<std::string> parts;
    for (const Json& t : s["type"]) {
      if (!t.is_string()) return Status::InvalidArgument("json schema: `type` entries must be strings");
      MHUB_ASSIGN_OR_RETURN(std::string p, OfType(s, t.get<std::string>(), depth));
      parts.push_back(p);
    }
    return Alternatives(parts);
  }
  return Status::InvalidArgument("json schema: `type` must be a string or a list of strings");
}

}  // namespace

Result<std::string> JsonSchemaToRegex(const Json& schema) { return Value(schema, 0); }

std::string AnyJsonObjectRegex() { return List("{", String() + ": ?" + AnyValue(1), "}", 0, -1); }

}  // namespace mhub::serve
