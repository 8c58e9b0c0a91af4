#include "formats/config_fields.h"

#include <cmath>

namespace mhub::formats {

bool JsonToInt(const Json& v, int64_t* out) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(u);
    return true;
  }
  if (v.is_number_integer()) {
    *out = v.get<int64_t>();
    return true;
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e15) return false;
    *out = static_cast<int64_t>(d);
    return true;
  }
  return false;
}

const Json* ConfigFieldReader::Get(const char* key) const {
  if (!obj_.is_object()) return nullptr;
  auto it = obj_.find(key);
  if (it == obj_.end()) return nullptr;
  return &*it;
}

bool ConfigFieldReader::Has(const char* key) const {
  const Json* v = Get(key);
  return v != nullptr && !v->is_null();
}

Status ConfigFieldReader::TypeError(const char* key, const char* want, const Json& got) const {
  return Status::InvalidArgument(what_ + ": field '" + key + "' must be " + want + ", got " + JsonTypeName(got) + " " +
                                 DumpJson(got).substr(0, 80));
}

Status ConfigFieldReader::Int(const char* key, int64_t* out) const {
  const Json* v = Get(key);
  if (v == nullptr || v->is_null()) return Status::OK();
  if (!JsonToInt(*v, out)) return TypeError(key, "an integer", *v);
  return Status::OK();
}

Status ConfigFieldReader::OptInt(const char* key, std::optional<int64_t>* out) const {
  const Json* v = Get(key);
  if (v == nullptr) return Status::OK();
  if (v->is_null()) {
    out->reset();
    return Status::OK();
  }
  int64_t i = 0;
  if (!JsonToInt(*v, &i)) return TypeError(key, "an integer or null", *v);
  *out = i;
  return Status::OK();
}

Status ConfigFieldReader::Double(const char* key, double* out) const {
  const Json* v = Get(key);
  if (v == nullptr || v->is_null()) return Status::OK();
  if (!v->is_number()) return TypeError(key, "a number", *v);
  *out = v->get<double>();
  return Status::OK();
}

Status ConfigFieldReader::OptDouble(const char* key, std::optional<double>* out) const {
  const Json* v = Get(key);
  if (v == nullptr) return Status::OK();
  if (v->is_null()) {
    out->reset();
    return Status::OK();
  }
  if (!v->is_number()) return TypeError(key, "a number or null", *v);
  *out = v->get<double>();
  return Status::OK();
}

Status ConfigFieldReader::Bool(const char* key, bool* out) const {
  const Json* v = Get(key);
  if (v == nullptr || v->is_null()) return Status::OK();
  if (!v->is_boolean()) return TypeError(key, "a boolean", *v);
  *out = v->get<bool>();
  return Status::OK();
}

Status ConfigFieldReader::String(const char* key, std::string* out) const {
  const Json* v = Get(key);
  if (v == nullptr || v->is_null()) return Status::OK();
  if (!v->is_string()) return TypeError(key, "a string", *v);
  *out = v->get<std::string>();
  return Status::OK();
}

Status ConfigFieldReader::StringList(const char* key, std::vector<std::string>* out) const {
  const Json* v = Get(key);
  if (v == nullptr || v->is_null()) return Status::OK();
  out->clear();
  if (v->is_string()) {
    out->push_back(v->get<std::string>());
    return Status::OK();
  }
  if (!v->is_array()) return TypeError(key, "a string or a list of strings", *v);
  for (const Json& e : *v) {
    if (!e.is_string()) return TypeError(key, "a string or a list of strings", *v);
    out->push_back(e.get<std::string>());
  }
  return Status::OK();
}

Status ConfigFieldReader::IntOrList(const char* key, std::vector<int64_t>* out, bool* was_list) const {
  const Json* v = Get(key);
  if (v == nullptr) return Status::OK();
  out->clear();
  *was_list = false;
  if (v->is_null()) return Status::OK();
  int64_t i = 0;
  if (JsonToInt(*v, &i)) {
    out->push_back(i);
    return Status::OK();
  }
  if (!v->is_array()) return TypeError(key, "an integer or a list of integers", *v);
  *was_list = true;
  for (const Json& e : *v) {
    if (!JsonToInt(e, &i)) return TypeError(key, "an integer or a list of integers", *v);
    out->push_back(i);
  }
  return Status::OK();
}

Status ConfigFieldReader::IntList(const char* key, std::vector<int64_t>* out) const {
  const Json* v = Get(key);
  if (v == nullptr || v->is_null()) return Status::OK();
  if (!v->is_array()) return TypeError(key, "a list of integers", *v);
  out->clear();
  for (const Json& e : *v) {
    int64_t i = 0;
    if (!JsonToInt(e, &i)) return TypeError(key, "a list of integers", *v);
    out->push_back(i);
  }
  return Status::OK();
}

void SetOptional(Json& j, const char* key, const std::optional<int64_t>& v) {
  if (v) {
    j[key] = *v;
  } else if (j.contains(key)) {
    j[key] = nullptr;
  }
}

void SetOptional(Json& j, const char* key, const std::optional<double>& v) {
  if (v) {
    j[key] = *v;
  } else if (j.contains(key)) {
    j[key] = nullptr;
  }
}

void SetIntOrList(Json& j, const char* key, const std::vector<int64_t>& ids, bool as_list) {
  if (ids.empty()) {
    if (j.contains(key)) j[key] = nullptr;
  } else if (ids.size() == 1 && !as_list) {
    j[key] = ids[0];
  } else {
    j[key] = ids;
  }
}

}  // namespace mhub::formats
