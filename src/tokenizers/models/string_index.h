// StringIndex: a string -> uint32 map built for vocabularies. Open addressing (linear probing,
// power-of-two capacity) over 32-byte slots. A key of up to 16 bytes is stored in its slot as
// two 8-byte words that identify it exactly (the words its hash is computed from), so a lookup
// is one hash, usually one cache line and two compares, with no memcmp. Longer keys are compared
// against a flat arena that also keeps every key for iteration.
// Inserting an existing key replaces its value (the last one wins, as with map assignment).
// Not thread-safe for writes; const lookups may run on many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace mhub::tokenizers {

inline uint64_t HashMix(uint64_t a, uint64_t b) noexcept {
  __extension__ using U128 = unsigned __int128;
  U128 r = static_cast<U128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

// 64-bit hash of a byte string longer than 16 bytes.
uint64_t HashBytesLong(const char* p, size_t len) noexcept;

// The two words that identify a key of at most 16 bytes exactly (together with its length):
// first and last 8 bytes, first and last 4, or three sampled bytes — they cover every byte.
inline void ShortKeyWords(const char* p, size_t len, uint64_t& a, uint64_t& b) noexcept {
  if (len >= 8) {
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + len - 8, 8);
  } else if (len >= 4) {
    uint32_t x, y;
    std::memcpy(&x, p, 4);
    std::memcpy(&y, p + len - 4, 4);
    a = x;
    b = y;
  } else if (len > 0) {
    a = (static_cast<uint64_t>(static_cast<unsigned char>(p[0])) << 16) |
        (static_cast<uint64_t>(static_cast<unsigned char>(p[len >> 1])) << 8) | static_cast<unsigned char>(p[len - 1]);
    b = 0;
  } else {
    a = b = 0;
  }
}

inline constexpr uint64_t kHashP0 = 0xa0761d6478bd642full;
inline constexpr uint64_t kHashP1 = 0xe7037ed1a0b428dbull;

inline uint64_t HashShortWords(uint64_t a, uint64_t b, size_t len) noexcept {
  return HashMix(kHashP1 ^ len, HashMix(a ^ kHashP1, b ^ kHashP0));
}

// 64-bit hash of any byte string (wyhash-style multiply-fold). Not for adversarial keys.
inline uint64_t HashBytes(std::string_view s) noexcept {
  if (s.size() <= 16) {
    uint64_t a, b;
    ShortKeyWords(s.data(), s.size(), a, b);
    return HashShortWords(a, b, s.size());
  }
  return HashBytesLong(s.data(), s.size());
}

class StringIndex {
 public:
  static constexpr uint32_t kNotFound = ~0u;

