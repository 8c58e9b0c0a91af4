#include "serve/kv_block_allocator.h"

#include <algorithm>

namespace mhub::serve {

KvBlockAllocator::KvBlockAllocator(int64_t num_blocks, int64_t block_size, bool prefix_cache)
    : block_size_(block_size), prefix_cache_(prefix_cache) {
  const size_t n = static_cast<size_t>(std::max<int64_t>(num_blocks, 0));
  refs_.assign(n, 0);
  hash_of_.assign(n, 0);
  cached_.assign(n, false);
  lru_pos_.resize(n);
  // Lowest ids first (a fresh pool touches its first pages first).
  for (size_t i = n; i-- > 0;) free_.push_back(static_cast<int32_t>(i));
}

int32_t KvBlockAllocator::Allocate() {
  int32_t b = -1;
  if (!free_.empty()) {
    b = free_.back();
    free_.pop_back();
  } else if (!lru_.empty()) {
    b = lru_.front();
    lru_.pop_front();
    Uncache(b);
  } else {
    return -1;
  }
  refs_[static_cast<size_t>(b)] = 1;
  ++used_;
  return b;
}

void KvBlockAllocator::Release(int32_t block) {
  const size_t i = static_cast<size_t>(block);
  if (block < 0 || i >= refs_.size() || refs_[i] <= 0) return;
  if (--refs_[i] > 0) return;
  --used_;
  if (cached_[i]) {
    lru_.push_back(block);
    lru_pos_[i] = std::prev(lru_.end());
  } else {
    free_.push_back(block);
  }
}

void KvBlockAllocator::Uncache(int32_t block) {
  const size_t i = static_cast<size_t>(block);
  if (!cached_[i]) return;
  cache_.erase(hash_of_[i]);
  cached_[i] = false;
  hash_of_[i] = 0;
}

uint64_t KvBlockAllocator::ChainHash(uint64_t parent, std::span<const int64_t> tokens) {
  // FNV-1a over the parent hash and the token ids, then a final mix (splitmix64's): cheap, and a
  // collision is caught by Lookup's comparison anyway.
  uint64_t h = 0xcbf29ce484222325ull ^ parent;
  auto mix = [&h](uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= (v >> (8 * i)) & 0xff;
      h *= 0x100000001b3ull;
    }
  };
  mix(parent);
  for (int64_t t : tokens) mix(static_cast<uint64_t>(t));
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h == 0 ? 1 : h;  // 0 means "not cached" in hash_of_
}

int32_t KvBlockAllocator::Lookup(uint64_t hash, uint64_t parent, std::span<const int64_t> tokens) {
  if (!prefix_cache_) return -1;
  auto it = cache_.find(hash);
  if (it == cache_.end()) return -1;
  const Entry& e = it->second;
  if (e.parent != parent || !std::equal(e.tokens.begin(), e.tokens.end(), tokens.begin(), tokens.end())) return -1;
  const size_t i = static_cast<size_t>(e.block);
  if (refs_[i] == 0) {
    lru_.erase(lru_pos_[i]);
    ++used_;
  }
  ++refs_[i];
  return e.block;
}

void KvBlockAllocator::Register(uint64_t hash, uint64_t parent, std::span<const int64_t> tokens, int32_t block) {
  const size_t i = static_cast<size_t>(block);
  if (!prefix_cache_ || block < 0 || i >= refs_.size() || cached_[i] || cache_.count(hash) != 0) return;
  cache_.emplace(hash, Entry{block, parent, std::vector<int64_t>(tokens.begin(), tokens.end())});
  cached_[i] = true;
  hash_of_[i] = hash;
}

}  // namespace mhub::serve
