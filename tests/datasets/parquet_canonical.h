// Canonical JSON of one array value, shared by the Parquet reader's and writer's differential tests
// (one function, two spellings: each JS oracle dumps the values it saw in its own form).
#pragma once

#include <nlohmann/json.hpp>

#include "mhub/datasets/array.h"

namespace mhub::datasets::testing {

enum class CanonicalForm {
  // tests/datasets/oracle/pq_read_gen.mjs: integers (any width, dates, timestamps, decimal unscaled
  // values) as decimal strings, floats as numbers, binary as lowercase hex.
  kReadOracle,
  // tests/datasets/oracle/pq_write_read.mjs: the same, but floats as "f:<IEEE bits hex>" ("NaN"),
  // binary as "b:<hex>" and decimals as "d:<unscaled>", so no two types share a spelling.
  kWriteOracle,
};

// Lists are arrays, structs objects; null at any level is null. A timestamp in seconds is written as
// milliseconds, the unit Parquet stores it in.
nlohmann::json CanonicalValue(const Array& a, int64_t i, CanonicalForm form);
nlohmann::json CanonicalRow(const Table& t, int64_t row, CanonicalForm form);

}  // namespace mhub::datasets::testing
