// Random tables for the Parquet writer's differential tests: random schemas (every types.h type,
// lists and structs nested a few levels, nullable or not at every level), random values with nulls
// at every level. Arrays are built here directly (own buffers), so the writer is tested against data
// whose layout this file alone decides. Their canonical JSON: parquet_canonical.h (kWriteOracle).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "mhub/datasets/array.h"

namespace mhub::datasets::testing {

struct RandomTableSpec {
  int columns = 6;
  int max_depth = 3;        // list/struct nesting
  double null_rate = 0.15;  // per nullable slot
  bool allow_nested = true;
};

class RandomTableMaker {
 public:
  explicit RandomTableMaker(uint64_t seed) : rng_(seed) {}

  Schema RandomSchema(const RandomTableSpec& spec);
  // A table of `rows` rows of `schema`.
  Table RandomRows(const Schema& schema, int64_t rows, double null_rate);
  DataTypePtr RandomLeafType();

  std::mt19937_64& rng() { return rng_; }

 private:
  DataTypePtr RandomType(int depth, const RandomTableSpec& spec);
  ArrayPtr RandomArray(const Field& field, int64_t n, double null_rate);

  std::mt19937_64 rng_;
};

// Arrays from plain vectors, for hand-written cases.
Buffer VectorBuffer(std::vector<uint8_t> bytes);

}  // namespace mhub::datasets::testing
