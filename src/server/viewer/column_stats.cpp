#include "server/viewer/column_stats.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "mhub/datasets/value.h"

namespace mhub::server::viewer {

using datasets::Array;
using datasets::ArrayPtr;
using datasets::Feature;
using datasets::TypeId;

namespace {

constexpr int kNumBins = 10;
constexpr double kMaxProportionStringLabels = 0.2;
constexpr int64_t kMaxNumStringLabels = 1000;

float HalfToFloat(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 31, mant = h & 1023;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    v = mant ? NAN : INFINITY;
  } else {
    v = std::ldexp(static_cast<float>(mant | 1024), static_cast<int>(exp) - 25);
  }
  return sign ? -v : v;
}

// Non-null values of a numeric column as doubles (NaN counted as null, as the viewer's fill_nan).
struct Numbers {
  std::vector<double> values;
  int64_t nulls = 0;
  int64_t total = 0;
};

void AppendNumbers(const Array& a, Numbers& out) {
  out.total += a.length;
  for (int64_t i = 0; i < a.length; ++i) {
    if (a.IsNull(i)) {
      ++out.nulls;
      continue;
    }
    double v = 0;
    switch (a.type->id) {
      case TypeId::kInt8:
        v = a.Value<int8_t>(i);
        break;
      case TypeId::kInt16:
        v = a.Value<int16_t>(i);
        break;
      case TypeId::kInt32:
        v = a.Value<int32_t>(i);
        break;
      case TypeId::kInt64:
        v = static_cast<double>(a.Value<int64_t>(i));
        break;
      case TypeId::kUInt8:
        v = a.Value<uint8_t>(i);
        break;
      case TypeId::kUInt16:
        v = a.Value<uint16_t>(i);
        break;
      case TypeId::kUInt32:
        v = a.Value<uint32_t>(i);
        break;
      case TypeId::kUInt64:
        v = static_cast<double>(a.Value<uint64_t>(i));
        break;
      case TypeId::kFloat16:
        v = HalfToFloat(a.Value<uint16_t>(i));
        break;
      case TypeId::kFloat32:
        v = a.Value<float>(i);
        break;
      case TypeId::kFloat64:
        v = a.Value<double>(i);
        break;
      default:
        break;
    }
    if (std::isnan(v)) {
      ++out.nulls;
      continue;
    }
    out.values.push_back(v);
  }
}

double Proportion(int64_t count, int64_t total) {
  if (count == 0 || total == 0) return 0.0;
  return Round5(static_cast<double>(count) / static_cast<double>(total));
}

OrderedJson AllNullItem(int64_t total) {
  OrderedJson s;
  s["nan_count"] = total;
  s["nan_proportion"] = 1.0;
  for (const char* k : {"min", "max", "mean", "median", "std", "histogram"}) s[k] = nullptr;
  return s;
}

// min/max/mean/median/std/histogram of `n` (which it sorts), as IntColumn or FloatColumn does.
OrderedJson NumericItem(Numbers& n, bool is_int) {
  if (n.values.empty()) return AllNullItem(n.total);
  std::vector<double>& v = n.values;
  std::sort(v.begin(), v.end());
  const size_t count = v.size();
  long double sum = 0;
  for (double x : v) sum += x;
  const double mean = static_cast<double>(sum / static_cast<long double>(count));
  long double sq = 0;
  for (double x : v) sq += (static_cast<long double>(x) - mean) * (static_cast<long double>(x) - mean);
  const double median = count % 2 ? v[count / 2] : (v[count / 2 - 1] + v[count / 2]) / 2.0;
  OrderedJson s;
  s["nan_count"] = n.nulls;
  s["nan_proportion"] = Proportion(n.nulls, n.total);
  const double min = Round5(v.front()), max = Round5(v.back());
  if (is_int) {
    s["min"] = static_cast<int64_t>(v.front());
    s["max"] = static_cast<int64_t>(v.back());
  } else {
    s["min"] = min;
    s["max"] = max;
  }
  s["mean"] = Round5(mean);
  s["median"] = Round5(median);
  if (count > 1) {
    s["std"] = Round5(static_cast<double>(std::sqrt(sq / static_cast<long double>(count - 1))));
  } else {
    s["std"] = nullptr;
  }
  OrderedJson hist = OrderedJson::array();
  OrderedJson edges = OrderedJson::array();
  if (is_int) {
    const int64_t lo = static_cast<int64_t>(v.front()), hi = static_cast<int64_t>(v.back());
    const int64_t bin = static_cast<int64_t>(std::ceil(static_cast<double>(hi - lo + 1) / kNumBins));
    std::vector<int64_t> e;
    for (int64_t x = lo; x < hi + 1; x += bin) e.push_back(x);
    std::vector<int64_t> counts(e.size(), 0);
    for (double x : v) {
      size_t k = static_cast<size_t>((static_cast<int64_t>(x) - lo) / bin);
      counts[std::min(k, counts.size() - 1)]++;
    }
    for (int64_t c : counts) hist.push_back(c);
    for (int64_t x : e) edges.push_back(x);
    edges.push_back(hi);
  } else if (min == max) {
    hist.push_back(static_cast<int64_t>(count));
    edges.push_back(min);
    edges.push_back(max);
  } else {
    const double bin = (max - min) / kNumBins;
    std::vector<double> e;
    for (int i = 0; i < kNumBins; ++i) e.push_back(min + i * bin);
    std::vector<int64_t> counts(e.size(), 0);
    for (double x : v) {
      // Largest k with e[k] <= x; below e[0] (min was rounded up) goes to the first bin.
      auto it = std::upper_bound(e.begin(), e.end(), x);
      size_t k = it == e.begin() ? 0 : static_cast<size_t>(it - e.begin()) - 1;
      counts[k]++;
    }
    for (int64_t c : counts) hist.push_back(c);
    for (double x : e) edges.push_back(Round5(x));
    edges.push_back(max);
  }
  s["histogram"] = OrderedJson{{"hist", hist}, {"bin_edges", edges}};
  return s;
}

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Frequencies sorted by count (highest first), then label: a stable order for the same data.
OrderedJson FrequencyObject(const std::unordered_map<std::string, int64_t>& counts) {
  std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  OrderedJson out = OrderedJson::object();
  for (const auto& [k, c] : sorted) out[k] = c;
  return out;
}

OrderedJson StringItem(const std::vector<ArrayPtr>& chunks, std::string* column_type) {
  int64_t total = 0, nulls = 0;
  std::unordered_map<std::string_view, int64_t> counts;
  for (const auto& a : chunks) {
    total += a->length;
    for (int64_t i = 0; i < a->length; ++i) {
      if (a->IsNull(i)) {
        ++nulls;
      } else {
        counts[a->Bytes(i)]++;
      }
    }
  }
  const int64_t n_unique = static_cast<int64_t>(counts.size()) + (nulls > 0 ? 1 : 0);  // polars counts null
  const bool is_class =
      (total > 0 && static_cast<double>(n_unique) / static_cast<double>(total) <= kMaxProportionStringLabels &&
       n_unique <= kMaxNumStringLabels) ||
      n_unique <= kNumBins;
  if (is_class) {
    *column_type = "string_label";
    std::unordered_map<std::string, int64_t> owned;
    for (const auto& [k, c] : counts) owned.emplace(std::string(k), c);
    OrderedJson s;
    s["nan_count"] = nulls;
    s["nan_proportion"] = Proportion(nulls, total);
    s["no_label_count"] = 0;
    s["no_label_proportion"] = 0.0;
    s["n_unique"] = static_cast<int64_t>(counts.size());
    s["frequencies"] = FrequencyObject(owned);
    return s;
  }
  *column_type = "string_text";
  Numbers lengths;
  lengths.total = total;
  lengths.nulls = nulls;
  for (const auto& a : chunks) {
    for (int64_t i = 0; i < a->length; ++i) {
      if (!a->IsNull(i)) lengths.values.push_back(static_cast<double>(Utf8Chars(a->Bytes(i))));
    }
  }
  return NumericItem(lengths, /*is_int=*/true);
}

OrderedJson BoolItem(const std::vector<ArrayPtr>& chunks) {
  int64_t total = 0, nulls = 0, t = 0, f = 0;
  for (const auto& a : chunks) {
    total += a->length;
    for (int64_t i = 0; i < a->length; ++i) {
      if (a->IsNull(i)) {
        ++nulls;
      } else if (a->Value<uint8_t>(i)) {
        ++t;
      } else {
        ++f;
      }
    }
  }
  OrderedJson s;
  s["nan_count"] = nulls;
  s["nan_proportion"] = Proportion(nulls, total);
  OrderedJson freq = OrderedJson::object();
  if (f) freq["False"] = f;
  if (t) freq["True"] = t;
  s["frequencies"] = freq;
  return s;
}

OrderedJson ClassLabelItem(const Feature& feature, const std::vector<ArrayPtr>& chunks) {
  int64_t total = 0, nulls = 0, no_label = 0;
  std::vector<int64_t> counts(feature.names.size(), 0);
  for (const auto& a : chunks) {
    total += a->length;
    for (int64_t i = 0; i < a->length; ++i) {
      if (a->IsNull(i)) {
        ++nulls;
        continue;
      }
      int64_t id = datasets::GetValue(*a, i).as_int();
      if (id == -1) {
        ++no_label;
      } else if (id >= 0 && static_cast<size_t>(id) < counts.size()) {
        counts[static_cast<size_t>(id)]++;
      }
    }
  }
  OrderedJson s;
  s["nan_count"] = nulls;
  s["nan_proportion"] = Proportion(nulls, total);
  s["no_label_count"] = no_label;
  s["no_label_proportion"] = Proportion(no_label, total);
  s["n_unique"] = static_cast<int64_t>(feature.names.size());
  OrderedJson freq = OrderedJson::object();
  for (size_t k = 0; k < counts.size(); ++k) freq[feature.names[k]] = counts[k];
  s["frequencies"] = freq;
  return s;
}

OrderedJson ListItem(const std::vector<ArrayPtr>& chunks) {
  Numbers lengths;
  for (const auto& a : chunks) {
    lengths.total += a->length;
    for (int64_t i = 0; i < a->length; ++i) {
      if (a->IsNull(i)) {
        ++lengths.nulls;
      } else {
        lengths.values.push_back(static_cast<double>(a->Offset(i + 1) - a->Offset(i)));
      }
    }
  }
  return NumericItem(lengths, /*is_int=*/true);
}

}  // namespace

