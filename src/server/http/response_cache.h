// ResponseCache: rendered answers of the read-only repo API (GET /api/{models,datasets,spaces}...:
// listing, repo info, tree, refs, commits), so that a hot read costs a hash lookup instead of SQL,
// libgit2 and JSON rendering.
//
// Correctness rests on the Generation: an answer is served only while the generation it was
// computed in is still current. The generation pairs a counter the server bumps after every
// request that may write (anything but GET/HEAD/OPTIONS) with the metadata DB's change counter
// (which also sees writes from other processes and GET side effects such as download counts).
// A caller reads the generation BEFORE computing an answer and stores it under that generation,
// so an answer computed while a write landed is never served after the write's generation bump.
//
// The key holds everything such an answer depends on: method, raw target (path + query), Host
// (absolute Link URLs) and Authorization (the viewer; private repos differ per user), the last
// as a SHA-256 so no token is kept in the clear. Answers served from the cache carry the header
// `X-Mhub-Cache: hit`.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "mhub/server/http_types.h"
#include "mhub/server/metadata_db.h"

namespace mhub::server {

struct CacheGeneration {
  uint64_t local_writes = 0;  // bumps of this process's write counter
  uint64_t db_changes = 0;    // MetadataDb::ChangeCounter()
  bool operator==(const CacheGeneration& o) const {
    return local_writes == o.local_writes && db_changes == o.db_changes;
  }
};

// One stored answer (never a file body).
struct CachedResponse {
  int status = 200;
  HeaderList headers;
  std::string content_type;
  std::string body;
};

class ResponseCache {
 public:
  // `db` must outlive the cache. At most `max_bytes` of keys and bodies are kept (least
  // recently used answers go first); answers above max_bytes / 16 are never stored.
  explicit ResponseCache(MetadataDb* db, size_t max_bytes = size_t{64} << 20);
  ~ResponseCache();
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // True for the requests whose answers may be cached: GET on /api/{models,datasets,spaces}
  // (with or without a repo part), excluding routes with side effects.
  static bool Cacheable(const HttpRequest& req);
  static std::string Key(const HttpRequest& req);

  // The current generation, or nullopt when the DB cannot report changes (then: no caching).
  std::optional<CacheGeneration> Current();
  // Call after every request that may have written, before its answer leaves.
  void NoteWrite() { local_writes_.fetch_add(1, std::memory_order_acq_rel); }

  // The answer stored under `key` if it was computed in generation `now`.
  std::shared_ptr<const CachedResponse> Lookup(const std::string& key, const CacheGeneration& now);
  // Stores a 200 answer without a file body that was computed in generation `computed_in`.
  void Store(const std::string& key, const CacheGeneration& computed_in, const HttpResponse& res);

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t stores = 0;
    size_t bytes = 0;
    size_t entries = 0;
  };
  Stats stats();

 private:
  struct Shard;
  static constexpr size_t kShards = 16;
  Shard& ShardFor(const std::string& key);

  MetadataDb* db_;
  size_t max_bytes_per_shard_;
  size_t max_entry_bytes_;
  std::atomic<uint64_t> local_writes_{0};
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> stores_{0};
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace mhub::server
