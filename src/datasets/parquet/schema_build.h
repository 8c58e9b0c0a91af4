// From the footer's flattened Parquet schema to the Arrow-style schema of types.h, and the levels
// the reader needs to turn each leaf's repetition/definition levels back into nested arrays.
//
// Parquet nesting (LogicalTypes.md): LIST groups (3-level, and the legacy 2-level forms), MAP groups
// (list<struct<key, value>>), bare repeated fields (a non-null list of required values), other
// groups (structs).
//
// Levels per ArrowNode (used by assemble.cpp): the node's "slots" in a leaf's level stream are the
// entries with rep <= enclosing_rep and def >= exist_def (exist_def = def level of the nearest
// enclosing repeated node); a slot is non-null when def >= valid_def. A list node's elements are the
// entries with rep <= elem_rep and def >= elem_def.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/parquet/metadata.h"
#include "mhub/base/result.h"
#include "mhub/datasets/types.h"

namespace mhub::datasets::parquet {

struct LeafColumn {
  std::vector<std::string> path;  // path_in_schema
  std::string dotted;             // "a.list.element", for messages
  const SchemaElement* element = nullptr;
  PhysicalType physical = PhysicalType::kInt32;
  int type_length = 0;
  int16_t max_def = 0;
  int16_t max_rep = 0;
  DataTypePtr type;  // the Arrow type values convert to
};

struct ArrowNode {
  enum Kind : uint8_t { kLeaf, kStruct, kList };
  Kind kind = kLeaf;
  Field field;  // name, Arrow type, nullable
  int16_t enclosing_rep = 0;
  int16_t exist_def = 0;
  int16_t valid_def = 0;
  int16_t elem_rep = 0;             // kList
  int16_t elem_def = 0;             // kList
  int leaf = -1;                    // kLeaf: index into ParquetSchema::leaves
  int first_leaf = -1;              // any node: its first leaf (struct validity, list offsets)
  int last_leaf = -1;               // one past its last leaf
  std::vector<ArrowNode> children;  // kStruct: fields; kList: one element
};

struct ParquetSchema {
  std::vector<LeafColumn> leaves;  // in column-chunk order
  std::vector<ArrowNode> top;      // one per top-level field
  Schema arrow;                    // fields + key/value metadata
};

// Builds the schema; Corruption for a malformed tree (bad child counts, a leaf without a type,
// nesting deeper than 100), Unsupported for types mhub does not read (decimals over 38 digits).
Result<ParquetSchema> BuildSchema(const FileMetaData& meta);

}  // namespace mhub::datasets::parquet
