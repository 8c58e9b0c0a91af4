// Feature / Features: ClassLabel's str2int/int2str, storage types, and features inferred from an
// Arrow-style schema (or read from its `huggingface` metadata, as datasets' from_arrow_schema does).
#include "mhub/datasets/features.h"

#include <algorithm>
#include <cctype>

#include "datasets/dataset/dtype_names.h"
#include "datasets/dataset/features_internal.h"
#include "mhub/base/json.h"

namespace mhub::datasets {

Result<DataTypePtr> DtypeToType(const std::string& d) {
  static const std::pair<const char*, DataTypePtr (*)()> kSimple[] = {
      {"null", Null},        {"bool", Bool},           {"int8", Int8},       {"int16", Int16},
      {"int32", Int32},      {"int64", Int64},         {"uint8", UInt8},     {"uint16", UInt16},
      {"uint32", UInt32},    {"uint64", UInt64},       {"float16", Float16}, {"float32", Float32},
      {"float64", Float64},  {"float", Float32},       {"double", Float64},  {"halffloat", Float16},
      {"string", String},    {"large_string", String}, {"binary", Binary},   {"large_binary", Binary},
      {"date32", Date32},    {"date32[day]", Date32},  {"boolean", Bool},    {"utf8", String},
      {"large_utf8", String}};
  for (const auto& [name, fn] : kSimple)
    if (d == name) return fn();
  if (d.rfind("timestamp[", 0) == 0 && d.back() == ']') {
    std::string inner = d.substr(10, d.size() - 11);
    std::string unit = inner, tz;
    size_t comma = inner.find(',');
    if (comma != std::string::npos) {
      unit = inner.substr(0, comma);
      std::string rest = inner.substr(comma + 1);
      while (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
      if (rest.rfind("tz=", 0) != 0) return Status::InvalidArgument("bad timestamp dtype '" + d + "'");
      tz = rest.substr(3);
    }
    TimeUnit u;
    if (unit == "s")
      u = TimeUnit::kSecond;
    else if (unit == "ms")
      u = TimeUnit::kMilli;
    else if (unit == "us")
      u = TimeUnit::kMicro;
    else if (unit == "ns")
      u = TimeUnit::kNano;
    else
      return Status::InvalidArgument("bad timestamp unit in dtype '" + d + "'");
    return Timestamp(u, tz);
  }
  if (d.rfind("decimal128(", 0) == 0 && d.back() == ')') {
    int p = 0, s = 0;
    if (std::sscanf(d.c_str(), "decimal128(%d, %d)", &p, &s) != 2 &&
        std::sscanf(d.c_str(), "decimal128(%d,%d)", &p, &s) != 2)
      return Status::InvalidArgument("bad decimal dtype '" + d + "'");
    if (p < 1 || p > 38) return Status::InvalidArgument("decimal precision out of range in '" + d + "'");
    return Decimal128(p, s);
  }
  return Status::Unsupported("dtype '" + d + "' has no storage type in mhub");
}

std::string TypeToDtype(const DataType& t) {
  switch (t.id) {
    case TypeId::kFloat16:
      return "float16";
    case TypeId::kFloat32:
      return "float32";
    case TypeId::kFloat64:
      return "float64";
    case TypeId::kDate32:
      return "date32";
    case TypeId::kList:
    case TypeId::kStruct:
      return "";
    default:
      return t.ToString();  // int64, bool, string, binary, null, timestamp[..], decimal128(p, s)
  }
}

namespace {

// Python's int(): optional whitespace, sign, digits with single underscores between them (ASCII
// digits only; Python also takes other Unicode decimal digits).
bool ParsePythonInt(std::string s, int64_t& out) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (i >= s.size()) return false;
  int64_t v = 0;
  bool prev_digit = false;
  for (; i < s.size(); ++i) {
    if (s[i] == '_' && prev_digit && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      prev_digit = false;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    if (v > (INT64_MAX - 9) / 10) return false;
    v = v * 10 + (s[i] - '0');
    prev_digit = true;
  }
  out = neg ? -v : v;
  return true;
}

std::string Strip(const std::string& s) {  // Python str.strip(): whitespace at both ends
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

}  // namespace

Result<int64_t> Feature::Str2Int(const std::string& name) const {
  if (kind != Kind::kClassLabel) return Status::InvalidArgument("str2int on a feature that is not a ClassLabel");
  auto find = [&](const std::string& s) -> int64_t {
    auto it = std::find(names.begin(), names.end(), s);
    return it == names.end() ? -2 : static_cast<int64_t>(it - names.begin());
  };
  int64_t id = find(name);
  if (id == -2) id = find(Strip(name));
  if (id == -2) {
    int64_t v;
    if (!ParsePythonInt(name, v) || v < -1 || v >= static_cast<int64_t>(names.size()))
      return Status::InvalidArgument("Invalid string class label " + name);
    id = v;
  }
  return id;
}

Result<std::string> Feature::Int2Str(int64_t id) const {
  if (kind != Kind::kClassLabel) return Status::InvalidArgument("int2str on a feature that is not a ClassLabel");
  if (id < 0 || id >= static_cast<int64_t>(names.size()))
    return Status::InvalidArgument("Invalid integer class label " + std::to_string(id));
  return names[static_cast<size_t>(id)];
}

DataTypePtr Feature::StorageType() const {
  switch (kind) {
    case Kind::kValue: {
      auto t = DtypeToType(dtype);
      return t.ok() ? *t : Null();
    }
    case Kind::kClassLabel:
      return Int64();
    case Kind::kList:
      return List(fields.empty() || !fields[0].second ? Null() : fields[0].second->StorageType());
    case Kind::kStruct: {
      std::vector<Field> out;
      for (const auto& [name, f] : fields) out.push_back({name, f ? f->StorageType() : Null()});
      return Struct(std::move(out));
    }
    case Kind::kImage:
    case Kind::kAudio:
      return Struct({{"bytes", Binary()}, {"path", String()}});
  }
  return Null();
}

bool Feature::operator==(const Feature& o) const {
  if (kind != o.kind || dtype != o.dtype || names != o.names || length != o.length ||
      sampling_rate != o.sampling_rate || fields.size() != o.fields.size())
    return false;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].first != o.fields[i].first) return false;
    if (!fields[i].second || !o.fields[i].second) {
      if (fields[i].second != o.fields[i].second) return false;
    } else if (!(*fields[i].second == *o.fields[i].second)) {
      return false;
    }
  }
  return true;
}

