// How `datasets` exports text: each batch of 1000 rows goes through pyarrow's to_pandas() and then
// pandas' to_json(orient="records", lines=True) / to_csv(index=False). These write one value the way
// that pipeline does: ujson's 10-digit doubles and ASCII-escaped strings (with "\/") for JSON, Python
// str() for CSV; an integer column holding a null in the batch is a float column there ("1.0").
#pragma once

#include <string>

#include "mhub/datasets/array.h"

namespace mhub::datasets {

// pandas' ujson double (double_precision=10): fixed notation with at most 10 fraction digits,
// exponent (%.10g) below 1e-15 or above 1e16; NaN and infinities are null.
std::string PandasJsonDouble(double v);
// A JSON string as pandas' ujson writes it (ensure_ascii: \uXXXX, "/" as "\/").
void AppendPandasJsonString(std::string_view s, std::string& out);

// Value i of `a` in a to_json record. `int_as_float`: the column became float64 in to_pandas.
void AppendPandasJsonValue(const Array& a, int64_t i, bool int_as_float, std::string& out);
// Value i of `a` as to_csv writes it before quoting ("" for null).
std::string PandasCsvValue(const Array& a, int64_t i, bool int_as_float);
// True when to_pandas makes this (batch) column float64 out of integers: it holds a null.
bool IntsBecomeFloats(const Array& a);
// Python csv QUOTE_MINIMAL quoting of one field (`only_field`: the row has one column).
void AppendCsvField(const std::string& field, bool only_field, std::string& out);

}  // namespace mhub::datasets
