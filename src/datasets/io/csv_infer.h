// Column types of a CSV file as `datasets` gets them: its csv builder reads with pandas.read_csv
// (default na_values, true/false values) and converts with pa.Table.from_pandas, so
//   every value an integer, no missing value  -> int64
//   integers with missing values, or floats   -> double (missing -> null)
//   True/False/TRUE/FALSE/true/false          -> bool (missing -> null)
//   anything else                             -> string (missing -> null)
//   only missing values                       -> double, all null
//   no rows at all (a header alone)           -> string
// Missing = one of pandas' default NA strings ("", "NA", "N/A", "NaN", "null", "None", ...).
#pragma once

#include <cstdint>
#include <string_view>

#include "mhub/datasets/types.h"

namespace mhub::datasets::io {

bool IsCsvNull(std::string_view v);
bool ParseCsvInt(std::string_view v, int64_t* out);
bool ParseCsvDouble(std::string_view v, double* out);
bool ParseCsvBool(std::string_view v, bool* out);

// Accumulates what one column's values allow; Type() is the final type.
class CsvColumnInference {
 public:
  void Add(std::string_view v);
  DataTypePtr Type() const;

 private:
  bool any_row_ = false;
  bool any_value_ = false;
  bool any_null_ = false;
  bool all_int_ = true;
  bool all_number_ = true;
  bool all_bool_ = true;
};

}  // namespace mhub::datasets::io
