#include "tokenizers/models/string_index.h"

namespace mhub::tokenizers {

uint64_t HashBytesLong(const char* p, size_t len) noexcept {
  constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ull;
  uint64_t seed = kP2 ^ len;
  size_t i = 0;
  while (len - i > 16) {
    uint64_t a, b;
    std::memcpy(&a, p + i, 8);
    std::memcpy(&b, p + i + 8, 8);
    seed = HashMix(a ^ kHashP1, b ^ seed);
    i += 16;
  }
  uint64_t a, b;
  std::memcpy(&a, p + len - 16, 8);
  std::memcpy(&b, p + len - 8, 8);
  return HashMix(kHashP1 ^ len, HashMix(a ^ kHashP1, b ^ seed ^ kHashP0));
}

uint32_t StringIndex::FindLong(std::string_view key) const {
  if (slots_.empty()) return kNotFound;
  const uint64_t h = HashBytesLong(key.data(), key.size());
  if (!MayContain(h)) return kNotFound;
  size_t i = static_cast<size_t>(h) & mask_;
  while (true) {
    const Slot& s = slots_[i];
    if (s.len == kEmpty) return kNotFound;
    if (s.a == h && s.len == key.size() &&
        std::memcmp(arena_.data() + entries_[s.entry].offset, key.data(), key.size()) == 0) {
      return s.value;
    }
    i = (i + 1) & mask_;
  }
}

void StringIndex::KeyWords(std::string_view key, uint64_t& a, uint64_t& b, uint64_t& hash) {
  if (key.size() <= 16) {
    ShortKeyWords(key.data(), key.size(), a, b);
    hash = HashShortWords(a, b, key.size());
  } else {
    a = hash = HashBytesLong(key.data(), key.size());
    b = 0;
  }
}

size_t StringIndex::Probe(std::string_view key) const {
  uint64_t a, b, hash;
  KeyWords(key, a, b, hash);
  return Probe(key, a, b, hash);
}

size_t StringIndex::Probe(std::string_view key, uint64_t a, uint64_t b, uint64_t hash) const {
  const size_t len = key.size();
  size_t i = static_cast<size_t>(hash) & mask_;
  while (true) {
    const Slot& s = slots_[i];
    if (s.len == kEmpty) return i;
    if (s.a == a && s.b == b && s.len == len &&
        (len <= 16 || std::memcmp(arena_.data() + entries_[s.entry].offset, key.data(), len) == 0)) {
      return i;
    }
    i = (i + 1) & mask_;
  }
}

void StringIndex::Place(size_t entry) {
  const std::string_view key = KeyAt(entry);
  uint64_t a, b, hash;
  KeyWords(key, a, b, hash);
  const size_t i = Probe(key, a, b, hash);
  AddToFilter(hash);
  Slot& s = slots_[i];
  s.a = a;
  s.b = b;
  s.len = static_cast<uint32_t>(key.size());
  s.value = entries_[entry].value;
  s.entry = static_cast<uint32_t>(entry);
}

void StringIndex::Reserve(size_t n, size_t bytes) {
  entries_.reserve(n);
  arena_.reserve(bytes);
  size_t cap = 16;
  while (cap * 2 < n * 3) cap <<= 1;
  if (cap > slots_.size()) Rehash(cap);
}

void StringIndex::Rehash(size_t capacity) {
  slots_.assign(capacity, Slot{0, 0, kEmpty, 0, 0});
  mask_ = capacity - 1;
  if (use_filter_) {
    filter_.assign(capacity * 8 / 64, 0);
    filter_mask_ = capacity * 8 - 1;
  }
  for (size_t k = 0; k < entries_.size(); ++k) Place(k);
}

void StringIndex::Insert(std::string_view key, uint32_t value) {
  uint64_t a, b, hash;
  KeyWords(key, a, b, hash);
  InsertHashed(key, value, a, b, hash);
}

void StringIndex::InsertHashed(std::string_view key, uint32_t value, uint64_t a, uint64_t b, uint64_t hash) {
  // Keep the load factor at most 2/3.
  if ((entries_.size() + 1) * 3 > slots_.size() * 2) Rehash(slots_.empty() ? 16 : slots_.size() * 2);
  const size_t i = Probe(key, a, b, hash);
  Slot& s = slots_[i];
  if (s.len != kEmpty) {
    s.value = value;
    entries_[s.entry].value = value;
    return;
  }
  const size_t entry = entries_.size();
  entries_.push_back(Entry{static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(key.size()), value});
  arena_.append(key);
  s.a = a;
  s.b = b;
  s.len = static_cast<uint32_t>(key.size());
  s.value = value;
  s.entry = static_cast<uint32_t>(entry);
  AddToFilter(hash);
}

void StringIndex::InsertAll(const std::vector<std::string_view>& keys, const std::vector<uint32_t>& values) {
  size_t bytes = 0;
  for (std::string_view k : keys) bytes += k.size();
  Reserve(size() + keys.size(), arena_.size() + bytes);
  struct Words {
    uint64_t a, b, hash;
  };
  std::vector<Words> words(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) KeyWords(keys[i], words[i].a, words[i].b, words[i].hash);
  // The table is far bigger than the caches: start loading the slot of key i + kAhead early.
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i + kAhead < keys.size()) __builtin_prefetch(&slots_[static_cast<size_t>(words[i + kAhead].hash) & mask_]);
    InsertHashed(keys[i], values[i], words[i].a, words[i].b, words[i].hash);
  }
}

void StringIndex::Prefetch(std::string_view key) const {
  if (slots_.empty()) return;
  const uint64_t h = HashBytes(key);
  __builtin_prefetch(&slots_[static_cast<size_t>(h) & mask_]);
}

}  // namespace mhub::tokenizers
