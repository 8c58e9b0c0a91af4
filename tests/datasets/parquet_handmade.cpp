#include "datasets/parquet_handmade.h"

#include <cstring>

namespace mhub::datasets::testing {
namespace {

std::string PageHeader(int type, int32_t size, int32_t num_values, int encoding, bool dict) {
  ThriftOut t;
  t.I32(1, type);
  t.I32(2, size);
  t.I32(3, size);
  if (dict) {
    t.BeginStruct(7);
    t.I32(1, num_values);
    t.I32(2, 0);
    t.EndStruct();
  } else {
    t.BeginStruct(5);
    t.I32(1, num_values);
    t.I32(2, encoding);
    t.I32(3, 3);
    t.I32(4, 3);
    t.EndStruct();
  }
  t.Stop();
  return t.bytes();
}

void PutU32(std::string* s, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  s->append(b, 4);
}

}  // namespace

std::string BuildHandmadeParquet(const HandmadeColumn& c) {
  std::string file = "PAR1";
  int64_t chunk_start = 4;
  int64_t dict_offset = -1;
  if (!c.dictionary.empty()) {
    std::string body;
    for (int32_t v : c.dictionary) PutU32(&body, static_cast<uint32_t>(v));
    int32_t n = c.dictionary_num_values >= 0 ? c.dictionary_num_values : static_cast<int32_t>(c.dictionary.size());
    dict_offset = static_cast<int64_t>(file.size());
    file += PageHeader(2, static_cast<int32_t>(body.size()), n, 0, true) + body;
  }
  int64_t n_values = c.indices.empty() ? static_cast<int64_t>(c.values.size()) : static_cast<int64_t>(c.indices.size());
  std::string body;
  if (c.optional) {
    // Definition levels: all 1 (one RLE run), with the v1 length prefix.
    std::string lv;
    lv += static_cast<char>(n_values << 1);
    lv += '\1';
    PutU32(&body, static_cast<uint32_t>(lv.size()));
    body += lv;
  }
  int encoding = 0;
  if (!c.indices.empty()) {
    encoding = 8;
    body += '\x08';  // bit width 8, then one bit-packed run of ceil(n/8) groups
    size_t groups = (c.indices.size() + 7) / 8;
    body += static_cast<char>((groups << 1) | 1);
    for (size_t i = 0; i < groups * 8; ++i) body += static_cast<char>(i < c.indices.size() ? c.indices[i] : 0);
  } else {
    for (int32_t v : c.values) PutU32(&body, static_cast<uint32_t>(v));
  }
  int64_t data_offset = static_cast<int64_t>(file.size());
  int32_t page_values = c.page_num_values >= 0 ? c.page_num_values : static_cast<int32_t>(n_values);
  file += PageHeader(0, static_cast<int32_t>(body.size()) + c.page_size_delta, page_values, encoding, false) + body;
  int64_t chunk_size = static_cast<int64_t>(file.size()) - chunk_start + c.chunk_size_delta;
  int64_t rows = c.num_rows >= 0 ? c.num_rows : n_values;

  ThriftOut t;
  t.I32(1, 1);
  t.List(2, 12, 2);
  t.BeginElem();
  t.Binary(4, "schema");
  t.I32(5, 1);
  t.EndStruct();
  t.BeginElem();
  t.I32(1, 1);  // INT32
  t.I32(3, c.optional ? 1 : 0);
  t.Binary(4, "x");
  t.EndStruct();
  t.I64(3, rows);
  t.List(4, 12, 1);
  t.BeginElem();
  t.List(1, 12, 1);
  t.BeginElem();
  t.I64(2, chunk_start);
  t.BeginStruct(3);
  t.I32(1, 1);
  t.List(2, 5, 1);
  t.ListI32(encoding);
  t.List(3, 8, 1);
  t.ListString("x");
  t.I32(4, c.codec);
  t.I64(5, n_values);
  t.I64(6, chunk_size);
  t.I64(7, chunk_size);
  t.I64(9, data_offset);
  if (dict_offset >= 0) t.I64(11, dict_offset);
  t.EndStruct();
  t.EndStruct();  // ColumnChunk
  t.I64(2, chunk_size);
  t.I64(3, rows);
  t.EndStruct();  // RowGroup
  t.Stop();
  file += t.bytes();
  PutU32(&file, static_cast<uint32_t>(t.bytes().size()));
  file += "PAR1";
  return file;
}

}  // namespace mhub::datasets::testing
