// ViewerService: the hub's dataset viewer back end, owned by the server (HubContext::viewer).
//  - A conversion worker thread: every write to a dataset repo (NoteWrite) queues the repo; the
//    worker converts main's head to refs/convert/parquet (converter.h), one job per repo revision
//    persisted in SQLite (job_store.h). Pending or interrupted jobs (a stop, a kill -9) resume at
//    the next start. A newer push to main supersedes a running conversion (it stops, commits
//    nothing, and the newer revision is converted next).
//  - Read caches over the converted Parquet: each repo's job row with its summary parsed (the worker
//    is the table's only writer and forgets a repo's entry whenever it writes its row), open shard
//    files (memory-mapped, by LFS oid), split views and decoded row groups for /rows and
//    /first-rows (split_cache.h), whole columns of a split (for /search, /filter, /statistics), and
//    computed /statistics answers per parquet commit (a commit never changes, so entries never go
//    stale; they are only evicted).
//  - A job that was running when the server died is re-run at the next start; one that was
//    interrupted that way kMaxInterruptedRuns times (it may be what kills the server) fails.
//
// Thread safety: every method may be called from any request thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "mhub/base/json.h"
#include "mhub/datasets/parquet.h"
#include "server/http/hub_context.h"
#include "server/viewer/job_store.h"
#include "server/viewer/split_cache.h"

namespace mhub::server::viewer {

// One converted split, as the job summary lists it.
struct SplitShard {
  std::string path;  // {config}/{split}/NNNN.parquet
  std::string oid;
  uint64_t size = 0;
  int64_t num_rows = 0;
};
struct SplitInfo {
  std::string config;
  std::string split;
  int64_t num_rows = 0;
  std::vector<SplitShard> shards;
  Json features;  // the config's features object (column -> feature dict)
};

// A repo's job row as the handlers read it, a done job's summary parsed once.
struct JobSnapshot {
  ConversionJob job;
  Json summary;  // done jobs
  std::vector<SplitInfo> splits;
};

// Runs of one job cut short by a crash or a kill -9 before the job is failed instead of re-run.
inline constexpr int64_t kMaxInterruptedRuns = 3;

class ViewerService {
 public:
  // Opens the job table and starts the worker, which first resumes unfinished jobs and queues every
  // dataset repo whose main head has no job yet.
  static Result<std::shared_ptr<ViewerService>> Start(HubContext* ctx);
  ~ViewerService();  // stops the worker (a running job stays "running" and resumes next start)

  // Called after every request that may have written: queues the dataset repo named by `raw_path`
  // (/api/datasets/{ns}/{name}/..., /datasets/{ns}/{name}(.git)/...), if any.
  void NoteWrite(const std::string& raw_path);
  void NoteWrite(const RepoKey& key);

  JobStore& jobs() { return *jobs_; }
  // The repo's job (null when none was ever queued), from memory after the first read.
  Result<std::shared_ptr<const JobSnapshot>> Job(const RepoKey& key);
  SplitCache& splits() { return split_cache_; }

  // The splits of a done job's summary.
  static std::vector<SplitInfo> Splits(const Json& summary);

  Result<std::shared_ptr<const datasets::ParquetFile>> Shard(const SplitShard& shard);
  // Column `name` of a whole split (shards concatenated), cached per shard oids.
  Result<datasets::ArrayPtr> Column(const SplitInfo& split, const std::string& name);
  std::optional<std::string> CachedStatistics(const std::string& key);
  void StoreStatistics(const std::string& key, std::string body);

  // Tests and benches: waits until the queue is empty and no job runs (false on timeout).
  bool WaitIdle(int64_t timeout_ms);

 private:
  explicit ViewerService(HubContext* ctx);
  void Run();
  void Process(const RepoKey& key);
  void Enqueue(const RepoKey& key);
  void ForgetJob(const RepoKey& key);  // after every write of the repo's job row

  HubContext* ctx_;
  std::unique_ptr<JobStore> jobs_;
  std::thread worker_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<RepoKey> queue_;
  bool stop_ = false;
  bool busy_ = false;
  std::optional<RepoKey> running_;
  std::atomic<bool> running_touched_{false};  // a write reached the repo being converted

  std::mutex cache_mu_;
  std::map<std::string, std::shared_ptr<const datasets::ParquetFile>> shards_;
  std::map<std::string, datasets::ArrayPtr> columns_;
  uint64_t column_bytes_ = 0;
  std::map<std::string, std::string> stats_;

  std::mutex job_mu_;
  uint64_t job_generation_ = 0;  // bumped by ForgetJob: a read that raced a write is not cached
  std::map<std::string, std::shared_ptr<const JobSnapshot>> job_cache_;
  SplitCache split_cache_;
};

}  // namespace mhub::server::viewer
