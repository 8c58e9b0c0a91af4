#include "datasets/dataset/pandas_format.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "datasets/table/half.h"
#include "datasets/table/temporal.h"
#include "mhub/base/json_escape.h"
#include "mhub/datasets/value.h"

namespace mhub::datasets {

std::string PandasJsonDouble(double value) {
  if (!std::isfinite(value)) return "null";
  const double thres_max = 1e16 - 1;  // rounds to 1e16, as in ujson
  const double thres_min = 1e-15;
  bool neg = value < 0;
  if (neg) value = -value;
  if (value > thres_max || (value != 0.0 && value < thres_min)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", neg ? -value : value);
    return buf;
  }
  const double pow10 = 1e10;
  unsigned long long whole = static_cast<unsigned long long>(value);
  double tmp = (value - static_cast<double>(whole)) * pow10;
  unsigned long long frac = static_cast<unsigned long long>(tmp);
  double diff = tmp - static_cast<double>(frac);
  if (diff > 0.5)
    ++frac;
  else if (diff == 0.5 && (frac == 0 || (frac & 1)))
    ++frac;
  if (static_cast<double>(frac) >= pow10) {
    frac = 0;
    ++whole;
  }
  std::string out = neg ? "-" : "";
  out += std::to_string(whole) + ".";
  if (frac == 0) return out + "0";
  std::string digits = std::to_string(frac);
  digits.insert(0, 10 - digits.size(), '0');
  while (digits.back() == '0') digits.pop_back();
  return out + digits;
}

// ujson escapes from 0x80 up (DEL stays raw) and writes "/" as "\\/".
void AppendPandasJsonString(std::string_view s, std::string& out) { AppendJsonString(s, out, {0x80, true}); }

bool IntsBecomeFloats(const Array& a) { return a.type->IsInteger() && a.null_count > 0; }

namespace {

int64_t ToMillis(int64_t v, TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond:
      return v * 1000;
    case TimeUnit::kMilli:
      return v;
    case TimeUnit::kMicro:
      return v / 1000;
    case TimeUnit::kNano:
      return v / 1000000;
  }
  return v;
}

double AsDouble(const Array& a, int64_t i) {
  switch (a.type->id) {
    case TypeId::kFloat16:
      return HalfToFloat(a.Value<uint16_t>(i));
    case TypeId::kFloat32:
      return a.Value<float>(i);
    case TypeId::kFloat64:
      return a.Value<double>(i);
    default:
      return GetValue(a, i).as_double();
  }
}

// Python's repr() of bytes (b'..', non-ASCII as \xNN) or of a str (non-ASCII printed as is).
std::string PythonRepr(std::string_view s, bool bytes) {
  bool has_single = s.find('\'') != std::string_view::npos, has_double = s.find('"') != std::string_view::npos;
  char q = has_single && !has_double ? '"' : '\'';
  std::string out = bytes ? "b" : "";
  out += q;
  char buf[8];
  for (unsigned char c : s) {
    if (c == static_cast<unsigned char>(q) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + q;
}

// Python repr of a value inside a dict (structs reach pandas as dicts of Python objects).
std::string PythonRepr(const Array& a, int64_t i) {
  if (a.IsNull(i)) return "None";
  switch (a.type->id) {
    case TypeId::kBool:
      return a.values.data[i] ? "True" : "False";
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      return FormatDouble(AsDouble(a, i));
    case TypeId::kString:
      return PythonRepr(a.Bytes(i), false);
    case TypeId::kBinary:
      return PythonRepr(a.Bytes(i), true);
    case TypeId::kStruct: {
      std::string s = "{";
      for (size_t k = 0; k < a.children.size(); ++k) {
        if (k) s += ", ";
        s += PythonRepr(a.type->children[k].name, false) + ": " + PythonRepr(*a.children[k], i);
      }
      return s + "}";
    }
    case TypeId::kList: {
      std::string s = "[";
      for (int64_t j = a.Offset(i); j < a.Offset(i + 1); ++j)
        s += (j > a.Offset(i) ? ", " : "") + PythonRepr(*a.children[0], j);
      return s + "]";
    }
    default:
      return GetValue(a, i).ToJson();
  }
}

}  // namespace

void AppendPandasJsonValue(const Array& a, int64_t i, bool int_as_float, std::string& out) {
  if (a.IsNull(i)) {
    out += "null";
    return;
  }
  switch (a.type->id) {
    case TypeId::kNull:
      out += "null";
      return;
    case TypeId::kBool:
      out += a.values.data[i] ? "true" : "false";
      return;
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64: {
      Value v = GetValue(a, i);
      if (int_as_float)
        out += PandasJsonDouble(v.as_double());
      else
        out += v.kind() == Value::Kind::kUInt ? std::to_string(v.as_uint()) : std::to_string(v.as_int());
      return;
    }
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      out += PandasJsonDouble(AsDouble(a, i));
      return;
    case TypeId::kString:
    case TypeId::kBinary:
      AppendPandasJsonString(a.Bytes(i), out);
      return;
    case TypeId::kDate32:
      out += std::to_string(static_cast<int64_t>(a.Value<int32_t>(i)) * 86400000);
      return;
    case TypeId::kTimestamp:
      out += std::to_string(ToMillis(a.Value<int64_t>(i), a.type->unit));
      return;
    case TypeId::kDecimal128:
      out += PandasJsonDouble(std::strtod(FormatDecimal128(a.values.data + i * 16, a.type->scale).c_str(), nullptr));
      return;
    case TypeId::kList: {
      // A list cell is a numpy array cut from the whole child column of the batch.
      const Array& child = *a.children[0];
      bool promote = IntsBecomeFloats(child);
      out += '[';
      for (int64_t j = a.Offset(i); j < a.Offset(i + 1); ++j) {
        if (j > a.Offset(i)) out += ',';
        AppendPandasJsonValue(child, j, promote, out);
      }
      out += ']';
      return;
    }
    case TypeId::kStruct:
      out += '{';
      for (size_t k = 0; k < a.children.size(); ++k) {
        if (k) out += ',';
        AppendPandasJsonString(a.type->children[k].name, out);
        out += ':';
        AppendPandasJsonValue(*a.children[k], i, false, out);  // dict values are Python objects
      }
      out += '}';
      return;
  }
}

std::string PandasCsvValue(const Array& a, int64_t i, bool int_as_float) {
  if (a.IsNull(i)) return "";
  switch (a.type->id) {
    case TypeId::kNull:
      return "";
    case TypeId::kBool:
      return a.values.data[i] ? "True" : "False";
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kFloat64: {
      double d = AsDouble(a, i);
      if (std::isnan(d)) return "";
      // numpy prints a float32 (and float16) column with the digits of its own width.
      return a.type->id == TypeId::kFloat64 ? FormatDouble(d) : FormatFloat32(static_cast<float>(d));
    }
    case TypeId::kString:
      return std::string(a.Bytes(i));
    case TypeId::kBinary:
      return PythonRepr(a.Bytes(i), true);
    case TypeId::kDate32:
    case TypeId::kDecimal128:
      return GetValue(a, i).as_string();
    case TypeId::kTimestamp: {
      // pandas prints datetimes with a space and without a zero fraction.
      std::string s = GetValue(a, i).as_string();
      if (!s.empty() && s.back() == 'Z') s.back() = ' ';
      if (s.size() > 10) s[10] = ' ';
      while (!s.empty() && s.back() == ' ') s.pop_back();
      size_t dot = s.find('.');
      if (dot != std::string::npos && s.find_first_not_of('0', dot + 1) == std::string::npos) s.erase(dot);
      if (!a.type->timezone.empty()) s += "+00:00";
      return s;
    }
    case TypeId::kList:
    case TypeId::kStruct:
      return PythonRepr(a, i);
    default: {
      Value v = GetValue(a, i);
      if (int_as_float) return FormatDouble(v.as_double());
      return v.kind() == Value::Kind::kUInt ? std::to_string(v.as_uint()) : std::to_string(v.as_int());
    }
  }
}

void AppendCsvField(const std::string& field, bool only_field, std::string& out) {
  bool quote = field.find_first_of(",\"\r\n") != std::string::npos || (only_field && field.empty());
  if (!quote) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace mhub::datasets
