// ResponseCache (see response_cache.h): sharded LRU maps of rendered answers.
#include "server/http/response_cache.h"

#include <functional>
#include <list>
#include <string_view>
#include <unordered_map>

#include "mhub/base/sha256.h"

namespace mhub::server {

namespace {

// Bytes an entry is charged: key, body, headers and a fixed overhead for the nodes.
size_t Charge(const std::string& key, const CachedResponse& r) {
  size_t n = key.size() + r.body.size() + r.content_type.size() + 128;
  for (const auto& [k, v] : r.headers) n += k.size() + v.size() + 32;
  return n;
}

}  // namespace

struct ResponseCache::Shard {
  struct Entry {
    std::string key;
    CacheGeneration generation;
    std::shared_ptr<const CachedResponse> response;
    size_t charge = 0;
  };
  std::mutex mu;
  std::list<Entry> lru;                                                    // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index;  // views into lru keys
  size_t bytes = 0;

  void Erase(std::list<Entry>::iterator it) {
    bytes -= it->charge;
    index.erase(std::string_view(it->key));
    lru.erase(it);
  }
};

ResponseCache::ResponseCache(MetadataDb* db, size_t max_bytes)
    : db_(db),
      max_bytes_per_shard_(max_bytes / kShards),
      max_entry_bytes_(max_bytes / 16),
      shards_(new Shard[kShards]) {}

ResponseCache::~ResponseCache() = default;

bool ResponseCache::Cacheable(const HttpRequest& req) {
  if (req.method != "GET") return false;
  std::string_view path = req.raw_path;
  for (std::string_view prefix : {"/api/models", "/api/datasets", "/api/spaces"}) {
    if (path.size() >= prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
        (path.size() == prefix.size() || path[prefix.size()] == '/')) {
      return true;
    }
  }
  return false;
}

std::string ResponseCache::Key(const HttpRequest& req) {
  std::string key;
  std::string host = req.Header("Host");
  // The credential is kept only as its hash: the cache never holds a token in the clear.
  std::string auth = req.HasHeader("Authorization") ? Sha256Hex(req.Header("Authorization")) : std::string();
  key.reserve(req.method.size() + req.target.size() + host.size() + auth.size() + 3);
  // '\n' cannot appear in any of the parts (httplib rejects it in targets and header values).
  key.append(req.method).append(1, '\n').append(req.target).append(1, '\n').append(host).append(1, '\n').append(auth);
  return key;
}

std::optional<CacheGeneration> ResponseCache::Current() {
  CacheGeneration g;
  // The local counter first: a write that bumps it after this read invalidates what follows.
  g.local_writes = local_writes_.load(std::memory_order_acquire);
  auto db = db_->ChangeCounter();
  if (!db.ok()) return std::nullopt;
  g.db_changes = *db;
  return g;
}

ResponseCache::Shard& ResponseCache::ShardFor(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

std::shared_ptr<const CachedResponse> ResponseCache::Lookup(const std::string& key, const CacheGeneration& now) {
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.index.find(std::string_view(key));
  if (it == shard.index.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  if (!(it->second->generation == now)) {
    shard.Erase(it->second);  // stale for good: generations never come back
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second->response;
}

void ResponseCache::Store(const std::string& key, const CacheGeneration& computed_in, const HttpResponse& res) {
  if (res.status != 200 || res.file || res.head_content_length) return;
  auto response = std::make_shared<CachedResponse>();
  response->status = res.status;
  response->headers = res.headers;
  response->content_type = res.content_type;
  response->body = res.body;
  const size_t charge = Charge(key, *response);
  if (charge > max_entry_bytes_ || charge > max_bytes_per_shard_) return;
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto found = shard.index.find(std::string_view(key));
  if (found != shard.index.end()) shard.Erase(found->second);
  shard.lru.push_front(Shard::Entry{key, computed_in, std::move(response), charge});
  shard.index.emplace(std::string_view(shard.lru.front().key), shard.lru.begin());
  shard.bytes += charge;
  while (shard.bytes > max_bytes_per_shard_ && !shard.lru.empty()) shard.Erase(std::prev(shard.lru.end()));
  stores_.fetch_add(1, std::memory_order_relaxed);
}

ResponseCache::Stats ResponseCache::stats() {
  Stats s;
  s.hits = hits_.load(std::memory_order_relaxed);
  s.misses = misses_.load(std::memory_order_relaxed);
  s.stores = stores_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < kShards; ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mu);
    s.bytes += shards_[i].bytes;
    s.entries += shards_[i].lru.size();
  }
  return s;
}

}  // namespace mhub::server
