// Value: one row-level value (the slow path for row functions and JSON output).
#include "mhub/datasets/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "mhub/base/base64.h"
#include "mhub/base/json.h"

namespace mhub::datasets {
namespace {
const std::string kEmptyString;
const Value::List kEmptyList;
const Value::Struct kEmptyStruct;
}  // namespace

Value Value::Bool(bool v) {
  Value x;
  x.kind_ = Kind::kBool;
  x.v_ = v;
  return x;
}
Value Value::Int(int64_t v) {
  Value x;
  x.kind_ = Kind::kInt;
  x.v_ = v;
  return x;
}
Value Value::UInt(uint64_t v) {
  Value x;
  x.kind_ = Kind::kUInt;
  x.v_ = v;
  return x;
}
Value Value::Double(double v) {
  Value x;
  x.kind_ = Kind::kDouble;
  x.v_ = v;
  return x;
}
Value Value::String(std::string v) {
  Value x;
  x.kind_ = Kind::kString;
  x.v_ = std::move(v);
  return x;
}
Value Value::Binary(std::string v) {
  Value x;
  x.kind_ = Kind::kBinary;
  x.v_ = std::move(v);
  return x;
}
Value Value::MakeList(List v) {
  Value x;
  x.kind_ = Kind::kList;
  x.v_ = std::make_shared<List>(std::move(v));
  return x;
}
Value Value::MakeStruct(Struct v) {
  Value x;
  x.kind_ = Kind::kStruct;
  x.v_ = std::make_shared<Struct>(std::move(v));
  return x;
}

bool Value::as_bool() const {
  switch (kind_) {
    case Kind::kBool:
      return std::get<bool>(v_);
    case Kind::kInt:
      return std::get<int64_t>(v_) != 0;
    case Kind::kUInt:
      return std::get<uint64_t>(v_) != 0;
    case Kind::kDouble:
      return std::get<double>(v_) != 0;
    default:
      return false;
  }
}
int64_t Value::as_int() const {
  switch (kind_) {
    case Kind::kBool:
      return std::get<bool>(v_) ? 1 : 0;
    case Kind::kInt:
      return std::get<int64_t>(v_);
    case Kind::kUInt:
      return static_cast<int64_t>(std::get<uint64_t>(v_));
    case Kind::kDouble: {
      double d = std::get<double>(v_);
      return std::isfinite(d) && std::fabs(d) < 9.2e18 ? static_cast<int64_t>(d) : 0;
    }
    default:
      return 0;
  }
}
uint64_t Value::as_uint() const {
  if (kind_ == Kind::kUInt) return std::get<uint64_t>(v_);
  return static_cast<uint64_t>(as_int());
}
double Value::as_double() const {
  switch (kind_) {
    case Kind::kDouble:
      return std::get<double>(v_);
    case Kind::kInt:
      return static_cast<double>(std::get<int64_t>(v_));
    case Kind::kUInt:
      return static_cast<double>(std::get<uint64_t>(v_));
    case Kind::kBool:
      return std::get<bool>(v_) ? 1 : 0;
    default:
      return 0;
  }
}
const std::string& Value::as_string() const {
  return kind_ == Kind::kString || kind_ == Kind::kBinary ? std::get<std::string>(v_) : kEmptyString;
}
const Value::List& Value::as_list() const {
  return kind_ == Kind::kList ? *std::get<std::shared_ptr<List>>(v_) : kEmptyList;
}
const Value::Struct& Value::as_struct() const {
  return kind_ == Kind::kStruct ? *std::get<std::shared_ptr<Struct>>(v_) : kEmptyStruct;
}
const Value* Value::Get(const std::string& field) const {
  for (const auto& [name, v] : as_struct())
    if (name == field) return &v;
  return nullptr;
}

namespace {

// Python repr()'s layout of a shortest round-trip `sci` ("d.ddde[+-]x"): fixed point for exponents in
// [-4, 16), else d.ddde+XX.
std::string ReprFromScientific(std::string_view sci) {
  size_t e = sci.find('e');
  bool neg = sci[0] == '-';
  std::string digits;
  for (char c : sci.substr(neg ? 1 : 0, e - (neg ? 1 : 0)))
    if (c != '.') digits += c;
  int exp = std::stoi(std::string(sci.substr(e + 1)));
  std::string out = neg ? "-" : "";
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      if (digits.size() < static_cast<size_t>(exp) + 1)
        digits.append(static_cast<size_t>(exp) + 1 - digits.size(), '0');
      std::string frac = digits.substr(static_cast<size_t>(exp) + 1);
      out += digits.substr(0, static_cast<size_t>(exp) + 1) + "." + (frac.empty() ? "0" : frac);
    } else {
      out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  char ebuf[16];
  std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
  return out + ebuf;
}

}  // namespace

std::string FormatDouble(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);  // shortest round trip
  return ReprFromScientific(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}

std::string FormatFloat32(float f) {
  if (std::isnan(f)) return "nan";
  if (std::isinf(f)) return f > 0 ? "inf" : "-inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  return ReprFromScientific(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}

namespace {

void AppendJson(const Value& v, std::string& out) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      out += "null";
      return;
    case Value::Kind::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case Value::Kind::kInt:
      out += std::to_string(v.as_int());
      return;
    case Value::Kind::kUInt:
      out += std::to_string(v.as_uint());
      return;
    case Value::Kind::kDouble: {
      double d = v.as_double();
      if (std::isnan(d))
        out += "\"NaN\"";
      else if (std::isinf(d))
        out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
      else
        out += FormatDouble(d);
      return;
    }
    case Value::Kind::kString:
      out += DumpJson(Json(v.as_string()));
      return;
    case Value::Kind::kBinary:
      out += '"' + Base64Encode(v.as_string()) + '"';
      return;
    case Value::Kind::kList: {
      out += '[';
      bool first = true;
      for (const Value& e : v.as_list()) {
        if (!first) out += ',';
        first = false;
        AppendJson(e, out);
      }
      out += ']';
      return;
    }
    case Value::Kind::kStruct: {
      out += '{';
      bool first = true;
      for (const auto& [name, e] : v.as_struct()) {
        if (!first) out += ',';
        first = false;
        out += DumpJson(Json(name));
        out += ':';
        AppendJson(e, out);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string Value::ToJson() const {
  std::string out;
  AppendJson(*this, out);
  return out;
}

bool Value::operator==(const Value& o) const {
  bool int_like = (kind_ == Kind::kInt || kind_ == Kind::kUInt) && (o.kind_ == Kind::kInt || o.kind_ == Kind::kUInt);
  if (int_like && kind_ != o.kind_) {
    const Value& s = kind_ == Kind::kInt ? *this : o;
    const Value& u = kind_ == Kind::kInt ? o : *this;
    return s.as_int() >= 0 && static_cast<uint64_t>(s.as_int()) == u.as_uint();
  }
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case Kind::kNull:
      return true;
    case Kind::kBool:
      return as_bool() == o.as_bool();
    case Kind::kInt:
      return as_int() == o.as_int();
    case Kind::kUInt:
      return as_uint() == o.as_uint();
    case Kind::kDouble: {
      double a = as_double(), b = o.as_double();
      return a == b || (std::isnan(a) && std::isnan(b));  // NaN equals NaN here (unique, tests)
    }
    case Kind::kString:
    case Kind::kBinary:
      return as_string() == o.as_string();
    case Kind::kList:
      return as_list() == o.as_list();
    case Kind::kStruct:
      return as_struct() == o.as_struct();
  }
  return false;
}

}  // namespace mhub::datasets
