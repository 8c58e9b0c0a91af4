#include "datasets/parquet/column_statistics.h"

#include <cmath>
#include <cstring>
#include <string_view>

namespace mhub::datasets::parquet {

namespace {

float HalfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  int exp = (h >> 10) & 0x1F;
  uint32_t mant = h & 0x3FF;
  float f;
  if (exp == 0) {
    f = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    f = mant ? std::nanf("") : INFINITY;
  } else {
    f = std::ldexp(static_cast<float>(mant | 0x400), exp - 25);
  }
  return sign ? -f : f;
}

std::string Bytes(const void* p, size_t n) { return std::string(static_cast<const char*>(p), n); }

template <typename T>
bool IntMinMax(const uint8_t* data, int64_t n, std::string* min, std::string* max) {
  if (n == 0) return false;
  T lo, hi;
  std::memcpy(&lo, data, sizeof(T));
  hi = lo;
  for (int64_t i = 1; i < n; ++i) {
    T v;
    std::memcpy(&v, data + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  *min = Bytes(&lo, sizeof(T));
  *max = Bytes(&hi, sizeof(T));
  return true;
}

// Floats (and float16 through `decode`): NaN ignored; a zero min is written -0, a zero max +0, as
// the spec asks so that readers need not know which zero the data held.
template <typename T, typename Decode>
bool FloatMinMax(const uint8_t* data, int64_t n, Decode decode, std::string* min, std::string* max) {
  bool any = false;
  T lo{}, hi{};
  double lo_v = 0, hi_v = 0;
  for (int64_t i = 0; i < n; ++i) {
    T raw;
    std::memcpy(&raw, data + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
    double v = decode(raw);
    if (std::isnan(v)) continue;
    if (!any || v < lo_v) {
      lo = raw;
      lo_v = v;
    }
    if (!any || v > hi_v) {
      hi = raw;
      hi_v = v;
    }
    any = true;
  }
  if (!any) return false;
  if (lo_v == 0) lo = decode.negative_zero;
  if (hi_v == 0) hi = decode.positive_zero;
  *min = Bytes(&lo, sizeof(T));
  *max = Bytes(&hi, sizeof(T));
  return true;
}

struct DecodeFloat {
  float negative_zero = -0.0f, positive_zero = 0.0f;
  double operator()(float v) const { return v; }
};
struct DecodeDouble {
  double negative_zero = -0.0, positive_zero = 0.0;
  double operator()(double v) const { return v; }
};
struct DecodeHalf {
  uint16_t negative_zero = 0x8000, positive_zero = 0;
  double operator()(uint16_t v) const { return HalfToFloat(v); }
};

// Two's complement big-endian of equal length: the sign byte signed, the rest unsigned.
int CompareSignedBigEndian(std::string_view a, std::string_view b) {
  if (a.empty()) return 0;
  int8_t sa = static_cast<int8_t>(a[0]), sb = static_cast<int8_t>(b[0]);
  if (sa != sb) return sa < sb ? -1 : 1;
  return a.substr(1).compare(b.substr(1));
}

}  // namespace

bool ComputeMinMax(const WriteLeaf& leaf, const LeafChunk& chunk, int64_t begin, int64_t end, std::string* min,
                   std::string* max) {
  int64_t n = end - begin;
  if (n <= 0) return false;
  const uint8_t* fixed = leaf.width > 0 ? chunk.fixed.data() + begin * leaf.width : nullptr;
  switch (leaf.order) {
    case StatsOrder::kNone:
      return false;
    case StatsOrder::kBool:
      return IntMinMax<uint8_t>(fixed, n, min, max);
    case StatsOrder::kSigned:
      return leaf.width == 4 ? IntMinMax<int32_t>(fixed, n, min, max) : IntMinMax<int64_t>(fixed, n, min, max);
    case StatsOrder::kUnsigned:
      return leaf.width == 4 ? IntMinMax<uint32_t>(fixed, n, min, max) : IntMinMax<uint64_t>(fixed, n, min, max);
    case StatsOrder::kFloat:
      return leaf.width == 4 ? FloatMinMax<float>(fixed, n, DecodeFloat{}, min, max)
                             : FloatMinMax<double>(fixed, n, DecodeDouble{}, min, max);
    case StatsOrder::kFloat16:
      return FloatMinMax<uint16_t>(fixed, n, DecodeHalf{}, min, max);
    case StatsOrder::kBytes:
    case StatsOrder::kSignedBigEndian: {
      bool big_endian = leaf.order == StatsOrder::kSignedBigEndian;
      std::string_view lo = chunk.Value(begin), hi = lo;
      for (int64_t i = begin + 1; i < end; ++i) {
        std::string_view v = chunk.Value(i);
        if (big_endian ? CompareSignedBigEndian(v, lo) < 0 : v < lo) lo = v;
        if (big_endian ? CompareSignedBigEndian(v, hi) > 0 : v > hi) hi = v;
      }
      if (lo.size() > kMaxStatisticsValueBytes || hi.size() > kMaxStatisticsValueBytes) return false;
      *min = std::string(lo);
      *max = std::string(hi);
      return true;
    }
  }
  return false;
}

}  // namespace mhub::datasets::parquet
