// Fuzzes the Parquet page path: a whole file (footer, pages, codecs, level and value decoders,
// nested assembly) read through ParquetFile, and the value decoders alone on raw bytes (the first
// byte picks the decoder and physical type). A file that reads must give arrays that validate.
// Raw Snappy blocks go through the own decoder, and min/max skipping (statistics, column and
// offset indexes) runs over each flat column: its matches must be a subset of the full read's rows.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/parquet/rle_hybrid.h"
#include "datasets/parquet/snappy_decode.h"
#include "datasets/parquet/value_decoders.h"
#include "mhub/datasets/parquet.h"

using namespace mhub::datasets;           // NOLINT
using namespace mhub::datasets::parquet;  // NOLINT

namespace {

void FuzzDecoders(const uint8_t* data, size_t size) {
  if (size < 3) return;
  int which = data[0] % 8;
  PhysicalType type = static_cast<PhysicalType>(data[1] % 8);
  int64_t n = data[2] * 4;
  data += 3;
  size -= 3;
  DenseValues v;
  v.Init(type, type == PhysicalType::kFixedLenByteArray ? 3 : 0);
  switch (which) {
    case 0:
      (void)DecodePlain(data, size, n, &v);
      break;
    case 1:
      (void)DecodeRleBooleans(data, size, n, &v);
      break;
    case 2:
      (void)DecodeDeltaBinaryPacked(data, size, n, &v);
      break;
    case 3:
      (void)DecodeDeltaLengthByteArray(data, size, n, &v);
      break;
    case 4:
      (void)DecodeDeltaByteArray(data, size, n, &v);
      break;
    case 5:
      (void)DecodeByteStreamSplit(data, size, n, &v);
      break;
    default: {
      std::vector<uint32_t> out(n);
      int64_t got = 0;
      RleBitPackedDecoder dec(data, size, which == 6 ? 1 + data[-1] % 32 : 3);
      (void)dec.GetWithMax(out.data(), n, &got);
      if (got > n) __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzDecoders(data, size);
  {
    size_t len = 0;
    if (SnappyLength(data, size, &len) && len <= (size_t{1} << 20)) {
      std::vector<uint8_t> out(len);
      (void)SnappyDecode(data, size, out.data(), len);
    }
  }
  Buffer b;
  b.data = data;
  b.size = size;
  auto f = ParquetFile::OpenBuffer(b, "fuzz.parquet");
  if (!f.ok()) return 0;
  auto t = f->Read();
  if (t.ok() && !t->Validate().ok()) __builtin_trap();
  // Min/max skipping over every top-level column, with constants from the input's last bytes.
  for (const Field& field : f->schema().fields) {
    const int64_t k = size >= 8 ? static_cast<int64_t>(data[size - 1]) - 64 : 0;
    for (ParquetPredicate::Op op : {ParquetPredicate::Op::kLt, ParquetPredicate::Op::kEq,
                                    ParquetPredicate::Op::kBetween, ParquetPredicate::Op::kIsNull}) {
      ParquetPredicate p;
      p.column = field.name;
      p.op = op;
      const bool bytes = field.type->id == TypeId::kString || field.type->id == TypeId::kBinary;
      p.value = bytes ? Value::String(std::string(1, static_cast<char>(k))) : Value::Int(k);
      p.value2 = bytes ? Value::String("\x7f") : Value::Double(static_cast<double>(k) * 3.5);
      ParquetSkipCounters c;
      auto rows = f->FilterRows(p, &c);
      if (rows.ok() && t.ok()) {
        for (int64_t r : *rows) {
          if (r < 0 || r >= t->num_rows) __builtin_trap();
        }
        if (c.pages_skipped > c.pages || c.row_groups_skipped > c.row_groups) __builtin_trap();
      }
    }
  }
  if (f->num_rows() > 2) {
    ParquetReadOptions o;
    o.row_begin = 1;
    o.row_end = f->num_rows() - 1;
    auto r = f->Read(o);
    if (r.ok() && (r->num_rows != o.row_end - o.row_begin || !r->Validate().ok())) __builtin_trap();
  }
  return 0;
}
