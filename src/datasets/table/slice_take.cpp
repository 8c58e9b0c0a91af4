// Copies of row ranges and row selections: SliceArray / TakeArray and Table's Slice, Take and
// Concatenate.
#include <algorithm>

#include "mhub/datasets/array.h"

namespace mhub::datasets {

ArrayPtr SliceArray(const Array& src, int64_t begin, int64_t end) {
  begin = std::clamp<int64_t>(begin, 0, src.length);
  end = std::clamp<int64_t>(end, begin, src.length);
  ArrayBuilder b(src.type);
  b.AppendRange(src, begin, end);
  return b.Finish();
}

ArrayPtr TakeArray(const Array& src, std::span<const int64_t> indices) {
  ArrayBuilder b(src.type);
  b.Reserve(static_cast<int64_t>(indices.size()));
  for (int64_t i : indices) {
    if (i < 0 || i >= src.length)
      b.AppendNull();
    else
      b.AppendFrom(src, i);
  }
  return b.Finish();
}

Table Table::Slice(int64_t begin, int64_t end) const {
  begin = std::clamp<int64_t>(begin, 0, num_rows);
  end = std::clamp<int64_t>(end, begin, num_rows);
  Table out;
  out.schema = schema;
  out.num_rows = end - begin;
  for (const ArrayPtr& c : columns) out.columns.push_back(SliceArray(*c, begin, end));
  return out;
}

Table Table::Take(std::span<const int64_t> indices) const {
  Table out;
  out.schema = schema;
  out.num_rows = static_cast<int64_t>(indices.size());
  for (const ArrayPtr& c : columns) out.columns.push_back(TakeArray(*c, indices));
  return out;
}

Result<Table> Table::Concatenate(std::span<const Table> parts) {
  if (parts.empty()) return Status::InvalidArgument("concatenate: no tables");
  Table out;
  out.schema = parts[0].schema;
  for (size_t p = 1; p < parts.size(); ++p) {
    if (!parts[p].schema.Equals(out.schema))
      return Status::InvalidArgument("concatenate: table " + std::to_string(p) + " has schema\n" +
                                     parts[p].schema.ToString() + "but table 0 has\n" + out.schema.ToString());
  }
  for (size_t k = 0; k < out.schema.fields.size(); ++k) {
    ArrayBuilder b(out.schema.fields[k].type);
    for (const Table& t : parts) b.AppendRange(*t.columns[k], 0, t.num_rows);
    out.columns.push_back(b.Finish());
  }
  for (const Table& t : parts) out.num_rows += t.num_rows;
  return out;
}

}  // namespace mhub::datasets
