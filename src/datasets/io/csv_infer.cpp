#include "datasets/io/csv_infer.h"

#include <charconv>
#include <cmath>

namespace mhub::datasets::io {
namespace {

std::string_view Trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

}  // namespace

bool IsCsvNull(std::string_view v) {
  // pandas' STR_NA_VALUES (pandas/_libs/parsers.pyx).
  static constexpr std::string_view kNa[] = {"",     "#N/A",   "#N/A N/A", "#NA",  "-1.#IND", "-1.#QNAN", "-NaN",
                                             "-nan", "1.#IND", "1.#QNAN",  "<NA>", "N/A",     "NA",       "NULL",
                                             "NaN",  "None",   "n/a",      "nan",  "null"};
  if (v.size() > 8) return false;
  for (std::string_view na : kNa)
    if (v == na) return true;
  return false;
}

bool ParseCsvInt(std::string_view v, int64_t* out) {
  v = Trim(v);
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  if (v.empty()) return false;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
  return ec == std::errc() && p == v.data() + v.size();
}

bool ParseCsvDouble(std::string_view v, double* out) {
  v = Trim(v);
  bool neg = false;
  if (!v.empty() && (v.front() == '+' || v.front() == '-')) {
    neg = v.front() == '-';
    v.remove_prefix(1);
  }
  if (v.empty() || v.front() == '+' || v.front() == '-') return false;
  // from_chars also reads "nan"/"inf"/"infinity"; pandas reads inf/Infinity too, NaN is NA already.
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
  if (p != v.data() + v.size()) return false;
  if (ec == std::errc::result_out_of_range) {
    // Past double's range: pandas gives +-inf for huge magnitudes, 0 for tiny ones.
    size_t e = v.find_first_of("eE");
    *out = e != std::string_view::npos && e + 1 < v.size() && v[e + 1] == '-' ? 0.0 : HUGE_VAL;
  } else if (ec != std::errc()) {
    return false;
  }
  if (neg) *out = -*out;
  return true;
}

bool ParseCsvBool(std::string_view v, bool* out) {
  if (v == "True" || v == "TRUE" || v == "true") {
    *out = true;
    return true;
  }
  if (v == "False" || v == "FALSE" || v == "false") {
    *out = false;
    return true;
  }
  return false;
}

void CsvColumnInference::Add(std::string_view v) {
  any_row_ = true;
  if (IsCsvNull(v)) {
    any_null_ = true;
    return;
  }
  any_value_ = true;
  int64_t i;
  double d;
  bool b;
  if (all_int_ && !ParseCsvInt(v, &i)) all_int_ = false;
  if (all_number_ && !all_int_ && !ParseCsvDouble(v, &d)) all_number_ = false;
  if (all_bool_ && !ParseCsvBool(v, &b)) all_bool_ = false;
}

DataTypePtr CsvColumnInference::Type() const {
  if (!any_row_) return String();
  if (!any_value_) return Float64();
  if (all_int_) return any_null_ ? Float64() : Int64();
  if (all_number_) return Float64();
  if (all_bool_) return Bool();
  return String();
}

}  // namespace mhub::datasets::io
