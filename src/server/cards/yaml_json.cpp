// YAML -> JSON with YAML 1.2 core-schema typing of plain scalars (see model_card.h YamlToJson).
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "mhub/server/model_card.h"

namespace mhub::server {
namespace {

// Alias expansion can make a small document huge ("billion laughs"); refuse past these.
constexpr size_t kMaxNodes = 200000;
constexpr int kMaxDepth = 100;

bool IsNullWord(const std::string& s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

bool AllOf(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsOctDigit(char c) { return c >= '0' && c <= '7'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::string_view WithoutSign(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return s;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsCoreFloat(std::string_view s) {
  s = WithoutSign(s);
  size_t i = 0, int_digits = 0, frac_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

Json ParseInt(const std::string& s, size_t skip, int base) {
  int64_t v = 0;
  const char* begin = s.data() + skip;
  const char* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(begin, end, v, base);
  if (ec == std::errc() && p == end) return v;
  if (base == 10) {  // beyond int64
    const double d = std::strtod(s.c_str(), nullptr);
    if (std::isfinite(d)) return d;
  }
  return s;
}

Json PlainScalar(const std::string& s) {
  if (IsNullWord(s)) return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (AllOf(WithoutSign(s), IsDigit)) return ParseInt(s, s[0] == '+' ? 1 : 0, 10);
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o' && AllOf(std::string_view(s).substr(2), IsOctDigit)) {
    return ParseInt(s, 2, 8);
  }
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x' && AllOf(std::string_view(s).substr(2), IsHexDigit)) {
    return ParseInt(s, 2, 16);
  }
  if (IsCoreFloat(s)) {
    const double d = std::strtod(s.c_str(), nullptr);
    if (std::isfinite(d)) return d;
  }
  return s;  // .inf/.nan have no JSON form: kept as text
}

struct Converter {
  size_t nodes = 0;

  Result<Json> Convert(const YAML::Node& node, int depth) {
    if (++nodes > kMaxNodes) return Status::InvalidArgument("YAML metadata is too large (alias expansion?)");
    if (depth > kMaxDepth) return Status::InvalidArgument("YAML metadata is nested too deeply");
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return Json(nullptr);
      case YAML::NodeType::Scalar: {
        const std::string& tag = node.Tag();
        if (tag == "!" || tag == "tag:yaml.org,2002:str") return Json(node.Scalar());
        if (tag == "?") return PlainScalar(node.Scalar());
        if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" || tag == "tag:yaml.org,2002:bool" ||
            tag == "tag:yaml.org,2002:null") {
          return PlainScalar(node.Scalar());
        }
        return Json(node.Scalar());  // unknown tags: keep the text
      }
      case YAML::NodeType::Sequence: {
        Json arr = Json::array();
        for (const auto& child : node) {
          MHUB_ASSIGN_OR_RETURN(Json v, Convert(child, depth + 1));
          arr.push_back(std::move(v));
        }
        return arr;
      }
      case YAML::NodeType::Map: {
        Json obj = Json::object();
        for (const auto& kv : node) {
          std::string key;
          if (kv.first.IsScalar()) {
            key = kv.first.Scalar();
          } else if (kv.first.IsNull()) {
            key = "null";
          } else {
            YAML::Emitter emitter;
            emitter << YAML::Flow << kv.first;
            key = emitter.c_str();
          }
          MHUB_ASSIGN_OR_RETURN(Json v, Convert(kv.second, depth + 1));
          obj[key] = std::move(v);
        }
        return obj;
      }
    }
    return Json(nullptr);
  }
};

}  // namespace

Result<Json> YamlToJson(std::string_view yaml) {
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    Converter converter;
    return converter.Convert(root, 0);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("invalid YAML: ") + e.what());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("invalid YAML: ") + e.what());
  }
}

}  // namespace mhub::server
