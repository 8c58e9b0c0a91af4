#include "datasets/parquet_canonical.h"

#include <cmath>
#include <cstring>
#include <string>

namespace mhub::datasets::testing {
namespace {

// GCC/Clang 128-bit integers (__extension__ keeps -Wpedantic quiet).
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

double HalfToDouble(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v;
  if (exp == 0)
    v = std::ldexp(mant, -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = std::ldexp(mant + 1024, exp - 25);
  return sign ? -v : v;
}

std::string Int128ToString(Int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  UInt128 u = neg ? -static_cast<UInt128>(v) : static_cast<UInt128>(v);
  std::string s;
  while (u) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + s : s;
}

}  // namespace

nlohmann::json CanonicalValue(const Array& a, int64_t i) {
  if (a.IsNull(i)) return nullptr;
  switch (a.type->id) {
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
    case TypeId::kTimestamp:
      return std::to_string(a.Value<int64_t>(i));
    case TypeId::kUInt8:
      return std::to_string(a.Value<uint8_t>(i));
    case TypeId::kUInt16:
      return std::to_string(a.Value<uint16_t>(i));
    case TypeId::kUInt32:
      return std::to_string(a.Value<uint32_t>(i));
    case TypeId::kUInt64:
      return std::to_string(a.Value<uint64_t>(i));
    case TypeId::kFloat16:
      return HalfToDouble(a.Value<uint16_t>(i));
    case TypeId::kFloat32:
      return static_cast<double>(a.Value<float>(i));
    case TypeId::kFloat64:
      return a.Value<double>(i);
    case TypeId::kString:
      return std::string(a.Bytes(i));
    case TypeId::kBinary: {
      static const char* d = "0123456789abcdef";
      std::string out;
      for (unsigned char c : a.Bytes(i)) out += d[c >> 4], out += d[c & 15];
      return out;
    }
    case TypeId::kDecimal128: {
      Int128 v;
      std::memcpy(&v, a.values.data + i * 16, 16);
      return Int128ToString(v);
    }
    case TypeId::kList: {
      nlohmann::json out = nlohmann::json::array();
      for (int64_t k = a.Offset(i); k < a.Offset(i + 1); ++k) out.push_back(CanonicalValue(*a.children[0], k));
      return out;
    }
    case TypeId::kStruct: {
      nlohmann::json out = nlohmann::json::object();
      for (size_t c = 0; c < a.children.size(); ++c) out[a.type->children[c].name] = CanonicalValue(*a.children[c], i);
      return out;
    }
  }
  return "?";
}

}  // namespace mhub::datasets::testing