double Round5(double x) {
  if (!std::isfinite(x)) return x;
  return std::nearbyint(x * 1e5) / 1e5;
}

std::optional<OrderedJson> ColumnStatistics(const std::string& name, const Feature& feature,
                                            const std::vector<ArrayPtr>& chunks) {
  std::string type;
  OrderedJson stats;
  if (feature.kind == Feature::Kind::kClassLabel) {
    type = "class_label";
    stats = ClassLabelItem(feature, chunks);
  } else if (feature.kind == Feature::Kind::kList) {
    type = "list";
    stats = ListItem(chunks);
  } else if (feature.kind == Feature::Kind::kValue && !chunks.empty()) {
    const datasets::DataType& t = *chunks.front()->type;
    if (t.IsInteger() || t.IsFloating()) {
      type = t.IsInteger() ? "int" : "float";
      Numbers n;
      for (const auto& a : chunks) AppendNumbers(*a, n);
      stats = NumericItem(n, t.IsInteger());
    } else if (t.id == TypeId::kBool) {
      type = "bool";
      stats = BoolItem(chunks);
    } else if (t.id == TypeId::kString) {
      stats = StringItem(chunks, &type);
    } else {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  return OrderedJson{{"column_name", name}, {"column_type", type}, {"column_statistics", stats}};
}

}  // namespace mhub::server::viewer
