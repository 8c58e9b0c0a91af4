// Which sequence owns which block of the paged KV pool (models::PagedKvPool), and the prefix cache:
// full blocks keyed by a hash of the whole token prefix up to their end, shared read-only (ref
// counts) by later sequences that start with the same tokens (chat system prompts). A cached block
// that no sequence uses stays cached until a new block is needed and none is free (then the least
// recently used one is evicted). Not thread-safe: the batch scheduler's lock guards it.
#pragma once

#include <cstdint>
#include <list>
#include <span>
#include <unordered_map>
#include <vector>

namespace mhub::serve {

class KvBlockAllocator {
 public:
  KvBlockAllocator(int64_t num_blocks, int64_t block_size, bool prefix_cache);

  int64_t block_size() const { return block_size_; }
  int64_t total() const { return static_cast<int64_t>(refs_.size()); }
  int64_t used() const { return used_; }                                // held by sequences
  int64_t cached() const { return static_cast<int64_t>(lru_.size()); }  // kept only by the cache
  int64_t free() const { return static_cast<int64_t>(free_.size()); }

  // A block for one sequence (ref 1): a free one, else the least recently used cached one
  // (dropped from the cache); -1 when every block is held by a sequence.
  int32_t Allocate();
  // One sequence lets go of `block`; with no holder left it is free again, or stays cached.
  void Release(int32_t block);

  // The hash of a prefix ending with `tokens` (one block) after a prefix whose hash is `parent`
  // (0 for the start of the sequence).
  static uint64_t ChainHash(uint64_t parent, std::span<const int64_t> tokens);
  // The cached block for this prefix, now also held by the caller (ref + 1); -1 when not cached.
  // The tokens and the parent hash are compared too, so a hash collision is a miss.
  int32_t Lookup(uint64_t hash, uint64_t parent, std::span<const int64_t> tokens);
  // Offers a full block whose keys/values are final to the cache under `hash`; ignored when the
  // cache is off or already holds this prefix in another block.
  void Register(uint64_t hash, uint64_t parent, std::span<const int64_t> tokens, int32_t block);

 private:
  struct Entry {
    int32_t block = -1;
    uint64_t parent = 0;
    std::vector<int64_t> tokens;
  };
  void Uncache(int32_t block);

  int64_t block_size_;
  bool prefix_cache_;
  std::vector<int32_t> refs_;
  std::vector<uint64_t> hash_of_;  // per block: its cache key, or 0 when not cached
  std::vector<bool> cached_;
  std::vector<int32_t> free_;
  std::list<int32_t> lru_;  // cached blocks with no holder, least recently used first
  std::vector<std::list<int32_t>::iterator> lru_pos_;
  std::unordered_map<uint64_t, Entry> cache_;
  int64_t used_ = 0;
};

}  // namespace mhub::serve
