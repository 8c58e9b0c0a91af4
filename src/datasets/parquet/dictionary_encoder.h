// The dictionary of one column chunk: distinct physical values in first-seen order, each value's
// index, and the PLAIN bytes of the dictionary page. Values are byte strings (fixed-width values
// as their `width` bytes), so one hash table serves every physical type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mhub::datasets::parquet {

class DictionaryEncoder {
 public:
  // width > 0: fixed-width values (PLAIN: raw bytes); 0: BYTE_ARRAY (PLAIN: 4-byte length + bytes).
  explicit DictionaryEncoder(int width);

  // The index of `v`, added if new.
  uint32_t Insert(std::string_view v);
  size_t size() const { return hashes_.size(); }
  // Bytes of the PLAIN-encoded dictionary page so far.
  int64_t plain_bytes() const { return plain_bytes_; }
  std::string_view value(uint32_t i) const {
    return {data_.data() + offsets_[i], static_cast<size_t>(offsets_[i + 1] - offsets_[i])};
  }
  void EncodePlain(std::string* out) const;

 private:
  void Grow();

  int width_;
  std::string data_;                 // the values, concatenated
  std::vector<int64_t> offsets_{0};  // size() + 1
  struct Slot {
    uint32_t hash = 0;  // high bits of the value's hash: most mismatches end here, in one cache line
    int32_t index = -1;
  };
  std::vector<uint64_t> hashes_;  // per value (for growing)
  std::vector<Slot> slots_;       // open addressing
  int64_t plain_bytes_ = 0;
};

}  // namespace mhub::datasets::parquet
