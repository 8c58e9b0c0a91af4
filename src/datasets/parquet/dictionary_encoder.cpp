#include "datasets/parquet/dictionary_encoder.h"

#include <cstring>
#include <functional>

namespace mhub::datasets::parquet {

namespace {

uint64_t Mix(uint64_t x) {  // a 64-bit finalizer (splitmix64): cheap and spreads low bits
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t Hash(std::string_view v) {
  if (v.size() <= 8) {
    uint64_t x = 0;
    std::memcpy(&x, v.data(), v.size());
    return Mix(x ^ (static_cast<uint64_t>(v.size()) << 56));
  }
  return Mix(std::hash<std::string_view>{}(v));
}

}  // namespace

DictionaryEncoder::DictionaryEncoder(int width) : width_(width), slots_(1024) {}

uint32_t DictionaryEncoder::Insert(std::string_view v) {
  uint64_t h = Hash(v);
  uint32_t tag = static_cast<uint32_t>(h >> 32);
  size_t mask = slots_.size() - 1;
  for (size_t s = h & mask;; s = (s + 1) & mask) {
    Slot& slot = slots_[s];
    if (slot.index < 0) {
      int32_t idx = static_cast<int32_t>(hashes_.size());
      slot = {tag, idx};
      hashes_.push_back(h);
      data_.append(v);
      offsets_.push_back(static_cast<int64_t>(data_.size()));
      plain_bytes_ += static_cast<int64_t>(v.size()) + (width_ > 0 ? 0 : 4);
      if (hashes_.size() * 2 > slots_.size()) Grow();
      return static_cast<uint32_t>(idx);
    }
    if (slot.hash == tag && value(static_cast<uint32_t>(slot.index)) == v) return static_cast<uint32_t>(slot.index);
  }
}

void DictionaryEncoder::Grow() {
  std::vector<Slot> slots(slots_.size() * 2);
  size_t mask = slots.size() - 1;
  for (size_t i = 0; i < hashes_.size(); ++i) {
    size_t s = hashes_[i] & mask;
    while (slots[s].index >= 0) s = (s + 1) & mask;
    slots[s] = {static_cast<uint32_t>(hashes_[i] >> 32), static_cast<int32_t>(i)};
  }
  slots_.swap(slots);
}

void DictionaryEncoder::EncodePlain(std::string* out) const {
  if (width_ > 0) {
    out->append(data_);
    return;
  }
  out->reserve(out->size() + static_cast<size_t>(plain_bytes_));
  for (uint32_t i = 0; i < size(); ++i) {
    std::string_view v = value(i);
    uint32_t n = static_cast<uint32_t>(v.size());
    char len[4];
    std::memcpy(len, &n, 4);
    out->append(len, 4);
    out->append(v);
  }
}

}  // namespace mhub::datasets::parquet