  // Keep a filter that rejects most absent keys from a small bit table (worth it for indexes
  // mostly asked about absent keys). Call before inserting.
  void EnableFilter() { use_filter_ = true; }
  // Room for `n` keys of `bytes` bytes in all without rehashing.
  void Reserve(size_t n, size_t bytes);
  void Insert(std::string_view key, uint32_t value);
  // Insert of every keys[i] -> values[i] in order; much faster than one by one on big tables.
  void InsertAll(const std::vector<std::string_view>& keys, const std::vector<uint32_t>& values);
  // The value of `key`, or kNotFound.
  uint32_t Find(std::string_view key) const {
    const size_t len = key.size();
    if (len <= 16) {
      uint64_t a, b;
      ShortKeyWords(key.data(), len, a, b);
      return FindShort(a, b, len, HashShortWords(a, b, len));
    }
    return FindLong(key);
  }
  // Find for a key of at most 16 bytes given its ShortKeyWords and HashShortWords.
  uint32_t FindShort(uint64_t a, uint64_t b, size_t len, uint64_t hash) const {
    if (slots_.empty() || !MayContain(hash)) return kNotFound;
    size_t i = static_cast<size_t>(hash) & mask_;
    while (true) {
      const Slot& s = slots_[i];
      if (s.a == a && s.b == b && s.len == len) return s.value;
      if (s.len == kEmpty) return kNotFound;
      i = (i + 1) & mask_;
    }
  }
  // Starts loading the slot a short key of hash `hash` probes first (a lookup soon after then
  // finds it in cache).
  void PrefetchShort(uint64_t hash) const {
    if (!slots_.empty() && MayContain(hash)) __builtin_prefetch(&slots_[static_cast<size_t>(hash) & mask_]);
  }
  void Prefetch(std::string_view key) const;
  bool Contains(std::string_view key) const { return Find(key) != kNotFound; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // Entries in insertion order (a replaced key keeps its first position).
  std::string_view KeyAt(size_t i) const { return {arena_.data() + entries_[i].offset, entries_[i].len}; }
  uint32_t ValueAt(size_t i) const { return entries_[i].value; }

 private:
  static constexpr uint32_t kEmpty = ~0u;
  struct Entry {
    uint32_t offset;
    uint32_t len;
    uint32_t value;
  };
  struct alignas(32) Slot {
    uint64_t a;    // short keys: ShortKeyWords; long keys: the full hash
    uint64_t b;    // short keys: ShortKeyWords; long keys: 0
    uint32_t len;  // kEmpty: free slot
    uint32_t value;
    uint32_t entry;
  };
  // A one-bit-per-hash filter, 8 bits per slot: most absent keys are rejected from a table small
  // enough to stay in cache (greedy WordPiece lookups miss far more often than they hit).
  bool MayContain(uint64_t hash) const {
    if (!use_filter_) return true;
    const size_t bit = static_cast<size_t>(hash >> 32) & filter_mask_;
    return (filter_[bit >> 6] >> (bit & 63)) & 1;
  }
  void AddToFilter(uint64_t hash) {
    if (!use_filter_) return;
    const size_t bit = static_cast<size_t>(hash >> 32) & filter_mask_;
    filter_[bit >> 6] |= uint64_t{1} << (bit & 63);
  }
  uint32_t FindLong(std::string_view key) const;
  // The slot holding `key`, or the free slot where it would go.
  size_t Probe(std::string_view key) const;
  size_t Probe(std::string_view key, uint64_t a, uint64_t b, uint64_t hash) const;
  static void KeyWords(std::string_view key, uint64_t& a, uint64_t& b, uint64_t& hash);
  void InsertHashed(std::string_view key, uint32_t value, uint64_t a, uint64_t b, uint64_t hash);
  void Rehash(size_t capacity);
  void Place(size_t entry);

  std::string arena_;
  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  bool use_filter_ = false;
  std::vector<uint64_t> filter_;
  size_t filter_mask_ = 0;
};

}  // namespace mhub::tokenizers

namespace mhub::tokenizers {

// A small direct-mapped memo (fits in L2) of short words that became exactly one token, kept
// per thread by the models: frequent words skip the big vocabulary tables and their cache
// misses. Keys are exact (ShortKeyWords + length), so a hit is always right.
class HotWordCache {
 public:
  static constexpr uint32_t kMiss = ~0u;
  uint32_t Find(uint64_t a, uint64_t b, size_t len, uint64_t hash) const {
    const Entry& e = entries_[(hash >> 20) & (kEntries - 1)];
    return e.a == a && e.b == b && e.len == len ? e.id : kMiss;
  }
  void Prefetch(uint64_t hash) const {
    if (!entries_.empty()) __builtin_prefetch(&entries_[(hash >> 20) & (kEntries - 1)]);
  }
  void Put(uint64_t a, uint64_t b, size_t len, uint64_t hash, uint32_t id) {
    entries_[(hash >> 20) & (kEntries - 1)] = Entry{a, b, static_cast<uint32_t>(len), id};
  }
  // Forgets everything (entries_ allocated on first use).
  void Reset() { entries_.assign(kEntries, Entry{0, 0, kNoKey, 0}); }

 private:
  static constexpr size_t kEntries = 1u << 14;
  static constexpr uint32_t kNoKey = ~0u;
  struct alignas(32) Entry {
    uint64_t a, b;
    uint32_t len;
    uint32_t id;
  };
  std::vector<Entry> entries_;
};

}  // namespace mhub::tokenizers
