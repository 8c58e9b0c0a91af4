// What /rows and /first-rows read per request, opened once and kept in bytes-bounded LRU caches:
//  - SplitView: a split of a done conversion with its shard files memory-mapped (footers decoded),
//    the split row where each shard and row group starts, and the viewer's "features" array
//    rendered once. Keyed by the parquet commit + config + split: a new conversion writes a new
//    commit, so a stale view is never served (it only ages out).
//  - decoded row groups (small ones only: the converter writes 1000-row groups), keyed by the
//    shard's LFS oid, so a page of 100 rows decodes at most two row groups once.
//
// Thread safety: every method may be called concurrently; cached values are immutable.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/datasets/parquet.h"

namespace mhub::server::viewer {

struct SplitInfo;
class ViewerService;

struct SplitView {
  std::string key;  // parquet commit, config, split: what the view is cached under
  std::string config, split;
  int64_t num_rows = 0;
  std::vector<std::string> oids;  // per shard
  std::vector<std::shared_ptr<const datasets::ParquetFile>> files;
  std::vector<int64_t> shard_first;               // split row of each shard's first row (+ the total at the end)
  std::vector<std::vector<int64_t>> group_first;  // per shard: file row of each row group's first row (+ end)
  datasets::Schema schema;
  std::string features_json;           // [{"feature_idx", "name", "type"}...] as /rows prints it
  std::vector<bool> keep_untruncated;  // per column: Image/Audio cells, which /first-rows never truncates
  uint64_t bytes = 0;                  // what the view holds in memory (its cache weight)
};

// A least-recently-used map from string keys to shared immutable values, bounded by the sum of
// the values' declared byte sizes. A value bigger than the whole budget is not kept.
template <typename V>
class ByteLru {
 public:
  explicit ByteLru(uint64_t budget) : budget_(budget) {}
  std::shared_ptr<const V> Get(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->value;
  }
  void Put(const std::string& key, std::shared_ptr<const V> value, uint64_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (bytes > budget_ || map_.count(key)) return;
    order_.push_front(Entry{key, std::move(value), bytes});
    map_.emplace(key, order_.begin());
    used_ += bytes;
    while (used_ > budget_) {
      used_ -= order_.back().bytes;
      map_.erase(order_.back().key);
      order_.pop_back();
    }
  }
  uint64_t used() {
    std::lock_guard<std::mutex> lock(mu_);
    return used_;
  }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const V> value;
    uint64_t bytes;
  };
  std::mutex mu_;
  uint64_t budget_;
  uint64_t used_ = 0;
  std::list<Entry> order_;
  std::unordered_map<std::string, typename std::list<Entry>::iterator> map_;
};

class SplitCache {
 public:
  SplitCache(uint64_t view_budget, uint64_t row_group_budget)
      : views_(view_budget), groups_(row_group_budget), bodies_(view_budget) {}

  // The view of `split` in the conversion that wrote `parquet_commit`.
  Result<std::shared_ptr<const SplitView>> View(ViewerService& viewer, const std::string& parquet_commit,
                                                const SplitInfo& split);
  // Split rows [begin, end) (clamped to the split) as a table per touched row group, in order:
  // `first_row` receives the split row of each table's first row.
  Result<std::vector<std::shared_ptr<const datasets::Table>>> Rows(const SplitView& view, int64_t begin, int64_t end,
                                                                   std::vector<int64_t>* first_row);
  // Whole answers computed from a view (its /first-rows), by a key that starts with the view's.
  std::shared_ptr<const std::string> Body(const std::string& key) { return bodies_.Get(key); }
  void PutBody(const std::string& key, std::string body) {
    const uint64_t bytes = body.size() + key.size();
    bodies_.Put(key, std::make_shared<const std::string>(std::move(body)), bytes);
  }

 private:
  Result<std::shared_ptr<const datasets::Table>> RowGroup(const SplitView& view, size_t shard, int group);
  ByteLru<SplitView> views_;
  ByteLru<datasets::Table> groups_;
  ByteLru<std::string> bodies_;
};

// Buffer bytes of an array / a table (what it takes in memory).
uint64_t ArrayBytes(const datasets::Array& a);
uint64_t TableBytes(const datasets::Table& t);

}  // namespace mhub::server::viewer
