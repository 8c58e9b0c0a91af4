#include "datasets/parquet/block_cache.h"

#include <cstdlib>
#include <mutex>
#include <utility>
#include <vector>

namespace mhub::datasets::parquet {
namespace {

constexpr size_t kMinBlock = size_t{64} << 10;  // a streamed batch of 64k rows uses blocks of ~0.5 MB
constexpr size_t kMaxCached = size_t{256} << 20;

struct Cache {
  std::mutex mu;
  std::vector<std::pair<void*, size_t>> blocks;
  size_t total = 0;
};

Cache& TheCache() {
  static Cache* cache = new Cache();  // never destroyed: buffers may be released during exit
  return *cache;
}

}  // namespace

void* AcquireBlock(size_t bytes, size_t* capacity) {
  if (bytes < kMinBlock) return nullptr;
  Cache& c = TheCache();
  std::lock_guard<std::mutex> lock(c.mu);
  // The smallest block that fits, and not one more than 4x too large (that memory is better freed).
  size_t best = c.blocks.size();
  for (size_t i = 0; i < c.blocks.size(); ++i) {
    size_t cap = c.blocks[i].second;
    if (cap >= bytes && cap <= 4 * bytes && (best == c.blocks.size() || cap < c.blocks[best].second)) best = i;
  }
  if (best == c.blocks.size()) return nullptr;
  auto [p, cap] = c.blocks[best];
  c.blocks[best] = c.blocks.back();
  c.blocks.pop_back();
  c.total -= cap;
  *capacity = cap;
  return p;
}

void ReleaseBlock(void* block, size_t capacity) {
  if (block == nullptr) return;
  if (capacity >= kMinBlock) {
    Cache& c = TheCache();
    std::lock_guard<std::mutex> lock(c.mu);
    // Keep it if it fits the cap; else make room by dropping the oldest (smaller first would
    // also do; the cache holds few blocks).
    while (c.total + capacity > kMaxCached && !c.blocks.empty()) {
      std::free(c.blocks.front().first);
      c.total -= c.blocks.front().second;
      c.blocks.erase(c.blocks.begin());
    }
    if (c.total + capacity <= kMaxCached) {
      c.blocks.emplace_back(block, capacity);
      c.total += capacity;
      return;
    }
  }
  std::free(block);
}

}  // namespace mhub::datasets::parquet
