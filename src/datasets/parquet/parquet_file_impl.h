// ParquetFile's private state, shared by the files that implement it (parquet_file.cpp: open and
// read; parquet_filter.cpp: min/max skipping).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/parquet/column_reader.h"
#include "datasets/parquet/metadata.h"
#include "datasets/parquet/schema_build.h"
#include "mhub/datasets/parquet.h"

namespace mhub::datasets {

struct ParquetFile::Impl {
  Buffer bytes;  // the whole file (mapping or caller's buffer)
  std::string name;
  parquet::FileMetaData meta;
  parquet::ParquetSchema schema;
  std::vector<ParquetRowGroupInfo> infos;
  std::vector<int64_t> first_row;  // per row group
  size_t data_end = 0;             // where the footer starts
  bool mapped = false;             // bytes is our own read-only file mapping (ReleasePages may drop it)

  Status Error(int rg, const std::string& column, const Status& st) const {
    std::string where = name;
    if (rg >= 0) where += ": row group " + std::to_string(rg);
    if (!column.empty()) where += ", column '" + column + "'";
    return Status(st.code(), where + ": " + st.message());
  }

  Status Init();
  Result<std::vector<int>> SelectColumns(const std::vector<std::string>& columns) const;
  // Rows [begin, end) of row group rg (row-group-relative), the given top-level columns.
  Result<Table> ReadRowGroupRange(int rg, const std::vector<int>& cols, int64_t begin, int64_t end, int threads) const;
  // The chunk request of leaf l of row group rg for rows [begin, end); *oi receives the offset index
  // when one is worth using (a part of the row group).
  Result<parquet::ChunkRequest> Request(int rg, int l, int64_t begin, int64_t end, parquet::OffsetIndex* oi) const;
  // Compressed bytes of the selected columns' chunks in row group rg.
  int64_t SelectedBytes(int rg, const std::vector<int>& cols) const;
  // Hands the mapped pages of row group rg back to the kernel (they stay in the page cache): a scan
  // of a file larger than memory then keeps only the row group it is on in its resident set.
  void ReleasePages(int rg) const;

  class Reader;  // Stream()'s TableReader
  Schema SchemaOf(const std::vector<int>& cols) const {
    Schema s;
    for (int c : cols) s.fields.push_back(schema.arrow.fields[c]);
    s.metadata = schema.arrow.metadata;
    return s;
  }
};

}  // namespace mhub::datasets
