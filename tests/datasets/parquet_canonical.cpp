#include "datasets/parquet_canonical.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

namespace mhub::datasets::testing {
namespace {

// GCC/Clang 128-bit integers (__extension__ keeps -Wpedantic quiet).
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

std::string Hex(std::string_view s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

double HalfToDouble(uint16_t h) {
  double s = (h & 0x8000) ? -1 : 1;
  int e = (h >> 10) & 0x1F;
  int m = h & 0x3FF;
  if (e == 0) return s * std::ldexp(m, -24);
  if (e == 31) return m ? std::numeric_limits<double>::quiet_NaN() : s * INFINITY;
  return s * std::ldexp(1024 + m, e - 25);
}

std::string Int128String(Int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  UInt128 u = neg ? -static_cast<UInt128>(v) : static_cast<UInt128>(v);
  std::string s;
  while (u > 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (neg) s.push_back('-');
  return std::string(s.rbegin(), s.rend());
}

nlohmann::json Float(double x, CanonicalForm form) {
  if (form == CanonicalForm::kReadOracle) return x;
  if (std::isnan(x)) return "NaN";
  uint64_t bits;
  std::memcpy(&bits, &x, 8);
  char buf[24];
  std::snprintf(buf, sizeof(buf), "f:%016llx", static_cast<unsigned long long>(bits));
  return buf;
}

}  // namespace

nlohmann::json CanonicalValue(const Array& a, int64_t i, CanonicalForm form) {
  if (a.IsNull(i)) return nullptr;
  const DataType& t = *a.type;
  const bool tagged = form == CanonicalForm::kWriteOracle;
  switch (t.id) {
    case TypeId::kNull:
      return nullptr;
    case TypeId::kBool:
      return a.Value<uint8_t>(i) != 0;
    case TypeId::kInt8:
      return std::to_string(a.Value<int8_t>(i));
    case TypeId::kInt16:
      return std::to_string(a.Value<int16_t>(i));
    case TypeId::kInt32:
    case TypeId::kDate32:
      return std::to_string(a.Value<int32_t>(i));
    case TypeId::kInt64:
      return std::to_string(a.Value<int64_t>(i));
    case TypeId::kTimestamp: {
      int64_t v = a.Value<int64_t>(i);
      return std::to_string(t.unit == TimeUnit::kSecond ? v * 1000 : v);
    }
    case TypeId::kUInt8:
      return std::to_string(a.Value<uint8_t>(i));
    case TypeId::kUInt16:
      return std::to_string(a.Value<uint16_t>(i));
    case TypeId::kUInt32:
      return std::to_string(a.Value<uint32_t>(i));
    case TypeId::kUInt64:
      return std::to_string(a.Value<uint64_t>(i));
    case TypeId::kFloat16:
      return Float(HalfToDouble(a.Value<uint16_t>(i)), form);
    case TypeId::kFloat32:
      return Float(a.Value<float>(i), form);
    case TypeId::kFloat64:
      return Float(a.Value<double>(i), form);
    case TypeId::kString:
      return std::string(a.Bytes(i));
    case TypeId::kBinary:
      return (tagged ? "b:" : "") + Hex(a.Bytes(i));
    case TypeId::kDecimal128: {
      Int128 v;
      std::memcpy(&v, a.values.data + i * 16, 16);
      return (tagged ? "d:" : "") + Int128String(v);
    }
    case TypeId::kList: {
      nlohmann::json out = nlohmann::json::array();
      for (int64_t k = a.Offset(i); k < a.Offset(i + 1); ++k) out.push_back(CanonicalValue(*a.children[0], k, form));
      return out;
    }
    case TypeId::kStruct: {
      nlohmann::json out = nlohmann::json::object();
      for (size_t c = 0; c < a.children.size(); ++c) out[t.children[c].name] = CanonicalValue(*a.children[c], i, form);
      return out;
    }
  }
  return nullptr;
}

nlohmann::json CanonicalRow(const Table& t, int64_t row, CanonicalForm form) {
  nlohmann::json out = nlohmann::json::object();
  for (size_t c = 0; c < t.columns.size(); ++c) out[t.schema.fields[c].name] = CanonicalValue(*t.columns[c], row, form);
  return out;
}

}  // namespace mhub::datasets::testing
