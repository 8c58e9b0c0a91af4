// Reading typed fields of config.json / generation_config.json: a missing key keeps the default,
// a wrong type is InvalidArgument naming the file and the field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mhub/base/json.h"

namespace mhub::formats {

class ConfigFieldReader {
 public:
  // `what` names the source in messages ("config.json").
  ConfigFieldReader(const Json& obj, std::string what) : obj_(obj), what_(std::move(what)) {}

  // Each leaves *out untouched when the key is missing (or null, except for the optional forms,
  // which reset to nullopt on null).
  Status Int(const char* key, int64_t* out) const;
  Status OptInt(const char* key, std::optional<int64_t>* out) const;
  Status Double(const char* key, double* out) const;
  Status OptDouble(const char* key, std::optional<double>* out) const;
  Status Bool(const char* key, bool* out) const;
  Status String(const char* key, std::string* out) const;
  // A string or a list of strings.
  Status StringList(const char* key, std::vector<std::string>* out) const;
  // An int, a list of ints, or null (empty).
  Status IntOrList(const char* key, std::vector<int64_t>* out, bool* was_list) const;
  Status IntList(const char* key, std::vector<int64_t>* out) const;

  // Present and not null.
  bool Has(const char* key) const;
  const Json* Get(const char* key) const;

  Status TypeError(const char* key, const char* want, const Json& got) const;

 private:
  const Json& obj_;
  std::string what_;
};

// An integer, or a float with an integral value (some configs write 2048.0).
bool JsonToInt(const Json& v, int64_t* out);

// Writers for ToJson: an unset optional becomes null only when the key was already present.
void SetOptional(Json& j, const char* key, const std::optional<int64_t>& v);
void SetOptional(Json& j, const char* key, const std::optional<double>& v);
// The reverse of IntOrList: one id as an int (unless it was read as a list), several as a list,
// none as null when the key was present.
void SetIntOrList(Json& j, const char* key, const std::vector<int64_t>& ids, bool as_list);

}  // namespace mhub::formats