Feature Feature::FromType(const DataType& t) {
  Feature f;
  if (t.id == TypeId::kList) {
    f.kind = Kind::kList;
    f.fields.emplace_back("", std::make_shared<Feature>(FromType(*t.element())));
  } else if (t.id == TypeId::kStruct) {
    f.kind = Kind::kStruct;
    for (const Field& c : t.children) f.fields.emplace_back(c.name, std::make_shared<Feature>(FromType(*c.type)));
  } else {
    f.dtype = TypeToDtype(t);
  }
  return f;
}

Feature Feature::MakeValue(std::string dtype) {
  Feature f;
  f.dtype = std::move(dtype);
  return f;
}
Feature Feature::MakeClassLabel(std::vector<std::string> names) {
  Feature f;
  f.kind = Kind::kClassLabel;
  f.names = std::move(names);
  return f;
}
Feature Feature::MakeList(Feature element, int64_t length) {
  Feature f;
  f.kind = Kind::kList;
  f.length = length;
  f.fields.emplace_back("", std::make_shared<Feature>(std::move(element)));
  return f;
}
Feature Feature::MakeStruct(std::vector<std::pair<std::string, Feature>> fields) {
  Feature f;
  f.kind = Kind::kStruct;
  for (auto& [n, c] : fields) f.fields.emplace_back(n, std::make_shared<Feature>(std::move(c)));
  return f;
}

Feature Feature::MakeImage() {
  Feature f;
  f.kind = Kind::kImage;
  return f;
}
Feature Feature::MakeAudio(int64_t sampling_rate) {
  Feature f;
  f.kind = Kind::kAudio;
  f.sampling_rate = sampling_rate;
  return f;
}

Features Features::FromSchema(const Schema& schema) {
  for (const auto& [key, value] : schema.metadata) {
    if (key != "huggingface") continue;
    auto j = ParseOrderedJson(value, "huggingface metadata");
    if (!j.ok() || !j->is_object() || !j->contains("info") || !(*j)["info"].is_object() ||
        !(*j)["info"].contains("features"))
      break;
    auto f = FeaturesFromOrderedJson((*j)["info"]["features"]);
    // Only when the features describe exactly these columns (a file rewritten by another tool may
    // carry stale metadata).
    if (f.ok() && f->ToSchema().Equals(schema)) return *f;
    break;
  }
  Features out;
  for (const Field& field : schema.fields) out.columns.emplace_back(field.name, Feature::FromType(*field.type));
  return out;
}

Schema Features::ToSchema() const {
  Schema s;
  for (const auto& [name, f] : columns) s.fields.push_back({name, f.StorageType()});
  return s;
}

const Feature* Features::Find(const std::string& column) const {
  for (const auto& [name, f] : columns)
    if (name == column) return &f;
  return nullptr;
}

}  // namespace mhub::datasets
