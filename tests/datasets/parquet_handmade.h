// Hand-made Parquet files for the reader's bad-input tests: a tiny Thrift compact writer and a
// builder of one-column files whose every header field the test chooses (sizes, codecs,
// encodings, dictionary), so each corruption is exact rather than a random byte flip.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mhub::datasets::testing {

class ThriftOut {
 public:
  void I32(int16_t id, int32_t v) { Field(id, 5), Varint(ZigZag(v)); }
  void I64(int16_t id, int64_t v) { Field(id, 6), Varint(ZigZag(v)); }
  void Bool(int16_t id, bool v) { Field(id, v ? 1 : 2); }
  void Binary(int16_t id, const std::string& s) { Field(id, 8), Str(s); }
  void BeginStruct(int16_t id) {
    Field(id, 12);
    stack_.push_back(last_);
    last_ = 0;
  }
  void EndStruct() {
    out_ += '\0';
    last_ = stack_.back();
    stack_.pop_back();
  }
  // A list of `n` elements of wire type `t`; struct elements: BeginElem()/EndStruct() each.
  void List(int16_t id, int t, int n) {
    Field(id, 9);
    if (n < 15) {
      out_ += static_cast<char>((n << 4) | t);
    } else {
      out_ += static_cast<char>(0xf0 | t);
      Varint(static_cast<uint64_t>(n));
    }
  }
  void ListI32(int32_t v) { Varint(ZigZag(v)); }
  void ListString(const std::string& s) { Str(s); }
  void BeginElem() {
    stack_.push_back(last_);
    last_ = 0;
  }
  void Stop() { out_ += '\0'; }
  std::string& bytes() { return out_; }

 private:
  static uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
  void Varint(uint64_t v) {
    while (v >= 0x80) out_ += static_cast<char>((v & 0x7f) | 0x80), v >>= 7;
    out_ += static_cast<char>(v);
  }
  void Str(const std::string& s) { Varint(s.size()), out_ += s; }
  void Field(int16_t id, int t) {
    int d = id - last_;
    if (d > 0 && d <= 15) {
      out_ += static_cast<char>((d << 4) | t);
    } else {
      out_ += static_cast<char>(t);
      Varint(ZigZag(id));
    }
    last_ = id;
  }
  std::string out_;
  int16_t last_ = 0;
  std::vector<int16_t> stack_;
};

// One INT32 column "x" (optional when `optional`), one row group, uncompressed unless `codec` says
// otherwise (the page bodies are stored as given: a codec other than 0 only changes the footer).
struct HandmadeColumn {
  bool optional = false;
  int codec = 0;
  std::vector<int32_t> dictionary;  // non-empty: a PLAIN dictionary page first
  std::vector<uint32_t> indices;    // data page: RLE_DICTIONARY indices (bit width 8) ...
  std::vector<int32_t> values;      // ... or PLAIN values when `indices` is empty
  int64_t num_rows = -1;            // -1: the number of values
  int32_t page_num_values = -1;     // -1: right
  int32_t page_size_delta = 0;      // added to the data page's compressed/uncompressed sizes
  int64_t chunk_size_delta = 0;     // added to total_compressed_size
  int32_t dictionary_num_values = -1;
};

// The file bytes.
std::string BuildHandmadeParquet(const HandmadeColumn& c);

}  // namespace mhub::datasets::testing
